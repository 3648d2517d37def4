#!/bin/bash
# Every store verb through the iamctl binary: JSON shapes, AWS's errors, exit codes, and that a
# failed command leaves the store unchanged (every row of every table).
IAMCTL=$(realpath "$1")
. "$(dirname "$0")/lib.sh"

# ---- init
init_db
[ "$(stat -c %a "$DB")" = 600 ] || fail "store mode is not 0600"
[ "$(head -c 15 "$DB")" = "SQLite format 3" ] || fail "the store is not a SQLite database"
sqlcheck "PRAGMA journal_mode" wal
sqlcheck "PRAGMA user_version" 4
grep -q '^uid_min = 5000$' "$CONF" || fail "init did not write uid_min"
grep -q '^home_template = /home/%u$' "$CONF" || fail "init did not write the defaults explicitly"
sqlcheck "SELECT account_id, serial, next_id FROM account" "123456789012|0|5000"
expect_fail 1 "already exists; refusing to overwrite" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-1 --database "$DB"
expect_fail 2 "bad value for account_id" --config "$T/other.conf" init --account-id 12 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-1 --database "$T/other.db"
[ ! -e "$T/other.conf" ] && [ ! -e "$T/other.db" ] || fail "a failed init left files"

# ---- users
expect_ok create-user --user-name alice --tags Key=team,Value=web Key=CostCenter,Value=42 --gecos "Alice Example"
jcheck '.User.UserName == "alice" and .User.Path == "/" and (.User.UserId | test("^AIDA[A-Z2-7]{17}$"))
        and .User.Arn == "arn:aws:iam::123456789012:user/alice" and (.User.CreateDate | test("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00$"))
        and .User.Tags == [{"Key":"team","Value":"web"},{"Key":"CostCenter","Value":"42"}]'
sqlcheck "SELECT serial FROM account" 1
sqlcheck "SELECT posix_id, gid, home, shell, gecos, source FROM identities WHERE name = 'alice'" \
    "5000|5000|/home/alice|/bin/bash|Alice Example|iamctl"
expect_ok create-user --user-name bob --path /eng/
jcheck '.User.Arn == "arn:aws:iam::123456789012:user/eng/bob" and .User.Path == "/eng/" and (.User | has("Tags") | not)'
expect_ok create-group --group-name devs
jcheck '.Group.GroupName == "devs" and (.Group.GroupId | test("^AGPA")) and .Group.Arn == "arn:aws:iam::123456789012:group/devs"'
sqlcheck "SELECT posix_id FROM identities WHERE kind = 2 AND name = 'devs'" 5002
# 5003 is a local uid and 5005 a local gid: allocation skips both
expect_ok create-user --user-name carol
sqlcheck "SELECT posix_id FROM identities WHERE name = 'carol'" 5004
expect_ok create-group --group-name ops
sqlcheck "SELECT posix_id FROM identities WHERE name = 'ops'" 5006
sqlcheck "SELECT next_id FROM account" 5007
expect_fail 1 "EntityAlreadyExists: User with name ALICE" create-user --user-name ALICE
expect_fail 1 "local account" create-user --user-name localuser
expect_fail 1 "local group" create-user --user-name localgrp
expect_fail 1 "is an IAM group" create-user --user-name Devs
expect_fail 1 "ValidationError: user name \"a,b\"" create-user --user-name a,b
expect_fail 1 "ValidationError: user name \"-x\"" create-user --user-name=-x
expect_fail 1 "longer than 32" create-user --user-name abcdefghijabcdefghijabcdefghijabc
expect_fail 2 "--gecos must not contain ':'" create-user --user-name zed --gecos "a:b"
expect_fail 2 "missing required option '--user-name'" create-user
expect_fail 2 "unknown option '--colour'" create-user --user-name x --colour red
expect_fail 2 "unknown verb" frobnicate-user
expect_ok get-user --user-name ALICE
jcheck '.User.UserName == "alice" and .User.Tags[1].Key == "CostCenter"'
expect_fail 1 "NoSuchEntity" get-user --user-name nobody
expect_ok list-users
jcheck '[.Users[].UserName] == ["alice","bob","carol"] and (.Users[0] | keys == ["Arn","CreateDate","Path","UserId","UserName"])'
expect_ok list-users --path-prefix /eng/
jcheck '[.Users[].UserName] == ["bob"]'
expect_ok update-user --user-name bob --new-path /ops/
expect_ok get-user --user-name bob
jcheck '.User.Arn == "arn:aws:iam::123456789012:user/ops/bob"'
expect_ok tag-user --user-name bob --tags Key=team,Value=ops Key=env,Value=dev
expect_ok tag-user --user-name bob --tags Key=TEAM,Value=sre
expect_ok list-user-tags --user-name bob
jcheck '.Tags == [{"Key":"team","Value":"sre"},{"Key":"env","Value":"dev"}]'
expect_ok untag-user --user-name bob --tag-keys ENV
expect_ok list-user-tags --user-name bob
jcheck '.Tags == [{"Key":"team","Value":"sre"}]'
expect_fail 2 "duplicate tag key" tag-user --user-name bob --tags Key=a,Value=1 Key=A,Value=2

# ---- pagination, as the AWS CLI pages (--max-items, --starting-token)
expect_ok list-users --max-items 2
jcheck '[.Users[].UserName] == ["alice","bob"] and .IsTruncated == true and (.Marker | type) == "string" and .NextToken == .Marker'
TOKEN=$(jq -r .NextToken "$T/out")
expect_ok list-users --max-items 2 --starting-token "$TOKEN"
jcheck '[.Users[].UserName] == ["carol"] and (has("IsTruncated") | not) and (has("NextToken") | not)'
expect_ok list-users --max-items 3
jcheck '(.Users | length) == 3 and (has("NextToken") | not)'
expect_ok list-users --path-prefix /ops/ --max-items 1
jcheck '[.Users[].UserName] == ["bob"] and (has("NextToken") | not)'
expect_ok list-user-tags --user-name alice --max-items 1
jcheck '.Tags == [{"Key":"team","Value":"web"}] and .IsTruncated == true'
expect_ok list-user-tags --user-name alice --starting-token "$(jq -r .NextToken "$T/out")"
jcheck '.Tags == [{"Key":"CostCenter","Value":"42"}] and (has("NextToken") | not)'
expect_fail 2 "--max-items must be a whole number from 1" list-users --max-items 0
expect_fail 2 "--starting-token 'x' is not valid" list-users --starting-token x
expect_fail 2 "unknown option '--max-items'" get-user-policy --user-name alice --policy-name p --max-items 1

# ---- groups
expect_ok add-user-to-group --user-name alice --group-name devs
expect_ok add-user-to-group --user-name bob --group-name DEVS
expect_ok add-user-to-group --user-name alice --group-name devs
expect_ok get-group --group-name devs
jcheck '[.Users[].UserName] == ["alice","bob"] and .Group.GroupName == "devs"'
expect_ok list-groups-for-user --user-name alice
jcheck '[.Groups[].GroupName] == ["devs"]'
expect_ok list-groups
jcheck '[.Groups[].GroupName] == ["devs","ops"]'
expect_fail 1 "DeleteConflict" delete-group --group-name devs
expect_ok remove-user-from-group --user-name bob --group-name devs
expect_fail 1 "NoSuchEntity: user bob is not in group devs" remove-user-from-group --user-name bob --group-name devs
expect_fail 1 "NoSuchEntity" add-user-to-group --user-name alice --group-name nogroup
expect_ok delete-group --group-name ops
sqlcheck "SELECT group_concat(name) FROM identities WHERE kind = 2" devs
sqlcheck "SELECT next_id FROM account" 5007

# ---- access keys
expect_ok create-access-key --user-name alice
jcheck '(.AccessKey | keys_unsorted) == ["UserName","AccessKeyId","Status","SecretAccessKey","CreateDate"]
        and (.AccessKey.AccessKeyId | test("^AKIA[A-Z2-7]{16}$")) and (.AccessKey.SecretAccessKey | test("^[A-Za-z0-9+/]{40}$"))
        and .AccessKey.Status == "Active" and .AccessKey.UserName == "alice"'
KEY1=$(jq -r .AccessKey.AccessKeyId "$T/out")
SECRET1=$(jq -r .AccessKey.SecretAccessKey "$T/out")
cat "$DB"* | grep -qaF "$SECRET1" && fail "the secret is stored in the store"
sqlcheck "SELECT count(*) FROM access_keys WHERE secret_hash LIKE '\$iamb2k\$v=1\$%'" 1
expect_ok create-access-key --user-name alice
KEY2=$(jq -r .AccessKey.AccessKeyId "$T/out")
expect_fail 1 "LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2" create-access-key --user-name alice
expect_ok update-access-key --user-name alice --access-key-id "$KEY1" --status Inactive
expect_ok list-access-keys --user-name alice
jcheck '[.AccessKeyMetadata[] | [.AccessKeyId, .Status]] == [["'"$KEY1"'","Inactive"],["'"$KEY2"'","Active"]]
        and (.AccessKeyMetadata[0] | has("SecretAccessKey") | not)'
expect_fail 2 "--status must be Active or Inactive" update-access-key --access-key-id "$KEY1" --status Disabled
expect_fail 1 "cannot be found for user bob" update-access-key --user-name bob --access-key-id "$KEY1" --status Active
expect_fail 1 "NoSuchEntity" delete-access-key --access-key-id AKIAAAAAAAAAAAAAAAAA
expect_ok delete-access-key --access-key-id "$KEY2"
expect_ok list-access-keys --user-name alice
jcheck '[.AccessKeyMetadata[].AccessKeyId] == ["'"$KEY1"'"]'

# ---- login profiles (password on stdin, never argv)
expect_fail 2 "--password is refused" create-login-profile --user-name alice --password hunter2hunter2
echo "correct horse battery" | "$IAMCTL" --config "$CONF" create-login-profile --user-name alice --password-reset-required >"$T/out" 2>"$T/err" || fail "create-login-profile"
jcheck '.LoginProfile == {"UserName":"alice","CreateDate":.LoginProfile.CreateDate,"PasswordResetRequired":true}'
cat "$DB"* | grep -qa "correct horse" && fail "the password is stored in the store"
sqlcheck "SELECT count(*) FROM login_profiles WHERE password_hash LIKE '\$argon2id\$v=19\$m=65536,t=2,p=1\$%'" 1
before=$(dbstate)
echo "short" | "$IAMCTL" --config "$CONF" create-login-profile --user-name bob >"$T/out" 2>"$T/err" && fail "short password accepted"
grep -q "at least 8" "$T/err" || fail "short password message"
[ "$(dbstate)" = "$before" ] || fail "a refused password changed the store"
echo "another password" | "$IAMCTL" --config "$CONF" create-login-profile --user-name alice >"$T/out" 2>"$T/err" && fail "second login profile"
grep -q "EntityAlreadyExists" "$T/err" || fail "second login profile message"
old_hash=$(sql "SELECT password_hash FROM login_profiles")
echo "a brand new password" | "$IAMCTL" --config "$CONF" update-login-profile --user-name alice --no-password-reset-required >"$T/out" 2>"$T/err" || fail "update-login-profile"
sqlcheck "SELECT password_reset_required, password_hash <> '$old_hash' FROM login_profiles" "0|1"
expect_ok update-login-profile --user-name alice --keep-password --password-reset-required </dev/null
expect_ok get-login-profile --user-name alice
jcheck '.LoginProfile.PasswordResetRequired == true'
expect_fail 1 "NoSuchEntity: Login Profile for User bob" get-login-profile --user-name bob

# ---- SSH public keys
ssh-keygen -q -t ed25519 -N '' -C 'alice@laptop' -f "$T/k" || fail "ssh-keygen"
expect_ok upload-ssh-public-key --user-name alice --ssh-public-key-body "file://$T/k.pub"
fp=$(ssh-keygen -lf "$T/k.pub" | awk '{print $2}')
jcheck '.SSHPublicKey.Fingerprint == "'"$fp"'" and (.SSHPublicKey.SSHPublicKeyId | test("^APKA")) and .SSHPublicKey.Status == "Active"
        and (.SSHPublicKey.SSHPublicKeyBody | startswith("ssh-ed25519 AAAA"))'
SSHID=$(jq -r .SSHPublicKey.SSHPublicKeyId "$T/out")
expect_fail 1 "DuplicateSSHPublicKey" upload-ssh-public-key --user-name alice --ssh-public-key-body "file://$T/k.pub"
expect_fail 1 "InvalidPublicKey" upload-ssh-public-key --user-name alice --ssh-public-key-body "ssh-ed25519 AAAAnotakey"
expect_ok update-ssh-public-key --user-name alice --ssh-public-key-id "$SSHID" --status Inactive
expect_ok list-ssh-public-keys --user-name alice
jcheck '.SSHPublicKeys[0].Status == "Inactive" and (.SSHPublicKeys[0] | has("SSHPublicKeyBody") | not)'
expect_ok get-ssh-public-key --user-name alice --ssh-public-key-id "$SSHID" --encoding SSH
jcheck '.SSHPublicKey.SSHPublicKeyId == "'"$SSHID"'"'

# ---- inline policies
cat >"$T/login.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Sid": "Login", "Effect": "Allow", "Action": "host:Login", "Resource": "*"}]}
JSON
printf '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Action": "host:Login",\n   "Resource": "*", "Condtion": {}}]}\n' >"$T/typo.json"
expect_ok put-user-policy --user-name alice --policy-name own-login --policy-document "file://$T/login.json"
expect_ok get-user-policy --user-name alice --policy-name OWN-LOGIN
jcheck '.UserName == "alice" and .PolicyName == "own-login" and .PolicyDocument.Statement[0].Sid == "Login"'
expect_fail 1 "typo.json:3:21: Statement\[0\]: unknown element" put-user-policy --user-name alice --policy-name bad --policy-document "file://$T/typo.json"
expect_fail 1 "ValidationError: policy name" put-user-policy --user-name alice --policy-name "a b" --policy-document "file://$T/login.json"
# IAM counts the aggregate of a user's inline policies, whitespace excluded: 2,048
big='{"Version":"2012-10-17","Statement":['
for i in $(seq 10 29); do big="$big{\"Sid\":\"S$i\",\"Effect\":\"Allow\",\"Action\":\"host:Login\",\"Resource\":\"arn:aws:ec2:eu-west-1:123456789012:instance/i-0000000000000000$i\"},"; done
big="${big%,}]}"
echo "$big" >"$T/big.json"
expect_fail 1 "LimitExceeded: .*2048" put-user-policy --user-name alice --policy-name big --policy-document "file://$T/big.json"
expect_ok put-group-policy --group-name devs --policy-name big --policy-document "file://$T/big.json"
expect_ok list-group-policies --group-name devs
jcheck '.PolicyNames == ["big"]'
expect_ok delete-group-policy --group-name devs --policy-name big
expect_fail 1 "NoSuchEntity" delete-group-policy --group-name devs --policy-name big
expect_ok list-user-policies --user-name alice
jcheck '.PolicyNames == ["own-login"]'

# ---- managed policies
expect_ok create-policy --policy-name HostSudo --path /hosts/ --policy-document "file://$T/login.json" --description "sudo on dev hosts"
PARN=arn:aws:iam::123456789012:policy/hosts/HostSudo
jcheck '.Policy.Arn == "'$PARN'" and .Policy.DefaultVersionId == "v1" and .Policy.AttachmentCount == 0 and (.Policy.PolicyId | test("^ANPA"))
        and .Policy.IsAttachable == true and .Policy.Description == "sudo on dev hosts"'
expect_fail 1 "EntityAlreadyExists: A policy called hostsudo" create-policy --policy-name hostsudo --policy-document "file://$T/login.json"
for v in 2 3 4 5; do expect_ok create-policy-version --policy-arn $PARN --policy-document "file://$T/login.json"; jcheck ".PolicyVersion.VersionId == \"v$v\" and .PolicyVersion.IsDefaultVersion == false"; done
expect_fail 1 "LimitExceeded: A managed policy can have up to 5 versions" create-policy-version --policy-arn $PARN --policy-document "file://$T/login.json"
expect_ok set-default-policy-version --policy-arn $PARN --version-id v3
expect_ok get-policy --policy-arn $PARN
jcheck '.Policy.DefaultVersionId == "v3"'
expect_fail 1 "Cannot delete the default version" delete-policy-version --policy-arn $PARN --version-id v3
expect_ok delete-policy-version --policy-arn $PARN --version-id v5
expect_ok list-policy-versions --policy-arn $PARN
jcheck '[.Versions[] | [.VersionId, .IsDefaultVersion]] == [["v1",false],["v2",false],["v3",true],["v4",false]]'
expect_ok create-policy-version --policy-arn $PARN --policy-document "file://$T/login.json" --set-as-default
jcheck '.PolicyVersion.VersionId == "v5" and .PolicyVersion.IsDefaultVersion == true'
expect_ok get-policy-version --policy-arn $PARN --version-id v5
jcheck '.PolicyVersion.Document.Statement[0].Action == "host:Login" and .PolicyVersion.IsDefaultVersion == true'
expect_ok attach-user-policy --user-name alice --policy-arn $PARN
expect_ok attach-group-policy --group-name devs --policy-arn $PARN
expect_ok get-policy --policy-arn $PARN
jcheck '.Policy.AttachmentCount == 2'
expect_ok list-attached-user-policies --user-name alice
jcheck '.AttachedPolicies == [{"PolicyName":"HostSudo","PolicyArn":"'$PARN'"}]'
expect_ok list-policies --scope Local --only-attached
jcheck '[.Policies[].PolicyName] == ["HostSudo"]'
expect_ok list-policies --scope AWS
jcheck '.Policies == []'
expect_fail 1 "DeleteConflict" delete-policy --policy-arn $PARN
expect_fail 1 "NoSuchEntity" attach-user-policy --user-name alice --policy-arn arn:aws:iam::123456789012:policy/Nope
expect_ok detach-group-policy --group-name devs --policy-arn $PARN
expect_fail 1 "was not found to be attached" detach-group-policy --group-name devs --policy-arn $PARN
expect_ok list-attached-group-policies --group-name devs
jcheck '.AttachedPolicies == []'

# ---- permissions boundary
cat >"$T/boundary.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "host:Sudo", "Resource": "*"}]}
JSON
expect_ok create-policy --policy-name Boundary --policy-document "file://$T/boundary.json"
expect_ok put-user-permissions-boundary --user-name alice --permissions-boundary arn:aws:iam::123456789012:policy/Boundary
expect_ok get-user --user-name alice
jcheck '.User.PermissionsBoundary == {"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::123456789012:policy/Boundary"}'

# ---- simulate-principal-policy: the user's policies, its groups', the boundary
cat >"$T/tagged.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Sid": "TeamSudo", "Effect": "Allow", "Action": "host:Sudo", "Resource": "*",
  "Condition": {"StringEquals": {"aws:PrincipalTag/team": "web", "aws:username": "alice"}}}]}
JSON
expect_ok put-group-policy --group-name devs --policy-name team-sudo --policy-document "file://$T/tagged.json"
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/alice --action-names host:Login host:Sudo
# host:Login is allowed by the identity policies but not by the boundary: implicit deny
jcheck '.EvaluationResults[0].EvalActionName == "host:Login" and .EvaluationResults[0].EvalDecision == "implicitDeny"'
jcheck '.EvaluationResults[1].EvalDecision == "allowed" and .EvaluationResults[1].MatchedStatements[0].SourcePolicyId == "team-sudo"
        and .EvaluationResults[1].MatchedStatements[0].SourcePolicyType == "group"'
expect_ok delete-user-permissions-boundary --user-name alice
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/alice --action-names host:Login
jcheck '.EvaluationResults[0].EvalDecision == "allowed" and ([.EvaluationResults[0].MatchedStatements[].SourcePolicyType] | sort) == ["user","user-managed"]'
# bob is not in devs any more: nothing allows him
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/ops/bob --action-names host:Sudo
jcheck '.EvaluationResults[0].EvalDecision == "implicitDeny"'
expect_fail 1 "NoSuchEntity: no user or role with ARN" simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/zoe --action-names host:Login
expect_fail 1 "only users" simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:group/devs --action-names host:Login

# ---- export: no secrets, no POSIX data
expect_ok get-account-authorization-details
jcheck '(.UserDetailList | length) == 3 and ([.UserDetailList[] | has("AccessKeys") or has("LoginProfile") or has("Posix") or has("SSHPublicKeys")] | any | not)
        and ([.GroupDetailList[] | has("Posix")] | any | not) and (keys_unsorted == ["UserDetailList","GroupDetailList","RoleDetailList","Policies"])'
grep -q 'iamb2k\|argon2id' "$T/out" && fail "the export contains a hash"
expect_ok get-account-authorization-details --filter User
jcheck '(.UserDetailList | length) == 3 and .GroupDetailList == [] and .Policies == []'

# ---- delete-user needs everything removed first, as IAM does
expect_fail 1 "DeleteConflict.*login profile" delete-user --user-name alice
expect_ok delete-login-profile --user-name alice
expect_fail 1 "DeleteConflict.*access keys" delete-user --user-name alice
expect_ok delete-access-key --user-name alice --access-key-id "$KEY1"
expect_fail 1 "DeleteConflict.*SSH" delete-user --user-name alice
expect_ok delete-ssh-public-key --user-name alice --ssh-public-key-id "$SSHID"
expect_fail 1 "DeleteConflict.*inline" delete-user --user-name alice
expect_ok delete-user-policy --user-name alice --policy-name own-login
expect_fail 1 "DeleteConflict.*attached" delete-user --user-name alice
expect_ok detach-user-policy --user-name alice --policy-arn $PARN
expect_fail 1 "DeleteConflict.*group" delete-user --user-name alice
expect_ok remove-user-from-group --user-name alice --group-name devs
expect_ok delete-user --user-name alice
expect_fail 1 "NoSuchEntity" get-user --user-name alice
# ids are never reused: a new user gets a fresh uid, not alice's 5000
expect_ok create-user --user-name alice
sqlcheck "SELECT posix_id FROM identities WHERE name = 'alice'" 5007
expect_ok delete-policy-version --policy-arn $PARN --version-id v1
for v in v2 v3 v4; do expect_ok delete-policy-version --policy-arn $PARN --version-id $v; done
expect_ok delete-policy --policy-arn $PARN
expect_fail 1 "NoSuchEntity" get-policy --policy-arn $PARN

# ---- Serial: bumped by every write, never by a read or a failure
s1=$(sql "SELECT serial FROM account")
expect_ok list-users
expect_fail 1 "EntityAlreadyExists" create-user --user-name bob
[ "$(sql "SELECT serial FROM account")" = "$s1" ] || fail "Serial moved without a write"
expect_ok tag-user --user-name bob --tags Key=x,Value=y
[ "$(sql "SELECT serial FROM account")" = "$((s1 + 1))" ] || fail "Serial not bumped"
ok

# ---- uid range exhaustion
for n in u1 u2 u3; do expect_ok create-user --user-name $n; done
expect_fail 1 "LimitExceeded: no free id left" create-user --user-name u4

# ---- private_groups = no: a new user's primary group is default_gid, a real group
grep -q '^default_gid = 100$' "$CONF" || fail "init did not write default_gid"
sed -i -e 's/^uid_max = 5010$/uid_max = 5020/' -e 's/^private_groups = yes$/private_groups = no/' \
    -e 's/^default_gid = 100$/default_gid = 5002/' "$CONF"
expect_ok create-user --user-name dave
sqlcheck "SELECT posix_id, gid FROM identities WHERE name = 'dave'" "5011|5002"
sed -i -e 's/^private_groups = no$/private_groups = yes/' "$CONF"
expect_ok create-user --user-name erin
sqlcheck "SELECT posix_id, gid FROM identities WHERE name = 'erin'" "5012|5012"

# ---- unsafe files are refused
chmod 0660 "$DB"
expect_fail 1 "writable by group or others" list-users
chmod 0640 "$DB"
expect_fail 1 "readable by group or others" list-users
chmod 0600 "$DB"
mv "$DB" "$T/real.db" && ln -s "$T/real.db" "$DB"
run list-users
[ "$RC" -eq 1 ] && grep -q "symbolic link" "$T/err" || fail "a symlinked store was used"
rm "$DB" && mv "$T/real.db" "$DB"
chmod 0666 "$CONF"
run list-users
[ "$RC" -eq 1 ] && grep -q "writable by group or others" "$T/err" || fail "a world-writable config was used"
chmod 0644 "$CONF"
# what the store itself refuses, whoever edits it: root's uid, a hash of an unknown kind
sqlite3 "$DB" "UPDATE identities SET posix_id = 0 WHERE name = 'bob'" 2>"$T/err" && fail "uid 0 entered the store"
grep -q "CHECK constraint failed" "$T/err" || fail "uid 0: $(cat "$T/err")"
sqlite3 "$DB" "INSERT INTO login_profiles (user, create_date, password_hash)
    SELECT id, '2024-01-01T00:00:00Z', 'plain' FROM identities WHERE name = 'bob'" 2>"$T/err" &&
    fail "a plain password entered the store"
grep -q "CHECK constraint failed" "$T/err" || fail "plain password: $(cat "$T/err")"
ok

echo "ok: $PASS checks"
