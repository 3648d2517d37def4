#!/bin/bash
# The account password policy, through the real iamctl and pam_iam (pamtester under
# pam_wrapper, the module's clock set by the test): AWS's shapes and errors, each rule refused
# and accepted at its boundary in every verb that sets a password, every broken rule named,
# reuse prevention with hashes only, change-password, expiry at login (soft and hard), and the
# dates in the credential report.
#   test_password_policy.sh IAMCTL PAM_IAM_TESTCLOCK_SO PAM_WRAPPER_LIB
IAMCTL=$(realpath "$1")
PAM_IAM=$(realpath "$2")
PAM_WRAPPER=$3
HERE=$(cd "$(dirname "$0")" && pwd)
command -v pamtester >/dev/null || { echo "SKIP: pamtester missing"; exit 77; }
. "$HERE/../security/lib.sh"

init_sec
pam_service iam "auth required $PAM_IAM config=$CONF"
expect_ok create-user --user-name alice
expect_ok create-user --user-name bob

# pw_ok VERB USER PASSWORD / pw_fail PATTERN VERB USER PASSWORD: a password on standard input
pw_ok() {
    printf '%s\n' "$3" | "$IAMCTL" --config "$CONF" "$1" --user-name "$2" >"$T/out" 2>"$T/err" ||
        fail "expected $1 to accept '$3'"
    ok
}
pw_fail() {
    local before
    before=$(dbstate)
    if printf '%s\n' "$4" | "$IAMCTL" --config "$CONF" "$2" --user-name "$3" >"$T/out" 2>"$T/err"; then
        fail "expected $2 to refuse '$4'"
    fi
    grep -Eq -- "$1" "$T/err" || fail "stderr does not match /$1/ for '$4'"
    [ "$(dbstate)" = "$before" ] || fail "a refused password changed the store"
    ok
}
# chpw USER OLD NEW: change-password, old and new on standard input
chpw() { printf '%s\n%s\n' "$2" "$3" | "$IAMCTL" --config "$CONF" change-password --user-name "$1" \
    >"$T/out" 2>"$T/err"; RC=$?; }

# No policy: the shapes of "none", and the rule that was always there (8 characters).
expect_fail 1 "NoSuchEntity: The Password Policy with domain name 123456789012 cannot be found" \
    get-account-password-policy
expect_fail 1 "NoSuchEntity" delete-account-password-policy
pw_fail "at least 8 characters" create-login-profile alice "short7c"
pw_ok create-login-profile alice "eightchr"

# Defaults: a bare update gives AWS's defaults, and get prints AWS's shape.
expect_ok update-account-password-policy
expect_ok get-account-password-policy
jcheck '.PasswordPolicy == {"MinimumPasswordLength": 6, "RequireSymbols": false,
    "RequireNumbers": false, "RequireUppercaseCharacters": false,
    "RequireLowercaseCharacters": false, "AllowUsersToChangePassword": false,
    "ExpirePasswords": false}'
# AWS's ranges, as ValidationError; nothing changes
expect_fail 1 "ValidationError.*'5' at 'minimumPasswordLength'.*greater than or equal to 6" \
    update-account-password-policy --minimum-password-length 5
expect_fail 1 "ValidationError.*'129' at 'minimumPasswordLength'.*less than or equal to 128" \
    update-account-password-policy --minimum-password-length 129
expect_fail 1 "ValidationError.*'1096' at 'maxPasswordAge'" update-account-password-policy \
    --max-password-age 1096
expect_fail 1 "ValidationError.*'0' at 'maxPasswordAge'" update-account-password-policy \
    --max-password-age 0
expect_fail 1 "ValidationError.*'25' at 'passwordReusePrevention'" \
    update-account-password-policy --password-reuse-prevention 25
expect_fail 2 "conflict" update-account-password-policy --require-symbols --no-require-symbols
expect_fail 2 "not a number" update-account-password-policy --minimum-password-length 8x

# Every parameter.
expect_ok update-account-password-policy --minimum-password-length 12 --require-symbols \
    --require-numbers --require-uppercase-characters --require-lowercase-characters \
    --allow-users-to-change-password --max-password-age 90 --password-reuse-prevention 3 \
    --no-hard-expiry
expect_ok get-account-password-policy
jcheck '.PasswordPolicy == {"MinimumPasswordLength": 12, "RequireSymbols": true,
    "RequireNumbers": true, "RequireUppercaseCharacters": true,
    "RequireLowercaseCharacters": true, "AllowUsersToChangePassword": true,
    "ExpirePasswords": true, "MaxPasswordAge": 90, "PasswordReusePrevention": 3,
    "HardExpiry": false}'

# Each rule at its boundary, in create-login-profile and update-login-profile: one character
# short, then exactly enough; a password breaking all rules names every one.
GOOD='Abcdefghij1!' # 12 characters, one of each class
for verb in create-login-profile update-login-profile; do
    [ $verb = create-login-profile ] && u=bob || u=alice
    pw_fail "at least 12 characters \(MinimumPasswordLength\)" $verb $u 'Abcdefghi1!'
    pw_fail "a symbol, one of .* \(RequireSymbols\)" $verb $u 'Abcdefghijk1'
    pw_fail "a number \(RequireNumbers\)" $verb $u 'Abcdefghijk!'
    pw_fail "an uppercase letter \(RequireUppercaseCharacters\)" $verb $u 'abcdefghij1!'
    pw_fail "a lowercase letter \(RequireLowercaseCharacters\)" $verb $u 'ABCDEFGHIJ1!'
    pw_fail "only printable ASCII" $verb $u "$(printf 'Abcdefghij1!\xc3\xa9')"
    pw_fail "PasswordPolicyViolation.*12 characters.*uppercase.*lowercase.*number.*symbol" \
        $verb $u ' '
    pw_ok $verb $u "$GOOD"
done
# every symbol of IAM's list counts as one (checked without reuse prevention: it is slow)
expect_ok update-account-password-policy --minimum-password-length 12 --require-symbols \
    --require-numbers --require-uppercase-characters --require-lowercase-characters
for sym in '!' '@' '#' '$' '%' '^' '&' '*' '(' ')' '_' '+' '-' '=' '[' ']' '{' '}' '|' "'"; do
    pw_ok update-login-profile bob "Bcdefghijk2$sym"
done
pw_fail "RequireSymbols" update-login-profile bob 'Abcdefghij1~' # not in IAM's list
pw_fail "RequireSymbols" update-login-profile bob 'Abcdefghij1 ' # nor is a space
expect_ok update-account-password-policy --minimum-password-length 12 --require-symbols \
    --require-numbers --require-uppercase-characters --require-lowercase-characters \
    --allow-users-to-change-password --max-password-age 90 --password-reuse-prevention 3

# Reuse prevention (3): the current password and the two before it are refused, the fourth
# back is allowed again; only argon2id hashes are kept, at most 2 earlier ones per user.
pw_ok update-login-profile alice 'Password-0001'
pw_ok update-login-profile alice 'Password-0002'
pw_ok update-login-profile alice 'Password-0003'
for old in 'Password-0003' 'Password-0002' 'Password-0001'; do
    pw_fail "one of the last 3 passwords of user alice \(PasswordReusePrevention\)" \
        update-login-profile alice "$old"
done
pw_ok update-login-profile alice 'Password-0004'
pw_ok update-login-profile alice 'Password-0001'
sqlcheck "SELECT count(*) FROM password_history h JOIN identities u ON u.id = h.user
          WHERE u.name = 'alice'" 2
sqlcheck "SELECT count(*) FROM password_history WHERE password_hash NOT LIKE '\$argon2id\$%'" 0
if sqlite3 "$DB" .dump | grep -F -e 'Password-000' -e "$GOOD"; then
    fail "a password is in the store"
fi
ok
# a policy that keeps fewer trims what is kept; no reuse prevention keeps none
expect_ok update-account-password-policy --minimum-password-length 12 --require-numbers \
    --allow-users-to-change-password --max-password-age 90 --password-reuse-prevention 2
sqlcheck "SELECT count(*) FROM password_history h JOIN identities u ON u.id = h.user
          WHERE u.name = 'alice'" 1
pw_ok update-login-profile alice 'Password-0003' # two back: allowed under 2
expect_ok update-account-password-policy --minimum-password-length 12 --require-numbers \
    --allow-users-to-change-password --max-password-age 90
sqlcheck "SELECT count(*) FROM password_history" 0
pw_ok update-login-profile alice 'Password-0003' # the current one: no reuse prevention

# change-password: old and new on standard input, never argv; the policy applies.
expect_fail 2 "refused" change-password --user-name alice --old-password x --new-password y
chpw alice 'Password-0003' 'Password-9999'
[ "$RC" = 0 ] || fail "change-password refused a good change: $(cat "$T/err")"
ok
chpw alice 'wrong-password' 'Password-8888'
[ "$RC" = 1 ] && grep -q "AccessDenied: the old password of user alice is not correct" "$T/err" ||
    fail "a wrong old password was not refused"
ok
chpw alice 'Password-9999' 'short1'
[ "$RC" = 1 ] && grep -q "PasswordPolicyViolation.*at least 12" "$T/err" || fail "policy in change-password"
ok
chpw nobody 'a' 'b'
[ "$RC" = 1 ] && grep -q "NoSuchEntity" "$T/err" || fail "change-password for a missing user"
ok
# a reset-required password is cleared by the user's own change
pw_ok update-login-profile bob "$GOOD"
expect_ok update-login-profile --user-name bob --keep-password --password-reset-required
chpw bob "$GOOD" 'Another-pass-42'
[ "$RC" = 0 ] || fail "change-password for bob: $(cat "$T/err")"
ok
expect_ok get-login-profile --user-name bob
jcheck '.LoginProfile.PasswordResetRequired == false'
# not allowed by the policy: refused
expect_ok update-account-password-policy --minimum-password-length 12 --max-password-age 90
chpw alice 'Password-9999' 'Password-7777'
[ "$RC" = 1 ] && grep -q "AccessDenied: .*AllowUsersToChangePassword\|allow-users-to-change-password" \
    "$T/err" || fail "change-password without AllowUsersToChangePassword"
ok

# Expiry at login (MaxPasswordAge 90 days): the day before, fine; on the day, refused with
# the reason told; with HardExpiry, an administrator must act; change-password renews.
NOW=$(date +%s)
at() { PAM_ENV=(PAM_IAM_TEST_NOW=$1); }
at $((NOW + 89 * 86400)); expect_pam_ok iam alice 'Password-9999' authenticate
at $((NOW + 91 * 86400))
expect_pam_fail "expired.*change-password" iam alice 'Password-9999' authenticate
jq -e -s 'last | .errorCode == "PasswordExpired"' "$T/audit.jsonl" >/dev/null ||
    fail "expiry is not audited as PasswordExpired"
ok
expect_ok update-account-password-policy --minimum-password-length 12 --max-password-age 90 \
    --hard-expiry --allow-users-to-change-password
expect_pam_fail "expired.*administrator must set a new one" iam alice 'Password-9999' authenticate
expect_ok get-account-password-policy
jcheck '.PasswordPolicy.HardExpiry == true'
IAMCTL_NOW=$((NOW + 91 * 86400)) chpw alice 'Password-9999' 'Password-6666'
[ "$RC" = 1 ] && grep -q "HardExpiry" "$T/err" || fail "change-password after a hard expiry"
ok
expect_ok update-account-password-policy --minimum-password-length 12 --max-password-age 90 \
    --allow-users-to-change-password
IAMCTL_NOW=$((NOW + 91 * 86400)) chpw alice 'Password-9999' 'Password-6666'
[ "$RC" = 0 ] || fail "change-password after a soft expiry: $(cat "$T/err")"
ok
# renewed: changed now, so it expires 90 days from now
at $((NOW + 89 * 86400)); expect_pam_ok iam alice 'Password-6666' authenticate
# without the policy nothing expires
expect_ok delete-account-password-policy
at $((NOW + 5000 * 86400)); expect_pam_ok iam alice 'Password-6666' authenticate
expect_fail 1 "NoSuchEntity" get-account-password-policy

# The dates AWS shows: PasswordLastUsed in get-user, password_last_changed and
# password_next_rotation in the credential report.
expect_ok update-account-password-policy --max-password-age 30
expect_ok get-user --user-name alice
jcheck '.User | has("PasswordLastUsed")'
expect_ok get-credential-report --output json
jq -r '.Content' "$T/out" | base64 -d >"$T/report.csv"
CHANGED=$(awk -F, '$1 == "alice" {print $6}' "$T/report.csv")
ROTATION=$(awk -F, '$1 == "alice" {print $7}' "$T/report.csv")
[ "$(( $(date -d "$ROTATION" +%s) - $(date -d "$CHANGED" +%s) ))" = $((30 * 86400)) ] ||
    fail "password_next_rotation ($ROTATION) is not password_last_changed ($CHANGED) + 30 days"
ok
[ "$(awk -F, '$1 == "alice" {print $5}' "$T/report.csv")" != "N/A" ] || fail "password_last_used"
ok
# A store of schema version 1 (before the policy existed) is migrated forward by the first
# writer, and keeps what it had.
sqlite3 "$DB" "DROP INDEX identities_other_gid; DROP TABLE mfa_devices; DROP TABLE password_history;
    DROP TABLE password_policy;
    PRAGMA user_version = 1;"
expect_fail 1 "NoSuchEntity|schema" get-account-password-policy
expect_ok update-account-password-policy --minimum-password-length 10
sqlcheck "PRAGMA user_version" 4
expect_ok get-account-password-policy
jcheck '.PasswordPolicy.MinimumPasswordLength == 10'
expect_ok get-user --user-name alice
echo "ok: $PASS checks"
