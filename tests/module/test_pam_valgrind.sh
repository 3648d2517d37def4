#!/bin/bash
# pamtester + pam_wrapper + pam_iam.so under valgrind: every phase, success and failure paths,
# must run with zero valgrind errors (definite leaks count as errors).
#   test_pam_valgrind.sh PAMFX_TOOL PAM_WRAPPER_LIB SERVICE_DIR FIXTURE_DIR
set -uo pipefail
tool=$1 wrapper=$2 services=$3 fx=$4
for p in valgrind pamtester; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
rm -rf "$fx" && mkdir -m 0700 "$fx" || exit 1
secrets=$("$tool" "$fx" sshd) || { echo "fixture failed"; exit 1; }
eval "$secrets"

before=$(ls -d /tmp/pam.? 2>/dev/null | sort)
fails=0 passes=0
# vg NAME EXPECT(0|1) SERVICE USER TOKEN OPS...
vg() {
    local name=$1 expect=$2 svc=$3 user=$4 tok=$5 rc
    shift 5
    printf '%s\n' "$tok" | LD_PRELOAD="$wrapper" PAM_WRAPPER=1 \
        PAM_WRAPPER_SERVICE_DIR="$services" \
        valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
        --log-file="$fx/vg.%p.log" pamtester "$svc" "$user" "$@" >/dev/null 2>&1
    rc=$?
    if [ "$rc" = 99 ] || cat "$fx"/vg.*.log 2>/dev/null | grep -q .; then
        echo "FAIL - $name: valgrind errors"; cat "$fx"/vg.*.log; fails=$((fails + 1))
    elif { [ "$expect" = 0 ] && [ "$rc" != 0 ]; } || { [ "$expect" = 1 ] && [ "$rc" = 0 ]; }; then
        echo "FAIL - $name: pamtester exit $rc"; fails=$((fails + 1))
    else
        echo "ok   - $name"; passes=$((passes + 1))
    fi
    rm -f "$fx"/vg.*.log
}

vg "access key, all phases" 0 vg_iam alice "$KEY_alice:$SECRET_alice" \
    authenticate acct_mgmt open_session close_session setcred
vg "bare secret" 0 vg_iam heidi "$SECRET_heidi" authenticate acct_mgmt
vg "password (argon2id)" 0 vg_iam alice "$PASSWORD" authenticate
vg "wrong secret" 1 vg_iam alice "$SECRET_bob" authenticate
vg "inactive key" 1 vg_iam alice "$KEY2_alice:$SECRET2_alice" authenticate
vg "expired key" 1 vg_iam bob "$SECRET_bob" authenticate
vg "unknown user" 1 vg_iam mallory "$SECRET_alice" authenticate
vg "unknown user, account" 1 vg_iam mallory x acct_mgmt
vg "group deny" 1 vg_iam carol "$SECRET_carol" authenticate acct_mgmt
vg "conditional policy, no remote host" 1 vg_iam frank "$SECRET_frank" acct_mgmt
vg "sudo action" 0 vg_sudo alice x acct_mgmt
vg "sudo action denied" 1 vg_sudo heidi x acct_mgmt
vg "corrupt cache" 1 vg_corrupt alice "$SECRET_alice" authenticate
vg "missing cache" 1 vg_missing alice "$SECRET_alice" acct_mgmt
vg "bad action= argument" 1 vg_bad_action alice "$SECRET_alice" authenticate
vg "permissive mode" 0 vg_permissive dave x acct_mgmt

# pamtester leaves its pam_wrapper dirs behind: remove the ones this run made, once their
# process is gone (other tests running in parallel have theirs in the same place).
for d in $(ls -d /tmp/pam.? 2>/dev/null | sort); do
    echo "$before" | grep -qx "$d" && continue
    pid=$(cat "$d/pid" 2>/dev/null) || continue
    kill -0 "$pid" 2>/dev/null || rm -rf "$d"
done
echo "# $passes passed, $fails failed"
[ "$fails" = 0 ]
