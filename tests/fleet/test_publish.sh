#!/bin/bash
# The publishing side: init makes the signing key and the fleet key pair (root 0600),
# create-bundle-signing-key refuses to replace a key unless told, get-bundle-public-key,
# export-fleet-key, publish (files, manifest, unchanged store = same files), and a pulling
# host's iam.conf refusing the store verbs with bundle_url named.
# Usage: test_publish.sh IAMCTL
IAMCTL=$1
. "$(dirname "$0")/../iamctl/lib.sh"

mode() { stat -c %a "$1"; }
manifest() { python3 -c 'import json,sys,base64; print(base64.b64decode(json.load(open(sys.argv[1]))["Manifest"]).decode())' "$1"; }

mkdir -p "$T/etc"
expect_ok init --account-id 123456789012 --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-admin \
    --database "$DB" --cache-dir "$T/cache" --audit-log "$T/audit.jsonl"
[ "$(mode "$T/bundle-signing.key")" = 600 ] || fail "signing key not 0600"
[ "$(mode "$T/fleet.key")" = 600 ] || fail "fleet key not 0600"
grep -q "^signing_key = $T/bundle-signing.key\$" "$CONF" || fail "iam.conf lacks signing_key"
grep -q "^fleet_key = $T/fleet.key\$" "$CONF" || fail "iam.conf lacks fleet_key"
ok

# get-bundle-public-key: {"PublicKey": "<base64 of 32 bytes>"}
expect_ok get-bundle-public-key
PK=$(python3 -c 'import json,sys,base64; k=json.load(open(sys.argv[1]))["PublicKey"]; assert len(base64.b64decode(k,validate=True))==32; print(k)' "$T/out") \
    || fail "PublicKey is not base64 of 32 bytes"
ok

# an existing key is not replaced unless told
cp "$T/bundle-signing.key" "$T/sk.before"
expect_fail 1 "already exists; refusing to replace it.*--replace" create-bundle-signing-key
cmp -s "$T/sk.before" "$T/bundle-signing.key" || fail "signing key changed by a refused command"
cp "$T/fleet.key" "$T/fk.before"
expect_ok create-bundle-signing-key --replace
cmp -s "$T/sk.before" "$T/bundle-signing.key" && fail "--replace kept the old key"
cmp -s "$T/fk.before" "$T/fleet.key" || fail "--replace changed the fleet key"
expect_ok get-bundle-public-key
grep -q "$PK" "$T/out" && fail "public key unchanged after --replace"
ok

# a second store beside the first: init uses the keys that are there (hosts keep trusting them)
"$IAMCTL" --config "$T/second.conf" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-second --database "$T/second.db" \
    --cache-dir "$T/cache2" --audit-log none >/dev/null 2>"$T/err" || fail "a second init beside the keys: $(cat "$T/err")"
cmp -s "$T/sk.before" "$T/bundle-signing.key" && fail "test broken: key not replaced above"
"$IAMCTL" --config "$T/second.conf" get-bundle-public-key >"$T/out2" || fail "second store's key"
cmp -s "$T/out" "$T/out2" || fail "the second init made another signing key"
# but not a key file others can read
chmod 0644 "$T/fleet.key"
"$IAMCTL" --config "$T/third.conf" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-third --database "$T/third.db" \
    --cache-dir "$T/cache3" --audit-log none >/dev/null 2>"$T/err" && fail "init accepted a fleet key others can read"
grep -q 0600 "$T/err" || fail "init's refusal of the fleet key does not say 0600"
[ -e "$T/third.db" ] || [ -e "$T/third.conf" ] && fail "a refused init left files"
chmod 0600 "$T/fleet.key"
ok

# init --signing-key FILE, and a store without keys gets them from create-bundle-signing-key
mkdir "$T/two"
"$IAMCTL" --config "$T/two/iam.conf" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-two --database "$T/two/iam.db" \
    --cache-dir "$T/two/cache" --audit-log none --signing-key "$T/two/my-signing.key" >/dev/null \
    || fail "init --signing-key"
[ "$(mode "$T/two/my-signing.key")" = 600 ] || fail "init --signing-key: no 0600 key at FILE"
rm "$T/two/my-signing.key" "$T/two/fleet.key"
"$IAMCTL" --config "$T/two/iam.conf" publish --output "$T/two/pub" >"$T/out" 2>"$T/err" \
    && fail "publish without keys succeeded"
grep -q "create-bundle-signing-key" "$T/err" || fail "publish without keys does not say what to run"
"$IAMCTL" --config "$T/two/iam.conf" create-bundle-signing-key >"$T/out" 2>"$T/err" || fail "create-bundle-signing-key"
grep -q FleetKeyCreated "$T/out" || fail "create-bundle-signing-key did not make the missing fleet key"
ok

# export-fleet-key: 0600, refusing an existing file
expect_ok export-fleet-key --output "$T/exported.key"
[ "$(mode "$T/exported.key")" = 600 ] || fail "exported fleet key not 0600"
cmp -s "$T/exported.key" "$T/fleet.key" || fail "exported fleet key differs"
expect_fail 1 "refusing to replace" export-fleet-key --output "$T/exported.key"

# publish
expect_ok create-user --user-name alice
SERIAL=$(sqlite3 "$DB" 'select serial from account')
expect_ok publish --output "$T/pub" --valid-for 2
python3 - "$T/out" "$SERIAL" <<'PY' || fail "publish output"
import json, sys, datetime
o = json.load(open(sys.argv[1]))
assert o["Serial"] == int(sys.argv[2]), o
c = datetime.datetime.strptime(o["Created"], "%Y-%m-%dT%H:%M:%SZ")
e = datetime.datetime.strptime(o["Expires"], "%Y-%m-%dT%H:%M:%SZ")
assert (e - c).total_seconds() == 2 * 86400, o
assert o["Unchanged"] is False
PY
ok
[ "$(ls "$T/pub" | wc -l)" = 4 ] || fail "publish wrote other than 4 files: $(ls -A "$T/pub")"
[ "$(ls -A "$T/pub" | wc -l)" = 4 ] || fail "publish left hidden files: $(ls -A "$T/pub")"
manifest "$T/pub/manifest.json" >"$T/m1" || fail "manifest is not the signed envelope"
grep -q '"AccountId":"123456789012"' "$T/m1" || fail "manifest lacks the account"
grep -q "\"Serial\":$SERIAL," "$T/m1" || fail "manifest lacks the Serial"
# the world-readable files hold no hash in the clear
printf 'Corr3ct-Horse-Battery\n' | "$IAMCTL" --config "$CONF" create-login-profile --user-name alice \
    >/dev/null 2>"$T/err" || fail "create-login-profile"
expect_ok publish --output "$T/pub"
for f in "$T"/pub/*; do
    if zcat -f "$f" 2>/dev/null | grep -aq 'argon2id'; then fail "a password hash is readable in $f"; fi
done
grep -aqr argon2id "$T/cache" || fail "no password hash was set (test broken)"
ok
# unchanged store: same files, new manifest
grep '"Path"' "$T/out" >"$T/files1"
cp "$T/pub/manifest.json" "$T/manifest1"
sleep 1
expect_ok publish --output "$T/pub"
grep -q '"Unchanged": true' "$T/out" || fail "publish of an unchanged store made new files"
grep '"Path"' "$T/out" | diff - "$T/files1" >/dev/null || fail "files changed on an unchanged publish"
cmp -s "$T/pub/manifest.json" "$T/manifest1" && fail "manifest not renewed"
ok
# a change: new files, the previous bundle's kept
expect_ok create-user --user-name bob
expect_ok publish --output "$T/pub"
[ "$(ls "$T/pub" | wc -l)" = 7 ] || fail "previous bundle's files not kept: $(ls "$T/pub")"
ok
# two publishes within one second: the second manifest is later by its modification time, so
# web servers' validators (nginx: mtime in seconds and size) tell them apart
m1=$(stat -c %Y "$T/pub/manifest.json")
expect_ok create-user --user-name quick
expect_ok publish --output "$T/pub"
expect_ok create-user --user-name quicker
expect_ok publish --output "$T/pub"
m3=$(stat -c %Y "$T/pub/manifest.json")
[ "$m3" -ge $((m1 + 2)) ] || fail "manifest modification times $m1 then $m3: two publishes look alike to a conditional GET"
ok

# a host that pulls: no store; the store verbs name bundle_url
cp "$T/exported.key" "$T/host-fleet.key"
expect_ok get-bundle-public-key
PK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["PublicKey"])' "$T/out")
HCONF=$T/host.conf
"$IAMCTL" --config "$HCONF" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-host --bundle-url "file://$T/pub" \
    --bundle-public-key "$PK" --bundle-secret-key "$T/host-fleet.key" --cache-dir "$T/hcache" \
    --audit-log "$T/haudit.jsonl" >"$T/out" 2>"$T/err" || fail "init of a pulling host"
grep -q "^bundle_url = file://$T/pub\$" "$HCONF" || fail "bundle_url not written"
grep -q "^database" "$HCONF" && fail "a pulling host's iam.conf names a database"
[ -e "$T/iam.db" ] && [ ! -e "$T/hcache/iam.db" ] || fail "pulling host made a store"
ok
for verb in "create-user --user-name carol" "list-users" "compile" "publish --output $T/x" \
            "get-bundle-public-key" "export-fleet-key --output $T/y"; do
    # shellcheck disable=SC2086
    "$IAMCTL" --config "$HCONF" $verb >"$T/out" 2>"$T/err"
    RC=$?
    [ "$RC" = 1 ] || fail "pulling host: iamctl $verb exited $RC"
    grep -q "bundle_url = file://$T/pub" "$T/err" || fail "pulling host: iamctl $verb does not name bundle_url"
    ok
done
[ -e "$T/x" ] || [ -e "$T/y" ] && fail "a refused verb wrote a file"
# init refuses a fleet key file others can read, and pull options without --bundle-url
chmod 0644 "$T/host-fleet.key"
"$IAMCTL" --config "$T/host2.conf" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-host --bundle-url "file://$T/pub" \
    --bundle-public-key "$PK" --bundle-secret-key "$T/host-fleet.key" >"$T/out" 2>"$T/err" \
    && fail "init accepted a fleet key readable by others"
grep -q "0600" "$T/err" || fail "init does not say the key must be 0600"
[ -e "$T/host2.conf" ] && fail "a refused init wrote iam.conf"
expect_fail 2 "give --bundle-url" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-x --bundle-public-key "$PK"
"$IAMCTL" --config "$T/host3.conf" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-host --bundle-url "http://example.com/b" \
    --bundle-public-key "$PK" --bundle-secret-key "$T/exported.key" >"$T/out" 2>"$T/err" \
    && fail "init accepted an http:// bundle_url"
grep -q "https://" "$T/err" || fail "http:// refusal does not say what is accepted"
ok
echo "ok: $PASS checks"
