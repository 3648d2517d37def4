#!/bin/bash
# Drive `iamctl simulate-custom-policy` through its cases: each directory under simulate/ holds
#   args      the arguments after the verb, one per line (run from inside the case directory)
#   rc        the expected exit code
#   stdout    the expected standard output, exactly (optional: absent means empty)
#   stderr    the expected standard error, exactly (optional: absent means empty)
# Usage: run_simulate_tests.sh IAMCTL CASES_DIR
set -u
iamctl=$(realpath "$1")
cases=$2
fail=0
n=0
for dir in "$cases"/*/; do
    name=$(basename "$dir")
    n=$((n + 1))
    mapfile -t args < "$dir/args"
    out=$(mktemp) err=$(mktemp)
    (cd "$dir" && "$iamctl" simulate-custom-policy "${args[@]}" >"$out" 2>"$err")
    rc=$?
    want_rc=$(cat "$dir/rc")
    ok=1
    if [ "$rc" != "$want_rc" ]; then
        echo "FAIL $name: exit $rc, expected $want_rc"; ok=0
    fi
    for stream in stdout stderr; do
        got=$out; [ $stream = stderr ] && got=$err
        if [ -f "$dir/$stream" ]; then
            if ! diff -u "$dir/$stream" "$got" >/dev/null; then
                echo "FAIL $name: $stream differs:"; diff -u "$dir/$stream" "$got" | head -40; ok=0
            fi
        elif [ -s "$got" ]; then
            echo "FAIL $name: unexpected $stream:"; head -20 "$got"; ok=0
        fi
    done
    [ $ok = 1 ] && echo "ok   $name" || fail=$((fail + 1))
    rm -f "$out" "$err"
done
echo "$((n - fail))/$n simulate cases passed"
[ "$n" -gt 0 ] && [ "$fail" = 0 ]
