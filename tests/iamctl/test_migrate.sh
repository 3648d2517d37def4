#!/bin/bash
# The conversion of a JSON database of iam-host 0.1 (tests/data/iam-0.1.0.json, written by
# iamctl 0.1.0: an imported AWS account plus users, keys, a password, an SSH key, groups and
# policies made on the host) into the store: the first command converts it, iam.conf names
# the store, the JSON file stays byte for byte, everything carries over (ids, hashes, the
# Serial, the high-water mark), the export is the one 0.1.0 printed
# (tests/data/iam-0.1.0.export.json); a conversion killed at any moment leaves the JSON
# database in use or the store complete.
#   test_migrate.sh IAMCTL DATA_DIR
IAMCTL=$(realpath "$1")
DATA=$(realpath "$2")
. "$(dirname "$0")/lib.sh"
# this host's local accounts: none of the 0.1 database's ids or names (lib.sh's localuser has
# uid 5003, which is alice's in the 0.1 database; that case is tested below)
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$T/passwd"
printf 'root:x:0:\n' >"$T/group"

JSON=$T/iam.json
setup() {
    rm -rf "$T/cache" "$T"/iam.db* "$T"/iam.json*
    install -m 0600 "$DATA/iam-0.1.0.json" "$JSON"
    cat >"$CONF" <<EOF
account_id = 111122223333
host_arn = arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc
database = $JSON
cache_dir = $T/cache
audit_log = none
uid_min = 5000
uid_max = 5999
EOF
    chmod 0644 "$CONF"
}

# ---- the first command converts
setup
sum=$(sha256sum <"$JSON")
expect_ok list-users
jcheck '[.Users[].UserName] == ["alice","bob","carol.ops","dave@example.com","erin_ci","zoe"]'
grep -q "converted the JSON database $JSON to the store $DB (Serial 17)" "$T/err" || fail "no conversion notice"
grep -qx "database = $DB" "$CONF" || fail "iam.conf does not name the store"
[ "$(sha256sum <"$JSON")" = "$sum" ] || fail "the JSON database was written"
[ "$(stat -c %a "$DB")" = 600 ] || fail "store mode"
[ ! -e "$DB.migrating" ] || fail "the conversion left its temporary store"
[ -f "$T/cache/nss.cache" ] && [ -f "$T/cache/auth.cache" ] || fail "no caches after the conversion"
ok
# everything carried over
sqlcheck "SELECT account_id, serial, next_id FROM account" "111122223333|17|5011"
sqlcheck "PRAGMA integrity_check" ok
for u in alice bob carol.ops dave@example.com erin_ci zoe; do
    want=$(jq -r --arg u "$u" '.UserDetailList[] | select(.UserName == $u) |
        [.Posix.Uid, .Posix.Gid, .Posix.Home, .Posix.Shell, (.Posix.Gecos // "")] | map(tostring) | join("|")' "$JSON")
    sqlcheck "SELECT posix_id, gid, home, shell, coalesce(gecos, '') FROM identities WHERE kind = 1 AND name = '$u'" "$want"
done
want=$(jq -r '[.UserDetailList[] | .AccessKeys // [] | .[] | [.AccessKeyId, .Status, .CreateDate, .SecretHash] | join("|")] | sort | .[]' "$JSON")
sqlcheck "SELECT access_key_id || '|' || status || '|' || create_date || '|' || secret_hash FROM access_keys ORDER BY 1" "$want"
want=$(jq -r '.UserDetailList[] | select(.LoginProfile) | [.UserName, .LoginProfile.PasswordHash, (.LoginProfile.PasswordResetRequired | if . then 1 else 0 end)] | map(tostring) | join("|")' "$JSON")
sqlcheck "SELECT i.name, l.password_hash, l.password_reset_required FROM login_profiles l JOIN identities i ON i.id = l.user" "$want"
want=$(jq -r '.UserDetailList[] | .SSHPublicKeys // [] | .[] | [.SSHPublicKeyId, .Fingerprint, .Status] | join("|")' "$JSON")
sqlcheck "SELECT ssh_key_id || '|' || fingerprint || '|' || status FROM ssh_keys" "$want"
want=$(jq -r '[.GroupDetailList[] | "\(.GroupName)=\(.Posix.Gid)"] | join(",")' "$JSON")
sqlcheck "SELECT group_concat(name || '=' || posix_id) FROM (SELECT * FROM identities WHERE kind = 2 ORDER BY id)" "$want"
# the export is the one 0.1.0 printed for this database
expect_ok get-account-authorization-details
jq -S . "$T/out" >"$T/got.json"
jq -S . "$DATA/iam-0.1.0.export.json" >"$T/want.json"
diff -u "$T/want.json" "$T/got.json" >"$T/diff" || { cat "$T/diff"; fail "the export differs from 0.1.0's"; }
ok
# a write works, and the Serial goes on from the database's
expect_ok create-user --user-name after
sqlcheck "SELECT serial, posix_id FROM account, identities WHERE name = 'after'" "18|5011"
# nothing more to convert
expect_ok migrate
jcheck '.Converted == false and .Database == "'"$DB"'" and .Serial == 18'
grep -q "converted" "$T/err" && fail "a second conversion"
ok

# ---- a 0.1 database whose ids a local account took since: converted, but not compiled
setup
printf 'localuser:x:5003:5003::/home/l:/bin/sh\n' >>"$T/passwd"
expect_ok list-users
grep -q 'compiling the host caches failed (run iamctl compile).*user "alice": uid 5003 is the local account "localuser"' "$T/err" ||
    fail "no warning naming the collision"
[ ! -e "$T/cache/nss.cache" ] || fail "caches compiled over a local account's uid"
ok
sed -i '$d' "$T/passwd"

# ---- `iamctl migrate` converts too
setup
expect_ok migrate
jcheck '.Converted == true and .Serial == 17'
grep -qx "database = $DB" "$CONF" || fail "migrate did not change iam.conf"

# ---- a store left by an interrupted conversion (iam.conf not yet changed) is replaced; one
# written since is not overwritten
setup
expect_ok migrate
sed -i "s|^database = .*|database = $JSON|" "$CONF"
expect_ok list-users
grep -qx "database = $DB" "$CONF" || fail "the conversion after an interrupted one"
expect_ok create-user --user-name written-since
sed -i "s|^database = .*|database = $JSON|" "$CONF"
expect_fail 1 "is a store written since the JSON database was converted \(Serial 18 > 17\)" list-users
grep -qx "database = $JSON" "$CONF" || fail "iam.conf changed by a refused conversion"

# ---- killed at any moment: the JSON database stays in use, or the store is complete
setup
t0=$(date +%s%N)
"$IAMCTL" --config "$CONF" migrate >/dev/null 2>&1 || fail "timing run"
dur=$((($(date +%s%N) - t0) / 1000))
kills=40 old=0 new=0
for i in $(seq 0 $((kills - 1))); do
    setup
    "$IAMCTL" --config "$CONF" migrate >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v d="$dur" -v i="$i" -v n="$kills" 'BEGIN { printf "%.6f", d * 1.5 * i / n / 1000000 }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ "$(sha256sum <"$JSON")" = "$sum" ] || fail "kill $i: the JSON database was written"
    if grep -qx "database = $JSON" "$CONF"; then
        old=$((old + 1))
    else
        grep -qx "database = $DB" "$CONF" || fail "kill $i: iam.conf is neither"
        [ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] || fail "kill $i: store integrity"
        sqlcheck "SELECT serial, (SELECT count(*) FROM identities WHERE kind = 1) FROM account" "17|6"
        new=$((new + 1))
    fi
    # whatever was left, the next command ends with the store in use, whole
    expect_ok list-users
    jcheck '(.Users | length) == 6'
    grep -qx "database = $DB" "$CONF" || fail "kill $i: not converted afterwards"
done
echo "conversion killed $kills times: $old left the JSON database in use, $new the store"
[ "$old" -gt 0 ] || fail "no kill landed before the conversion finished"

echo "ok: $PASS checks"
