#!/bin/bash
# End to end, real glibc and real programs, zero host changes: in a private mount + pid
# namespace, overlays over /etc, the system library directory and /var/lib, a tmpfs over
# /run (hides nscd). The module is installed into the system library path + ldconfig, `iam`
# is added to the passwd and group lines of nsswitch.conf right after `files` (only our own
# word, as the package does), the cache is compiled to its built-in path. Then: id, getent,
# ls -l of a file owned by an IAM uid, enumeration. The host's /etc, library directory and
# /var/lib/iam are checked byte for byte before and after.
# usage: test_nss_e2e.sh MODULE.so MKNSSCACHE CACHE_PATH   (as root)
set -euo pipefail
so=$(readlink -f "$1") mk=$(readlink -f "$2") cache=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../module/nss_test_lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
libdir=$(dirname "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null || gcc -print-file-name=libc.so.6)")
[ -d "$libdir" ] || fail "no system library directory"
case $cache in /var/lib/*) ;; *) fail "this test expects the cache under /var/lib, not $cache" ;; esac

snapshot() {
    find /etc -xdev \( -type f -o -type l \) -print0 2>/dev/null | sort -z |
        xargs -0 sha256sum 2>/dev/null || true
    ls -la --time-style=full-iso "$libdir" | grep -i nss
    ls -la "$(dirname "$cache")" 2>&1 || true
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
snapshot >"$work/before"
nss_fixture "$work"

export so mk cache libdir work
unshare --mount --pid --fork --kill-child --mount-proc bash -euo pipefail -c '
    . "'"$here"'/../module/nss_test_lib.sh"
    t=$(mktemp -d)
    mount -t tmpfs tmpfs "$t"
    mount -t tmpfs tmpfs /run
    mkdir -p "$t/etc/u" "$t/etc/w" "$t/lib/u" "$t/lib/w" "$t/var/u" "$t/var/w"
    mount -t overlay overlay -o lowerdir=/etc,upperdir=$t/etc/u,workdir=$t/etc/w /etc
    mount -t overlay overlay -o lowerdir=$libdir,upperdir=$t/lib/u,workdir=$t/lib/w $libdir
    mount -t overlay overlay -o lowerdir=/var/lib,upperdir=$t/var/u,workdir=$t/var/w /var/lib

    # Install as the package does.
    install -m 0644 -o root -g root "$so" "$libdir/libnss_iam.so.2"
    ldconfig
    ldconfig -p >"$t/ldcache" && grep -q "libnss_iam.so.2 " "$t/ldcache" || fail "ldconfig does not know libnss_iam.so.2"
    sed -i -E "/^(passwd|group):/ { / iam( |\$)/! { s/([[:space:]])files([[:space:]]|\$)/\1files iam\2/; t; s/\$/ iam/ } }" /etc/nsswitch.conf
    grep -Eq "^passwd:.*files iam" /etc/nsswitch.conf || fail "nsswitch.conf passwd line: $(grep ^passwd: /etc/nsswitch.conf)"
    grep -Eq "^group:.*files iam" /etc/nsswitch.conf || fail "nsswitch.conf group line"
    install -d -m 0755 "$(dirname "$cache")"
    "$mk" "$work/passwd" "$work/group" "$cache"
    [ "$(stat -c %U:%a "$cache")" = root:644 ] || fail "cache is $(stat -c %U:%a "$cache")"
    unset IAM_NSS_CACHE

    expect "id alice" "uid=200001(alice) gid=200001(alice) groups=200001(alice),210000(devs),210002(mixed)" id alice
    expect "id -Gn bob" "bob devs ops" id -Gn bob
    expect "getent group devs" "devs:x:210000:alice,bob,carol" getent group devs
    expect "getent passwd 200003" "carol:*:200003:200003:Carol:/home/carol:/bin/bash" getent passwd 200003
    f=$(mktemp)
    chown 200001:210000 "$f"
    expect "ls -l of an IAM-owned file" "alice devs" bash -c "ls -l \"$f\" | awk '\''{print \$3, \$4}'\''"
    # Enumeration: the local accounts first (files), then the IAM users, in order.
    getent passwd >"$t/all"
    head -1 "$t/all" | grep -q "^root:" || fail "enumeration does not start with files"
    expect "enumeration ends with the IAM users" "$(sed "s/:x:/:*:/" "$work/passwd")" tail -3 "$t/all"
    getent group | tail -6 >"$t/allg"
    expect "group enumeration ends with the IAM groups" "$(cat "$work/group")" cat "$t/allg"
    # root is not shadowed or changed by the module.
    expect "id root" "uid=0(root) gid=0(root) groups=0(root)" id root
    # A recompile is seen by a new process; a damaged cache makes IAM users vanish, no crash.
    head -3 "$work/passwd" | sed "s/^carol:/dave:/;s/200003/200004/g" >"$t/p2"
    printf "devs:x:210000:dave\n" >"$t/g2"
    "$mk" "$t/p2" "$t/g2" "$cache"
    expect "id dave after a recompile" "uid=200004(dave) gid=200004 groups=200004,210000(devs)" id dave
    head -c 200 "$t/p2" >"$cache.tmp" && chmod 644 "$cache.tmp" && mv "$cache.tmp" "$cache"
    expect_rc "id alice with a damaged cache" 1 id alice
    expect "id root with a damaged cache" "uid=0(root) gid=0(root) groups=0(root)" id root
    echo "inside: $pass_count passed"
'
snapshot >"$work/after"
if ! cmp -s "$work/before" "$work/after"; then
    # Other work on a shared machine (a package install) may change /etc meanwhile; what this
    # test writes inside its namespace must be unchanged on the host, and is checked strictly.
    ours='/etc/(nsswitch\.conf|ld\.so\.cache|ld\.so\.conf|passwd|group|shadow|gshadow)$|libnss_iam|/var/lib/iam|iam'
    changed=$(diff "$work/before" "$work/after" | grep '^[<>]' || true)
    if printf '%s\n' "$changed" | grep -Eq "$ours"; then
        printf '%s\n' "$changed" >&2
        fail "the host changed: $(printf '%s\n' "$changed" | grep -E "$ours" | head -3)"
    fi
    echo "note: files this test does not touch changed on the host meanwhile:" >&2
    printf '%s\n' "$changed" | head -5 >&2
fi
ok
echo "$pass_count passed, 0 failed (plus the namespace checks above)"
