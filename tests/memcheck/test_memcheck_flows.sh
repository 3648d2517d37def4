#!/bin/bash
# valgrind memcheck over the real programs and flows: iamctl building and
# querying a database (every kind of verb, successes and refusals), getent through real glibc
# (`getent -s iam`), `id` through nss_wrapper, and pamtester through pam_iam with PAM items
# set. Zero valgrind errors allowed (invalid accesses, uninitialised reads, definite leaks),
# and every command must still give its own expected exit code.
#   test_memcheck_flows.sh IAMCTL MKNSSCACHE NSS_SO PAMFX_TOOL PAM_SO PAM_WRAPPER NSS_WRAPPER
set -uo pipefail
IAMCTL=$1 MK=$2 NSS_SO=$3 PAMFX_TOOL=$4 PAM_SO=$5 PAM_WRAPPER=$6 NSS_WRAPPER=$7
for p in valgrind pamtester getent id; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/memcheck.XXXXXX")
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
PASS=0 FAILS=0
VG_NSS=()
VG=(valgrind -q --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
    --track-origins=yes --error-exitcode=99)

# vg WANT_RC DESC [ENV=VALUE...] -- CMD...: run CMD under valgrind (after env), compare.
vg() {
    local want=$1 desc=$2 rc
    shift 2
    local envs=() extra=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    case $desc in getent* | id*) extra=("${VG_NSS[@]}") ;; esac
    rm -f "$T"/vg.*.log
    env "${envs[@]}" "${VG[@]}" "${extra[@]}" --log-file="$T/vg.%p.log" "$@" <"$T/stdin" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" = 99 ] || cat "$T"/vg.*.log 2>/dev/null | grep -q .; then
        echo "FAIL - $desc: valgrind errors"; cat "$T"/vg.*.log | head -60; FAILS=$((FAILS + 1))
    elif [ "$want" != any ] && [ "$rc" != "$want" ]; then
        echo "FAIL - $desc: exit $rc, wanted $want"; head -5 "$T/err"; FAILS=$((FAILS + 1))
    else
        echo "ok   - $desc"; PASS=$((PASS + 1))
    fi
}
: >"$T/stdin"

# ---- iamctl ---------------------------------------------------------------------------------
export IAMCTL_PASSWD_FILE=$T/passwd IAMCTL_GROUP_FILE=$T/group
printf 'root:x:0:0:root:/root:/bin/bash\n' >passwd
printf 'root:x:0:\n' >group
C=(--config "$T/iam.conf")
POL='{"Version":"2012-10-17","Statement":[{"Sid":"L","Effect":"Allow","Action":"host:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}'
vg 0 "iamctl init" -- "$IAMCTL" "${C[@]}" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
    --database "$T/iam.db" --cache-dir "$T/cache" --audit-log none --uid-min 5000 --uid-max 6000
vg 0 "iamctl create-user" -- "$IAMCTL" "${C[@]}" create-user --user-name alice
vg 0 "iamctl create-user (2)" -- "$IAMCTL" "${C[@]}" create-user --user-name bob
vg 0 "iamctl create-group" -- "$IAMCTL" "${C[@]}" create-group --group-name admins
vg 0 "iamctl add-user-to-group" -- "$IAMCTL" "${C[@]}" add-user-to-group --user-name alice --group-name admins
vg 0 "iamctl create-access-key" -- "$IAMCTL" "${C[@]}" create-access-key --user-name alice
key=$(sed -n 's/.*"AccessKeyId": "\([A-Z0-9]*\)".*/\1/p' "$T/out")
vg 0 "iamctl update-access-key" -- "$IAMCTL" "${C[@]}" update-access-key --user-name alice \
    --access-key-id "$key" --status Inactive
vg 0 "iamctl put-user-policy" -- "$IAMCTL" "${C[@]}" put-user-policy --user-name alice \
    --policy-name login --policy-document "$POL"
vg 0 "iamctl put-group-policy" -- "$IAMCTL" "${C[@]}" put-group-policy --group-name admins \
    --policy-name g --policy-document "$POL"
vg 0 "iamctl tag-user" -- "$IAMCTL" "${C[@]}" tag-user --user-name alice --tags Key=team,Value=ops
printf 'correct horse battery staple\n' >"$T/stdin"
vg 0 "iamctl create-login-profile (argon2id)" -- "$IAMCTL" "${C[@]}" create-login-profile --user-name bob
: >"$T/stdin"
vg 0 "iamctl list-users" -- "$IAMCTL" "${C[@]}" list-users
vg 0 "iamctl get-user" -- "$IAMCTL" "${C[@]}" get-user --user-name alice
vg 0 "iamctl list-access-keys" -- "$IAMCTL" "${C[@]}" list-access-keys --user-name alice
vg 0 "iamctl get-account-authorization-details" -- "$IAMCTL" "${C[@]}" get-account-authorization-details
cp "$T/out" "$T/export.json"
vg 0 "iamctl compile" -- "$IAMCTL" "${C[@]}" compile
vg 0 "iamctl get-credential-report" -- "$IAMCTL" "${C[@]}" get-credential-report
vg 1 "iamctl put-user-policy, bad JSON (refused)" -- "$IAMCTL" "${C[@]}" put-user-policy \
    --user-name alice --policy-name bad --policy-document '{"Version":"2012-10-17","Statement":['
vg 1 "iamctl create-user, duplicate (refused)" -- "$IAMCTL" "${C[@]}" create-user --user-name ALICE
vg 1 "iamctl delete-user with credentials (refused)" -- "$IAMCTL" "${C[@]}" delete-user --user-name alice
vg 2 "iamctl unknown verb (usage)" -- "$IAMCTL" "${C[@]}" frobnicate
vg 0 "iamctl simulate-custom-policy" -- "$IAMCTL" simulate-custom-policy --policy-input-list "$POL" \
    --action-names host:Login host:Sudo --context-entries \
    ContextKeyName=aws:SourceIp,ContextKeyValues=10.1.2.3,ContextKeyType=ip
vg any "iamctl validate-policy" -- "$IAMCTL" validate-policy --policy-document "$POL"
# A second database from the export.
"$IAMCTL" --config "$T/iam2.conf" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
    --database "$T/iam2.json" --cache-dir "$T/cache2" --audit-log none --uid-min 7000 \
    --uid-max 8000 >/dev/null 2>&1
vg 0 "iamctl import" -- "$IAMCTL" --config "$T/iam2.conf" import \
    --authorization-details "file://$T/export.json"
vg 0 "iamctl delete-user-policy" -- "$IAMCTL" "${C[@]}" delete-user-policy --user-name alice --policy-name login

# ---- getent through real glibc, id through nss_wrapper ----------------------------------------
cat >"$T/npasswd" <<'EOT'
alice:x:200001:200001:Alice Smith,,,:/home/alice:/bin/bash
bob:x:200002:200002::/home/bob:/bin/sh
EOT
{
    printf 'alice:x:200001:\nbob:x:200002:\ndevs:x:210000:alice,bob\n'
    printf 'huge:x:220000:'; seq 1 2000 | sed 's/^/m/' | paste -sd, -
} >"$T/ngroup"
"$MK" "$T/npasswd" "$T/ngroup" "$T/nss.cache" || { echo "FAIL: mknsscache"; exit 1; }
# --run-libc-freeres=no for the NSS flows: at exit valgrind makes glibc unload its NSS modules,
# and libnss_iam.so.2 keeps its mapping state (a 256-byte struct and the cache path) in a
# static pointer with no destructor, so the unload turns that reachable state into a
# "definite" leak. In a real process the module is never unloaded. Every allocation the
# module loses while it is loaded still shows as definitely lost.
VG_NSS=(--run-libc-freeres=no)
G=(IAM_NSS_CACHE="$T/nss.cache" LD_LIBRARY_PATH="$(dirname "$NSS_SO")")
vg 0 "getent -s iam passwd alice" "${G[@]}" -- getent -s iam passwd alice
vg 0 "getent -s iam passwd 200002" "${G[@]}" -- getent -s iam passwd 200002
vg 0 "getent -s iam passwd (enumerate)" "${G[@]}" -- getent -s iam passwd
vg 0 "getent -s iam group devs" "${G[@]}" -- getent -s iam group devs
vg 0 "getent -s iam group huge (ERANGE retries)" "${G[@]}" -- getent -s iam group huge
vg 0 "getent -s iam group (enumerate)" "${G[@]}" -- getent -s iam group
vg 0 "getent -s iam initgroups bob" "${G[@]}" -- getent -s iam initgroups bob
vg 2 "getent -s iam passwd nosuch" "${G[@]}" -- getent -s iam passwd nosuchuser
vg 2 "getent -s iam, missing cache" IAM_NSS_CACHE="$T/none" LD_LIBRARY_PATH="$(dirname "$NSS_SO")" \
    -- getent -s iam passwd alice
head -c 300 "$T/nss.cache" >"$T/short.cache"
vg 2 "getent -s iam, truncated cache" IAM_NSS_CACHE="$T/short.cache" \
    LD_LIBRARY_PATH="$(dirname "$NSS_SO")" -- getent -s iam passwd alice
: >"$T/empty"
W=(LD_PRELOAD="$NSS_WRAPPER" NSS_WRAPPER_PASSWD="$T/empty" NSS_WRAPPER_GROUP="$T/empty"
   NSS_WRAPPER_MODULE_SO_PATH="$NSS_SO" NSS_WRAPPER_MODULE_FN_PREFIX=iam IAM_NSS_CACHE="$T/nss.cache")
vg 0 "id alice (nss_wrapper)" "${W[@]}" -- id alice
vg 1 "id nosuch (nss_wrapper)" "${W[@]}" -- id nosuchuser

# ---- pamtester through pam_iam with PAM items --------------------------------------------------
FX=$T/fx
mkdir -m 0700 "$FX" "$T/svc"
. <("$PAMFX_TOOL" "$FX" sshd) || { echo "FAIL: pam fixture"; exit 1; }
for s in sshd; do
    printf '%s required %s config=%s/iam.conf\n' auth "$PAM_SO" "$FX" account "$PAM_SO" "$FX" \
        session "$PAM_SO" "$FX" >"$T/svc/$s"
done
printf 'auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\n' >"$T/svc/other"
P=(LD_PRELOAD="$PAM_WRAPPER" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/svc")
printf '%s\n' "$SECRET_frank" >"$T/stdin"
vg 0 "pamtester frank from 127.0.0.1 (conditional allow)" "${P[@]}" -- pamtester \
    -I rhost=127.0.0.1 -I tty=pts/1 sshd frank authenticate acct_mgmt open_session close_session
vg 1 "pamtester frank from 10.0.0.1 (conditional deny)" "${P[@]}" -- pamtester \
    -I rhost=10.0.0.1 sshd frank authenticate acct_mgmt
vg 1 "pamtester frank, 8 KB remote host" "${P[@]}" -- pamtester \
    -I rhost="$(head -c 8192 /dev/zero | tr '\0' 'h')" sshd frank authenticate acct_mgmt
vg 1 "pamtester frank, IPv6 remote host" "${P[@]}" -- pamtester -I rhost=::1 sshd frank authenticate acct_mgmt
printf '%s:%s\n' "$KEY_alice" "$SECRET_alice" >"$T/stdin"
vg 0 "pamtester alice, named key, all phases" "${P[@]}" -- pamtester -I rhost=192.0.2.1 \
    sshd alice authenticate acct_mgmt open_session close_session
printf '%s:%s\n' "$KEY2_alice" "$SECRET2_alice" >"$T/stdin"
vg 1 "pamtester alice, inactive key" "${P[@]}" -- pamtester sshd alice authenticate
printf 'x\n' >"$T/stdin"
vg 1 "pamtester unknown user" "${P[@]}" -- pamtester sshd mallory authenticate

echo "# $PASS passed, $FAILS failed"
[ "$FAILS" = 0 ]
