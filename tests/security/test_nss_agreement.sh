#!/bin/bash
# End to end (root, private mount + pid namespace, the host untouched): the NSS module finds
# the caches where iam.conf says (cache_dir), as pam_iam and iamctl do; and a running nscd is
# told to forget what it remembers when the caches change, so a deleted user stops resolving
# at once instead of for up to 10 minutes.
#
# Inside: /etc, /run, the system library directory and /var/cache/nscd are throw-away
# (overlays or tmpfs); libnss_iam.so.2 is installed as the package installs it, `iam` added to
# nsswitch.conf, iam.conf written by `iamctl init` at its default path, and a real nscd is
# started (persistence off).
#   test_nss_agreement.sh IAMCTL NSS_IAM_SO PAM_IAM_SO PAM_WRAPPER_LIB
set -uo pipefail
IAMCTL=$(realpath "$1")
NSS_IAM=$(realpath "$2")
PAM_IAM=$(realpath "$3")
PAM_WRAPPER=$4
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${IAM_IN_NS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a private mount namespace)"; exit 77; }
    for p in nscd pamtester sqlite3; do
        command -v $p >/dev/null || { echo "SKIP: $p missing (scripts/install-deps.sh)"; exit 77; }
    done
    before=$(sha256sum /etc/nsswitch.conf /etc/nscd.conf 2>/dev/null; ls /etc/iam 2>&1)
    unshare --mount --pid --fork --kill-child --mount-proc env IAM_IN_NS=1 bash "$0" "$@"
    rc=$?
    after=$(sha256sum /etc/nsswitch.conf /etc/nscd.conf 2>/dev/null; ls /etc/iam 2>&1)
    [ "$before" = "$after" ] || { echo "FAIL: the host's /etc changed"; exit 1; }
    exit $rc
fi
T=$(mktemp -d /tmp/iam-nssagree.XXXXXX)
PASS=0
fail() { echo "FAIL: $*" >&2; cat "$T/err" 2>/dev/null >&2; exit 1; }
ok() { PASS=$((PASS + 1)); }
mount --make-rprivate / || fail "mount --make-rprivate"
libdir=$(dirname "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)")
mount -t tmpfs -o mode=0755 tmpfs "$T" && mkdir -p "$T"/{etc,lib}/{u,w} "$T/nscd" "$T/pam.d" ||
    fail "scratch tmpfs"
mount -t tmpfs tmpfs /run
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc/u,workdir=$T/etc/w" /etc
mount -t overlay overlay -o "lowerdir=$libdir,upperdir=$T/lib/u,workdir=$T/lib/w" "$libdir"
[ -d /var/cache/nscd ] && mount -t tmpfs tmpfs /var/cache/nscd
trap 'nscd -K 2>/dev/null; cd /; umount -l "$libdir" /etc /run 2>/dev/null' EXIT

install -m 0644 "$NSS_IAM" "$libdir/libnss_iam.so.2" && ldconfig || fail "install the module"
sed -i -E '/^(passwd|group):/ s/([[:space:]])files([[:space:]]|$)/\1files iam\2/' /etc/nsswitch.conf
grep -q '^passwd:.*files iam' /etc/nsswitch.conf || fail "nsswitch.conf"
rm -f /etc/iam/iam.conf; install -d -m 0755 /etc/iam
run() { "$IAMCTL" "$@" >"$T/out" 2>"$T/err"; }
run init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
    --database "$T/iam.db" --cache-dir "$T/cache" --audit-log none || fail "init"
run create-user --user-name alice || fail "create-user alice"
run create-access-key --user-name alice || fail "create-access-key"
SECRET=$(jq -r .AccessKey.SecretAccessKey "$T/out")
UID_ALICE=$(id -u alice 2>/dev/null)

# 1. where the caches are: cache_dir of /etc/iam/iam.conf, for NSS as for pam_iam
[ -n "$UID_ALICE" ] || fail "id alice: NSS does not read cache_dir of iam.conf"
ok
[ ! -e /var/lib/iam/nss.cache ] || [ "$(stat -c %i /var/lib/iam/nss.cache)" != "$(stat -c %i "$T/cache/nss.cache")" ] ||
    fail "the test reads the built-in directory"
printf 'auth required %s\naccount required pam_permit.so\n' "$PAM_IAM" >"$T/pam.d/iam"
printf 'auth required pam_deny.so\naccount required pam_deny.so\n' >"$T/pam.d/other"
pamt() { # USER TOKEN: pam_iam with its default config (no config= argument)
    printf '%s\n' "$2" | LD_PRELOAD="$PAM_WRAPPER" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" \
        pamtester iam "$1" authenticate >/dev/null 2>&1
}
pamt alice "$SECRET" || fail "pam_iam with the default iam.conf does not authenticate alice"
ok
# a new cache_dir is followed by both, once compiled there
sed -i "s|^cache_dir = .*|cache_dir = $T/cache2|" /etc/iam/iam.conf
run compile || fail "compile into the new cache_dir"
rm -rf "$T/cache"
[ "$(id -u alice)" = "$UID_ALICE" ] || fail "NSS does not follow cache_dir"
ok
pamt alice "$SECRET" || fail "pam_iam does not follow cache_dir"
ok
# an iam.conf nobody should trust: NSS answers nothing for IAM (as pam_iam fails closed)
chmod 0666 /etc/iam/iam.conf
getent -s iam passwd alice >/dev/null && fail "NSS used a world-writable iam.conf"
ok
pamt alice "$SECRET" && fail "pam_iam used a world-writable iam.conf"
ok
getent passwd root >/dev/null || fail "root does not resolve"
ok
chmod 0644 /etc/iam/iam.conf

# 2. nscd: started here, it answers getpwnam for the whole namespace
sed -i -E 's/^([[:space:]]*persistent[[:space:]]+[a-z]+[[:space:]]+)yes/\1no/' /etc/nscd.conf
mkdir -p /run/nscd
nscd || fail "nscd does not start"
for _ in $(seq 100); do [ -S /run/nscd/socket ] && break; sleep 0.05; done
[ -S /run/nscd/socket ] || fail "no nscd socket"
run create-user --user-name dave || fail "create-user dave"
run create-group --group-name ops || fail "create-group ops"
getent passwd dave >/dev/null || fail "dave does not resolve"
getent group ops >/dev/null || fail "ops does not resolve"
# nscd does remember: with the module unable to answer, dave still resolves through nscd
chmod 0666 /etc/iam/iam.conf
getent -s iam passwd dave >/dev/null && fail "the module answered with a world-writable iam.conf"
getent passwd dave >/dev/null || fail "nscd does not cache here, so the checks below prove nothing"
ok
chmod 0644 /etc/iam/iam.conf
# delete-user and delete-group tell it: gone at once
run delete-user --user-name dave || fail "delete-user"
getent passwd dave && fail "nscd still resolves dave after delete-user"
ok
run delete-group --group-name ops || fail "delete-group"
getent group ops && fail "nscd still resolves group ops after delete-group"
ok
# `iamctl compile` too (a store edited by hand)
run create-user --user-name erin || fail "create-user erin"
getent passwd erin >/dev/null || fail "erin does not resolve"
sqlite3 "$T/iam.db" "PRAGMA foreign_keys = ON; DELETE FROM identities WHERE kind = 1 AND name = 'erin'" ||
    fail "edit the store"
run compile || fail "compile"
getent passwd erin && fail "nscd still resolves erin after compile"
ok
echo "ok: $PASS checks"
