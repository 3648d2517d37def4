#!/bin/bash
# Hostile files, through the real programs: the database and iam.conf under
# iamctl, iam.conf and the auth cache under pam_iam (pamtester + pam_wrapper). Each file is a
# symlink, world- or group-writable, owned by another user, truncated, empty, 1 GB (sparse:
# must be refused by its size, fast), nested 100,000 levels, or holds invalid UTF-8, NUL
# bytes, names with ':' or a newline, uid 0, duplicate ids. Each must get a clear refusal
# (exit code and a message naming the file), fail closed (no login, no write) and change
# nothing (the database and caches compared byte for byte before and after).
#   test_hostile_files.sh IAMCTL PAMFX_TOOL PAM_IAM_SO PAM_WRAPPER_LIB
set -uo pipefail
IAMCTL=$1 PAMFX_TOOL=$2 MODULE=$3 WRAPPER=$4
for p in pamtester jq python3; do
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
CONF=$T/iam.conf DB=$T/iam.json
PASS=0 FAILS=0

ok() { PASS=$((PASS + 1)); }
bad() {
    echo "FAIL: $*" >&2
    for f in out err; do [ -s "$T/$f" ] && { echo "--- $f:" >&2; head -c 2000 "$T/$f" >&2; }; done
    FAILS=$((FAILS + 1))
}
# State of everything a refused command must leave alone: the database (through any symlink,
# and the link itself), iam.conf, every cache file.
state() {
    {
        ls -ln --time-style=+ "$T" "$T/cache" 2>/dev/null | grep -v '^total\| out$\| err$'
        for f in "$DB" "$CONF" "$T"/cache/* "$T"/*.real; do
            [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 100000000 ] && sha256sum "$f"
        done
    } 2>/dev/null | sha256sum
}
# refused CODE PATTERN DESC ARGS...: iamctl exits CODE, says PATTERN on stderr (grep -E),
# takes under 2 s, and changes nothing.
refused() {
    local code=$1 pat=$2 desc=$3 before after rc t0 t1
    shift 3
    before=$(state)
    t0=$(date +%s%N)
    "$IAMCTL" --config "$CONF" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    t1=$(date +%s%N)
    after=$(state)
    if [ "$rc" != "$code" ]; then bad "$desc: iamctl $1: exit $rc, expected $code"; return; fi
    if ! grep -Eq -- "$pat" "$T/err"; then bad "$desc: iamctl $1: stderr does not match /$pat/"; return; fi
    if [ "$before" != "$after" ]; then bad "$desc: iamctl $1 changed files"; return; fi
    if [ $(((t1 - t0) / 1000000)) -gt 2000 ]; then bad "$desc: iamctl $1 took $(((t1 - t0) / 1000000)) ms"; return; fi
    ok
}

# ---- a good database -------------------------------------------------------------------------
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
    >/dev/null || { echo "FAIL: building the good database"; exit 1; }
cp -p "$DB" "$T/good.json"
jq -e '.UserDetailList | length == 2' "$DB" >/dev/null || { echo "FAIL: good database shape"; exit 1; }

# install_db VARIANT-FILE: the variant becomes the database (root 0600), as an attacker with
# write access to /etc/iam would leave it.
install_db() { cp "$1" "$DB" && chmod 0600 "$DB" && chown 0:0 "$DB"; }
restore_db() { rm -f "$DB" "$T"/*.real; install_db "$T/good.json"; }
# all_refuse PATTERN DESC: every kind of command refuses the database in place.
all_refuse() {
    refused 1 "$1" "$2" list-users
    refused 1 "$1" "$2" get-user --user-name alice
    refused 1 "$1" "$2" create-user --user-name mallory
    refused 1 "$1" "$2" put-user-policy --user-name alice --policy-name p \
        --policy-document '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'
    refused 1 "$1" "$2" compile
}
j() { python3 -c "import json,sys; d=json.load(open('$T/good.json')); $1; sys.stdout.write(json.dumps(d))"; }
dbpath="iam\\.json"

# Unsafe files.
restore_db; chmod 0666 "$DB"; all_refuse "$dbpath.*(writable|mode)" "world-writable database"
restore_db; chmod 0620 "$DB"; all_refuse "$dbpath.*(writable|mode)" "group-writable database"
restore_db; chown 65534:65534 "$DB"; all_refuse "$dbpath.*(owned|owner)" "database owned by nobody"
restore_db; mv "$DB" "$T/iam.json.real"; ln -s "$T/iam.json.real" "$DB"
all_refuse "$dbpath.*symbolic link|$dbpath.*symlink" "database is a symlink"
restore_db; rm -f "$DB"; mkfifo "$DB"; chmod 0600 "$DB"
all_refuse "$dbpath.*(regular|refusing)" "database is a FIFO"; rm -f "$DB"
# Contents.
restore_db; : >"$DB"; all_refuse "$dbpath:1:1: .*empty" "empty database"
restore_db; head -c $(($(stat -c %s "$T/good.json") / 2)) "$T/good.json" >"$DB"
all_refuse "$dbpath:[0-9]+:[0-9]+: " "truncated database"
restore_db; truncate -s 1G "$DB"; all_refuse "$dbpath.*too large" "1 GB sparse database"
restore_db; python3 -c "import sys; sys.stdout.write('{\"UserDetailList\":' + '['*100000 + ']'*100000 + '}')" >"$DB"
all_refuse "$dbpath:1:[0-9]+: .*(nest|deep)" "nested 100,000 levels"
restore_db; python3 -c "import sys; sys.stdout.write('{\"x\":' + '{\"a\":'*100000 + '1' + '}'*100001)" >"$DB"
all_refuse "$dbpath:1:[0-9]+: .*(nest|deep)" "nested 100,000 objects"
restore_db; sed 's/"alice"/"al\xffice"/' "$T/good.json" >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: .*(UTF-8|utf-8|encoding)" "invalid UTF-8 in a name"
restore_db; sed 's/"bob"/"b\xc0\xafb"/' "$T/good.json" >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "overlong UTF-8 encoding"
restore_db; sed 's/"alice"/"al\x00ice"/' "$T/good.json" >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: .*(NUL|control|byte)" "raw NUL byte in a name"
restore_db; j 'd["UserDetailList"][0]["UserName"]="al\u0000ice"' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "escaped NUL in a name"
restore_db; j 'd["UserDetailList"][0]["Posix"]["Gecos"]="x\u0000y"' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "escaped NUL in a gecos"
restore_db; j 'd["UserDetailList"][1]["UserName"]="b:ob"; d["UserDetailList"][1]["Arn"]=d["UserDetailList"][1]["Arn"].replace("bob","b:ob")' >"$DB"
all_refuse "$dbpath:[0-9]+:[0-9]+: " "user name with ':'"
restore_db; j 'd["UserDetailList"][1]["UserName"]="b\nob"' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "user name with a newline"
restore_db; j 'd["GroupDetailList"][0]["GroupName"]="ad:mins"' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "group name with ':'"
restore_db; j 'd["UserDetailList"][0]["Posix"]["Home"]="/home/a:b"' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "home with ':'"
restore_db; j 'd["UserDetailList"][0]["Posix"]["Shell"]="/bin/sh\n"' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "shell with a newline"
restore_db; j 'd["UserDetailList"][1]["Posix"]["Uid"]=0' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "uid 0"
restore_db; j 'd["UserDetailList"][1]["Posix"]["Gid"]=0' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "gid 0"
restore_db; j 'd["GroupDetailList"][0]["Posix"]["Gid"]=0' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "group gid 0"
restore_db; j 'd["UserDetailList"][1]["Posix"]["Uid"]=d["UserDetailList"][0]["Posix"]["Uid"]' >"$DB"
all_refuse "$dbpath:[0-9]+:[0-9]+: .*uid" "duplicate uid"
restore_db; j 'd["UserDetailList"][1]["UserId"]=d["UserDetailList"][0]["UserId"]' >"$DB"
all_refuse "$dbpath:[0-9]+:[0-9]+: " "duplicate user id"
restore_db; j 'd["UserDetailList"][1]["UserName"]="ALICE"; d["UserDetailList"][1]["Arn"]=d["UserDetailList"][1]["Arn"].replace("bob","ALICE")' >"$DB"
all_refuse "$dbpath:[0-9]+:[0-9]+: " "duplicate user name (case)"
restore_db; j 'd["UserDetailList"][1]["Posix"]["Uid"]=4294967295' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "uid 2^32-1"
restore_db; j 'd["UserDetailList"][1]["Posix"]["Uid"]=4294967296' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "uid 2^32"
restore_db; j 'd["UserDetailList"][1]["Posix"]["Uid"]=-1' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "uid -1"
restore_db; j 'd["UserDetailList"][0]["AccessKeys"][0]["AccessKeyId"]="AKIA123"' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "access key id too short"
restore_db; j 'd["UserDetailList"][0]["AccessKeys"][0]["AccessKeyId"]="AKIAabcdefghijklmnop"' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "access key id lowercase"
restore_db; j 'd["UserDetailList"][0]["AccessKeys"][0]["SecretHash"]="plain-secret"' >"$DB"; all_refuse "$dbpath:[0-9]+:[0-9]+: " "secret hash of an unknown format"
restore_db

# The same hostile documents as an AWS export handed to `iamctl import`: refused, nothing
# changes. (The export form has no Posix; the refusal comes from the document itself.)
imp() { refused 1 "$1" "$2" import --authorization-details "file://$T/export.json"; }
cp "$T/good.json" export.json; : >export.json; imp "export\\.json:1:1: " "import: empty export"
truncate -s 1G export.json; imp "export\\.json.*too large" "import: 1 GB sparse export"
python3 -c "import sys; sys.stdout.write('{\"UserDetailList\":' + '['*100000 + ']'*100000 + '}')" >export.json
imp "export\\.json:1:[0-9]+: .*(nest|deep)" "import: nested 100,000 levels"
sed 's/"alice"/"al\xffice"/' "$T/good.json" >export.json; imp "export\\.json:[0-9]+:[0-9]+: " "import: invalid UTF-8"
j 'd["UserDetailList"][1]["UserName"]="b:ob"' >export.json; imp "export\\.json:[0-9]+:[0-9]+: " "import: name with ':'"
j 'd["UserDetailList"][1]["UserName"]="b\nob"' >export.json; imp "export\\.json:[0-9]+:[0-9]+: " "import: name with a newline"
rm -f export.json

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
login() {
    local want=$1 desc=$2 rc t0 t1
    shift 2
    t0=$(date +%s%N)
    printf '%s\n' "$KEY_alice:$SECRET_alice" | pt alice "$@" >"$T/out" 2>"$T/err"
    rc=$?
    t1=$(date +%s%N)
    case $want in
    OK) [ "$rc" = 0 ] || { bad "$desc: pamtester exit $rc"; return; } ;;
    UNAVAIL)
        [ "$rc" != 0 ] || { bad "$desc: login SUCCEEDED"; return; }
        grep -q "cannot retrieve authentication info" "$T/err" ||
            { bad "$desc: not PAM_AUTHINFO_UNAVAIL"; return; } ;;
    esac
    [ $(((t1 - t0) / 1000000)) -lt 3000 ] || { bad "$desc: took $(((t1 - t0) / 1000000)) ms"; return; }
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
