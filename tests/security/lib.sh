# Helpers for the security regression tests: an iamctl database in a scratch directory and
# pam_iam.so driven by pamtester under pam_wrapper, with service files written at run time.
# Source after setting IAMCTL, PAM_IAM and PAM_WRAPPER (the library's path).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../iamctl/lib.sh"
PAMSVC=$T/pam.d
mkdir -p "$PAMSVC"
printf 'auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\npassword required pam_deny.so\n' >"$PAMSVC/other"

# pam_service NAME LINES...: one pam_wrapper service file
pam_service() {
    local name=$1
    shift
    printf '%s\n' "$@" >"$PAMSVC/$name"
}

# pam SERVICE USER TOKEN OPS...: pamtester under pam_wrapper; exit code in $PRC, output in
# $T/pam.out. Extra environment for the process can be put in PAM_ENV (an array).
PAM_ENV=()
pam() {
    local svc=$1 user=$2 tok=$3
    shift 3
    printf '%s\n' "$tok" | env "${PAM_ENV[@]}" LD_PRELOAD="${PAM_PRELOAD:-$PAM_WRAPPER}" PAM_WRAPPER=1 \
        PAM_WRAPPER_DISABLE_DEEPBIND=1 NSS_WRAPPER_DISABLE_DEEPBIND=1 \
        PAM_WRAPPER_SERVICE_DIR="$PAMSVC" pamtester -v "$svc" "$user" "$@" >"$T/pam.out" 2>&1
    PRC=$?
}
expect_pam_ok() {
    pam "$@"
    [ "$PRC" -eq 0 ] || { cat "$T/pam.out" >&2; fail "expected PAM success: $*"; }
    ok
}
# expect_pam_fail PATTERN SERVICE USER TOKEN OPS...: failure, pamtester's output matching
expect_pam_fail() {
    local pat=$1
    shift
    pam "$@"
    [ "$PRC" -ne 0 ] || { cat "$T/pam.out" >&2; fail "expected PAM failure: $*"; }
    grep -Eq -- "$pat" "$T/pam.out" || { cat "$T/pam.out" >&2; fail "pamtester output does not match /$pat/: $*"; }
    ok
}

# pamtester leaves its pam_wrapper directories behind: remove the ones whose process is gone
# and that this run made.
PAM_DIRS_BEFORE=$(ls -d /tmp/pam.? 2>/dev/null | sort)
pam_cleanup() {
    for d in $(ls -d /tmp/pam.? 2>/dev/null | sort); do
        echo "$PAM_DIRS_BEFORE" | grep -qx "$d" && continue
        pid=$(cat "$d/pid" 2>/dev/null) || continue
        kill -0 "$pid" 2>/dev/null || rm -rf "$d"
    done
}
trap 'pam_cleanup; rm -rf "$T"' EXIT

# init_sec: a database whose audit log is $T/audit.jsonl
init_sec() {
    expect_ok init --account-id 123456789012 \
        --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
        --database "$DB" --cache-dir "$T/cache" --audit-log "$T/audit.jsonl" \
        --uid-min 5000 --uid-max 5100
}
