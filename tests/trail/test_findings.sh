#!/bin/bash
# Least privilege and unused access from a trail made by real logins (pamtester through
# pam_iam under pam_wrapper, its clock set with PAM_IAM_TEST_NOW; iamctl's with IAMCTL_NOW):
#   generate-policy gives what each principal used and nothing else, which validate-policy
#   accepts and simulate-custom-policy confirms request by request;
#   list-findings-v2 / get-finding-v2 report unused keys, passwords, roles and permissions,
#   and keys used from too many places, and they go away when the access is used;
#   get-access-key-last-used says when, where and by which service.
#   test_findings.sh IAMCTL PAM_IAM_TESTCLOCK_SO PAM_WRAPPER_LIB
IAMCTL=$1 MODULE=$2 WRAPPER=$3
for p in pamtester jq; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
. "$(dirname "$0")/lib.sh"

setup_hosts
ADMIN='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["host:Login","host:Sudo"],"Resource":"*"}]}'
LOGIN='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*"}]}'
LOGIN1='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"'$HOST1'"}]}'
user alice "$ADMIN"
user bob "$ADMIN"
user carol ""
user frank "$LOGIN1"
user gina "$LOGIN"
user dave "$LOGIN1"
user erin "$LOGIN1"
for u in dave erin; do
    echo "pass-$u-horse-battery" | "$IAMCTL" --config "$CONF" create-login-profile --user-name $u >/dev/null || fail "password $u"
done
# a role, imported as an AWS export brings it
cat >"$T/export.json" <<EOF
{"UserDetailList":[],"GroupDetailList":[],"Policies":[],"RoleDetailList":[{"Path":"/","RoleName":"deployer",
 "RoleId":"AROAEXAMPLEROLEID0001","Arn":"arn:aws:iam::$ACCOUNT:role/deployer","CreateDate":"2024-01-01T00:00:00Z",
 "AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::$ACCOUNT:root"},"Action":"sts:AssumeRole"}]},
 "RolePolicyList":[{"PolicyName":"p","PolicyDocument":$LOGIN}],"AttachedManagedPolicies":[],"Tags":[]}]}
EOF
expect_ok import --authorization-details "file://$T/export.json"
ROLE=arn:aws:iam::$ACCOUNT:role/deployer
expect_ok get-user --user-name alice
ALICE=$(jq -r .User.Arn "$T/out")
BOB=${ALICE%alice}bob CAROL=${ALICE%alice}carol GINA=${ALICE%alice}gina FRANK=${ALICE%alice}frank

NOW=$(date +%s)
T0=$((NOW + 60))
DAY=86400
H=3600
# the trail: alice everywhere, bob logs in only, carol is refused, gina logs in on both hosts,
# dave with his password
login sshd alice "$KEY_alice:$SECRET_alice" $T0 10.0.0.1 || fail "alice"
login sudo-iam alice "$KEY_alice:$SECRET_alice" $((T0 + 10)) - || fail "alice sudo"
login sshd2 alice "$KEY_alice:$SECRET_alice" $((T0 + 20)) 10.0.0.1 || fail "alice host 2"
login sshd bob "$KEY_bob:$SECRET_bob" $((T0 + 30)) 10.0.0.2 || fail "bob"
login sshd carol "$KEY_carol:$SECRET_carol" $((T0 + 40)) 10.0.0.3 && fail "carol must be refused"
login sshd gina "$KEY_gina:$SECRET_gina" $((T0 + 50)) 10.0.0.4 || fail "gina 1"
login sshd2 gina "$KEY_gina:$SECRET_gina" $((T0 + 60)) 10.0.0.4 || fail "gina 2"
login sshd dave "pass-dave-horse-battery" $((T0 + 70)) 10.0.0.5 || fail "dave password"
# bob's key, 90 minutes later, from five places in half an hour (and on both hosts)
for i in 1 2 3 4 5; do
    svc=sshd
    [ $i = 5 ] && svc=sshd2
    login $svc bob "$KEY_bob:$SECRET_bob" $((T0 + 90 * 60 + i * 300)) 198.51.100.$i || fail "bob from .$i"
done
# gina's key from five places too, but hours apart: a person travelling, not a shared key
for i in 1 2 3 4 5; do
    login sshd gina "$KEY_gina:$SECRET_gina" $((T0 + 3 * H + i * 2 * H)) 203.0.113.$i || fail "gina from .$i"
done
ok
BOTH="--audit-log $T/log --audit-log $T/host2"

# ---- last-used fields where IAM has them ----------------------------------------------------
DAVE_AT=$(date -u -d @$((T0 + 70)) +%Y-%m-%dT%H:%M:%S+00:00)
expect_ok get-user --user-name dave
jcheck ".User.PasswordLastUsed == \"$DAVE_AT\""
expect_ok get-user --user-name erin
jcheck '.User | has("PasswordLastUsed") | not'
expect_ok list-users
jcheck "any(.Users[]; .UserName == \"dave\" and .PasswordLastUsed == \"$DAVE_AT\")"
expect_ok get-credential-report
[ "$(grep '^dave,' "$T/out" | cut -d, -f5)" = "$DAVE_AT" ] || fail "credential report: dave's password_last_used"
[ "$(grep '^erin,' "$T/out" | cut -d, -f5)" = no_information ] || fail "credential report: erin's password_last_used"
ok

# ---- generate-policy ------------------------------------------------------------------------
policy_of() { # ARN [OPTIONS...]: the generated policy (one) into $T/policy.json
    local arn=$1
    shift
    # the trail is dated after now (T0): generate as if two days later
    IAMCTL_NOW=$((T0 + 2 * DAY)) expect_ok generate-policy --principal-arn "$arn" $BOTH "$@"
    jcheck '.jobDetails.status == "SUCCEEDED" and .generatedPolicyResult.properties.isComplete'
    jcheck ".generatedPolicyResult.properties.principalArn == \"$arn\""
    jq -r '.generatedPolicyResult.generatedPolicies[0].policy // empty' "$T/out" >"$T/policy.json"
}
# simulate ACTION RESOURCE WANT: simulate-custom-policy on the generated policy
simulate() {
    "$IAMCTL" --config "$CONF" simulate-custom-policy --policy-input-list "file://$T/policy.json" \
        --action-names "$1" --resource-arns "$2" >"$T/sim" 2>"$T/err" || fail "simulate $1 $2"
    [ "$(jq -r '.EvaluationResults[0].EvalDecision' "$T/sim")" = "$3" ] ||
        fail "the policy for $PRINCIPAL: $1 on $2 is $(jq -r '.EvaluationResults[0].EvalDecision' "$T/sim"), want $3 ($(cat "$T/policy.json"))"
    ok
}
validates() {
    [ -s "$T/policy.json" ] || fail "no policy was generated"
    "$IAMCTL" --config "$CONF" validate-policy --policy-document "file://$T/policy.json" >"$T/val" 2>"$T/err" ||
        fail "validate-policy refuses the generated policy: $(cat "$T/val" "$T/err")"
    jq -e '[.findings[] | select(.findingType == "ERROR")] | length == 0' "$T/val" >/dev/null || fail "ERROR findings: $(cat "$T/val" "$T/policy.json")"
    ok
}
PRINCIPAL=alice
policy_of "$ALICE"
validates
simulate host:Login "$HOST1" allowed
simulate host:Sudo "$HOST1" allowed
simulate host:Login "$HOST2" allowed
simulate host:Sudo "$HOST2" implicitDeny # allowed by her policy, never used there
simulate host:Login arn:aws:ec2:us-east-1:$ACCOUNT:instance/i-0ccccccccccccccc3 implicitDeny
jq -e '.Statement | length == 2' "$T/policy.json" >/dev/null || fail "alice: one statement per set of actions"
ok
PRINCIPAL=bob
policy_of "$BOB"
validates
simulate host:Login "$HOST1" allowed
simulate host:Login "$HOST2" allowed
simulate host:Sudo "$HOST1" implicitDeny
PRINCIPAL=gina # Login on both hosts, which are all the trail knows: one wildcard adds nothing
policy_of "$GINA"
validates
jq -e '.Statement[0].Resource == "arn:aws:ec2:us-east-1:'$ACCOUNT':instance/*"' "$T/policy.json" >/dev/null || fail "gina: no wildcard ($(cat "$T/policy.json"))"
ok
simulate host:Login "$HOST1" allowed
simulate host:Sudo "$HOST1" implicitDeny
PRINCIPAL=carol
policy_of "$CAROL"
jcheck '.generatedPolicyResult.generatedPolicies == []'
PRINCIPAL=alice # a period without her sudo
policy_of "$ALICE" --start-time $((T0 + 15))
simulate host:Sudo "$HOST1" implicitDeny
simulate host:Login "$HOST2" allowed
jcheck ".generatedPolicyResult.properties.cloudTrailProperties.startTime != null"
# enforce = no: what was only "would deny" still happened, so carol's policy allows it
sed 's/^enforce = .*//' "$CONF" >"$T/permissive.conf" && echo "enforce = no" >>"$T/permissive.conf"
chmod 0600 "$T/permissive.conf"
printf 'auth required %s config=%s\naccount required %s config=%s\n' "$MODULE" "$T/permissive.conf" "$MODULE" "$T/permissive.conf" >"$T/svc/sshd-permissive"
login sshd-permissive carol "$KEY_carol:$SECRET_carol" $((T0 + 80)) 10.0.0.3 || fail "carol, permissive"
grep -q '"decision":"would deny"' "$LOG" || fail "no would-deny record"
PRINCIPAL=carol
policy_of "$CAROL"
validates
simulate host:Login "$HOST1" allowed
simulate host:Sudo "$HOST1" implicitDeny
run generate-policy --principal-arn alice
[ "$RC" = 2 ] || fail "a principal that is not an ARN"
ok

# ---- findings ---------------------------------------------------------------------------------
findings_at() { # EPOCH [OPTIONS...]
    local at=$1
    shift
    IAMCTL_NOW=$at "$IAMCTL" --config "$CONF" list-findings-v2 $BOTH --max-results 1000 "$@" >"$T/out" 2>"$T/err" ||
        fail "list-findings-v2 at $at"
    ok
}
has() { # TYPE RESOURCE
    jq -e --arg t "$1" --arg r "$2" 'any(.findings[]; .findingType == $t and .resource == $r)' "$T/out" >/dev/null
}
findings_at $((T0 + DAY))
has UnusedIAMRole "$ROLE" || fail "an imported role nobody used"
has UnusedPermission "$ROLE" && fail "an unused role is one finding, not also its permissions"
has UnusedPermission "$BOB" || fail "bob never used sudo"
has UnusedPermission "$FRANK" || fail "frank never logged in"
has UnusedPermission "$ALICE" && fail "alice used everything she may"
has UnusedIAMUserAccessKey "$FRANK" && fail "frank's key is a day old"
has SharedIAMUserAccessKey "$BOB" || fail "bob's key from five addresses in half an hour"
has SharedIAMUserAccessKey "$GINA" && fail "gina's key moved over hours: not shared"
jcheck 'all(.findings[]; .status == "ACTIVE" and .resourceOwnerAccount == "'$ACCOUNT'" and (.id | test("^[0-9a-f-]{36}$")))'
ok
# the shared key's evidence
SID=$(jq -r --arg r "$BOB" '.findings[] | select(.findingType == "SharedIAMUserAccessKey" and .resource == $r) | .id' "$T/out")
IAMCTL_NOW=$((T0 + DAY)) "$IAMCTL" --config "$CONF" get-finding-v2 --id "$SID" $BOTH >"$T/out" 2>"$T/err" || fail "get-finding-v2 shared"
jcheck '.findingDetails[0].sharedIamUserAccessKeyDetails.accessKeyId == "'$KEY_bob'"'
jcheck '[.findingDetails[0].sharedIamUserAccessKeyDetails.sourceIpAddresses[]] | sort == ["198.51.100.1","198.51.100.2","198.51.100.3","198.51.100.4","198.51.100.5"]'
jcheck '.findingDetails[0].sharedIamUserAccessKeyDetails.hosts | length == 2'
jcheck '.findingDetails[0].sharedIamUserAccessKeyDetails.uses | length == 5'
jcheck '.findingDetails[0].sharedIamUserAccessKeyDetails.maxSourceIpAddresses == 3'
# ... and with a looser threshold in iam.conf it is gone
echo "shared_key_max_source_ips = 10" >>"$CONF"
findings_at $((T0 + DAY))
has SharedIAMUserAccessKey "$BOB" && fail "the threshold in iam.conf is not used"
sed -i '/^shared_key_max_source_ips/d' "$CONF"
ok
# bob's permission finding names host:Sudo, never used
PID=$(IAMCTL_NOW=$((T0 + DAY)) "$IAMCTL" --config "$CONF" list-findings-v2 $BOTH --filter '{"findingType":{"eq":["UnusedPermission"]},"resource":{"eq":["'$BOB'"]}}' | jq -r '.findings[0].id')
IAMCTL_NOW=$((T0 + DAY)) "$IAMCTL" --config "$CONF" get-finding-v2 --id "$PID" $BOTH >"$T/out" 2>"$T/err" || fail "get-finding-v2 permission"
jcheck '.findingDetails[0].unusedPermissionDetails.serviceNamespace == "host"'
jcheck '[.findingDetails[0].unusedPermissionDetails.actions[].action] == ["host:Sudo"]'
jcheck '.findingDetails[0].unusedPermissionDetails.actions[0] | has("lastAccessed") | not'

# 91 days later: the keys, passwords and permissions left alone
LATER=$((T0 + 91 * DAY))
findings_at $LATER
has UnusedIAMUserAccessKey "$ALICE" || fail "alice's key, unused for 91 days"
has UnusedIAMUserAccessKey "$FRANK" || fail "frank's key, never used, 91 days old"
has UnusedIAMUserPassword "${ALICE%alice}dave" || fail "dave's password, last used 91 days ago"
has UnusedIAMUserPassword "${ALICE%alice}erin" || fail "erin's password, never used"
has UnusedPermission "$ALICE" || fail "alice's permissions, unused for 91 days"
has SharedIAMUserAccessKey "$BOB" && fail "bob's sharing is older than the period"
KID=$(jq -r --arg r "$ALICE" '.findings[] | select(.findingType == "UnusedIAMUserAccessKey" and .resource == $r) | .id' "$T/out")
IAMCTL_NOW=$LATER "$IAMCTL" --config "$CONF" get-finding-v2 --id "$KID" $BOTH >"$T/out" 2>"$T/err" || fail "get-finding-v2 key"
jcheck '.findingDetails[0].unusedIamUserAccessKeyDetails.accessKeyId == "'$KEY_alice'"'
jcheck '.findingDetails[0].unusedIamUserAccessKeyDetails.lastAccessed == "'$(date -u -d @$((T0 + 20)) +%Y-%m-%dT%H:%M:%SZ)'"'
jcheck '.createdAt == "'$(date -u -d @$((T0 + 20 + 90 * DAY)) +%Y-%m-%dT%H:%M:%SZ)'"'
jcheck '.findingType == "UnusedIAMUserAccessKey" and .resourceType == "AWS::IAM::User"'
FID=$(IAMCTL_NOW=$LATER "$IAMCTL" --config "$CONF" list-findings-v2 $BOTH --filter '{"resource":{"eq":["'$FRANK'"]},"findingType":{"eq":["UnusedIAMUserAccessKey"]}}' | jq -r '.findings[0].id')
IAMCTL_NOW=$LATER "$IAMCTL" --config "$CONF" get-finding-v2 --id "$FID" $BOTH >"$T/out" 2>"$T/err" || fail "frank's finding"
jcheck '.findingDetails[0].unusedIamUserAccessKeyDetails | has("lastAccessed") | not'
# a shorter age finds them sooner
findings_at $((T0 + 31 * DAY)) --unused-access-age 30
has UnusedIAMUserAccessKey "$ALICE" || fail "--unused-access-age 30"
findings_at $((T0 + 31 * DAY))
has UnusedIAMUserAccessKey "$ALICE" && fail "the default age is 90 days"
ok

# alice logs in again: her key finding goes, her permission finding keeps only sudo
login sshd alice "$KEY_alice:$SECRET_alice" $LATER 10.0.0.1 || fail "alice, 91 days later"
findings_at $((LATER + H))
has UnusedIAMUserAccessKey "$ALICE" && fail "alice's key was just used"
has UnusedIAMUserAccessKey "$FRANK" || fail "frank's key is still unused"
run get-finding-v2 --id "$KID" $BOTH
[ "$RC" = 1 ] && grep -q ResourceNotFoundException "$T/err" || fail "a finding that went away"
ok
PID=$(IAMCTL_NOW=$((LATER + H)) "$IAMCTL" --config "$CONF" list-findings-v2 $BOTH --filter '{"findingType":{"eq":["UnusedPermission"]},"resource":{"eq":["'$ALICE'"]}}' | jq -r '.findings[0].id')
IAMCTL_NOW=$((LATER + H)) "$IAMCTL" --config "$CONF" get-finding-v2 --id "$PID" $BOTH >"$T/out" 2>"$T/err" || fail "alice's permissions"
jcheck '[.findingDetails[0].unusedPermissionDetails.actions[].action] == ["host:Sudo"]'
# filters and pages
findings_at $((LATER + H)) --filter '{"findingType":{"eq":["UnusedIAMRole"]}}'
jcheck '[.findings[].findingType] == ["UnusedIAMRole"]'
findings_at $((LATER + H)) --filter '{"findingType":{"neq":["UnusedPermission"]}}'
jcheck 'all(.findings[]; .findingType != "UnusedPermission")'
findings_at $((LATER + H))
all=$(jq -r '.findings[].id' "$T/out")
tok="" got=""
while :; do
    if [ -n "$tok" ]; then args=(--next-token "$tok"); else args=(); fi
    IAMCTL_NOW=$((LATER + H)) "$IAMCTL" --config "$CONF" list-findings-v2 $BOTH --max-results 2 "${args[@]}" >"$T/out" || fail "page"
    got="$got$(jq -r '.findings[].id' "$T/out")"$'\n'
    tok=$(jq -r '.nextToken // empty' "$T/out")
    [ -z "$tok" ] && break
done
[ "$(echo "$got" | grep .)" = "$all" ] || fail "findings pages"
ok
run list-findings-v2 --filter '{"colour":{"eq":["red"]}}'
[ "$RC" = 2 ] || fail "a filter on an unknown field"
ok

# ---- get-access-key-last-used ------------------------------------------------------------------
IAMCTL_NOW=$((LATER + H)) "$IAMCTL" --config "$CONF" get-access-key-last-used --access-key-id "$KEY_alice" >"$T/out" 2>"$T/err" || fail "last used"
jcheck '.UserName == "alice"'
jcheck '.AccessKeyLastUsed == {"LastUsedDate": "'$(date -u -d @$LATER +%Y-%m-%dT%H:%M:%S+00:00)'", "ServiceName": "sshd", "Region": "us-east-1"}'
expect_ok get-access-key-last-used --access-key-id "$KEY_frank"
jcheck '.AccessKeyLastUsed == {"ServiceName": "N/A", "Region": "N/A"}'
run get-access-key-last-used --access-key-id AKIAAAAAAAAAAAAAAAAA
[ "$RC" = 1 ] && grep -q NoSuchEntity "$T/err" || fail "an unknown key"
ok
echo "ok: $PASS checks"
