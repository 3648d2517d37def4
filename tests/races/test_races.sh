#!/bin/bash
# Races: writers against writers, and logins against recompiles.
#  A. 10 `iamctl` writers x 100 writes at once: no update is lost (each write is applied whole
#     or refused with a clear message), the Serial counts every applied write, ids stay unique;
#     meanwhile readers (`iamctl list-users`, and sqlite3 on the store) never see a torn or
#     locked store.
#  B. Logins (pamtester + pam_wrapper + pam_iam) while the auth cache is recompiled hundreds of
#     times by the real writer: every login with the right key succeeds, every login with a
#     wrong key fails with PAM_AUTH_ERR -- never for another reason (no torn cache, no ENOENT
#     in the rename window).
#   test_races.sh IAMCTL PAMFX_TOOL RACE_RECOMPILE PAM_IAM_SO PAM_WRAPPER_LIB [WRITERS WRITES]
set -uo pipefail
IAMCTL=$1 PAMFX_TOOL=$2 RECOMPILE=$3 MODULE=$4 WRAPPER=$5
WRITERS=${6:-10} WRITES=${7:-100}
for p in pamtester jq sqlite3; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/races.XXXXXX")
chmod 0700 "$T"
pam_before=$(ls -d /tmp/pam.? 2>/dev/null | sort)
cleanup() {
    jobs -p | xargs -r kill 2>/dev/null
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
CONF=$T/iam.conf DB=$T/iam.db
FAILS=0
bad() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# ---- A: writers and readers ---------------------------------------------------------------------
"$IAMCTL" --config "$CONF" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
    --database "$DB" --cache-dir "$T/cache" --audit-log none --uid-min 100000 --uid-max 199999 \
    >/dev/null || { echo "FAIL: init"; exit 1; }
q() { sqlite3 -cmd '.timeout 30000' "$DB" "$1"; }
serial0=$(q "SELECT serial FROM account")
writer() {
    local w=$1 ok=0 refused=0
    for i in $(seq 1 "$WRITES"); do
        if "$IAMCTL" --config "$CONF" create-user --user-name "w${w}u${i}" >/dev/null 2>"$T/w$w.err"; then
            echo "w${w}u${i}" >>"$T/applied.$w"
        else
            # A refusal must say why (lock timeout...), in one clear line.
            grep -q '^iamctl: ' "$T/w$w.err" || { echo "unclear refusal: $(cat "$T/w$w.err")" >>"$T/writer.errors"; }
            cat "$T/w$w.err" >>"$T/refusals"
        fi
    done
}
reader_cli() {
    local n=0 torn=0
    while [ ! -e "$T/writers.done" ]; do
        if "$IAMCTL" --config "$CONF" list-users >"$T/r.out" 2>"$T/r.err"; then
            jq -e '.Users | type == "array"' "$T/r.out" >/dev/null || torn=$((torn + 1))
        else
            torn=$((torn + 1)); cat "$T/r.err" >>"$T/reader.errors"
        fi
        n=$((n + 1))
    done
    echo "$n $torn" >"$T/reader_cli.result"
}
reader_raw() {
    local n=0 torn=0 out
    while [ ! -e "$T/writers.done" ]; do
        # A snapshot: the users and the Serial agree (each write adds one user and one Serial).
        out=$(sqlite3 -cmd '.timeout 30000' "$DB" \
            "SELECT (SELECT count(*) FROM identities WHERE kind = 1) - serial FROM account" 2>&1)
        [ "$out" = "$((0 - serial0))" ] || { torn=$((torn + 1)); echo "$out" >>"$T/reader.errors"; }
        n=$((n + 1))
    done
    echo "$n $torn" >"$T/reader_raw.result"
}
reader_cli & rc_pid=$!
reader_raw & rr_pid=$!
t0=$(date +%s%N)
pids=()
for w in $(seq 1 "$WRITERS"); do writer "$w" & pids+=($!); done
wait "${pids[@]}"
t1=$(date +%s%N)
touch "$T/writers.done"
wait $rc_pid $rr_pid
applied=$(cat "$T"/applied.* 2>/dev/null | wc -l)
refused=$(grep -c . "$T/refusals" 2>/dev/null || true)
echo "writers: $WRITERS x $WRITES in $(((t1 - t0) / 1000000)) ms: $applied applied, ${refused:-0} refused"
[ -s "$T/refusals" ] && { echo "refusals:"; sed 's/w[0-9]*u[0-9]*/NAME/g' "$T/refusals" | sort | uniq -c; }
[ ! -s "$T/writer.errors" ] || bad "refusals without a clear message: $(head -3 "$T/writer.errors")"
[ $((applied + ${refused:-0})) -eq $((WRITERS * WRITES)) ] || bad "applied + refused != $((WRITERS * WRITES))"
# concurrent administrators queue (the writers' lock, SQLite's busy timeout): none is refused
[ "${refused:-0}" = 0 ] || bad "${refused} writes were refused instead of waiting their turn"
users=$(q "SELECT count(*) FROM identities WHERE kind = 1")
[ "$users" = "$applied" ] || bad "the store holds $users users, $applied writes were applied (lost updates)"
[ "$applied" -gt 0 ] || bad "no write was applied"
cat "$T"/applied.* | sort >"$T/want"
q "SELECT name FROM identities WHERE kind = 1" | sort >"$T/have"
cmp -s "$T/want" "$T/have" || bad "the users in the store differ from the applied writes"
[ "$(q "SELECT serial FROM account")" = $((serial0 + applied)) ] || bad "Serial $(q "SELECT serial FROM account"), expected $((serial0 + applied))"
[ "$(q "SELECT count(DISTINCT posix_id) FROM identities WHERE kind = 1")" = "$users" ] || bad "duplicate uids"
[ "$(q "SELECT count(DISTINCT unique_id) FROM identities WHERE kind = 1")" = "$users" ] || bad "duplicate user ids"
[ "$(q "PRAGMA integrity_check")" = ok ] || bad "integrity check"
"$IAMCTL" --config "$CONF" list-users >/dev/null || bad "the final store does not open"
# the caches follow the last commit

read -r n torn <"$T/reader_cli.result"
echo "reader (iamctl list-users): $n reads, $torn torn or failed"
[ "$torn" = 0 ] || bad "list-users failed during writes: $(head -3 "$T/reader.errors" 2>/dev/null)"
[ "$n" -gt 0 ] || bad "the CLI reader never ran"
read -r n torn <"$T/reader_raw.result"
echo "reader (sqlite3 on the store): $n reads, $torn torn or failed"
[ "$torn" = 0 ] || bad "a reader saw a torn or locked store: $(head -3 "$T/reader.errors" 2>/dev/null)"
[ "$n" -gt 0 ] || bad "the raw reader never ran"
ls "$T/cache" | grep -q '\.cache\..\{6\}$' && bad "temporary files left behind: $(ls "$T/cache")"

# ---- B: logins while the auth cache is recompiled ----------------------------------------------
FX=$T/fx
mkdir -m 0700 "$FX" "$T/svc"
. <("$PAMFX_TOOL" "$FX" sshd) || { echo "FAIL: pam fixture"; exit 1; }
printf 'auth required %s config=%s/iam.conf\naccount required %s config=%s/iam.conf\n' \
    "$MODULE" "$FX" "$MODULE" "$FX" >"$T/svc/h"
printf 'auth required pam_deny.so\naccount required pam_deny.so\n' >"$T/svc/other"
login_loop() {
    local tag=$1 tok=$2 want=$3 n=0 wrong=0 harness=0
    while [ ! -e "$T/recompile.done" ]; do
        printf '%s\n' "$tok" | LD_PRELOAD="$WRAPPER" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/svc" \
            pamtester h alice authenticate acct_mgmt >"$T/l.$tag.out" 2>"$T/l.$tag.err"
        # pam_wrapper copies its config into /tmp/pam.X (one random letter, shared by every
        # test on the machine); when it cannot, no PAM module ran at all. That is the harness
        # failing, not a login: count it apart and try again.
        if grep -q "pwrap_init" "$T/l.$tag.err"; then
            harness=$((harness + 1))
            [ "$harness" -le 20 ] && continue
        fi
        case $want in
        ok) grep -q "account management done" "$T/l.$tag.out" || { wrong=$((wrong + 1)); cat "$T/l.$tag.err" >>"$T/login.errors"; } ;;
        autherr) grep -q "Authentication failure" "$T/l.$tag.err" || { wrong=$((wrong + 1)); cat "$T/l.$tag.out" "$T/l.$tag.err" >>"$T/login.errors"; } ;;
        esac
        n=$((n + 1))
    done
    echo "$n $wrong" >"$T/login.$tag.result"
    echo "$tag logins: $harness pam_wrapper start-up failures retried"
}
login_loop good "$KEY_alice:$SECRET_alice" ok & g=$!
login_loop bad "$KEY_alice:$SECRET_bob" autherr & b=$!
sleep 0.5
"$RECOMPILE" "$FX/cache/auth.cache" 300 alice bob carol dave erin frank grace heidi >"$T/rc.out" 2>&1 ||
    bad "recompile loop: $(cat "$T/rc.out")"
touch "$T/recompile.done"
wait $g $b
cat "$T/rc.out"
read -r n wrong <"$T/login.good.result"
echo "logins with the right key during recompiles: $n, failed: $wrong"
[ "$wrong" = 0 ] || bad "right-key logins failed during recompiles: $(sort "$T/login.errors" | uniq -c | head -5)"
[ "$n" -gt 0 ] || bad "no login ran"
read -r n wrong <"$T/login.bad.result"
echo "logins with a wrong key during recompiles: $n, not PAM_AUTH_ERR: $wrong"
[ "$wrong" = 0 ] || bad "wrong-key logins failed for another reason: $(sort "$T/login.errors" | uniq -c | head -5)"

echo "# $FAILS failed"
[ "$FAILS" = 0 ]
