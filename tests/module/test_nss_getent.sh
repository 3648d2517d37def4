#!/bin/bash
# Real glibc, no install: LD_LIBRARY_PATH=<module dir> getent -s iam ... (-s bypasses
# nsswitch.conf and nscd). usage: test_nss_getent.sh MODULE.so MKNSSCACHE
set -euo pipefail
so=$1 mk=$2
. "$(dirname "$0")/nss_test_lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nss_fixture "$tmp"
"$mk" "$tmp/passwd" "$tmp/group" "$tmp/nss.cache"
export IAM_NSS_CACHE=$tmp/nss.cache
export LD_LIBRARY_PATH=$(dirname "$so")
pre=$(asan_preload "$so")
if [ -n "$pre" ]; then export LD_PRELOAD=$pre ASAN_OPTIONS=detect_leaks=0; fi

expect "passwd by name" "alice:*:200001:200001:Alice Smith,,,:/home/alice:/bin/bash" \
    getent -s iam passwd alice
expect "passwd by uid" "bob:*:200002:200002::/home/bob:/bin/sh" getent -s iam passwd 200002
expect "passwd enumeration" "$(sed 's/:x:/:*:/' "$tmp/passwd")" getent -s iam passwd
expect "group by name" "devs:x:210000:alice,bob,carol" getent -s iam group devs
expect "group by gid" "ops:x:210001:bob" getent -s iam group 210001
expect "group enumeration" "$(cat "$tmp/group")" getent -s iam group
expect "initgroups" "bob                   210000 210001" getent -s iam initgroups bob
expect "initgroups of a local member" "localadmin            210002" \
    getent -s iam initgroups localadmin
expect_rc "unknown user" 2 getent -s iam passwd nosuchuser
expect_rc "unknown uid" 2 getent -s iam passwd 4242
expect_rc "unknown group" 2 getent -s iam group nosuchgroup
# Big groups: glibc starts with a small buffer and retries on ERANGE.
{
    for i in $(seq 1 3000); do echo "member$i:x:$((300000 + i)):$((300000 + i))::/home/member$i:/bin/sh"; done
} >"$tmp/passwd2"
{
    printf 'huge:x:220000:'
    seq 1 3000 | sed 's/^/member/' | paste -sd, -
} >"$tmp/group2"
"$mk" "$tmp/passwd2" "$tmp/group2" "$tmp/nss2.cache"
expect "a 3000-member group through glibc's ERANGE retries" "$(cat "$tmp/group2")" \
    env IAM_NSS_CACHE="$tmp/nss2.cache" getent -s iam group huge
# A patched cache (as the refresh after a write makes it): a new user in a changed group, a
# user joining another group; glibc sees what a whole build of the same entries shows.
echo "dave:x:200004:200004:Dave:/home/dave:/bin/bash" >"$tmp/p.passwd"
printf 'devs:x:210000:alice,bob,carol,dave\nops:x:210001:bob,alice\ndave:x:200004:\n' >"$tmp/p.group"
"$mk" --patch "$tmp/nss.cache" "$tmp/p.passwd" "$tmp/p.group" "$tmp/patched.cache"
export IAM_NSS_CACHE=$tmp/patched.cache
expect "patched: new user by name" "dave:*:200004:200004:Dave:/home/dave:/bin/bash" \
    getent -s iam passwd dave
expect "patched: new user by uid" "dave:*:200004:200004:Dave:/home/dave:/bin/bash" \
    getent -s iam passwd 200004
expect "patched: changed group" "devs:x:210000:alice,bob,carol,dave" getent -s iam group devs
expect "patched: changed group by gid" "ops:x:210001:bob,alice" getent -s iam group 210001
expect "patched: new group" "dave:x:200004:" getent -s iam group dave
expect "patched: initgroups" "alice                 210000 210001 210002" \
    getent -s iam initgroups alice
expect "patched: initgroups of the new user" "dave                  210000" \
    getent -s iam initgroups dave
expect "patched: passwd enumeration" "$(sed 's/:x:/:*:/' "$tmp/passwd" "$tmp/p.passwd")" \
    getent -s iam passwd
expect "patched: group enumeration" \
    "$(sed 's/^devs:.*/devs:x:210000:alice,bob,carol,dave/; s/^ops:.*/ops:x:210001:bob,alice/' \
        "$tmp/group"; echo "dave:x:200004:")" getent -s iam group
expect "patched: unchanged user" "bob:*:200002:200002::/home/bob:/bin/sh" getent -s iam passwd bob
export IAM_NSS_CACHE=$tmp/nss.cache

# Missing, unsafe and damaged caches: glibc gets UNAVAIL, getent finds nothing, nothing crashes.
expect_rc "missing cache" 2 env IAM_NSS_CACHE="$tmp/none" getent -s iam passwd alice
cp "$tmp/nss.cache" "$tmp/open.cache"
chmod 0666 "$tmp/open.cache"
expect_rc "world-writable cache" 2 env IAM_NSS_CACHE="$tmp/open.cache" getent -s iam passwd alice
head -c 100 "$tmp/nss.cache" >"$tmp/short.cache"
expect_rc "truncated cache" 2 env IAM_NSS_CACHE="$tmp/short.cache" getent -s iam passwd alice
ln -s "$tmp/nss.cache" "$tmp/link.cache"
expect_rc "symlinked cache" 2 env IAM_NSS_CACHE="$tmp/link.cache" getent -s iam passwd alice
echo "$pass_count passed, 0 failed"
