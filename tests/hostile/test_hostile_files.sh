#!/bin/bash
# Hostile files, through the real programs: the store and iam.conf under
# iamctl, a JSON database of an earlier version that iamctl would convert, iam.conf and the
# auth cache under pam_iam (pamtester + pam_wrapper). Each file is a symlink, world- or
# group-writable or readable, owned by another user, truncated, empty, 1 GB (sparse: must be
# refused by what it is, fast), not a store, a store of a newer version; the JSON database
# nested 100,000 levels, with invalid UTF-8, NUL bytes, names with ':' or a newline, uid 0,
# duplicate ids. Each must get a clear refusal (exit code and a message naming the file), fail
# closed (no login, no write) and change nothing (the files compared byte for byte), without
# reading a 1 GB file: each refusal reads under 16 MiB and uses under 10 s of CPU (work, not
# wall time, which a loaded machine stretches).
#   test_hostile_files.sh IAMCTL PAMFX_TOOL PAM_IAM_SO PAM_WRAPPER_LIB
set -uo pipefail
IAMCTL=$1 PAMFX_TOOL=$2 MODULE=$3 WRAPPER=$4
# shellcheck source=../helpers/work.sh
. "$(dirname "$0")/../helpers/work.sh"
MAX_READ=$((16 << 20)) MAX_CPU_MS=10000
for p in pamtester jq python3 sqlite3; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (files owned by another user)"; exit 77; }

T=$(mktemp -d "${TMPDIR:-/tmp}/hostile-files.XXXXXX")
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
CONF=$T/iam.conf DB=$T/iam.db
PASS=0 FAILS=0

ok() { PASS=$((PASS + 1)); }
bad() {
    echo "FAIL: $*" >&2
    for f in out err; do [ -s "$T/$f" ] && { echo "--- $f:" >&2; head -c 2000 "$T/$f" >&2; }; done
    FAILS=$((FAILS + 1))
}
# State of everything a refused command must leave alone: the store and its side files (through
# any symlink, and the link itself), the JSON database, iam.conf, every cache file.
state() {
    {
        ls -ln --time-style=+ "$T" "$T/cache" 2>/dev/null | grep -v '^total\| out$\| err$\|\.lock$'
        # every regular file under 100,000,000 bytes, hashed by one sha256sum
        find "$DB" "$DB"-wal "$DB"-shm "$T/iam.json" "$CONF" "$T"/cache/* "$T"/*.real \
            -maxdepth 0 -type f -size -100000000c -exec sha256sum {} +
    } 2>/dev/null | sha256sum
}
# within_work DESC WHAT: the last work_run stayed under MAX_READ bytes and MAX_CPU_MS.
within_work() {
    if [ "$WORK_READ" -gt "$MAX_READ" ]; then bad "$1: $2 read $WORK_READ bytes"; return 1; fi
    if [ "$WORK_CPU_MS" -gt "$MAX_CPU_MS" ]; then bad "$1: $2 used $WORK_CPU_MS ms of CPU"; return 1; fi
}
# refused CODE PATTERN DESC ARGS...: iamctl exits CODE, says PATTERN on stderr (grep -E),
# stays within the work bounds, and changes nothing.
refused() {
    local code=$1 pat=$2 desc=$3 before after rc
    shift 3
    before=$(state)
    work_run "$IAMCTL" --config "$CONF" "$@" >"$T/out" 2>"$T/err"
    rc=$WORK_RC
    after=$(state)
    if [ "$rc" != "$code" ]; then bad "$desc: iamctl $1: exit $rc, expected $code"; return; fi
    if ! grep -Eq -- "$pat" "$T/err"; then bad "$desc: iamctl $1: stderr does not match /$pat/"; return; fi
    if [ "$before" != "$after" ]; then bad "$desc: iamctl $1 changed files"; return; fi
    within_work "$desc" "iamctl $1" || return
    ok
}

# ---- a good store ----------------------------------------------------------------------------
"$IAMCTL" --config "$CONF" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
    --database "$DB" --cache-dir "$T/cache" --audit-log none --uid-min 5000 --uid-max 6000 \
    >/dev/null || { echo "FAIL: iamctl init"; exit 1; }
for u in alice bob; do
    "$IAMCTL" --config "$CONF" create-user --user-name $u >/dev/null || { echo "FAIL: create-user"; exit 1; }
done
"$IAMCTL" --config "$CONF" create-group --group-name admins >/dev/null &&
"$IAMCTL" --config "$CONF" add-user-to-group --user-name alice --group-name admins >/dev/null &&
"$IAMCTL" --config "$CONF" create-access-key --user-name alice >/dev/null &&
"$IAMCTL" --config "$CONF" put-user-policy --user-name alice --policy-name login \
    --policy-document '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"host:*","Resource":"*"}}' \
    >/dev/null || { echo "FAIL: building the good store"; exit 1; }
[ "$(sqlite3 "$DB" "SELECT count(*) FROM identities WHERE kind = 1")" = 2 ] || { echo "FAIL: good store shape"; exit 1; }
cp -p "$DB" "$T/good.db"
[ ! -e "$DB-wal" ] || { echo "FAIL: a closed store left a -wal file"; exit 1; }

# install_db FILE: FILE becomes the store (root 0600), as an attacker with write access to
# /etc/iam would leave it.
install_db() { cp "$1" "$DB" && chmod 0600 "$DB" && chown 0:0 "$DB"; }
restore_db() { rm -f "$DB" "$DB"-wal "$DB"-shm "$T"/*.real "$T/iam.json"; install_db "$T/good.db"; }
# all_refuse PATTERN DESC: every kind of command refuses the store in place.
all_refuse() {
    refused 1 "$1" "$2" list-users
    refused 1 "$1" "$2" get-user --user-name alice
    refused 1 "$1" "$2" create-user --user-name mallory
    refused 1 "$1" "$2" put-user-policy --user-name alice --policy-name p \
        --policy-document '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'
    refused 1 "$1" "$2" compile
}
dbpath="iam\\.db"

# Unsafe files.
restore_db; chmod 0666 "$DB"; all_refuse "$dbpath.*writable by group or others" "world-writable store"
restore_db; chmod 0620 "$DB"; all_refuse "$dbpath.*writable by group or others" "group-writable store"
restore_db; chmod 0640 "$DB"; all_refuse "$dbpath.*readable by group or others" "group-readable store"
restore_db; chown 65534:65534 "$DB"; all_refuse "$dbpath.*owned by uid 65534" "store owned by nobody"
restore_db; mv "$DB" "$T/iam.db.real"; ln -s "$T/iam.db.real" "$DB"
all_refuse "$dbpath.*symbolic link" "store is a symlink"
restore_db; rm -f "$DB"; mkfifo "$DB"; chmod 0600 "$DB"
all_refuse "$dbpath.*not a regular file" "store is a FIFO"; rm -f "$DB"
restore_db; ln -s /dev/null "$DB-wal"; all_refuse "$dbpath-wal.*symbolic link" "-wal is a symlink"
restore_db; install -m 0600 -o 65534 /dev/null "$DB-wal"; all_refuse "$dbpath-wal.*owned by uid 65534" "-wal owned by nobody"
restore_db; chmod 0770 "$T"; all_refuse "must be owned by root and not writable by group or others" "directory writable by its group"; chmod 0700 "$T"
# Contents.
restore_db; : >"$DB"; all_refuse "$dbpath.*not an iam-host store" "empty store"
restore_db; head -c 4096 "$T/good.db" >"$DB"; all_refuse "$dbpath.*(malformed|not a database|corrupt)" "store truncated to its first page"
restore_db; head -c 5000 /dev/urandom >"$DB"; all_refuse "$dbpath.*not an iam-host store" "random bytes"
restore_db; rm -f "$DB"; truncate -s 1G "$DB"; chmod 0600 "$DB"; all_refuse "$dbpath.*not an iam-host store" "1 GB sparse file"
restore_db; rm -f "$DB"; sqlite3 "$DB" "CREATE TABLE t (x); INSERT INTO t VALUES (1)"; chmod 0600 "$DB"
all_refuse "$dbpath.*another application" "a SQLite database of another application"
restore_db; sqlite3 "$DB" "PRAGMA user_version = 99"; all_refuse "$dbpath.*newer than this iamctl" "a store of a newer version"
restore_db

# A JSON database of an earlier version is converted by the first command; a hostile one is
# refused, stays in use and unchanged (iam.conf too), and no store is left behind.
JSONDB=$T/iam.json
"$IAMCTL" --config "$CONF" get-account-authorization-details >/dev/null || { echo "FAIL: export"; exit 1; }
python3 - "$T/good.db" >"$T/good.json" <<'PY' || { echo "FAIL: making a 0.1 JSON database"; exit 1; }
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
acct, serial, nxt = db.execute("SELECT account_id, serial, next_id FROM account").fetchone()
out = {"FormatVersion": 1, "Serial": serial, "AccountId": acct, "Posix": {"NextUid": nxt},
       "UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
groups = {}
for gid_, name, uid, arn, created, pid in db.execute(
        "SELECT id, name, unique_id, arn, create_date, posix_id FROM identities WHERE kind = 2 ORDER BY id"):
    groups[gid_] = name
    out["GroupDetailList"].append({"Path": "/", "GroupName": name, "GroupId": uid, "Arn": arn,
        "CreateDate": created, "GroupPolicyList": [], "AttachedManagedPolicies": [], "Posix": {"Gid": pid}})
for iid, name, uid, arn, created, pid, gid, home, shell in db.execute(
        "SELECT id, name, unique_id, arn, create_date, posix_id, gid, home, shell FROM identities WHERE kind = 1 ORDER BY id"):
    u = {"Path": "/", "UserName": name, "UserId": uid, "Arn": arn, "CreateDate": created,
         "UserPolicyList": [{"PolicyName": n, "PolicyDocument": json.loads(d)} for n, d in
                            db.execute("SELECT name, document FROM inline_policies WHERE identity = ?", (iid,))],
         "GroupList": [groups[g] for (g,) in db.execute("SELECT grp FROM memberships WHERE user = ?", (iid,))],
         "AttachedManagedPolicies": [],
         "AccessKeys": [{"AccessKeyId": k, "Status": s, "CreateDate": c, "SecretHash": h} for k, s, c, h in
                        db.execute("SELECT access_key_id, status, create_date, secret_hash FROM access_keys WHERE user = ?", (iid,))],
         "Posix": {"Uid": pid, "Gid": gid, "Home": home, "Shell": shell}}
    out["UserDetailList"].append(u)
json.dump(out, sys.stdout, indent=4)
PY
install_json() { rm -f "$DB" "$DB"-wal "$DB"-shm; cp "$1" "$JSONDB" && chmod 0600 "$JSONDB" && chown 0:0 "$JSONDB"
    sed -i "s|^database = .*|database = $JSONDB|" "$CONF"; }
restore_json() { install_json "$T/good.json"; }
j() { python3 -c "import json,sys; d=json.load(open('$T/good.json')); $1; sys.stdout.write(json.dumps(d))"; }
jpath="iam\\.json"
# migrate_refuses PATTERN DESC: the conversion is refused and leaves everything as it was
migrate_refuses() {
    refused 1 "$1" "$2" create-user --user-name mallory
    refused 1 "$1" "$2" migrate
}
restore_json; chmod 0666 "$JSONDB"; migrate_refuses "$jpath.*(writable|mode)" "world-writable JSON database"
restore_json; chown 65534:65534 "$JSONDB"; migrate_refuses "$jpath.*(owned|owner)" "JSON database owned by nobody"
restore_json; head -c $(($(stat -c %s "$T/good.json") / 2)) "$T/good.json" >"$JSONDB"
migrate_refuses "$jpath:[0-9]+:[0-9]+: .*stays in use" "truncated JSON database"
restore_json; python3 -c "import sys; sys.stdout.write('{\"UserDetailList\":' + '['*100000 + ']'*100000 + '}')" >"$JSONDB"
migrate_refuses "$jpath:1:[0-9]+: .*(nest|deep)" "nested 100,000 levels"
restore_json; python3 -c "import sys; sys.stdout.write('{\"x\":' + '{\"a\":'*100000 + '1' + '}'*100001)" >"$JSONDB"
migrate_refuses "$jpath:1:[0-9]+: .*(nest|deep)" "nested 100,000 objects"
restore_json; sed 's/"alice"/"al\xffice"/' "$T/good.json" >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: .*(UTF-8|utf-8|encoding)" "invalid UTF-8 in a name"
restore_json; sed 's/"bob"/"b\xc0\xafb"/' "$T/good.json" >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "overlong UTF-8 encoding"
restore_json; sed 's/"alice"/"al\x00ice"/' "$T/good.json" >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: .*(NUL|control|byte)" "raw NUL byte in a name"
restore_json; j 'd["UserDetailList"][0]["UserName"]="al\u0000ice"' >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "escaped NUL in a name"
restore_json; j 'd["UserDetailList"][1]["UserName"]="b:ob"; d["UserDetailList"][1]["Arn"]=d["UserDetailList"][1]["Arn"].replace("bob","b:ob")' >"$JSONDB"
migrate_refuses "$jpath:[0-9]+:[0-9]+: " "user name with ':'"
restore_json; j 'd["UserDetailList"][1]["UserName"]="b\nob"' >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "user name with a newline"
restore_json; j 'd["GroupDetailList"][0]["GroupName"]="ad:mins"' >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "group name with ':'"
restore_json; j 'd["UserDetailList"][0]["Posix"]["Home"]="/home/a:b"' >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "home with ':'"
restore_json; j 'd["UserDetailList"][0]["Posix"]["Shell"]="/bin/sh\n"' >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "shell with a newline"
restore_json; j 'd["UserDetailList"][1]["Posix"]["Uid"]=0' >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "uid 0"
restore_json; j 'd["UserDetailList"][1]["Posix"]["Gid"]=0' >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "gid 0"
restore_json; j 'd["GroupDetailList"][0]["Posix"]["Gid"]=0' >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "group gid 0"
restore_json; j 'd["UserDetailList"][1]["Posix"]["Uid"]=d["UserDetailList"][0]["Posix"]["Uid"]' >"$JSONDB"
migrate_refuses "$jpath:[0-9]+:[0-9]+: .*uid" "duplicate uid"
restore_json; j 'd["UserDetailList"][1]["UserId"]=d["UserDetailList"][0]["UserId"]' >"$JSONDB"
migrate_refuses "$jpath:[0-9]+:[0-9]+: " "duplicate user id"
restore_json; j 'd["UserDetailList"][1]["UserName"]="ALICE"; d["UserDetailList"][1]["Arn"]=d["UserDetailList"][1]["Arn"].replace("bob","ALICE")' >"$JSONDB"
migrate_refuses "$jpath:[0-9]+:[0-9]+: " "duplicate user name (case)"
restore_json; j 'd["UserDetailList"][1]["Posix"]["Uid"]=4294967295' >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "uid 2^32-1"
restore_json; j 'd["UserDetailList"][0]["AccessKeys"][0]["SecretHash"]="plain-secret"' >"$JSONDB"; migrate_refuses "$jpath:[0-9]+:[0-9]+: " "secret hash of an unknown format"
restore_json; sed 's/123456789012/444455556666/g' "$T/good.json" >"$JSONDB"; migrate_refuses "$jpath: AccountId 444455556666 is not account_id" "JSON database of another account"
# a file where the store would go that is not a store is never overwritten
restore_json; echo "not mine" >"$DB"; chmod 0600 "$DB"; migrate_refuses "$dbpath exists and is not an iam-host store" "a foreign file at the store's path"
# and the good one converts: the store appears, iam.conf names it, the JSON file is kept as it was
restore_json; cp -p "$JSONDB" "$T/json.before"
"$IAMCTL" --config "$CONF" list-users >"$T/out" 2>"$T/err" && [ -f "$DB" ] && grep -q "^database = $DB$" "$CONF" &&
    cmp -s "$JSONDB" "$T/json.before" && grep -q "converted the JSON database" "$T/err" && ok ||
    bad "the good JSON database did not convert"
rm -f "$JSONDB" "$T/json.before"
restore_db

# The same hostile documents as an AWS export handed to `iamctl import`: refused, nothing
# changes.
imp() { refused 1 "$1" "$2" import --authorization-details "file://$T/export.json"; }
: >export.json; imp "export\\.json:1:1: " "import: empty export"
truncate -s 1G export.json; imp "export\\.json.*too large" "import: 1 GB sparse export"
python3 -c "import sys; sys.stdout.write('{\"UserDetailList\":' + '['*100000 + ']'*100000 + '}')" >export.json
imp "export\\.json:1:[0-9]+: .*(nest|deep)" "import: nested 100,000 levels"
j 'del d["FormatVersion"]; del d["Serial"]; del d["AccountId"]; del d["Posix"]; [u.pop(k) for u in d["UserDetailList"] for k in ("AccessKeys", "Posix")]; [g.pop("Posix") for g in d["GroupDetailList"]]' >"$T/export.good"
sed 's/"alice"/"al\xffice"/' "$T/export.good" >export.json; imp "export\\.json:[0-9]+:[0-9]+: " "import: invalid UTF-8"
python3 -c "import json; d=json.load(open('$T/export.good')); d['UserDetailList'][1]['UserName']='b:ob'; print(json.dumps(d))" >export.json
imp "export\\.json:[0-9]+:[0-9]+: " "import: name with ':'"
python3 -c "import json; d=json.load(open('$T/export.good')); d['UserDetailList'][1]['UserName']='b\nob'; print(json.dumps(d))" >export.json
imp "export\\.json:[0-9]+:[0-9]+: " "import: name with a newline"
# credentials and POSIX ids never come from a file
cp "$T/good.json" export.json; imp "export\\.json:[0-9]+:[0-9]+: \"(Posix|AccessKeys)\" in .*: an export cannot bring credentials" "import: an export carrying credentials"
rm -f export.json "$T/export.good"

# ---- iam.conf under iamctl ---------------------------------------------------------------
cp -p "$CONF" "$T/good.conf"
restore_conf() { rm -f "$CONF" "$T/conf.real"; cp "$T/good.conf" "$CONF"; chmod 0644 "$CONF"; chown 0:0 "$CONF"; }
cpath="iam\\.conf"
restore_conf; chmod 0666 "$CONF"; refused 1 "$cpath.*(writable|mode)" "world-writable iam.conf" list-users
restore_conf; chown 65534 "$CONF"; refused 1 "$cpath.*(owned|owner)" "iam.conf owned by nobody" list-users
restore_conf; mv "$CONF" "$T/conf.real"; ln -s "$T/conf.real" "$CONF"
refused 1 "$cpath.*(symbolic|symlink)" "iam.conf is a symlink" list-users
restore_conf; : >"$CONF"; refused 1 "$cpath.*(missing|required|empty)" "empty iam.conf" list-users
restore_conf; head -c 40 "$T/good.conf" >"$CONF"; refused 1 "$cpath" "truncated iam.conf" list-users
restore_conf; truncate -s 1G "$CONF"; refused 1 "$cpath.*too large" "1 GB sparse iam.conf" list-users
restore_conf; sed 's|^default_shell = .*|default_shell = /bin/b\xffsh|' "$T/good.conf" >"$CONF"
refused 1 "$cpath:[0-9]+:[0-9]+: .*UTF-8" "invalid UTF-8 in iam.conf" list-users
restore_conf; sed 's|^default_shell = .*|default_shell = /bin/bash\x00/tmp/evil|' "$T/good.conf" >"$CONF"
refused 1 "$cpath:[0-9]+" "NUL byte in iam.conf" list-users
restore_conf; sed 's|^home_template = .*|home_template = /home/%u:x|' "$T/good.conf" >"$CONF"
refused 1 "$cpath:[0-9]+" "home_template with ':'" list-users
restore_conf; python3 -c "import sys; sys.stdout.write(open('$T/good.conf').read() + 'host_tag.k = ' + 'v'*2000000 + '\n')" >"$CONF"
refused 1 "$cpath.*too large|$cpath:[0-9]+" "2 MB line in iam.conf" list-users
restore_conf

# ---- iam.conf and the auth cache under pam_iam -------------------------------------------------
FX=$T/fx
mkdir -m 0700 "$FX" "$T/svc"
# shellcheck disable=SC1090
. <("$PAMFX_TOOL" "$FX" sshd) || { echo "FAIL: pam fixture"; exit 1; }
for s in h; do
    printf 'auth required %s config=%s/iam.conf\naccount required %s config=%s/iam.conf\n' \
        "$MODULE" "$FX" "$MODULE" "$FX" >"$T/svc/$s"
done
printf 'auth required pam_deny.so\naccount required pam_deny.so\n' >"$T/svc/other"
pt() {
    LD_PRELOAD="$WRAPPER" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/svc" pamtester h "$@"
}
# login OK|UNAVAIL DESC OPS: alice with her right key.
alice_types_her_key() { printf '%s\n' "$KEY_alice:$SECRET_alice" | pt alice "$@"; }
login() {
    local want=$1 desc=$2 rc
    shift 2
    work_run alice_types_her_key "$@" >"$T/out" 2>"$T/err"
    rc=$WORK_RC
    case $want in
    OK) [ "$rc" = 0 ] || { bad "$desc: pamtester exit $rc"; return; } ;;
    UNAVAIL)
        [ "$rc" != 0 ] || { bad "$desc: login SUCCEEDED"; return; }
        grep -q "cannot retrieve authentication info" "$T/err" ||
            { bad "$desc: not PAM_AUTHINFO_UNAVAIL"; return; } ;;
    esac
    within_work "$desc" pamtester || return
    ok
}
login OK "good fixture" authenticate acct_mgmt
AC=$FX/cache/auth.cache
cp -p "$AC" "$T/good.cache"
cp -p "$FX/iam.conf" "$T/good.pamconf"
restore_ac() { rm -f "$AC" "$T/ac.real"; cp -p "$T/good.cache" "$AC"; }
restore_pc() { rm -f "$FX/iam.conf" "$T/pc.real"; cp -p "$T/good.pamconf" "$FX/iam.conf"; }
for op in authenticate acct_mgmt; do
    restore_ac; chmod 0644 "$AC"; login UNAVAIL "auth cache readable by others ($op)" $op
    restore_ac; chmod 0660 "$AC"; login UNAVAIL "auth cache group-writable ($op)" $op
    restore_ac; chown 65534 "$AC"; login UNAVAIL "auth cache owned by nobody ($op)" $op
    restore_ac; mv "$AC" "$T/ac.real"; ln -s "$T/ac.real" "$AC"; login UNAVAIL "auth cache is a symlink ($op)" $op
    restore_ac; : >"$AC"; login UNAVAIL "empty auth cache ($op)" $op
    restore_ac; head -c 200 "$T/good.cache" >"$AC"; login UNAVAIL "auth cache truncated in the index ($op)" $op
    restore_ac; head -c $(($(stat -c %s "$T/good.cache") - 100)) "$T/good.cache" >"$AC"
    login UNAVAIL "auth cache truncated in the records ($op)" $op
    restore_ac; truncate -s 1G "$AC"; login UNAVAIL "auth cache grown to 1 GB ($op)" $op
    restore_ac; rm -f "$AC"; truncate -s 1G "$AC"; chmod 0600 "$AC"; login UNAVAIL "1 GB sparse auth cache ($op)" $op
    restore_ac; head -c 5116 /dev/urandom >"$AC"; login UNAVAIL "random auth cache ($op)" $op
    restore_ac
    restore_pc; chmod 0666 "$FX/iam.conf"; login UNAVAIL "world-writable iam.conf ($op)" $op
    restore_pc; chown 65534 "$FX/iam.conf"; login UNAVAIL "iam.conf owned by nobody ($op)" $op
    restore_pc; mv "$FX/iam.conf" "$T/pc.real"; ln -s "$T/pc.real" "$FX/iam.conf"; login UNAVAIL "iam.conf is a symlink ($op)" $op
    restore_pc; : >"$FX/iam.conf"; login UNAVAIL "empty iam.conf ($op)" $op
    restore_pc; truncate -s 1G "$FX/iam.conf"; login UNAVAIL "1 GB iam.conf ($op)" $op
    restore_pc; sed -i 's/^account_id = .*/account_id = 1234\x0056789012/' "$FX/iam.conf"; login UNAVAIL "NUL in iam.conf ($op)" $op
    restore_pc
done
login OK "good fixture again" authenticate acct_mgmt
cmp -s "$AC" "$T/good.cache" || bad "the auth cache changed"

echo "# $PASS passed, $FAILS failed"
[ "$FAILS" = 0 ]
