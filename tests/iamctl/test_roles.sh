#!/bin/bash
# Roles through the iamctl binary: create-role and the role verbs with AWS's shapes and errors,
# trust policies refused as IAM refuses them, names shared with users, groups and local
# accounts refused (a role is an account on the host), and simulate-principal-policy deciding
# sts:AssumeRole with the role's trust policy (the trust-policy rule of the engine) and a
# role's own permissions.
IAMCTL=$1
. "$(dirname "$0")/lib.sh"

ACCT=123456789012
ROLE_ARN=arn:aws:iam::$ACCT:role/deploy
init_db
cat >trust.json <<'J'
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
     "Action": "sts:AssumeRole"},
    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "contractors"}}}
  ]
}
J

# ---- create-role, get-role, list-roles ---------------------------------------------------
expect_ok create-role --role-name deploy --path /ops/ --assume-role-policy-document file://trust.json \
    --description "deploys the app" --max-session-duration 7200 --tags Key=team,Value=ops
jcheck '.Role.RoleName == "deploy" and .Role.Path == "/ops/" and (.Role.RoleId | test("^AROA[A-Z2-7]{17}$"))'
jcheck '.Role.Arn == "arn:aws:iam::123456789012:role/ops/deploy" and .Role.MaxSessionDuration == 7200'
jcheck '.Role.AssumeRolePolicyDocument.Statement[0].Action == "sts:AssumeRole"'
jcheck '.Role.Description == "deploys the app" and .Role.Tags == [{"Key":"team","Value":"ops"}]'
# the role's account: a uid from the range, never a local one's
sqlcheck "SELECT posix_id BETWEEN 5000 AND 5010 FROM identities WHERE kind = 3 AND name = 'deploy'" 1
expect_ok get-role --role-name DEPLOY
jcheck '.Role.RoleName == "deploy" and .Role.MaxSessionDuration == 7200'
expect_ok create-role --role-name plain --assume-role-policy-document file://trust.json
jcheck '.Role.MaxSessionDuration == 3600 and .Role.Path == "/" and (.Role | has("Tags") | not)'
expect_ok list-roles
jcheck '[.Roles[].RoleName] == ["deploy","plain"]'
expect_ok list-roles --path-prefix /ops/
jcheck '[.Roles[].RoleName] == ["deploy"]'
expect_ok list-roles --max-items 1
jcheck '(.Roles | length) == 1 and .IsTruncated == true'

# ---- what create-role refuses (and changes nothing) ----------------------------------------
expect_fail 1 "EntityAlreadyExists: Role with name Deploy already exists" \
    create-role --role-name Deploy --assume-role-policy-document file://trust.json
expect_ok create-user --user-name alice
expect_fail 1 'EntityAlreadyExists: "alice" is an IAM user' \
    create-role --role-name alice --assume-role-policy-document file://trust.json
expect_ok create-group --group-name deployers
expect_fail 1 'EntityAlreadyExists: "deployers" is an IAM group' \
    create-role --role-name deployers --assume-role-policy-document file://trust.json
expect_fail 1 'EntityAlreadyExists: "localuser" is a local account' \
    create-role --role-name localuser --assume-role-policy-document file://trust.json
expect_fail 1 'EntityAlreadyExists: "deploy" is an IAM role' create-user --user-name deploy
expect_fail 1 'EntityAlreadyExists: "deploy" is an IAM role' create-group --group-name deploy
expect_fail 1 'must also be a login name' \
    create-role --role-name 'svc+ci' --assume-role-policy-document file://trust.json
expect_fail 2 "max-session-duration must be a number of seconds from 3600 to 43200" \
    create-role --role-name r2 --assume-role-policy-document file://trust.json --max-session-duration 60
expect_fail 2 "max-session-duration" \
    create-role --role-name r2 --assume-role-policy-document file://trust.json --max-session-duration 43201
# trust policies: a resource policy (Principal required), STS actions only, no Resource; the
# same findings validate-policy reports with --validate-policy-resource-type
# AWS::IAM::AssumeRolePolicyDocument (one implementation: the validator's)
T_ACTION='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject"}]}'
T_ACTIONS='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["sts:AssumeRole","ec2:RunInstances","STS:TagSession","sts:Set*"]}]}'
T_RESOURCE='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}]}'
T_NOTACTION='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"NotAction":"s3:*"}]}'
T_NOPRINCIPAL='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}'
expect_fail 1 "\(argument\):1:89: ERROR UNSUPPORTED_ACTION_IN_POLICY: The action s3:GetObject .*AssumeRole policy may only specify STS AssumeRole actions.*\(Statement\[0\]\.Action\)" \
    create-role --role-name r2 --assume-role-policy-document "$T_ACTION"
expect_fail 1 "ERROR UNSUPPORTED_ACTION_IN_POLICY: The action ec2:RunInstances .*\(Statement\[0\]\.Action\[1\]\)" \
    create-role --role-name r2 --assume-role-policy-document "$T_ACTIONS"
grep -q "STS:TagSession\|sts:Set" "$T/err" && fail "STS actions in any case, and sts: wildcards, are allowed in a trust policy"
expect_fail 1 "ERROR UNSUPPORTED_RESOURCE_ARN_IN_POLICY: .*Has prohibited field Resource.*\(Statement\[0\]\.Resource\)" \
    create-role --role-name r2 --assume-role-policy-document "$T_RESOURCE"
expect_fail 1 "ERROR UNSUPPORTED_ACTION_IN_POLICY: NotAction .*AssumeRole policy may only specify" \
    create-role --role-name r2 --assume-role-policy-document "$T_NOTACTION"
expect_fail 1 "ERROR MISSING_PRINCIPAL" \
    create-role --role-name r2 --assume-role-policy-document "$T_NOPRINCIPAL"
expect_fail 1 "NoSuchEntity" get-role --role-name r2
# validate-policy: the trust rules only with the resource type; codes, types, paths, spans
vp() { "$IAMCTL" validate-policy --policy-type RESOURCE_POLICY "$@" >"$T/out" 2>"$T/err"; }
vp --policy-document "$T_ACTION" || fail "validate-policy exits 0 when it ran"
jcheck '[.findings[] | select(.issueCode == "UNSUPPORTED_ACTION_IN_POLICY")] | length == 0'
vp --policy-document "$T_ACTION" --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument ||
    fail "validate-policy with a resource type exits 0"
jcheck '[.findings[] | select(.issueCode == "UNSUPPORTED_ACTION_IN_POLICY")] | length == 1'
jcheck '.findings[] | select(.issueCode == "UNSUPPORTED_ACTION_IN_POLICY") |
    .findingType == "ERROR" and
    .learnMoreLink == "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-unsupported-action-in-policy" and
    .locations[0].path == [{"value":"Statement"},{"index":0},{"value":"Action"}] and
    .locations[0].span.start == {"line":1,"column":88,"offset":88} and
    .locations[0].span.end.offset == 102'
vp --policy-document "$T_ACTIONS" --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument
jcheck '[.findings[] | select(.issueCode == "UNSUPPORTED_ACTION_IN_POLICY") | .locations[0].path[3].index] == [1]'
vp --policy-document "$T_RESOURCE"
jcheck '[.findings[] | select(.findingType == "ERROR")] | length == 0'
vp --policy-document "$T_RESOURCE" --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument
jcheck '[.findings[] | select(.issueCode == "UNSUPPORTED_RESOURCE_ARN_IN_POLICY")] | length == 1'
jcheck '.findings[] | select(.issueCode == "UNSUPPORTED_RESOURCE_ARN_IN_POLICY") |
    .findingType == "ERROR" and .locations[0].path == [{"value":"Statement"},{"index":0},{"key":"Resource"}] and
    (.learnMoreLink | endswith("#access-analyzer-reference-policy-checks-error-unsupported-resource-arn-in-policy"))'
vp --policy-document "$T_NOTACTION" --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument
jcheck '[.findings[] | select(.issueCode == "UNSUPPORTED_ACTION_IN_POLICY") | .locations[0].path[2].key] == ["NotAction"]'
vp --policy-document file://trust.json --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument
jcheck '[.findings[] | select(.findingType == "ERROR")] | length == 0'
vp --policy-document "$T_NOPRINCIPAL" --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument
jcheck '[.findings[] | .issueCode] == ["MISSING_PRINCIPAL"]'
# the resource type: AWS's other values are refused with a reason, unknown ones listed, and
# only with RESOURCE_POLICY
vp --policy-document file://trust.json --validate-policy-resource-type AWS::S3::Bucket &&
    fail "AWS::S3::Bucket: no such resource on a host"
[ $? -eq 2 ] && grep -q "no such resource" "$T/err" || fail "AWS::S3::Bucket: exit 2 with a reason"
vp --policy-document file://trust.json --validate-policy-resource-type AWS::IAM::Role
[ $? -eq 2 ] && grep -q "must be one of AWS::IAM::AssumeRolePolicyDocument" "$T/err" ||
    fail "an unknown resource type: exit 2, the values listed"
"$IAMCTL" validate-policy --policy-document file://trust.json \
    --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument >"$T/out" 2>"$T/err"
[ $? -eq 2 ] && grep -q "only to --policy-type RESOURCE_POLICY" "$T/err" ||
    fail "a resource type with IDENTITY_POLICY: exit 2"
expect_fail 1 "NoSuchEntity" \
    create-role --role-name r2 --assume-role-policy-document file://trust.json \
    --permissions-boundary arn:aws:iam::123456789012:policy/nope

# ---- update-role, update-assume-role-policy ----------------------------------------------
expect_ok update-role --role-name deploy --description "new words" --max-session-duration 3600
expect_ok get-role --role-name deploy
jcheck '.Role.Description == "new words" and .Role.MaxSessionDuration == 3600'
expect_fail 2 "max-session-duration" update-role --role-name deploy --max-session-duration 99999
expect_fail 1 "NoSuchEntity" update-role --role-name nobody --description x
expect_ok update-assume-role-policy --role-name deploy --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":["sts:AssumeRole","sts:TagSession"]}]}'
expect_ok get-role --role-name deploy
jcheck '.Role.AssumeRolePolicyDocument.Statement[0].Principal.AWS == "arn:aws:iam::123456789012:user/alice"'
expect_fail 1 "UNSUPPORTED_RESOURCE_ARN_IN_POLICY: .*Has prohibited field Resource.*NotResource" update-assume-role-policy --role-name deploy \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","NotResource":"*"}]}'
expect_ok update-assume-role-policy --role-name deploy --policy-document file://trust.json

# ---- inline and attached policies, tags, boundary ----------------------------------------
cat >sudo.json <<'J'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "host:Sudo", "Resource": "*"}]}
J
expect_ok put-role-policy --role-name deploy --policy-name sudo --policy-document file://sudo.json
expect_ok list-role-policies --role-name deploy
jcheck '.PolicyNames == ["sudo"]'
expect_ok get-role-policy --role-name deploy --policy-name SUDO
jcheck '.RoleName == "deploy" and .PolicyName == "sudo" and .PolicyDocument.Statement[0].Action == "host:Sudo"'
expect_fail 1 "NoSuchEntity: The role policy with name x cannot be found" get-role-policy --role-name deploy --policy-name x
expect_ok create-policy --policy-name login --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*"}]}'
expect_ok attach-role-policy --role-name deploy --policy-arn arn:aws:iam::123456789012:policy/login
expect_ok list-attached-role-policies --role-name deploy
jcheck '.AttachedPolicies == [{"PolicyName":"login","PolicyArn":"arn:aws:iam::123456789012:policy/login"}]'
expect_ok tag-role --role-name deploy --tags Key=env,Value=prod Key=team,Value=web
expect_ok list-role-tags --role-name deploy
jcheck '.Tags == [{"Key":"team","Value":"web"},{"Key":"env","Value":"prod"}]'
expect_ok untag-role --role-name deploy --tag-keys env
expect_ok list-role-tags --role-name deploy
jcheck '.Tags == [{"Key":"team","Value":"web"}]'
expect_ok create-policy --policy-name bound --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:*","Resource":"*"}]}'
expect_ok put-role-permissions-boundary --role-name deploy --permissions-boundary arn:aws:iam::123456789012:policy/bound
expect_ok get-role --role-name deploy
jcheck '.Role.PermissionsBoundary.PermissionsBoundaryArn == "arn:aws:iam::123456789012:policy/bound"'

# ---- simulate-principal-policy: the role's own permissions -------------------------------
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:role/ops/deploy \
    --action-names host:Sudo host:Login ec2:RunInstances
jcheck '[.EvaluationResults[].EvalDecision] == ["allowed","allowed","implicitDeny"]'
jcheck '.EvaluationResults[0].MatchedStatements[0].SourcePolicyType == "role"'
expect_ok delete-role-permissions-boundary --role-name deploy
expect_fail 1 "NoSuchEntity: role deploy has no permissions boundary" delete-role-permissions-boundary --role-name deploy

# ---- simulate-principal-policy: may a user assume the role? ------------------------------
DEPLOY=arn:aws:iam::123456789012:role/ops/deploy
expect_ok add-user-to-group --group-name deployers --user-name alice
expect_ok create-user --user-name bob
# the trust policy trusts the account; nobody's identity policy allows yet
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/alice \
    --action-names sts:AssumeRole --resource-arns $DEPLOY
jcheck '.EvaluationResults[0].EvalDecision == "implicitDeny"'
expect_ok put-group-policy --group-name deployers --policy-name assume --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/ops/deploy"}]}'
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/alice \
    --action-names sts:AssumeRole --resource-arns $DEPLOY
jcheck '.EvaluationResults[0].EvalDecision == "allowed"'
jcheck '[.EvaluationResults[0].MatchedStatements[].SourcePolicyType] | sort == ["group","role trust policy"]'
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/bob \
    --action-names sts:AssumeRole --resource-arns $DEPLOY
jcheck '.EvaluationResults[0].EvalDecision == "implicitDeny"'
# the Deny of the trust policy on a tag wins
expect_ok tag-user --user-name alice --tags Key=team,Value=contractors
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/alice \
    --action-names sts:AssumeRole --resource-arns $DEPLOY
jcheck '.EvaluationResults[0].EvalDecision == "explicitDeny"'
expect_ok untag-user --user-name alice --tag-keys team
# an identity policy alone never suffices: a trust policy naming only bob
expect_ok update-assume-role-policy --role-name deploy --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"sts:AssumeRole"}]}'
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/alice \
    --action-names sts:AssumeRole --resource-arns $DEPLOY
jcheck '.EvaluationResults[0].EvalDecision == "implicitDeny"'
# ... while naming the user needs no identity policy
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/bob \
    --action-names sts:AssumeRole --resource-arns $DEPLOY
jcheck '.EvaluationResults[0].EvalDecision == "allowed"'
# unless bob's boundary leaves sts:AssumeRole out
expect_ok put-user-permissions-boundary --user-name bob --permissions-boundary arn:aws:iam::123456789012:policy/bound
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/bob \
    --action-names sts:AssumeRole --resource-arns $DEPLOY
jcheck '.EvaluationResults[0].EvalDecision == "implicitDeny" and .EvaluationResults[0].PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary == false'
# a resource that is no role of the store has no trust policy: identity side only
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/alice \
    --action-names sts:AssumeRole --resource-arns arn:aws:iam::123456789012:role/ops/deploy arn:aws:iam::123456789012:role/elsewhere
jcheck '[.EvaluationResults[].EvalDecision] == ["implicitDeny","implicitDeny"]'

# ---- delete-role: its policies first, as IAM --------------------------------------------
expect_fail 1 "DeleteConflict: Cannot delete entity, must delete policies" delete-role --role-name deploy
expect_ok delete-role-policy --role-name deploy --policy-name sudo
expect_fail 1 "DeleteConflict: Cannot delete entity, must detach all policies" delete-role --role-name deploy
expect_ok detach-role-policy --role-name deploy --policy-arn arn:aws:iam::123456789012:policy/login
expect_fail 1 "NoSuchEntity: Policy .* was not found to be attached" \
    detach-role-policy --role-name deploy --policy-arn arn:aws:iam::123456789012:policy/login
expect_ok delete-role --role-name deploy
expect_fail 1 "NoSuchEntity" get-role --role-name deploy
expect_ok list-roles
jcheck '[.Roles[].RoleName] == ["plain"]'
# the name is free again
expect_ok create-user --user-name deploy

# ---- a store edited by hand: a role's uid on a local account is refused ------------------
sql "UPDATE identities SET posix_id = 5003 WHERE kind = 3 AND name = 'plain'"
expect_fail 1 'role "plain": uid 5003 is the local account "localuser"' tag-role --role-name plain --tags Key=a,Value=b

echo "ok: $PASS checks"
