#!/bin/bash
# Virtual MFA devices and MFA at login, through the real iamctl and pam_iam (pamtester under
# pam_wrapper, the module's clock set by the test so that no test waits for a TOTP step).
# Codes come from oathtool, an implementation independent of liboath's API use here; QR codes
# are read back with zbarimg. AWS's verbs, shapes and errors; the seed only in --outfile, the
# store and auth.cache; a second prompt; the window of one step; replay refused; wrong codes
# counted toward the lockout; aws:MultiFactorAuthPresent/Age in the account phase; mfa=required;
# resync; deactivate; delete.
#   test_mfa.sh IAMCTL PAM_IAM_TESTCLOCK_SO PAM_WRAPPER_LIB
IAMCTL=$(realpath "$1")
PAM_IAM=$(realpath "$2")
PAM_WRAPPER=$3
HERE=$(cd "$(dirname "$0")" && pwd)
for p in pamtester oathtool zbarimg; do
    command -v $p >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
. "$HERE/../security/lib.sh"

init_sec
ACCT=123456789012
pam_service iam "auth required $PAM_IAM config=$CONF" "account required $PAM_IAM config=$CONF"
pam_service iam_required "auth required $PAM_IAM config=$CONF mfa=required" \
    "account required $PAM_IAM config=$CONF"
pam_service iam_badmfa "auth required $PAM_IAM config=$CONF mfa=sometimes"
PW='correct horse battery staple'
for u in alice bob; do
    expect_ok create-user --user-name $u
    printf '%s\n' "$PW" | "$IAMCTL" --config "$CONF" create-login-profile --user-name $u \
        >/dev/null || fail "create-login-profile $u"
    # Login only with a second factor given less than an hour ago
    expect_ok put-user-policy --user-name $u --policy-name mfa --policy-document \
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}]}'
done

# ---- the verbs --------------------------------------------------------------------------
expect_fail 2 "bootstrap-method" create-virtual-mfa-device --virtual-mfa-device-name x \
    --outfile "$T/x" --bootstrap-method Text
expect_fail 1 "ValidationError" create-virtual-mfa-device --virtual-mfa-device-name 'a/b' \
    --outfile "$T/x" --bootstrap-method Base32StringSeed
expect_ok create-virtual-mfa-device --virtual-mfa-device-name alice-phone \
    --outfile "$T/seed.txt" --bootstrap-method Base32StringSeed
jcheck '. == {"VirtualMFADevice": {"SerialNumber": "arn:aws:iam::'$ACCT':mfa/alice-phone"}}'
SERIAL=arn:aws:iam::$ACCT:mfa/alice-phone
SEED=$(cat "$T/seed.txt")
[[ "$SEED" =~ ^[A-Z2-7]{32}$ ]] || fail "the outfile is not a 160-bit base32 seed: $SEED"
ok
[ "$(stat -c %a "$T/seed.txt")" = 600 ] || fail "the seed file is not 0600"
ok
expect_fail 1 "EntityAlreadyExists" create-virtual-mfa-device --virtual-mfa-device-name \
    alice-phone --outfile "$T/x" --bootstrap-method Base32StringSeed
expect_ok create-virtual-mfa-device --virtual-mfa-device-name bob-phone --path /team/ \
    --outfile "$T/qr.png" --bootstrap-method QRCodePNG
jcheck '.VirtualMFADevice.SerialNumber == "arn:aws:iam::'$ACCT':mfa/team/bob-phone"'
URI=$(zbarimg -q --raw "$T/qr.png" 2>/dev/null)
[[ "$URI" =~ ^otpauth://totp/bob-phone@$ACCT\?secret=([A-Z2-7]{32})$ ]] ||
    fail "the QR code does not hold AWS's otpauth URI: $URI"
ok
BOBSEED=${BASH_REMATCH[1]}
expect_ok list-virtual-mfa-devices
jcheck '.VirtualMFADevices | map(.SerialNumber) == ["'$SERIAL'", "arn:aws:iam::'$ACCT':mfa/team/bob-phone"]'

# enable: two consecutive codes; anything else is InvalidAuthenticationCode
NOW=$(date +%s)
code() { oathtool --totp -b -N "@$2" "$1"; } # code SEED EPOCH
expect_fail 1 "InvalidAuthenticationCode" enable-mfa-device --user-name alice \
    --serial-number "$SERIAL" --authentication-code1 "$(code "$SEED" $((NOW - 60)))" \
    --authentication-code2 "$(code "$SEED" $NOW)"
expect_fail 1 "InvalidAuthenticationCode" enable-mfa-device --user-name alice \
    --serial-number "$SERIAL" --authentication-code1 "$(code "$BOBSEED" $((NOW - 30)))" \
    --authentication-code2 "$(code "$BOBSEED" $NOW)"
expect_fail 1 "NoSuchEntity" enable-mfa-device --user-name alice --serial-number \
    "arn:aws:iam::$ACCT:mfa/nope" --authentication-code1 123456 --authentication-code2 654321
expect_ok enable-mfa-device --user-name alice --serial-number "$SERIAL" \
    --authentication-code1 "$(code "$SEED" $((NOW - 30)))" --authentication-code2 "$(code "$SEED" $NOW)"
expect_fail 1 "EntityAlreadyExists: MFA Device is already in use" enable-mfa-device \
    --user-name bob --serial-number "$SERIAL" --authentication-code1 "$(code "$SEED" $((NOW - 30)))" \
    --authentication-code2 "$(code "$SEED" $NOW)"
expect_ok list-mfa-devices --user-name alice
jcheck '.MFADevices | length == 1 and .[0].UserName == "alice" and .[0].SerialNumber == "'$SERIAL'" and (.[0].EnableDate | test("^[0-9-]+T"))'
expect_ok list-mfa-devices --user-name bob
jcheck '.MFADevices == []'
expect_ok list-virtual-mfa-devices --assignment-status Assigned
jcheck '.VirtualMFADevices | length == 1 and .[0].User.UserName == "alice" and .[0].SerialNumber == "'$SERIAL'"'
expect_ok list-virtual-mfa-devices --assignment-status Unassigned
jcheck '.VirtualMFADevices | map(.SerialNumber) == ["arn:aws:iam::'$ACCT':mfa/team/bob-phone"]'
expect_fail 1 "DeleteConflict" delete-virtual-mfa-device --serial-number "$SERIAL"
# a user holding a device cannot be deleted (carol has nothing else)
expect_ok create-user --user-name carol
expect_ok enable-mfa-device --user-name carol --serial-number "arn:aws:iam::$ACCT:mfa/team/bob-phone" \
    --authentication-code1 "$(code "$BOBSEED" $((NOW - 30)))" --authentication-code2 "$(code "$BOBSEED" $NOW)"
expect_fail 1 "DeleteConflict.*MFA devices \(deactivate-mfa-device\)" delete-user --user-name carol
expect_ok deactivate-mfa-device --user-name carol --serial-number "arn:aws:iam::$ACCT:mfa/team/bob-phone"
expect_ok delete-user --user-name carol
expect_ok get-credential-report --output json
jq -r .Content "$T/out" | base64 -d | awk -F, '$1 == "alice" {print $8}' | grep -qx true ||
    fail "the credential report's mfa_active is not true for alice"
ok

# The seed: in the store and auth.cache (root 0600), never in nss.cache.
HEXSEED=$(printf '%s' "$SEED" | base32 -d | od -An -tx1 | tr -d ' \n')
[ "$(stat -c %a "$T/cache/auth.cache")" = 600 ] || fail "auth.cache is not 0600"
ok
grep -qF "$HEXSEED" "$T/cache/auth.cache" || fail "the seed did not reach auth.cache"
ok
if grep -qF -e "$HEXSEED" -e "$SEED" "$T/cache/nss.cache"; then fail "the seed is in nss.cache"; fi
ok

# ---- at login ------------------------------------------------------------------------------
# pw_code USER SECRET CODE: two answers, the secret then the code
at() { PAM_ENV=(PAM_IAM_TEST_NOW=$1); }
both() { printf '%s\n%s' "$1" "$2"; }
last_error() { jq -rs '[.[] | select(.eventName == "Authenticate")] | last | .errorCode // "none"' "$T/audit.jsonl"; }
T1=$((NOW + 600))
at $T1
expect_pam_ok iam alice "$(both "$PW" "$(code "$SEED" $T1)")" authenticate acct_mgmt
grep -q "MFA code" "$T/pam.out" || fail "no second prompt"
ok
# the same code again: replay
expect_pam_fail "Authentication failure" iam alice "$(both "$PW" "$(code "$SEED" $T1)")" authenticate
[ "$(jq -rs '[.[] | select(.eventName == "Authenticate")] | last | .errorMessage' "$T/audit.jsonl")" = \
    "the MFA code was used before (replay)" ] || fail "a replayed code is not audited as such"
ok
# one step either side of now, not two
T2=$((T1 + 300)); at $T2
expect_pam_ok iam alice "$(both "$PW" "$(code "$SEED" $((T2 - 30)))")" authenticate
T3=$((T2 + 300)); at $T3
expect_pam_ok iam alice "$(both "$PW" "$(code "$SEED" $((T3 + 30)))")" authenticate
T4=$((T3 + 300)); at $T4
expect_pam_fail "Authentication failure" iam alice "$(both "$PW" "$(code "$SEED" $((T4 - 60)))")" authenticate
[ "$(last_error)" = InvalidAuthenticationCode ] || fail "a code two steps old was not refused as such"
ok
expect_pam_fail "Authentication failure" iam alice "$(both "$PW" "$(code "$SEED" $((T4 + 60)))")" authenticate
expect_pam_fail "Authentication failure" iam alice "$(both "$PW" "not-a-code")" authenticate
# a wrong password with the right code: refused, and the code is not used up by it
expect_pam_fail "Authentication failure" iam alice "$(both "wrong password" "$(code "$SEED" $T4)")" authenticate
[ "$(last_error)" = FailedAuthentication ] || fail "wrong password with a right code: $(last_error)"
ok
expect_ok reset-lockout --user-name alice
expect_pam_ok iam alice "$(both "$PW" "$(code "$SEED" $T4)")" authenticate acct_mgmt
# wrong codes count toward the lockout like wrong passwords
T5=$((T4 + 300))
for i in 0 1 2 3 4; do
    at $((T5 + i)); expect_pam_fail "Authentication failure" iam alice "$(both "$PW" 000000)" authenticate
done
at $((T5 + 60))
expect_pam_fail "Authentication failure" iam alice "$(both "$PW" "$(code "$SEED" $((T5 + 60)))")" authenticate
[ "$(last_error)" = UserLockedOut ] || fail "five wrong codes did not lock alice out: $(last_error)"
ok
expect_ok reset-lockout --user-name alice

# the account phase: MFA present and young enough; without a device, no MFA: denied
at $((T5 + 90))
expect_pam_ok iam alice "$(both "$PW" "$(code "$SEED" $((T5 + 90)))")" authenticate acct_mgmt
expect_pam_fail "Permission denied|denied" iam bob "$PW" authenticate acct_mgmt
jq -e -s '[.[] | select(.eventName == "Login")] | last | .userIdentity.userName == "bob" and .errorCode == "AccessDenied"' \
    "$T/audit.jsonl" >/dev/null || fail "bob's login without MFA was not denied by the policy"
ok
# mfa=required: a user without a device is refused at auth; a bad mfa= fails closed
expect_pam_fail "MFA device|Authentication failure" iam_required bob "$PW" authenticate
[ "$(last_error)" = MFADeviceRequired ] || fail "mfa=required: $(last_error)"
ok
expect_pam_fail "unavailable|Authentication|error" iam_badmfa alice "$PW" authenticate

# resync: a device whose clock runs 20 steps (10 minutes) ahead
T6=$((T5 + 3600)); at $T6
expect_pam_fail "Authentication failure" iam alice "$(both "$PW" "$(code "$SEED" $((T6 + 600)))")" authenticate
expect_ok reset-lockout --user-name alice
IAMCTL_NOW=$T6 "$IAMCTL" --config "$CONF" resync-mfa-device --user-name alice --serial-number "$SERIAL" \
    --authentication-code1 "$(code "$SEED" $((T6 + 570)))" --authentication-code2 "$(code "$SEED" $((T6 + 600)))" \
    >"$T/out" 2>"$T/err" || fail "resync-mfa-device"
ok
T7=$((T6 + 120)); at $T7
expect_pam_ok iam alice "$(both "$PW" "$(code "$SEED" $((T7 + 600)))")" authenticate acct_mgmt
IAMCTL_NOW=$T6 run resync-mfa-device --user-name bob --serial-number "$SERIAL" \
    --authentication-code1 123456 --authentication-code2 123456
[ "$RC" = 1 ] && grep -q NoSuchEntity "$T/err" || fail "resync of another user's device"
ok

# deactivate: no more second prompt, and the MFA policy denies; then the device can go
expect_ok deactivate-mfa-device --user-name alice --serial-number "$SERIAL"
at $((T7 + 60))
pam iam alice "$PW" authenticate acct_mgmt
grep -q "MFA code" "$T/pam.out" && fail "a second prompt without a device"
[ "$PRC" != 0 ] || fail "the MFA policy allowed a login without MFA"
ok
expect_ok delete-virtual-mfa-device --serial-number "$SERIAL"
expect_fail 1 "NoSuchEntity" delete-virtual-mfa-device --serial-number "$SERIAL"
expect_ok list-virtual-mfa-devices
jcheck '.VirtualMFADevices | length == 1'
# liboath, libqrencode and libpng are loaded only by the verbs that need them
if command -v strace >/dev/null; then
    libs() { strace -f -e trace=openat -o "$T/strace" "$IAMCTL" --config "$CONF" "$@" >/dev/null 2>&1
             grep -oE 'lib(oath|qrencode|png16)\.so[.0-9]*' "$T/strace" | sort -u | tr '\n' ' '; }
    [ -z "$(libs get-user --user-name alice)" ] || fail "get-user loads an MFA library: $(libs get-user --user-name alice)"
    ok
    [ -z "$(libs list-mfa-devices)" ] || fail "list-mfa-devices loads an MFA library"
    ok
    got=$(libs create-virtual-mfa-device --virtual-mfa-device-name lib-check \
          --outfile "$T/lib.png" --bootstrap-method QRCodePNG)
    [ "$got" = "liboath.so.0 libpng16.so.16 libqrencode.so.4 " ] || fail "QRCodePNG loaded: $got"
    ok
fi
echo "ok: $PASS checks"
