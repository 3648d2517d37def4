#!/bin/bash
# bench_pam in a private mount namespace: a local user with a yescrypt password (Debian's
# default) in a namespace-private /etc/shadow, for pam_unix side by side with pam_iam.
# The host's /etc is untouched (an overlay, as docs/testing.md describes). Needs root.
#   bench_pam.sh BENCH_BINARY PAM_WRAPPER_LIB SERVICE_DIR FIXTURE_DIR
set -euo pipefail
bin=$1 wrapper=$2 services=$3 fixture=$4
"$bin" "$fixture" --write || { echo "bench_pam.sh: cannot write the fixtures" >&2; exit 1; }
if [ "$(id -u)" != 0 ]; then
    echo "bench_pam.sh: needs root for the private /etc; running pam_iam only" >&2
    exec env LD_PRELOAD="$wrapper" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$services" \
        "$bin" "$fixture"
fi
exec unshare --mount --fork bash -c '
    set -euo pipefail
    t=$(mktemp -d /tmp/iam-bench.XXXXXX)
    mount -t tmpfs tmpfs "$t"
    mkdir "$t/u" "$t/w"
    mount -t overlay overlay -o lowerdir=/etc,upperdir="$t/u",workdir="$t/w" /etc
    useradd -M -s /usr/sbin/nologin iambenchlocal
    echo "iambenchlocal:Local-Pass-123" | chpasswd -c YESCRYPT
    grep -q "^iambenchlocal:[\$]y[\$]" /etc/shadow || { echo "not yescrypt" >&2; exit 1; }
    LD_PRELOAD="'"$wrapper"'" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="'"$services"'" \
        "'"$bin"'" "'"$fixture"'" iambenchlocal Local-Pass-123
    rc=$?
    umount /etc; umount "$t"; rmdir "$t"
    exit $rc'
