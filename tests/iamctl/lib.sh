# Helpers for the iamctl verb tests. Source after setting IAMCTL.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/iamctl-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
export IAMCTL_PASSWD_FILE=$T/passwd IAMCTL_GROUP_FILE=$T/group
printf 'root:x:0:0:root:/root:/bin/bash\nlocaluser:x:5003:5003::/home/l:/bin/sh\n' >passwd
printf 'root:x:0:\nlocalgrp:x:5005:\n' >group
CONF=$T/iam.conf
DB=$T/iam.db
PASS=0

fail() {
    echo "FAIL: $*" >&2
    echo "--- stdout:" >&2; cat "$T/out" >&2 2>/dev/null
    echo "--- stderr:" >&2; cat "$T/err" >&2 2>/dev/null
    exit 1
}
ok() { PASS=$((PASS + 1)); }

# run ARGS...: iamctl with the test config; stdout in $T/out, stderr in $T/err, exit in $RC
run() {
    "$IAMCTL" --config "$CONF" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}
# expect_ok ARGS...
expect_ok() {
    run "$@"
    [ "$RC" -eq 0 ] || fail "expected success: iamctl $*"
    ok
}
# The store's content (every row of every table), to show a command changed nothing. Not its
# bytes: closing the last connection may fold the write-ahead log into the file.
dbstate() {
    [ -e "$DB" ] || { echo none; return; }
    sqlite3 "$DB" .dump | sha256sum
}
# sql QUERY: the result rows of a query on the store ('|' between columns)
sql() {
    sqlite3 "$DB" "$1"
}
# sqlcheck QUERY EXPECTED: the query's output must be exactly EXPECTED
sqlcheck() {
    local got
    got=$(sql "$1") || fail "store query failed: $1"
    [ "$got" = "$2" ] || fail "store check failed: $1: want '$2', got '$got'"
    ok
}
# expect_fail CODE PATTERN ARGS...: exit code and a stderr pattern (grep -E)
expect_fail() {
    local code=$1 pat=$2
    shift 2
    local before
    before=$(dbstate)
    run "$@"
    [ "$RC" -eq "$code" ] || fail "expected exit $code, got $RC: iamctl $*"
    grep -Eq -- "$pat" "$T/err" || fail "stderr does not match /$pat/: iamctl $*"
    [ "$(dbstate)" = "$before" ] || fail "store changed by a failed command: iamctl $*"
    ok
}
# jcheck FILTER: jq -e on the last stdout
jcheck() {
    jq -e "$1" "$T/out" >/dev/null || fail "jq check failed: $1"
    ok
}
init_db() {
    expect_ok init --account-id 123456789012 \
        --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
        --database "$DB" --cache-dir "$T/cache" --audit-log none --uid-min 5000 --uid-max 5010
}
