#!/bin/bash
# COUNT lookups through libnss_iam.so.2 under valgrind: no error, no leak.
# usage: test_nss_valgrind.sh MODULE.so MKNSSCACHE LOOP COUNT
set -euo pipefail
so=$1 mk=$2 loop=$3 count=$4
. "$(dirname "$0")/nss_test_lib.sh"
command -v valgrind >/dev/null || fail "valgrind not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nss_fixture "$tmp"
"$mk" "$tmp/passwd" "$tmp/group" "$tmp/nss.cache"
valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
    "$loop" "$so" "$tmp/nss.cache" "$count" >"$tmp/out" 2>"$tmp/err" || {
    cat "$tmp/out" "$tmp/err" >&2
    fail "valgrind run failed"
}
cat "$tmp/out"
[ ! -s "$tmp/err" ] || { cat "$tmp/err" >&2; fail "valgrind reported something"; }
grep -qx "$count lookups, 0 wrong" "$tmp/out" || fail "wrong answers"
ok
echo "$pass_count passed, 0 failed"
