#!/bin/bash
# get-credential-report: AWS's columns in AWS's order, values as AWS writes them, and the
# last-used reading point <cache_dir>/lastused/<AccessKeyId> ("<epoch seconds> <service>").
IAMCTL=$(realpath "$1")
. "$(dirname "$0")/lib.sh"

init_db
expect_ok create-user --user-name alice
ALICE_ARN=$(jq -r .User.Arn "$T/out")
ALICE_DATE=$(jq -r .User.CreateDate "$T/out")
expect_ok create-user --user-name bob
expect_ok create-access-key --user-name alice
K1=$(jq -r .AccessKey.AccessKeyId "$T/out"); D1=$(jq -r .AccessKey.CreateDate "$T/out")
expect_ok create-access-key --user-name alice
K2=$(jq -r .AccessKey.AccessKeyId "$T/out"); D2=$(jq -r .AccessKey.CreateDate "$T/out")
expect_ok update-access-key --access-key-id "$K2" --status Inactive
echo "alice password" | "$IAMCTL" --config "$CONF" create-login-profile --user-name alice >"$T/out" 2>"$T/err" || fail "login profile"
PW_DATE=$(jq -r .LoginProfile.CreateDate "$T/out")
# pam_iam records the last use of K1 on this host
mkdir -p "$T/cache/lastused"
echo "1700000000 sshd" >"$T/cache/lastused/$K1"

expect_ok get-credential-report
header="user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
[ "$(sed -n 1p "$T/out")" = "$header" ] || fail "header"
ok
want_alice="alice,$ALICE_ARN,$ALICE_DATE,true,no_information,$PW_DATE,N/A,false,true,$D1,2023-11-14T22:13:20+00:00,eu-west-1,sshd,false,$D2,N/A,N/A,N/A,false,N/A,false,N/A"
[ "$(sed -n 2p "$T/out")" = "$want_alice" ] || { echo "want: $want_alice"; echo "got:  $(sed -n 2p "$T/out")"; fail "alice's row"; }
ok
bob_row=$(sed -n 3p "$T/out")
case "$bob_row" in
bob,arn:aws:iam::123456789012:user/bob,*,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A) ok ;;
*) fail "bob's row: $bob_row" ;;
esac
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "row count"
[ "$(awk -F, '{print NF}' "$T/out" | sort -u)" = 22 ] || fail "every row has 22 columns"
ok
# AWS's JSON envelope: base64 of the same CSV
cp "$T/out" "$T/csv"
expect_ok get-credential-report --output json
jcheck '.ReportFormat == "text/csv" and (.GeneratedTime | test("T"))'
jq -r .Content "$T/out" | base64 -d | diff - "$T/csv" || fail "JSON Content is not the CSV"
ok
# a damaged last-used record is reported as never used, not trusted
echo "garbage" >"$T/cache/lastused/$K1"
expect_ok get-credential-report
sed -n 2p "$T/out" | grep -q ",true,$D1,N/A,N/A,N/A," || fail "damaged last-used record was used"
ok
echo "ok: $PASS checks"
