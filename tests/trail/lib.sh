# Helpers for the trail tests: a database made with iamctl, two hosts (two iam.conf files
# sharing the database and caches, each with its own host ARN and audit log), and real logins
# through pam_iam under pam_wrapper (pamtester) whose clock PAM_IAM_TEST_NOW sets.
# Source after setting IAMCTL MODULE WRAPPER.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/trail-test.XXXXXX")
chmod 0700 "$T"
pam_before=$(ls -d /tmp/pam.? 2>/dev/null | sort)
cleanup() {
    # pamtester leaves pam_wrapper's /tmp/pam.? dirs behind: remove the ones that appeared
    # during this run and whose process is gone (never a live one: other tests may run).
    for d in $(ls -d /tmp/pam.? 2>/dev/null | sort); do
        echo "$pam_before" | grep -qx "$d" && continue
        pid=$(cat "$d/pid" 2>/dev/null) || continue
        kill -0 "$pid" 2>/dev/null || rm -rf "$d"
    done
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1
export IAMCTL_PASSWD_FILE=$T/passwd IAMCTL_GROUP_FILE=$T/group
printf 'root:x:0:0:root:/root:/bin/bash\n' >passwd
printf 'root:x:0:\n' >group
ACCOUNT=123456789012
HOST1=arn:aws:ec2:us-east-1:$ACCOUNT:instance/i-0aaaaaaaaaaaaaaa1
HOST2=arn:aws:ec2:us-east-1:$ACCOUNT:instance/i-0bbbbbbbbbbbbbbb2
CONF=$T/iam.conf
CONF2=$T/host2.conf
LOG=$T/log/audit.jsonl
LOG2=$T/host2/audit.jsonl
PASS=0

fail() {
    echo "FAIL: $*" >&2
    echo "--- stdout:" >&2; head -c 4000 "$T/out" >&2 2>/dev/null
    echo "--- stderr:" >&2; head -c 4000 "$T/err" >&2 2>/dev/null
    exit 1
}
ok() { PASS=$((PASS + 1)); }

# run ARGS...: iamctl with host 1's config; stdout in $T/out, stderr in $T/err, exit in $RC
run() {
    "$IAMCTL" --config "$CONF" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}
expect_ok() {
    run "$@"
    [ "$RC" -eq 0 ] || fail "expected success: iamctl $*"
    ok
}
expect_rc() {
    local want=$1
    shift
    run "$@"
    [ "$RC" -eq "$want" ] || fail "expected exit $want, got $RC: iamctl $*"
    ok
}
jcheck() {
    jq -e "$1" "$T/out" >/dev/null || fail "jq check failed: $1"
    ok
}

setup_hosts() {
    "$IAMCTL" --config "$CONF" init --account-id $ACCOUNT --host-arn "$HOST1" \
        --database "$T/iam.json" --cache-dir "$T/cache" --audit-log "$LOG" \
        --uid-min 5000 --uid-max 6000 >/dev/null || fail "init"
    printf '%s\n' "host_tag.env = prod" >>"$CONF"
    mkdir -m 0700 -p "$T/log" "$T/host2"
    sed -e "s|^host_arn = .*|host_arn = $HOST2|" -e "s|^audit_log = .*|audit_log = $LOG2|" \
        -e "s|^cache_dir = .*|cache_dir = $T/cache|" "$CONF" >"$CONF2"
    grep -q "^cache_dir" "$CONF2" || echo "cache_dir = $T/cache" >>"$CONF2"
    # the two hosts share the caches here, so host 2's sealing state goes elsewhere
    echo "trail_state_dir = $T/host2/state" >>"$CONF2"
    chmod 0600 "$CONF2"
    mkdir -m 0700 "$T/svc"
    for svc in sshd login; do
        printf 'auth required %s config=%s\naccount required %s config=%s\nsession required %s config=%s\n' \
            "$MODULE" "$CONF" "$MODULE" "$CONF" "$MODULE" "$CONF" >"$T/svc/$svc"
    done
    printf 'auth required %s config=%s\naccount required %s config=%s action=host:Sudo\n' \
        "$MODULE" "$CONF" "$MODULE" "$CONF" >"$T/svc/sudo-iam"
    printf 'auth required %s config=%s\naccount required %s config=%s\nsession required %s config=%s\n' \
        "$MODULE" "$CONF2" "$MODULE" "$CONF2" "$MODULE" "$CONF2" >"$T/svc/sshd2"
    printf 'auth required %s config=%s\naccount required %s config=%s action=host:Sudo\n' \
        "$MODULE" "$CONF2" "$MODULE" "$CONF2" >"$T/svc/sudo-iam2"
    printf 'auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\n' >"$T/svc/other"
}

# user NAME POLICY: a user with an access key; KEY_<name>/SECRET_<name> are set
user() {
    local name=$1 policy=$2
    expect_ok create-user --user-name "$name"
    expect_ok create-access-key --user-name "$name"
    eval "KEY_$name=$(jq -r .AccessKey.AccessKeyId "$T/out")"
    eval "SECRET_$name='$(jq -r .AccessKey.SecretAccessKey "$T/out")'"
    if [ -n "$policy" ]; then
        expect_ok put-user-policy --user-name "$name" --policy-name p --policy-document "$policy"
    fi
}

# login SERVICE USER TOKEN WHEN RHOST [OPS...]: pamtester through pam_iam at time WHEN (RHOST
# "-" for none); returns pamtester's exit status. pam_wrapper's own start-up failures (it
# could not copy its configuration) are retried: no module ran then.
login() {
    local svc=$1 usr=$2 tok=$3 when=$4 rhost=$5
    shift 5
    local ops=("$@") items=() i rc
    [ ${#ops[@]} -eq 0 ] && ops=(authenticate acct_mgmt)
    [ "$rhost" != - ] && items=(-I "rhost=$rhost")
    for i in 1 2 3 4 5; do
        printf '%s\n' "$tok" | LD_PRELOAD="$WRAPPER" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/svc" \
            PAM_IAM_TEST_NOW="$when" pamtester "${items[@]}" "$svc" "$usr" "${ops[@]}" \
            >"$T/pam.out" 2>"$T/pam.err"
        rc=$?
        grep -q pwrap_init "$T/pam.err" || return $rc
    done
    return $rc
}
