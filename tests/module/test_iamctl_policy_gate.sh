#!/bin/bash
# Every policy write goes through validate-policy's checks (iamctl_policy_check): an ERROR
# finding refuses the write and leaves the database byte for byte unchanged; other findings
# are shown as warnings and the write goes ahead. Uses the db verb tests' harness.
# Usage: test_iamctl_policy_gate.sh IAMCTL DATA_DIR
IAMCTL=$(realpath "$1")
DATA=$(realpath "$2")
. "$(dirname "$0")/../iamctl/lib.sh"

init_db
expect_ok create-user --user-name alice
expect_ok create-group --group-name devs

# an unknown host action: the engine would accept it, the gate does not
printf '{"Version": "2012-10-17",\n "Statement": {"Effect": "Deny", "Action": ["host:Sudo", "host:Sudoo"], "Resource": "*"}}\n' >"$T/typo.json"
expect_fail 1 "typo.json:2:58: ERROR HOST_UNKNOWN_ACTION: " put-user-policy --user-name alice --policy-name p --policy-document "file://$T/typo.json"
grep -q "typo.json: policy refused: 1 ERROR finding" "$T/err" || fail "no refusal line"
expect_fail 1 "ERROR HOST_UNKNOWN_ACTION" put-group-policy --group-name devs --policy-name p --policy-document "file://$T/typo.json"
expect_fail 1 "ERROR HOST_UNKNOWN_ACTION" create-policy --policy-name P --policy-document "file://$T/typo.json"

# a policy the engine refuses: the findings and the engine's own message
printf '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "host:Login", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}}\n' >"$T/cidr.json"
expect_fail 1 "ERROR TYPE_MISMATCH_IP_RANGE" put-user-policy --user-name alice --policy-name p --policy-document "file://$T/cidr.json"
grep -q "is not an IP address or CIDR" "$T/err" || fail "the engine's message is missing"

# warnings only: stored, and the warnings shown
printf '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "host:*", "Resource": "*"}}\n' >"$T/wild.json"
expect_ok put-group-policy --group-name devs --policy-name admins --policy-document "file://$T/wild.json"
grep -q "warning: .*wild.json:1:.* SECURITY_WARNING HOST_SUDO_VIA_WILDCARD" "$T/err" || fail "no warning shown"
sqlcheck "SELECT p.name FROM inline_policies p JOIN identities g ON g.id = p.identity WHERE g.kind = 2" admins

# a clean policy: stored, nothing said
printf '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "host:Login", "Resource": "*"}}\n' >"$T/login.json"
expect_ok create-policy --policy-name Login --policy-document "file://$T/login.json"
[ ! -s "$T/err" ] || fail "a clean policy produced output on stderr"
PARN=$(jq -r .Policy.Arn "$T/out")
# a new version of a managed policy is checked too
expect_fail 1 "ERROR HOST_UNKNOWN_ACTION" create-policy-version --policy-arn "$PARN" --policy-document "file://$T/typo.json"

# import: every document of the export is checked; one bad inline policy refuses it all
CONF=$T/import.conf DB=$T/import.db
expect_ok init --account-id 111122223333 \
    --host-arn arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0 \
    --database "$DB" --cache-dir "$T/cache2" --audit-log none --uid-min 6000 --uid-max 6100
sed '0,/"Action": "host:Login"/s//"Action": "host:Logon"/' "$DATA/aws-export.decoded.json" >"$T/bad-export.json"
cmp -s "$DATA/aws-export.decoded.json" "$T/bad-export.json" && fail "could not make the bad export"
expect_fail 1 "bad-export.json: .*ERROR HOST_UNKNOWN_ACTION" import --authorization-details "file://$T/bad-export.json"
expect_ok import --authorization-details "file://$DATA/aws-export.decoded.json"
grep -q "warning: .*carol.ops/no-prod-sudo.*HOST_DENY_KEY_SOMETIMES_ABSENT" "$T/err" ||
    fail "import did not show the export's warning"
sqlcheck "SELECT count(*) FROM identities WHERE kind = 1 AND name = 'carol.ops'" 1

# Shapes IAM accepts and Access Analyzer only suggests changing (an empty Action, Resource or
# condition value list, an empty operator block, Null with a set qualifier) are stored: an
# account's export that holds them imports, and each is shown as a SUGGESTION.
CONF=$T/import2.conf DB=$T/import2.json
expect_ok init --account-id 111122223333 \
    --host-arn arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0 \
    --database "$DB" --cache-dir "$T/cache3" --audit-log none --uid-min 6000 --uid-max 6100
jq '.UserDetailList[0].UserPolicyList += [{"PolicyName": "aws-accepts-these",
      "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Sid": "NoActions", "Effect": "Allow", "Action": [], "Resource": "*"},
        {"Sid": "NoResources", "Effect": "Deny", "Action": "host:Sudo", "Resource": []},
        {"Sid": "NoValues", "Effect": "Allow", "Action": "host:Login", "Resource": "*",
         "Condition": {"StringEquals": {"host:Service": []}, "NumericLessThan": {}}},
        {"Sid": "NullQualified", "Effect": "Deny", "Action": "host:Login", "Resource": "*",
         "Condition": {"ForAnyValue:Null": {"aws:TokenIssueTime": "true"}}}]}}]' \
    "$DATA/aws-export.decoded.json" >"$T/suggest-export.json"
expect_ok import --authorization-details "file://$T/suggest-export.json"
for code in EMPTY_ARRAY_ACTION EMPTY_ARRAY_RESOURCE EMPTY_ARRAY_CONDITION EMPTY_OBJECT_CONDITION \
            NULL_WITH_QUALIFIER; do
    grep -q "warning: .*aws-accepts-these.*SUGGESTION $code" "$T/err" ||
        fail "import did not show $code as a SUGGESTION"
done
dbcheck '.UserDetailList[0].UserPolicyList[-1].PolicyName == "aws-accepts-these"'

echo "ok: $PASS checks (policy write gate)"
