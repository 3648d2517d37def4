#!/bin/bash
# nss_wrapper: getent passwd/group/initgroups and id see the module's users and groups next to
# the wrapper's own files, as on a host with "files iam".
# usage: test_nss_wrapper.sh MODULE.so MKNSSCACHE
set -euo pipefail
so=$1 mk=$2
. "$(dirname "$0")/nss_test_lib.sh"
wrapper=/usr/lib/x86_64-linux-gnu/libnss_wrapper.so
[ -e "$wrapper" ] || wrapper=$(ldconfig -p | awk '/libnss_wrapper.so /{print $NF; exit}')
[ -e "$wrapper" ] || fail "libnss_wrapper.so not found"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nss_fixture "$tmp"
"$mk" "$tmp/passwd" "$tmp/group" "$tmp/nss.cache"
cat >"$tmp/wpasswd" <<'EOT'
root:x:0:0:root:/root:/bin/bash
localadmin:x:1500:1500:Local Admin:/home/localadmin:/bin/bash
EOT
cat >"$tmp/wgroup" <<'EOT'
root:x:0:
localadmin:x:1500:
EOT
pre=$(asan_preload "$so")
export LD_PRELOAD=${pre:+$pre:}$wrapper
[ -z "$pre" ] || export ASAN_OPTIONS=detect_leaks=0 NSS_WRAPPER_DISABLE_DEEPBIND=1
export NSS_WRAPPER_PASSWD=$tmp/wpasswd NSS_WRAPPER_GROUP=$tmp/wgroup
export NSS_WRAPPER_MODULE_SO_PATH=$(readlink -f "$so") NSS_WRAPPER_MODULE_FN_PREFIX=iam
export IAM_NSS_CACHE=$tmp/nss.cache

expect "getent passwd alice" "alice:*:200001:200001:Alice Smith,,,:/home/alice:/bin/bash" \
    getent passwd alice
expect "getent passwd by uid" "carol:*:200003:200003:Carol:/home/carol:/bin/bash" \
    getent passwd 200003
expect "getent passwd: files then iam" "$(cat "$tmp/wpasswd"; sed "s/:x:/:*:/" "$tmp/passwd")" getent passwd
expect "getent group devs" "devs:x:210000:alice,bob,carol" getent group devs
expect "getent group: files then iam" "$(cat "$tmp/wgroup" "$tmp/group")" getent group
expect "getent initgroups bob" "bob                   210000 210001" getent initgroups bob
expect "id alice" "uid=200001(alice) gid=200001(alice) groups=200001(alice),210000(devs),210002(mixed)" id alice
expect "id bob" "uid=200002(bob) gid=200002(bob) groups=200002(bob),210000(devs),210001(ops)" id bob
expect "id of a local user in an IAM group" \
    "uid=1500(localadmin) gid=1500(localadmin) groups=1500(localadmin),210002(mixed)" id localadmin
expect "id -Gn carol" "carol devs" id -Gn carol
expect_rc "id of a stranger" 1 id nosuchuser
echo "$pass_count passed, 0 failed"
