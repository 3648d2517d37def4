#!/bin/bash
# The name typed for a user IAM does not know is never logged: not in the audit log, not in
# syslog. It is often a password typed one prompt early ("Login: hunter2"). The names of real
# IAM users are logged (so the check below can fail).
#   test_unknown_name_log.sh IAMCTL PAM_IAM_SO PAM_WRAPPER_LIB
# Root only: syslog is captured on a /dev/log of a private mount namespace (an overlay over
# /dev), so the host's logging is untouched.
IAMCTL=$(realpath "$1")
PAM_IAM=$(realpath "$2")
PAM_WRAPPER=$3
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${IAM_IN_NS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a private mount namespace)"; exit 77; }
    command -v pamtester >/dev/null || { echo "SKIP: pamtester missing"; exit 77; }
    exec unshare --mount --fork env IAM_IN_NS=1 bash "$0" "$@"
fi
. "$HERE/lib.sh"
mount --make-rprivate / || fail "mount --make-rprivate"
mkdir "$T/dev"
mount -t tmpfs tmpfs "$T/dev" && mkdir "$T/dev/u" "$T/dev/w" &&
    mount -t overlay overlay -o "lowerdir=/dev,upperdir=$T/dev/u,workdir=$T/dev/w" /dev ||
    fail "cannot put an overlay over /dev"
SYSLOG=$T/syslog
: >"$SYSLOG"
python3 "$HERE/syslog_capture.py" /dev/log "$SYSLOG" >"$T/cap.out" &
CAP=$!
for _ in $(seq 100); do grep -q ready "$T/cap.out" && break; sleep 0.05; done
grep -q ready "$T/cap.out" || fail "syslog capture did not start"
trap 'kill $CAP 2>/dev/null; wait $CAP 2>/dev/null; pam_cleanup; umount /dev "$T/dev"; rm -rf "$T"' EXIT

# pam_wrapper keeps pam_syslog's lines to itself unless told to pass them on to syslog
PAM_ENV=(PAM_WRAPPER_USE_SYSLOG=1)
init_sec
pam_service iam "auth required $PAM_IAM config=$CONF" "account required $PAM_IAM config=$CONF" \
    "session required $PAM_IAM config=$CONF"
expect_ok create-user --user-name alice
expect_ok put-user-policy --user-name alice --policy-name login \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*"}]}'
expect_ok create-access-key --user-name alice
SECRET=$(jq -r .AccessKey.SecretAccessKey "$T/out")

# a password typed as a user name: valid as an IAM name, and not valid as one (a space)
expect_pam_fail "User not known" iam "Tr0ub4dor-3x" "$SECRET" authenticate
expect_pam_fail "User not known|Authentication" iam "correct horse battery" "$SECRET" authenticate
expect_pam_fail "User not known|Authentication" iam "Tr0ub4dor-3x" x acct_mgmt
# alice with a wrong secret, then with hers: her name is logged
expect_pam_fail "Authentication failure" iam alice "wrong-secret" authenticate
expect_pam_ok iam alice "$SECRET" authenticate acct_mgmt open_session close_session
sleep 0.2 # the datagrams are queued before pamtester exits; let the reader drain them
kill $CAP; wait $CAP 2>/dev/null

[ -s "$T/audit.jsonl" ] || fail "no audit records"
grep -q '"userName":"alice"' "$T/audit.jsonl" || fail "alice's name is not in the audit log"
ok
grep -q 'alice' "$SYSLOG" || fail "alice's name is not in syslog"
ok
# the unknown names' records are there, without a name
[ "$(jq -s '[.[] | select(.userIdentity.type == "Unknown")] | length' "$T/audit.jsonl")" -ge 2 ] ||
    fail "the unknown users' attempts are not audited"
ok
jq -e -s 'all(.[] | select(.userIdentity.type == "Unknown"); .userIdentity | has("userName") | not)' \
    "$T/audit.jsonl" >/dev/null || fail "an unknown user's record carries userName"
ok
for leak in "Tr0ub4dor-3x" "correct horse battery" "correct?horse?battery"; do
    if grep -F -- "$leak" "$T/audit.jsonl" "$SYSLOG"; then
        fail "the name typed for an unknown user was logged: $leak"
    fi
    ok
done
echo "ok: $PASS checks"
