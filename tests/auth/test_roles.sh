#!/bin/bash
# Roles on the host, through the real iamctl, nss_iam and pam_iam (pamtester under
# pam_wrapper, -I ruser= as su sets it): a role is an account NSS shows (uid from the range,
# private group, home, shell) that nobody logs in to; assuming it (action=sts:AssumeRole,
# PAM_USER the role, PAM_RUSER the caller) authenticates the caller with the caller's own
# secret and is decided by AWS's rules for sts:AssumeRole (the issue's decision matrix); each
# assumption is an AssumeRole audit record in CloudTrail's shape.
#   test_roles.sh IAMCTL PAM_IAM_SO PAM_WRAPPER_LIB NSS_IAM_SO
IAMCTL=$(realpath "$1")
PAM_IAM=$(realpath "$2")
PAM_WRAPPER=$3
NSS_SO=$(realpath "$4")
HERE=$(cd "$(dirname "$0")" && pwd)
command -v pamtester >/dev/null || { echo "SKIP: pamtester missing"; exit 77; }
. "$HERE/../security/lib.sh"

# pam SERVICE USER TOKEN [-I item=value ...] OPS...: as security/lib.sh's, with pamtester's
# item options (they go before the service)
pam() {
    local svc=$1 user=$2 tok=$3 items=()
    shift 3
    while [ "${1:-}" = -I ]; do items+=(-I "$2"); shift 2; done
    printf '%s\n' "$tok" | env LD_PRELOAD="${PAM_PRELOAD:-$PAM_WRAPPER}" PAM_WRAPPER=1 \
        PAM_WRAPPER_DISABLE_DEEPBIND=1 PAM_WRAPPER_SERVICE_DIR="$PAMSVC" \
        pamtester -v "${items[@]}" "$svc" "$user" "$@" >"$T/pam.out" 2>&1
    PRC=$?
}

init_sec
ACCT=123456789012
# su's stack for roles: the sts:AssumeRole lines first, the usual ones after
pam_service su "auth [success=done ignore=ignore default=die] $PAM_IAM config=$CONF action=sts:AssumeRole" \
    "auth required $PAM_IAM config=$CONF" \
    "account [success=ok ignore=ignore default=bad] $PAM_IAM config=$CONF action=sts:AssumeRole" \
    "account required $PAM_IAM config=$CONF"
pam_service login "auth required $PAM_IAM config=$CONF" "account required $PAM_IAM config=$CONF"
expect_ok update-account-password-policy --minimum-password-length 8
for u in alice bob carol dave erin; do
    expect_ok create-user --user-name $u
    printf 'pw-%s-secret\n' $u | "$IAMCTL" --config "$CONF" create-login-profile --user-name $u \
        >/dev/null || fail "create-login-profile $u"
done
expect_ok create-group --group-name deployers
for u in alice dave erin; do expect_ok add-user-to-group --group-name deployers --user-name $u; done
expect_ok put-group-policy --group-name deployers --policy-name assume-deploy --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/deploy"}]}'
expect_ok tag-user --user-name dave --tags Key=team,Value=contractors
# deploy trusts the account, minus contractors; ops trusts carol and erin by name
expect_ok create-role --role-name deploy --assume-role-policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalTag/team":"contractors"}}}]}'
expect_ok create-role --role-name ops --assume-role-policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/carol","arn:aws:iam::123456789012:user/erin"]},"Action":"sts:AssumeRole"}]}'
expect_ok create-policy --policy-name no-sts --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:*","Resource":"*"}]}'
expect_ok put-user-permissions-boundary --user-name erin --permissions-boundary arn:aws:iam::123456789012:policy/no-sts
# a role with a boundary of its own: it limits what the role's sessions do, not who assumes it
expect_ok create-role --role-name bounded --permissions-boundary arn:aws:iam::123456789012:policy/no-sts \
    --assume-role-policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}'
expect_ok put-group-policy --group-name deployers --policy-name assume-bounded --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/bounded"}]}'

# ---- NSS: the roles are accounts --------------------------------------------------------
DEPLOY_UID=$(sql "SELECT posix_id FROM identities WHERE kind = 3 AND name = 'deploy'")
[ -n "$DEPLOY_UID" ] || fail "deploy has no uid"
nss() { env IAM_NSS_CACHE="$T/cache/nss.cache" LD_LIBRARY_PATH="$(dirname "$NSS_SO")" getent -s iam "$@"; }
[ "$(nss passwd deploy)" = "deploy:*:$DEPLOY_UID:$DEPLOY_UID::/home/deploy:/bin/bash" ] ||
    fail "passwd entry of the role: $(nss passwd deploy)"
ok
[ "$(nss passwd "$DEPLOY_UID" | cut -d: -f1)" = deploy ] || fail "the role by uid"
ok
[ "$(nss group deploy)" = "deploy:x:$DEPLOY_UID:" ] || fail "the role's private group: $(nss group deploy)"
ok
nss passwd | grep -q '^ops:' || fail "roles in the enumeration"
ok
# deleting the role takes the account away
expect_ok create-role --role-name gone --assume-role-policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}'
nss passwd gone >/dev/null || fail "a new role is not an account"
expect_ok delete-role --role-name gone
nss passwd gone >/dev/null && fail "a deleted role is still an account"
ok
# roles without an account (a store from before roles were accounts: the column cleared) get
# one from `iamctl compile` or the next write, under create-role's name rules; one whose name
# a local account has meanwhile stays out of the caches, saying why, until the name is free
TRUST_ACCT='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}'
expect_ok create-role --role-name legacy --assume-role-policy-document "$TRUST_ACCT"
expect_ok create-role --role-name relic --assume-role-policy-document "$TRUST_ACCT"
OLD_UID=$(sql "SELECT posix_id FROM identities WHERE kind = 3 AND name = 'legacy'")
sql "UPDATE identities SET posix_id = NULL WHERE kind = 3 AND name IN ('legacy', 'relic')"
printf 'relic:x:4999:4999::/home/relic:/bin/sh\n' >>"$T/passwd"
expect_ok compile
grep -q 'role "legacy" is now an account on this host (uid [0-9]*)' "$T/err" ||
    fail "compile does not say legacy got an account: $(cat "$T/err")"
grep -q 'role "relic" has no account on this host: a local account has its name' "$T/err" ||
    fail "compile does not say why relic has no account: $(cat "$T/err")"
ok
NEW_UID=$(sql "SELECT posix_id FROM identities WHERE kind = 3 AND name = 'legacy'")
[ -n "$NEW_UID" ] && [ "$NEW_UID" -ge 5000 ] && [ "$NEW_UID" -le 5100 ] && [ "$NEW_UID" != "$OLD_UID" ] ||
    fail "legacy's new uid '$NEW_UID' is not a fresh one from the range (old $OLD_UID)"
[ "$(nss passwd legacy)" = "legacy:*:$NEW_UID:$NEW_UID::/home/legacy:/bin/bash" ] ||
    fail "passwd entry of the role given its account: $(nss passwd legacy)"
[ "$(nss group legacy)" = "legacy:x:$NEW_UID:" ] || fail "its private group: $(nss group legacy)"
ok
[ -z "$(sql "SELECT posix_id FROM identities WHERE kind = 3 AND name = 'relic'")" ] ||
    fail "relic got a uid although a local account has its name"
nss passwd relic >/dev/null && fail "a role without an account is in the caches"
ok
# the name is free again: the next write (any verb) makes relic an account, once
sed -i '/^relic:/d' "$T/passwd"
expect_ok tag-role --role-name deploy --tags Key=k,Value=v
grep -q 'role "relic" is now an account' "$T/err" || fail "the next write did not give relic its account"
RELIC_UID=$(sql "SELECT posix_id FROM identities WHERE kind = 3 AND name = 'relic'")
[ "$(nss passwd relic | cut -d: -f3)" = "$RELIC_UID" ] || fail "relic in the caches: $(nss passwd relic)"
ok
expect_ok untag-role --role-name deploy --tag-keys k
grep -q 'role "' "$T/err" && fail "a write with every role an account still talks about roles: $(cat "$T/err")"
ok
# an import (which writes the next id once, at its end) that gives a role its account: the id
# it takes is counted in the high-water mark, so it is never given again, even once the role
# is gone (ids are never reused)
expect_ok get-account-authorization-details
cp "$T/out" "$T/export.json"
expect_ok create-role --role-name transient --assume-role-policy-document "$TRUST_ACCT"
sql "UPDATE identities SET posix_id = NULL WHERE kind = 3 AND name = 'transient'"
expect_ok import --authorization-details "file://$T/export.json"
grep -q 'role "transient" is now an account' "$T/err" ||
    fail "the import did not give transient its account: $(cat "$T/err")"
T_UID=$(sql "SELECT posix_id FROM identities WHERE kind = 3 AND name = 'transient'")
expect_ok delete-role --role-name transient
expect_ok create-user --user-name after-import
U_AFTER=$(sql "SELECT posix_id FROM identities WHERE kind = 1 AND name = 'after-import'")
[ -n "$T_UID" ] && [ -n "$U_AFTER" ] && [ "$U_AFTER" -gt "$T_UID" ] ||
    fail "a uid given again: the role had $T_UID, the next user got $U_AFTER"
expect_ok delete-user --user-name after-import
ok

# ---- no direct login to a role ----------------------------------------------------------
expect_pam_fail "Authentication failure" login deploy "anything" authenticate
grep -q "nobody logs in to it" "$T/pam.out" || fail "the refusal does not say why"
ok
expect_pam_fail "Permission denied" login deploy "" acct_mgmt
jq -se '[.[] | select(.eventName == "Login" and .requestParameters.osUser == "deploy")] | last |
    .errorCode == "AccessDenied" and .userIdentity.arn == "arn:aws:iam::123456789012:role/deploy"' \
    "$T/audit.jsonl" >/dev/null || fail "the refused login is not audited"
ok
# the su lines without a caller, or with a caller IAM does not know
expect_pam_fail "." su deploy "x" authenticate acct_mgmt
expect_pam_fail "." su deploy "x" -I ruser=localuser authenticate acct_mgmt

# ---- the decision matrix ----------------------------------------------------------------
# trusted by account + the group's policy allows: yes
expect_pam_ok su deploy "pw-alice-secret" -I ruser=alice authenticate acct_mgmt
# the caller's own secret, never the role's: a wrong one is refused
expect_pam_fail "Authentication failure" su deploy "pw-bob-secret" -I ruser=alice authenticate
# no identity policy allows: no
expect_pam_fail "Permission denied" su deploy "pw-bob-secret" -I ruser=bob authenticate acct_mgmt
# trusted by name, no identity policy: yes
expect_pam_ok su ops "pw-carol-secret" -I ruser=carol authenticate acct_mgmt
# ... but not someone the trust policy does not name, even with an identity Allow
expect_pam_fail "Permission denied" su ops "pw-alice-secret" -I ruser=alice authenticate acct_mgmt
# the trust policy's Deny on a tag: no
expect_pam_fail "Permission denied" su deploy "pw-dave-secret" -I ruser=dave authenticate acct_mgmt
# the caller's boundary leaves sts:AssumeRole out: no, named in the trust policy or not
expect_pam_fail "Permission denied" su ops "pw-erin-secret" -I ruser=erin authenticate acct_mgmt
expect_pam_fail "Permission denied" su deploy "pw-erin-secret" -I ruser=erin authenticate acct_mgmt
# a role's own boundary does not stop its assumption
expect_pam_ok su bounded "pw-alice-secret" -I ruser=alice authenticate acct_mgmt
# a role cannot assume a role
expect_pam_fail "." su ops "x" -I ruser=deploy authenticate acct_mgmt
# su to an IAM user is no assumption: the sts:AssumeRole lines stay out of it
expect_pam_ok su bob "pw-bob-secret" -I ruser=alice authenticate
# tags (ABAC): in sts:AssumeRole aws:ResourceTag is the role's tags, as AWS's role resource,
# not the host's: bob (team blue) may assume the role tagged blue, not the one tagged red,
# on a host tagged blue
expect_ok tag-user --user-name bob --tags Key=team,Value=blue
expect_ok put-user-policy --user-name bob --policy-name same-team --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}]}'
for c in blue red; do
    expect_ok create-role --role-name "$c-svc" --tags "Key=team,Value=$c" \
        --assume-role-policy-document "$TRUST_ACCT"
done
printf 'host_tag.team = blue\n' >>"$CONF"
expect_pam_ok su blue-svc "pw-bob-secret" -I ruser=bob authenticate acct_mgmt
expect_pam_fail "Permission denied" su red-svc "pw-bob-secret" -I ruser=bob authenticate acct_mgmt
sed -i '/^host_tag.team = blue$/d' "$CONF"

# ---- the audit records ------------------------------------------------------------------
jq -se '[.[] | select(.eventName == "AssumeRole" and .additionalEventData.decision == "allow")][0] |
    .userIdentity.type == "IAMUser" and .userIdentity.userName == "alice" and
    .requestParameters.roleArn == "arn:aws:iam::123456789012:role/deploy" and
    .requestParameters.roleSessionName == "alice" and .requestParameters.sourceIdentity == "alice" and
    (.responseElements.assumedRoleUser.assumedRoleId | test("^AROA[A-Z2-7]+:alice$")) and
    .responseElements.assumedRoleUser.arn == "arn:aws:sts::123456789012:assumed-role/deploy/alice" and
    .responseElements.sourceIdentity == "alice" and (has("errorCode") | not)' "$T/audit.jsonl" >/dev/null ||
    fail "AssumeRole record of alice: $(grep AssumeRole "$T/audit.jsonl" | head -1)"
ok
jq -se '[.[] | select(.eventName == "AssumeRole" and .userIdentity.userName == "dave")][0] |
    .errorCode == "AccessDenied" and .additionalEventData.decision == "deny" and
    (.additionalEventData.decidingPolicy | test("role/deploy")) and (has("responseElements") | not)' \
    "$T/audit.jsonl" >/dev/null || fail "AssumeRole refusal of dave"
ok
[ "$(jq -s '[.[] | select(.eventName == "AssumeRole" and .additionalEventData.decision == "allow")] | length' "$T/audit.jsonl")" = 4 ] ||
    fail "four assumptions were allowed (alice deploy, carol ops, alice bounded, bob blue-svc)"
ok

echo "ok: $PASS checks"
