#!/bin/bash
# import of a realistic AWS export (tests/data/aws-export.json: users, groups, roles,
# AWS-managed and customer-managed policies with several versions, URL-encoded documents,
# permissions boundaries), its round trip through get-account-authorization-details, a
# re-import that keeps the host's ids and secrets, and exports that must be refused.
IAMCTL=$(realpath "$1")
DATA=$(realpath "$2")
. "$(dirname "$0")/lib.sh"
# shellcheck source=../helpers/work.sh
. "$(dirname "$0")/../helpers/work.sh"

expect_ok init --account-id 111122223333 --host-arn arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc \
    --database "$DB" --cache-dir "$T/cache" --audit-log none --uid-min 5000 --uid-max 5999
expect_ok import --authorization-details "file://$DATA/aws-export.json"
jcheck '.Imported == {"Users":5,"NewUsers":5,"Groups":3,"NewGroups":3,"Roles":2,"Policies":5}'
# ids: groups first (5000..5002), then users in export order (5003 is local: skipped)
sqlcheck "SELECT group_concat(posix_id) FROM (SELECT posix_id FROM identities WHERE kind = 2 ORDER BY id)" 5000,5001,5002
sqlcheck "SELECT group_concat(posix_id) FROM (SELECT posix_id FROM identities WHERE kind = 1 ORDER BY id)" 5004,5006,5007,5008,5009
# roles after users: each an account on the host (5010, 5011)
sqlcheck "SELECT group_concat(name || '=' || posix_id) FROM (SELECT name, posix_id FROM identities WHERE kind = 3 ORDER BY id)" \
    "ec2-web=5010,BreakGlass=5011"
sqlcheck "SELECT next_id FROM account" 5012
# into a new store the members-by-group index is built once at the end (a bulk load): it is
# there, as the schema defines it
sqlcheck "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'memberships_group'" \
    "CREATE INDEX memberships_group ON memberships (grp, user)"
sqlcheck "SELECT posix_id, gid, home, shell, gecos IS NULL FROM identities WHERE name = 'carol.ops'" \
    "5007|5007|/home/carol.ops|/bin/bash|1"
# what an export brings is recorded as such
sqlcheck "SELECT DISTINCT source FROM identities" aws
# documents are stored decoded (JSON, not URL-encoded), their layout whitespace removed
sqlcheck "SELECT count(*) FROM inline_policies WHERE document NOT LIKE '{\"Version\":%'" 0
sqlcheck "SELECT count(*) FROM policy_versions WHERE document NOT LIKE '{\"Version\":%'" 0

# importing the same export again right away changes nothing: not a row, not the Serial
before=$(dbstate)
expect_ok import --authorization-details "file://$DATA/aws-export.json"
jcheck '.Imported.NewUsers == 0 and .Serial == 1'
[ "$(dbstate)" = "$before" ] || fail "re-importing the export just imported changed the store"
ok

# the export reproduces the AWS export: users, groups, roles, policies (documents decoded,
# as the AWS CLI prints them), memberships and counts
expect_ok get-account-authorization-details
jq -S . "$T/out" >"$T/got.json"
jq -S . "$DATA/aws-export.decoded.json" >"$T/want.json"
diff -u "$T/want.json" "$T/got.json" >"$T/diff" || { cat "$T/diff"; fail "export differs from the imported AWS export"; }
ok

# the model: memberships and effective policies, through simulate-principal-policy
expect_ok get-group --group-name developers
jcheck '[.Users[].UserName] == ["alice","bob"]'
expect_ok list-groups-for-user --user-name carol.ops
jcheck '[.Groups[].GroupName] == ["Admins","oncall"]'
expect_ok list-policies --scope AWS
jcheck '[.Policies[] | [.PolicyName, .AttachmentCount]] == [["ReadOnlyAccess",3],["AdministratorAccess",2]]'
expect_ok get-policy --policy-arn arn:aws:iam::111122223333:policy/HostLogin
jcheck '.Policy.DefaultVersionId == "v3" and .Policy.AttachmentCount == 3'
expect_ok get-policy-version --policy-arn arn:aws:iam::111122223333:policy/HostLogin --version-id v1
jcheck '.PolicyVersion.Document.Statement[0].Resource == "arn:aws:ec2:*:111122223333:instance/*"'
# bob: host:Login allowed by developers' HostLogin and inside his HostBoundary
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::111122223333:user/bob \
    --action-names host:Login s3:GetObject --resource-arns arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc
jcheck '.EvaluationResults[0].EvalDecision == "allowed" and .EvaluationResults[0].MatchedStatements[0].SourcePolicyId == "HostLogin"
        and .EvaluationResults[0].MatchedStatements[0].SourcePolicyType == "user-managed"'
# s3:GetObject: ReadOnlyAccess allows it, the boundary does not
jcheck '.EvaluationResults[1].EvalDecision == "implicitDeny"'
# carol: Admins gives everything, her inline Deny wins for sudo on prod-tagged hosts
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::111122223333:user/ops/carol.ops \
    --action-names host:Sudo --context-entries ContextKeyName=aws:ResourceTag/Environment,ContextKeyValues=prod,ContextKeyType=string
jcheck '.EvaluationResults[0].EvalDecision == "explicitDeny" and .EvaluationResults[0].MatchedStatements[0].SourcePolicyId == "no-prod-sudo"'
# alice: her own URL-encoded inline policy uses ${aws:username}
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::111122223333:user/alice \
    --action-names s3:PutObject --resource-arns arn:aws:s3:::team-bucket/alice/notes.txt arn:aws:s3:::team-bucket/bob/notes.txt
jcheck '[.EvaluationResults[].EvalDecision] == ["allowed","implicitDeny"]'

# roles: read-only views of what was imported
expect_ok list-roles
jcheck '[.Roles[].RoleName] == ["ec2-web","BreakGlass"] and .Roles[0].AssumeRolePolicyDocument.Statement[0].Principal.Service == "ec2.amazonaws.com"'
expect_ok get-role --role-name breakglass
jcheck '.Role.Arn == "arn:aws:iam::111122223333:role/admin/BreakGlass" and .Role.PermissionsBoundary.PermissionsBoundaryArn == "arn:aws:iam::111122223333:policy/boundaries/HostBoundary" and .Role.Tags == [{"Key":"owner","Value":"security"}]'
expect_ok list-role-policies --role-name ec2-web
jcheck '.PolicyNames == ["web-logs"]'
expect_ok get-role-policy --role-name ec2-web --policy-name web-logs
jcheck '.PolicyDocument.Statement[0].Action == "logs:PutLogEvents"'
expect_ok list-attached-role-policies --role-name BreakGlass
jcheck '.AttachedPolicies == [{"PolicyName":"AdministratorAccess","PolicyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}]'
expect_fail 1 "NoSuchEntity" get-role --role-name nope

# re-import: ids, keys, passwords and POSIX data on this host survive; AWS data is replaced
expect_ok create-access-key --user-name alice
KEY=$(jq -r .AccessKey.AccessKeyId "$T/out")
echo "alice's password" | "$IAMCTL" --config "$CONF" create-login-profile --user-name alice >/dev/null 2>&1 || fail "login profile"
jq '.UserDetailList[0].Tags = [{"Key":"team","Value":"security"}]' "$DATA/aws-export.json" >"$T/export2.json"
expect_ok import --authorization-details "file://$T/export2.json"
jcheck '.Imported.NewUsers == 0 and .Imported.NewGroups == 0'
sqlcheck "SELECT i.posix_id, k.access_key_id, l.password_hash LIKE '\$argon2id\$%'
          FROM identities i JOIN access_keys k ON k.user = i.id JOIN login_profiles l ON l.user = i.id
          WHERE i.name = 'alice'" "5004|$KEY|1"
sqlcheck "SELECT group_concat(t.key || '=' || t.value) FROM tags t JOIN identities i ON i.id = t.identity
          WHERE i.name = 'alice'" team=security
sqlcheck "SELECT next_id, (SELECT count(*) FROM identities WHERE kind = 1) FROM account" "5012|5"

# the same export again changes nothing: not a row, not the Serial
serial=$(sql "SELECT serial FROM account")
before=$(dbstate)
expect_ok import --authorization-details "file://$T/export2.json"
jcheck '.Imported.NewUsers == 0 and .Serial == '"$serial"
[ "$(dbstate)" = "$before" ] || fail "re-importing the same export changed the store"
ok
# both names AWS gives the one kind of permissions boundary are accepted
sed 's/"PermissionsBoundaryType": "Policy"/"PermissionsBoundaryType": "PermissionsBoundaryPolicy"/' "$T/export2.json" >"$T/export3.json"
grep -q PermissionsBoundaryPolicy "$T/export3.json" || fail "could not make the PermissionsBoundaryPolicy export"
expect_ok import --authorization-details "file://$T/export3.json"
jcheck '.Serial == '"$serial"
# --delete-missing: the store becomes the export for what came from exports; a user created
# on this host stays; the removed user's uid is never handed out again
expect_ok create-user --user-name localzoe
expect_ok create-group --group-name localgrp2
expect_ok add-user-to-group --user-name bob --group-name localgrp2
jq 'del(.UserDetailList[] | select(.UserName == "erin_ci")) | del(.RoleDetailList[] | select(.RoleName == "ec2-web"))' \
    "$T/export2.json" >"$T/export4.json"
serial=$(sql "SELECT serial FROM account")
expect_ok import --authorization-details "file://$T/export4.json" --delete-missing
jcheck '.Deleted == {"Users":1,"Groups":0,"Roles":1,"Policies":0} and .Serial == '"$((serial + 1))"
expect_fail 1 "NoSuchEntity" get-user --user-name erin_ci
expect_fail 1 "NoSuchEntity" get-role --role-name ec2-web
expect_ok get-user --user-name localzoe
expect_ok list-groups-for-user --user-name bob
jcheck '[.Groups[].GroupName] == ["developers","localgrp2"]'
sqlcheck "SELECT source FROM identities WHERE name = 'localzoe'" iamctl
sqlcheck "SELECT count(*) FROM identities WHERE name = 'erin_ci'" 0
# applying it again changes nothing
expect_ok import --authorization-details "file://$T/export4.json" --delete-missing
jcheck '.Deleted == {"Users":0,"Groups":0,"Roles":0,"Policies":0} and .Serial == '"$((serial + 1))"
# alice's keys and password went with nothing; a policy the export drops goes too
jq 'del(.Policies[] | select(.PolicyName == "DevSudo")) | .GroupDetailList |= map(.AttachedManagedPolicies |= map(select(.PolicyName != "DevSudo")))' \
    "$T/export4.json" >"$T/export5.json"
expect_ok import --authorization-details "file://$T/export5.json" --delete-missing
jcheck '.Deleted.Policies == 1'
# a policy the export drops but a user of this host still uses: refused, nothing changes
expect_ok attach-user-policy --user-name localzoe --policy-arn arn:aws:iam::111122223333:policy/HostLogin
jq 'del(.Policies[] | select(.PolicyName == "HostLogin")) | .GroupDetailList |= map(.AttachedManagedPolicies |= map(select(.PolicyName != "HostLogin"))) | .UserDetailList |= map(.AttachedManagedPolicies |= map(select(.PolicyName != "HostLogin")))' \
    "$T/export5.json" >"$T/export6.json"
expect_fail 1 "still uses it" import --authorization-details "file://$T/export6.json" --delete-missing
# a new user after the deletions does not get erin_ci's uid
expect_ok create-user --user-name newcomer
sqlcheck "SELECT posix_id >= 5012 AND posix_id NOT IN (SELECT posix_id FROM identities WHERE name <> 'newcomer' AND posix_id IS NOT NULL) FROM identities WHERE name = 'newcomer'" 1
# credentials and POSIX ids never come from a file
jq '.UserDetailList[0].AccessKeys = [{"AccessKeyId":"AKIAAAAAAAAAAAAAAAAA","Status":"Active","CreateDate":"2024-01-01T00:00:00Z","SecretHash":"$iamb2k$v=1$x$y"}]' \
    "$DATA/aws-export.json" >"$T/bad-cred.json"
expect_fail 1 "bad-cred.json:[0-9]+:[0-9]+: \"AccessKeys\" in user [a-z]+: an export cannot bring credentials" import --authorization-details "file://$T/bad-cred.json"

# exports that must be refused, naming the file, line and column; nothing changes
jq '.UserDetailList[1].GroupList += ["ghosts"]' "$DATA/aws-export.json" >"$T/bad1.json"
line=$(grep -n '"ghosts"' "$T/bad1.json" | cut -d: -f1)
expect_fail 1 "bad1.json:$line:[0-9]+: user bob is in group \"ghosts\", which is not in GroupDetailList" \
    import --authorization-details "file://$T/bad1.json"
jq 'del(.Policies[2])' "$DATA/aws-export.json" >"$T/bad2.json"
expect_fail 1 "bad2.json:[0-9]+:[0-9]+: permissions boundary .*HostBoundary.* is not in Policies" \
    import --authorization-details "file://$T/bad2.json"
jq '.IsTruncated = true' "$DATA/aws-export.json" >"$T/bad3.json"
expect_fail 1 "IsTruncated" import --authorization-details "file://$T/bad3.json"
sed 's/111122223333/444455556666/g' "$DATA/aws-export.json" >"$T/other-account.json"
expect_fail 1 "the export is of account 444455556666" import --authorization-details "file://$T/other-account.json"
jq '.UserDetailList[0].UserName = "eve,admin" | .UserDetailList[0].Arn = "arn:aws:iam::111122223333:user/eve,admin"' "$DATA/aws-export.json" >"$T/bad4.json"
expect_fail 1 "bad4.json:[0-9]+:[0-9]+: user name \"eve,admin\"" import --authorization-details "file://$T/bad4.json"
truncate -s 1G "$T/huge.json"
before=$(sha256sum "$DB")
work_run "$IAMCTL" --config "$CONF" import --authorization-details "file://$T/huge.json" >"$T/out" 2>"$T/err"
[ "$WORK_RC" = 1 ] && grep -q "huge.json: file is too large" "$T/err" && [ "$(sha256sum "$DB")" = "$before" ] ||
    fail "a 1 GB export: exit $WORK_RC, not refused as too large, or the database changed"
# Refused by its size: what iamctl read (config, passwd, group) is far below the file.
[ "$WORK_READ" -lt $((16 << 20)) ] || fail "a 1 GB export was read before being refused ($WORK_READ bytes)"
ok
rm -f "$T/huge.json"
printf '{"UserDetailList": [' >"$T/bad5.json"
expect_fail 1 "bad5.json:1:" import --authorization-details "file://$T/bad5.json"

# an import into a new store that fails while it writes (a user named as a local account)
# leaves the store as it was, the index the bulk load dropped included
CONF=$T/bulk.conf DB=$T/bulk.db
expect_ok init --account-id 111122223333 --host-arn arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc \
    --database "$DB" --cache-dir "$T/bulk-cache" --audit-log none --uid-min 5000 --uid-max 5999
jq '.UserDetailList[-1] |= (.UserName = "localuser" | .Arn = "arn:aws:iam::111122223333:user\(.Path)localuser")' \
    "$DATA/aws-export.json" >"$T/local.json"
expect_fail 1 "localuser.*local account|local account.*localuser" import --authorization-details "file://$T/local.json"
sqlcheck "SELECT count(*) FROM identities" 0
sqlcheck "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'memberships_group'" 1
sqlcheck "PRAGMA integrity_check" ok

echo "ok: $PASS checks"
