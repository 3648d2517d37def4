#!/bin/bash
# import never takes credentials or POSIX identities from the export file.
#
# The attack: an export whose new user "mallory" carries a copy of alice's access-key hash and
# bob's password hash. Once imported, mallory logs in with alice's secret. Real AWS exports
# never hold these fields (and iamctl's own export leaves them out), so import refuses any
# export that has one, naming the first in the file by line and column, and changes nothing.
#   test_import_credentials.sh IAMCTL PAM_IAM_SO PAM_WRAPPER_LIB
IAMCTL=$(realpath "$1")
PAM_IAM=$(realpath "$2")
PAM_WRAPPER=$3
. "$(dirname "$0")/lib.sh"
command -v pamtester >/dev/null || { echo "SKIP: pamtester missing"; exit 77; }

init_sec
pam_service iam "auth required $PAM_IAM config=$CONF" "account required $PAM_IAM config=$CONF"
expect_ok create-user --user-name alice
expect_ok create-access-key --user-name alice
ALICE_SECRET=$(jq -r .AccessKey.SecretAccessKey "$T/out")
expect_ok create-user --user-name bob
echo "bob's password 1" | "$IAMCTL" --config "$CONF" create-login-profile --user-name bob \
    >/dev/null 2>&1 || fail "create-login-profile"
expect_ok create-group --group-name devs
expect_pam_ok iam alice "$ALICE_SECRET" authenticate
expect_pam_fail "User not known" iam mallory "$ALICE_SECRET" authenticate

# the export as iamctl writes it, plus mallory with alice's key hash (under a key id of its
# own: ids are unique) and bob's password hash, both read from the store
expect_ok get-account-authorization-details
cp "$T/out" "$T/export.json"
ALICE_KEYS=$(sql "SELECT json_group_array(json_object('AccessKeyId', k.access_key_id,
    'Status', k.status, 'CreateDate', k.create_date, 'SecretHash', k.secret_hash))
    FROM access_keys k JOIN identities i ON i.id = k.user WHERE i.name = 'alice'")
BOB_PROFILE=$(sql "SELECT json_object('CreateDate', p.create_date, 'PasswordHash', p.password_hash,
    'PasswordResetRequired', json('false'))
    FROM login_profiles p JOIN identities i ON i.id = p.user WHERE i.name = 'bob'")
[ "$(jq length <<<"$ALICE_KEYS")" = 1 ] && [ -n "$BOB_PROFILE" ] || fail "the store's hashes"
jq --argjson k "$ALICE_KEYS" --argjson p "$BOB_PROFILE" '
    ($k | map(.AccessKeyId = "AKIAMALLORYAAAAAAAAA")) as $k |
    .UserDetailList += [{"Path": "/", "UserName": "mallory", "UserId": "AIDAMALLORY000000001",
                         "Arn": "arn:aws:iam::123456789012:user/mallory",
                         "CreateDate": "2024-01-01T00:00:00Z", "GroupList": [],
                         "AccessKeys": $k, "LoginProfile": $p}]' \
    "$T/export.json" >"$T/mallory.json"
users_are() { # the store's users, in order, comma-separated
    sqlcheck "SELECT group_concat(name, ',') FROM (SELECT name FROM identities WHERE kind = 1 ORDER BY id)" "$1"
}

# where a key is in a file: LINE:COLUMN of the first occurrence of "KEY": after line SKIP
# (columns from 1), computed by awk, independently of the loader
pos_of() {
    awk -v k="\"$2\":" -v skip="${3:-0}" 'NR > skip && (i = index($0, k)) { print NR ":" i; exit }' "$1"
}

# 1. the reproduction: refused at mallory's "AccessKeys"; nothing imported
at=$(pos_of "$T/mallory.json" AccessKeys)
expect_fail 1 "mallory.json:$at: .*\"AccessKeys\".*user mallory" \
    import --authorization-details "file://$T/mallory.json"
grep -q "credential verbs" "$T/err" || fail "the refusal does not say how credentials are set"
users_are alice,bob
expect_pam_fail "User not known" iam mallory "$ALICE_SECRET" authenticate
expect_pam_fail "User not known" iam mallory "bob's password 1" authenticate

# 2. each host-only field on its own, for a new user and for an existing one (whose own key
#    must not be replaced or joined by the file's), and a group's or the document's Posix
refuse() { # NAME JQ-FILTER KEY [SKIP-LINES]
    jq "$2" "$T/export.json" >"$T/$1.json" || fail "jq $1"
    local skip=${4:-0}
    at=$(pos_of "$T/$1.json" "$3" "$skip")
    [ -n "$at" ] || fail "no \"$3\" in $1.json"
    expect_fail 1 "$1.json:$at: .*\"$3\"" import --authorization-details "file://$T/$1.json"
}
MAL='{"UserName": "mallory", "UserId": "AIDAMALLORY000000001", "Arn": "arn:aws:iam::123456789012:user/mallory"}'
refuse new-key ".UserDetailList += [$MAL + {\"AccessKeys\": [{\"AccessKeyId\": \"AKIAAAAAAAAAAAAAAAAA\", \"Status\": \"Active\", \"CreateDate\": \"2030-01-01T00:00:00Z\", \"SecretHash\": \"\$iamb2k\$v=1\$AAAAAAAAAAAAAAAAAAAAAA\$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}]" AccessKeys
refuse new-password ".UserDetailList += [$MAL + {\"LoginProfile\": $BOB_PROFILE}]" LoginProfile
refuse new-ssh ".UserDetailList += [$MAL + {\"SSHPublicKeys\": [{\"SSHPublicKeyId\": \"APKAMALLORY000000001\", \"SSHPublicKeyBody\": \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\", \"Status\": \"Active\"}]}]" SSHPublicKeys
refuse new-posix ".UserDetailList += [$MAL + {\"Posix\": {\"Uid\": 5001, \"Gid\": 27}}]" Posix
refuse old-key ".UserDetailList[1] += {\"AccessKeys\": $ALICE_KEYS}" AccessKeys
refuse old-posix ".UserDetailList[0] += {\"Posix\": {\"Uid\": 1, \"Gid\": 0}}" Posix
refuse group-posix ".GroupDetailList[0] += {\"Posix\": {\"Gid\": 27}}" Posix
refuse top-posix '. + {"Posix": {"NextUid": 1}}' Posix
# the first one in the file is named, wherever the loader looks first
jq ".UserDetailList[0] += {\"Posix\": {\"Uid\": 1, \"Gid\": 0}} | .GroupDetailList[0] += {\"Posix\": {\"Gid\": 27}}" \
    "$T/export.json" | jq '{UserDetailList, GroupDetailList, RoleDetailList, Policies}' >"$T/two.json"
at=$(pos_of "$T/two.json" Posix)
expect_fail 1 "two.json:$at: .*user alice" import --authorization-details "file://$T/two.json"
sqlcheck "SELECT group_concat(n, ',') FROM (SELECT (SELECT count(*) FROM access_keys k WHERE k.user = i.id) AS n FROM identities i WHERE kind = 1 ORDER BY id)" 1,0
users_are alice,bob

# 3. the plain export still imports, and the host's credentials and ids stay
expect_ok import --authorization-details "file://$T/export.json"
jcheck '.Imported.NewUsers == 0'
expect_pam_ok iam alice "$ALICE_SECRET" authenticate
expect_pam_ok iam bob "bob's password 1" authenticate

echo "ok: $PASS checks"
