#!/bin/bash
# pamtester + pam_wrapper + pam_iam.so under valgrind: every phase, success and failure paths,
# must run with zero valgrind errors (definite leaks count as errors). A run only counts when
# pam_iam itself decided it: the audit records it appended, or a PAM code the fallback stack
# (pam_deny, used when pam_wrapper cannot set up the service) never returns. A pam_wrapper
# start-up failure is retried, never taken for a clean run.
#   test_pam_valgrind.sh PAMFX_TOOL PAM_WRAPPER_LIB SERVICE_DIR FIXTURE_DIR
set -uo pipefail
tool=$1 wrapper=$2 services=$3 fx=$4
for p in valgrind pamtester python3; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
rm -rf "$fx" && mkdir -m 0700 "$fx" || exit 1
secrets=$("$tool" "$fx" sshd) || { echo "fixture failed"; exit 1; }
eval "$secrets"
audit=$fx/audit.jsonl

before=$(ls -d /tmp/pam.? 2>/dev/null | sort)
fails=0 passes=0 harness=0
audit_lines() { if [ -f "$audit" ]; then wc -l <"$audit"; else echo 0; fi; }
# ran_as FROM PROOF: pam_iam decided the run. PROOF is either "audit:EVENT=CODE,..." (the
# records appended after line FROM, in order; CODE "ok" means no errorCode, "would" a
# permissive-mode would-deny) or "pam:TEXT" (pamtester reported that PAM error, which
# pam_deny cannot produce) together with no new audit record.
ran_as() {
    python3 - "$audit" "$1" "$2" "$fx/err" <<'PY'
import json, sys
path, start, proof, errfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    recs = [json.loads(l) for l in open(path).read().splitlines()[start:]]
except OSError:
    recs = []
kind, _, want = proof.partition(":")
if kind == "pam":
    ok = want in open(errfile, errors="replace").read() and not recs
else:
    got = []
    for r in recs:
        code = r.get("errorCode", "ok")
        if code == "AccessDenied" or "errorCode" not in r:
            if r.get("additionalEventData", {}).get("decision") == "would deny":
                code = "would"
        got.append("%s=%s" % (r["eventName"], code))
    ok = got == want.split(",")
    if not ok:
        print("    audit records: %s, want %s" % (",".join(got) or "none", want))
sys.exit(0 if ok else 1)
PY
}
# vg NAME EXPECT(0|1) PROOF SERVICE USER TOKEN OPS...
vg() {
    local name=$1 expect=$2 proof=$3 svc=$4 user=$5 tok=$6 rc n try
    shift 6
    for try in 1 2 3; do
        n=$(audit_lines)
        rm -f "$fx"/vg.*.log
        printf '%s\n' "$tok" | LD_PRELOAD="$wrapper" PAM_WRAPPER=1 \
            PAM_WRAPPER_SERVICE_DIR="$services" \
            valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
            --log-file="$fx/vg.%p.log" pamtester "$svc" "$user" "$@" >"$fx/out" 2>"$fx/err"
        rc=$?
        # pam_wrapper copies its configuration into /tmp/pam.X, a name shared by every test
        # on the machine; when it cannot, no module ran at all: not a run, try again.
        grep -q "pwrap_init" "$fx/err" || break
        harness=$((harness + 1))
    done
    if [ "$rc" = 99 ] || cat "$fx"/vg.*.log 2>/dev/null | grep -q .; then
        echo "FAIL - $name: valgrind errors"; cat "$fx"/vg.*.log; fails=$((fails + 1))
    elif { [ "$expect" = 0 ] && [ "$rc" != 0 ]; } || { [ "$expect" = 1 ] && [ "$rc" = 0 ]; }; then
        echo "FAIL - $name: pamtester exit $rc"; cat "$fx/err"; fails=$((fails + 1))
    elif ! ran_as "$n" "$proof"; then
        echo "FAIL - $name: pam_iam did not decide it ($proof)"; cat "$fx/err"
        fails=$((fails + 1))
    else
        echo "ok   - $name"; passes=$((passes + 1))
    fi
    rm -f "$fx"/vg.*.log
}
UNAVAIL="pam:Authentication service cannot retrieve authentication info"

vg "access key, all phases" 0 "audit:Authenticate=ok,Login=ok,SessionOpen=ok,SessionClose=ok" \
    vg_iam alice "$KEY_alice:$SECRET_alice" authenticate acct_mgmt open_session close_session setcred
vg "bare secret" 0 "audit:Authenticate=ok,Login=ok" vg_iam heidi "$SECRET_heidi" authenticate acct_mgmt
vg "password (argon2id)" 0 "audit:Authenticate=ok" vg_iam alice "$PASSWORD" authenticate
vg "wrong secret" 1 "audit:Authenticate=FailedAuthentication" vg_iam alice "$SECRET_bob" authenticate
vg "inactive key" 1 "audit:Authenticate=InvalidClientTokenId" \
    vg_iam alice "$KEY2_alice:$SECRET2_alice" authenticate
vg "expired key" 1 "audit:Authenticate=ExpiredToken" vg_iam bob "$SECRET_bob" authenticate
vg "unknown user" 1 "audit:Authenticate=NoSuchEntity" vg_iam mallory "$SECRET_alice" authenticate
vg "unknown user, account" 1 "pam:User not known to the underlying authentication module" \
    vg_iam mallory x acct_mgmt
vg "group deny" 1 "audit:Authenticate=ok,Login=AccessDenied" \
    vg_iam carol "$SECRET_carol" authenticate acct_mgmt
vg "conditional policy, no remote host" 1 "audit:Login=AccessDenied" vg_iam frank "$SECRET_frank" acct_mgmt
vg "sudo action" 0 "audit:Sudo=ok" vg_sudo alice x acct_mgmt
vg "sudo action denied" 1 "audit:Sudo=AccessDenied" vg_sudo heidi x acct_mgmt
vg "corrupt cache" 1 "$UNAVAIL" vg_corrupt alice "$SECRET_alice" authenticate
vg "missing cache" 1 "$UNAVAIL" vg_missing alice "$SECRET_alice" acct_mgmt
vg "bad action= argument" 1 "$UNAVAIL" vg_bad_action alice "$SECRET_alice" authenticate
vg "permissive mode" 0 "audit:Login=would" vg_permissive dave x acct_mgmt

# pamtester leaves its pam_wrapper dirs behind: remove the ones this run made, once their
# process is gone (other tests running in parallel have theirs in the same place).
for d in $(ls -d /tmp/pam.? 2>/dev/null | sort); do
    echo "$before" | grep -qx "$d" && continue
    pid=$(cat "$d/pid" 2>/dev/null) || continue
    kill -0 "$pid" 2>/dev/null || rm -rf "$d"
done
echo "# $passes passed, $fails failed ($harness pam_wrapper start-up failures retried)"
[ "$fails" = 0 ]
