#!/bin/bash
# Lockout after repeated failed logins, through the real iamctl and pam_iam (pamtester under
# pam_wrapper), with the module's clock set by the test (pam_iam_testclock.so): the default
# policy (5 failures in 900 s lock for 600 s), the window, expiry, reset by a success and by
# reset-lockout, secrets and passwords counted alike, names IAM does not know never locked,
# the switch, a lock until reset, a tally that is unsafe or damaged (fail closed), and
# concurrent failing attempts counted exactly.
#   test_lockout.sh IAMCTL PAM_IAM_TESTCLOCK_SO PAM_WRAPPER_LIB
IAMCTL=$(realpath "$1")
PAM_IAM=$(realpath "$2")
PAM_WRAPPER=$3
HERE=$(cd "$(dirname "$0")" && pwd)
command -v pamtester >/dev/null || { echo "SKIP: pamtester missing"; exit 77; }
. "$HERE/../security/lib.sh"

init_sec
pam_service iam "auth required $PAM_IAM config=$CONF" "account required $PAM_IAM config=$CONF"
expect_ok create-user --user-name alice
expect_ok put-user-policy --user-name alice --policy-name login \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*"}]}'
PW='correct horse battery staple'
printf '%s\n' "$PW" | "$IAMCTL" --config "$CONF" create-login-profile --user-name alice \
    >/dev/null || fail "create-login-profile"
expect_ok create-access-key --user-name alice
SECRET=$(jq -r .AccessKey.SecretAccessKey "$T/out")
KEYID=$(jq -r .AccessKey.AccessKeyId "$T/out")
# a wrong secret for alice's key, named so that it is never tried as a password (argon2id)
BADKEY="$KEYID:$(printf '%s' "$SECRET" | tr 'A-Za-z' 'B-ZaB-Za')"
ALICE_ID=$("$IAMCTL" --config "$CONF" get-user --user-name alice | jq -r .User.UserId)
TALLY=$T/cache/faillock/$ALICE_ID

T0=1767225600 # 2026-01-01T00:00:00Z
at() { PAM_ENV=(PAM_IAM_TEST_NOW=$1); }
lockouts() { # lockouts EPOCH: list-lockouts as seen at that time, in $T/out
    IAMCTL_NOW=$1 "$IAMCTL" --config "$CONF" list-lockouts >"$T/out" 2>"$T/err" ||
        fail "list-lockouts"
}
n_lockout_records() { jq -s '[.[] | select(.eventName == "Lockout")] | length' "$T/audit.jsonl"; }

# Four failures do not lock; a success resets the count.
for i in 0 1 2 3; do
    at $((T0 + i)); expect_pam_fail "Authentication failure" iam alice wrong authenticate
done
[ -f "$TALLY" ] || fail "no tally after failures"
[ "$(stat -c %a "$TALLY")" = 600 ] && [ "$(stat -c %a "$T/cache/faillock")" = 700 ] ||
    fail "tally or its directory is not 0600/0700"
ok
lockouts $((T0 + 4)); jcheck '.Lockouts | length == 1 and .[0].UserName == "alice" and
    .[0].FailedAttempts == 4 and .[0].Locked == false'
at $((T0 + 4)); expect_pam_ok iam alice "$PW" authenticate acct_mgmt
[ ! -e "$TALLY" ] || fail "a successful login did not reset the tally"
ok
lockouts $((T0 + 5)); jcheck '.Lockouts == []'

# The fifth failure within 900 s locks for 600 s: the right password is refused, the same way.
for i in 0 1 2 3 4; do
    at $((T0 + 10 + i)); expect_pam_fail "Authentication failure" iam alice wrong authenticate
done
[ "$(n_lockout_records)" = 1 ] || fail "want one Lockout audit record, got $(n_lockout_records)"
ok
jq -e -s '[.[] | select(.eventName == "Lockout")][0] | .userIdentity.userName == "alice" and
    .errorCode == "UserLockedOut"' "$T/audit.jsonl" >/dev/null || fail "Lockout record's fields"
ok
at $((T0 + 20)); expect_pam_fail "Authentication failure" iam alice "$PW" authenticate
at $((T0 + 21)); expect_pam_fail "Authentication failure" iam alice "$SECRET" authenticate
jq -e -s '[.[] | select(.eventName == "Authenticate")] | last | .errorCode == "UserLockedOut"' \
    "$T/audit.jsonl" >/dev/null || fail "refusal while locked is not audited as UserLockedOut"
ok
lockouts $((T0 + 22)); jcheck '.Lockouts[0] | .Locked and .FailedAttempts == 5 and
    .RefusedWhileLocked == 2 and .LockedSince == "2026-01-01T00:00:14+00:00" and
    .LockedUntil == "2026-01-01T00:10:14+00:00"'
# Still locked one second before the end, open at the end.
at $((T0 + 14 + 599)); expect_pam_fail "Authentication failure" iam alice "$PW" authenticate
at $((T0 + 14 + 600)); expect_pam_ok iam alice "$PW" authenticate acct_mgmt
[ "$(n_lockout_records)" = 1 ] || fail "refusals while locked started another lock"
ok

# The window: failures older than 900 s do not count.
T1=$((T0 + 5000))
for i in 0 1 2 3; do
    at $((T1 + i)); expect_pam_fail "Authentication failure" iam alice "$BADKEY" authenticate
done
at $((T1 + 903)); expect_pam_fail "Authentication failure" iam alice "$BADKEY" authenticate
at $((T1 + 904)); expect_pam_ok iam alice "$SECRET" authenticate

# Wrong secret access keys count as wrong passwords do; reset-lockout ends a lock at once
# (the name as typed in any case, as IAM names are).
T2=$((T0 + 10000))
for i in 0 1 2 3 4; do
    at $((T2 + i)); expect_pam_fail "Authentication failure" iam alice "$BADKEY" \
        authenticate
done
at $((T2 + 5)); expect_pam_fail "Authentication failure" iam alice "$SECRET" authenticate
expect_ok reset-lockout --user-name ALICE
at $((T2 + 6)); expect_pam_ok iam alice "$SECRET" authenticate
expect_fail 1 "NoSuchEntity" reset-lockout --user-name alice

# Names IAM does not know (local users, typos) are never locked or listed.
for i in $(seq 8); do
    at $((T2 + 10 + i)); expect_pam_fail "User not known" iam localuser wrong authenticate
done
lockouts $((T2 + 20)); jcheck '.Lockouts == []'

# A lock until reset (lockout_time_seconds = 0).
cp "$CONF" "$T/conf.orig"
printf 'lockout_failures = 2\nlockout_time_seconds = 0\n' >>"$CONF"
T3=$((T0 + 20000))
at $T3; expect_pam_fail "Authentication failure" iam alice "$BADKEY" authenticate
at $((T3 + 1)); expect_pam_fail "Authentication failure" iam alice "$BADKEY" authenticate
at $((T3 + 86400 * 30)); expect_pam_fail "Authentication failure" iam alice "$SECRET" authenticate
lockouts $((T3 + 86400 * 30)); jcheck '.Lockouts[0] | .Locked and .LockedUntil == null'
expect_ok reset-lockout --user-name alice
at $((T3 + 86400 * 30)); expect_pam_ok iam alice "$SECRET" authenticate

# An unsafe or damaged tally fails closed, and reset-lockout clears it.
at $((T3 + 100)); expect_pam_fail "Authentication failure" iam alice "$BADKEY" authenticate
chmod 0644 "$TALLY"
at $((T3 + 101)); expect_pam_fail "unavailable|Authentication" iam alice "$SECRET" authenticate
[ "$(jq -s 'last | .errorCode' "$T/audit.jsonl")" = '"InternalFailure"' ] ||
    fail "an unsafe tally did not fail closed"
ok
printf 'iam-faillock 1\ngarbage\n' >"$TALLY"; chmod 0600 "$TALLY"
at $((T3 + 102)); expect_pam_fail "unavailable|Authentication" iam alice "$SECRET" authenticate
[ "$(jq -s 'last | .errorCode' "$T/audit.jsonl")" = '"InternalFailure"' ] ||
    fail "a damaged tally did not fail closed"
ok
expect_fail 1 "damaged tally" list-lockouts
expect_ok reset-lockout --user-name alice
at $((T3 + 103)); expect_pam_ok iam alice "$SECRET" authenticate

# The switch: lockout = no counts nothing and locks nobody.
cp "$T/conf.orig" "$CONF"
printf 'lockout = no\n' >>"$CONF"
for i in $(seq 7); do
    at $((T3 + 200 + i)); expect_pam_fail "Authentication failure" iam alice "$BADKEY" authenticate
done
[ ! -e "$TALLY" ] || fail "lockout = no still counted failures"
ok
at $((T3 + 300)); expect_pam_ok iam alice "$SECRET" authenticate

# Concurrent failing attempts are counted exactly: 24 at once with a threshold above them,
# then 12 at once with the default threshold: one lock, 5 failures, 7 refused while locked.
conc() { # conc N EPOCH SECRET
    local pids=() i
    for i in $(seq "$1"); do
        printf '%s\n' "$3" | env PAM_IAM_TEST_NOW="$2" LD_PRELOAD="${PAM_PRELOAD:-$PAM_WRAPPER}" \
            PAM_WRAPPER=1 PAM_WRAPPER_DISABLE_DEEPBIND=1 PAM_WRAPPER_SERVICE_DIR="$PAMSVC" \
            pamtester iam alice authenticate >/dev/null 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
}
cp "$T/conf.orig" "$CONF"
printf 'lockout_failures = 100\n' >>"$CONF"
T4=$((T0 + 40000))
conc 24 $T4 "$BADKEY"
lockouts $T4; jcheck '.Lockouts[0] | .FailedAttempts == 24 and .Locked == false'
expect_ok reset-lockout --user-name alice
cp "$T/conf.orig" "$CONF"
before=$(n_lockout_records)
conc 12 $((T4 + 100)) "$BADKEY"
lockouts $((T4 + 100)); jcheck '.Lockouts[0] | .Locked and .FailedAttempts == 5 and
    .RefusedWhileLocked == 7'
[ "$(n_lockout_records)" = $((before + 1)) ] || fail "concurrent failures started more than one lock"
ok
echo "ok: $PASS checks"
