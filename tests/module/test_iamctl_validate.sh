#!/bin/bash
# iamctl validate-policy from the outside: output shape, exit codes, input forms.
# Usage: test_iamctl_validate.sh IAMCTL VECTOR_DIR
set -u
iamctl=$1
vectors=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run CMD... ; sets rc, out, err
run() {
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}

# 1. findings: exit 0, ValidatePolicy shape, the finding and its location
run "$iamctl" validate-policy --policy-document "file://$vectors/HOST_UNKNOWN_ACTION/trigger.json"
[ "$rc" = 0 ] || fail "findings: exit $rc, want 0 ($err)"
grep -q '^{$' <<<"$out" || fail "findings: output does not start with an object"
grep -q '"findings": \[' <<<"$out" || fail "findings: no findings array"
grep -q '"issueCode": "HOST_UNKNOWN_ACTION"' <<<"$out" || fail "findings: HOST_UNKNOWN_ACTION missing"
grep -q '"findingType": "ERROR"' <<<"$out" || fail "findings: no ERROR type"
grep -q '"learnMoreLink": "' <<<"$out" || fail "findings: no learnMoreLink"
grep -q '"value": "Action"' <<<"$out" || fail "findings: path lacks {\"value\": \"Action\"}"
grep -q '"index": 1' <<<"$out" || fail "findings: path lacks {\"index\": 1}"
for m in '"span": {' '"start": {' '"end": {' '"line": ' '"column": ' '"offset": '; do
    grep -qF "$m" <<<"$out" || fail "findings: no $m"
done
# members in the API's order
order=$(grep -oE '"(findingDetails|findingType|issueCode|learnMoreLink|locations)"' <<<"$out" | head -5 | tr -d '"' | tr '\n' ' ')
[ "$order" = "findingDetails findingType issueCode learnMoreLink locations " ] ||
    fail "findings: member order is '$order'"
[ -z "$err" ] || fail "findings: unexpected stderr: $err"

# 2. a clean policy: exit 0 and an empty list
run "$iamctl" validate-policy --policy-document "file://$vectors/HOST_UNKNOWN_ACTION/clean.json" --policy-type IDENTITY_POLICY
[ "$rc" = 0 ] || fail "clean: exit $rc"
[ "$(tr -d ' \n' <<<"$out")" = '{"findings":[]}' ] || fail "clean: output is $out"

# 3. the policy type matters; the = form works
run "$iamctl" validate-policy "--policy-document=file://$vectors/MISSING_PRINCIPAL/trigger.json" --policy-type=RESOURCE_POLICY
[ "$rc" = 0 ] || fail "resource: exit $rc"
grep -q '"issueCode": "MISSING_PRINCIPAL"' <<<"$out" || fail "resource: MISSING_PRINCIPAL missing"
run "$iamctl" validate-policy --policy-document "file://$vectors/MISSING_PRINCIPAL/trigger.json"
grep -q MISSING_PRINCIPAL <<<"$out" && fail "identity: MISSING_PRINCIPAL reported for an identity policy"

# 4. the document given inline, as the AWS CLI allows
run "$iamctl" validate-policy --policy-document '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"host:Sudo","Resource":"*"}}'
[ "$rc" = 0 ] || fail "inline: exit $rc"
[ "$(tr -d ' \n' <<<"$out")" = '{"findings":[]}' ] || fail "inline: output is $out"

# 5. a syntax error is a finding (exit 0), with its position
run "$iamctl" validate-policy --policy-document "file://$vectors/JSON_SYNTAX_ERROR/trigger.json"
[ "$rc" = 0 ] || fail "syntax: exit $rc"
grep -q '"issueCode": "JSON_SYNTAX_ERROR"' <<<"$out" || fail "syntax: no JSON_SYNTAX_ERROR"

# 6. unreadable input: exit 1, the file named on stderr, nothing on stdout
run "$iamctl" validate-policy --policy-document "file://$tmp/missing.json"
[ "$rc" = 1 ] || fail "missing file: exit $rc, want 1"
grep -q "missing.json" <<<"$err" || fail "missing file: stderr does not name the file: $err"
[ -z "$out" ] || fail "missing file: stdout not empty"

# 7. usage errors: exit 2, no output
for args in "" "--policy-type IDENTITY_POLICY" "--policy-document" \
            "--policy-document file://x --policy-type SERVICE_CONTROL_POLICY" \
            "--policy-document file://x --bogus"; do
    # shellcheck disable=SC2086
    run "$iamctl" validate-policy $args
    [ "$rc" = 2 ] || fail "usage '$args': exit $rc, want 2"
    [ -z "$out" ] || fail "usage '$args': stdout not empty"
    grep -q '^iamctl: ' <<<"$err" || fail "usage '$args': no 'iamctl:' message"
done

if [ "$fails" -gt 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "ok: iamctl validate-policy"
