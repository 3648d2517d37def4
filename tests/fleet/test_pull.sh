#!/bin/bash
# Pulling over file://: a host with no store obeys the admin's account after one pull (getent
# through libnss_iam.so.2, pamtester through pam_iam.so), forgets a deleted user after the next;
# sshd's keys come with it (iam-authorized-keys on the host prints the key, and stops when the
# key is deleted); every refusal (signature altered or of another key, any byte of a file changed, a file
# missing, another account, a rollback, an expired bundle, a response too large, another
# fleet's key, a local collision, a privileged group name) exits 1 with an audit record and
# leaves the host exactly as it was; an unchanged bundle installs nothing; writes on the host
# are refused.
#   test_pull.sh IAMCTL FORGE NSS_IAM_SO PAM_IAM_SO PAM_WRAPPER_LIB IAM_AUTHORIZED_KEYS
IAMCTL=$(realpath "$1")
FORGE=$(realpath "$2")
NSS_DIR=$(dirname "$(realpath "$3")")
PAM_IAM=$(realpath "$4")
PAM_WRAPPER=$5
AUTHKEYS=$(realpath "$6")
. "$(dirname "$0")/lib.sh"
command -v pamtester >/dev/null || { echo "SKIP: pamtester missing"; exit 77; }

# getent through the real glibc and libnss_iam.so.2, on the host's installed caches
hgetent() { IAM_NSS_CACHE="$HCACHE/nss.cache" LD_LIBRARY_PATH="$NSS_DIR" getent -s iam "$@"; }
# a login on the host: auth and account through pam_iam with the host's iam.conf
pam_service login "auth required $PAM_IAM config=$HOST" "account required $PAM_IAM config=$HOST"
POLICY='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*"}]}'

# only the pull helper loads libcurl: iamctl's other verbs start as before
ldd "$IAMCTL" | grep -q libcurl && fail "iamctl links libcurl"
ldd "$(dirname "$IAMCTL")/iam-pull" | grep -q libcurl || fail "iam-pull does not link libcurl (test broken?)"
ok

fleet_admin_init
admin create-user --user-name alice >/dev/null || fail "create-user"
printf 'Alice-Passw0rd-1\n' | admin create-login-profile --user-name alice >/dev/null || fail "password"
admin put-user-policy --user-name alice --policy-name login --policy-document "$POLICY" >/dev/null || fail "policy"
ssh-keygen -q -t ed25519 -N '' -C alice-laptop -f "$T/alice_ssh" || fail "ssh-keygen"
KEY_ID=$(admin upload-ssh-public-key --user-name alice --ssh-public-key-body "file://$T/alice_ssh.pub" |
    jq -r .SSHPublicKey.SSHPublicKeyId) || fail "upload-ssh-public-key"
publish_to "$PUB"
fleet_host_init "file://$PUB"

# not yet pulled: nothing resolves, nobody logs in
hgetent passwd alice >/dev/null && fail "alice resolves before any pull"
"$AUTHKEYS" --config "$HOST" --uid 5000 alice >"$T/keys" 2>/dev/null && [ -s "$T/keys" ] &&
    fail "alice's SSH key given before any pull"
expect_pam_fail "." login alice Alice-Passw0rd-1 authenticate acct_mgmt

# one pull: alice exists and logs in with her password
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true
hgetent passwd alice | grep -q '^alice:\*:5[0-9]*:5[0-9]*::/home/alice:/bin/bash$' || fail "getent passwd alice after pull"
ok
expect_pam_ok login alice Alice-Passw0rd-1 authenticate acct_mgmt
expect_pam_fail "." login alice wrong-password authenticate
# sshd's AuthorizedKeysCommand on the host gives alice's key, to alice's uid only
ALICE_UID=$(hgetent passwd alice | cut -d: -f3)
"$AUTHKEYS" --config "$HOST" --uid "$ALICE_UID" alice >"$T/keys" || fail "iam-authorized-keys after pull"
[ "$(cut -d' ' -f1-2 "$T/keys")" = "$(cut -d' ' -f1-2 "$T/alice_ssh.pub")" ] ||
    fail "the pulled key is not alice's: $(cat "$T/keys")"
grep -q " $KEY_ID\$" "$T/keys" || fail "the key's line does not name its id $KEY_ID"
"$AUTHKEYS" --config "$HOST" --uid 0 alice >"$T/keys" || fail "iam-authorized-keys, another uid"
[ -s "$T/keys" ] && fail "alice's key given to another account"
[ "$(stat -c %a "$HCACHE/ssh_keys.cache")" = 644 ] || fail "ssh_keys.cache not 0644"
[ -d "$HCACHE/sshd-keys" ] || fail "no sshd-keys directory for the account phase"
ok
tail -1 "$HAUDIT" | jq -e '.eventName == "PullBundle" and .additionalEventData.decision == "success"' >/dev/null ||
    grep -q '"eventName":"PullBundle".*"decision":"success"' "$HAUDIT" || fail "no audit record of the install"
ok
# the state is root 0600 in cache_dir; the secrets were never in the clear in the bundle
[ "$(stat -c %a "$HCACHE/pull.state")" = 600 ] || fail "pull.state not 0600"
[ "$(stat -c %a "$HCACHE/auth.cache")" = 600 ] || fail "auth.cache not 0600"
ok

# unchanged: nothing installed, nothing written but the time of the check
expect_pull_ok "$(manifest_field "$PUB" .Serial)" false
# a renewed manifest (publish of an unchanged store): nothing installed either
sleep 1
publish_to "$PUB"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" false
grep -q "installed_created $(date -d "$(manifest_field "$PUB" .Created)" +%s)" "$HCACHE/pull.state" ||
    fail "renewed manifest's Created not taken"
ok

# writes on the host are refused, naming bundle_url
"$IAMCTL" --config "$HOST" create-user --user-name mallory >"$T/out" 2>"$T/err" && fail "create-user on a pulling host"
grep -q "bundle_url = file://$PUB" "$T/err" || fail "the refusal does not name bundle_url"
ok

# ---- refusals: each leaves the host as it was ---------------------------------------------
# the installed bundle is "good"; the origin serves "next", a change the host has not got
cp -a "$PUB" "$T/good"
GOOD_SERIAL=$(manifest_field "$PUB" .Serial)
admin create-user --user-name carol >/dev/null || fail "create carol"
publish_to "$PUB"
cp -a "$PUB" "$T/next"
restore() { rm -rf "$PUB"; cp -a "$T/next" "$PUB"; }

# a bad signature: one character of the signed manifest changed
restore
jq -c '.Manifest |= (.[0:40] + (if .[40:41] == "A" then "B" else "A" end) + .[41:])' "$T/next/manifest.json" >"$PUB/manifest.json"
expect_refused SignatureInvalid "signature does not verify"
# the signature itself changed
restore
jq -c '.Signature |= ((if .[0:1] == "A" then "B" else "A" end) + .[1:])' "$T/next/manifest.json" >"$PUB/manifest.json"
expect_refused SignatureInvalid "signature"
# signed by another key: a second admin with its own signing key
restore
mkdir "$T/other"
"$IAMCTL" --config "$T/other/iam.conf" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-other --database "$T/other/iam.db" \
    --cache-dir "$T/other/cache" --audit-log none --uid-min 5000 --uid-max 19999 >/dev/null || fail "other admin"
cp "$T/fleet.key" "$T/other/fleet.key" # same fleet, other signer
"$IAMCTL" --config "$T/other/iam.conf" publish --output "$T/otherpub" >/dev/null || fail "other publish"
cp "$T/otherpub"/* "$PUB/"
expect_refused SignatureInvalid "another key"
# not JSON at all (an error page)
restore
printf '<html>502 Bad Gateway</html>\n' >"$PUB/manifest.json"
expect_refused ManifestInvalid "manifest"
# any byte changed in either data file: first, middle and last byte of each
restore
for which in nss auth ssh_keys; do
    f=$PUB/$(manifest_field "$PUB" ".Files[\"$which.cache\"].Path")
    size=$(stat -c %s "$f")
    for off in 0 $((size / 2)) $((size - 1)); do
        restore
        f=$PUB/$(manifest_field "$PUB" ".Files[\"$which.cache\"].Path")
        python3 -c 'import sys; p,o=sys.argv[1],int(sys.argv[2]); b=bytearray(open(p,"rb").read()); b[o]^=1; open(p,"wb").write(b)' "$f" "$off"
        expect_refused FileAltered "SHA-256"
    done
    # one byte more, one byte less
    restore
    f=$PUB/$(manifest_field "$PUB" ".Files[\"$which.cache\"].Path")
    printf 'x' >>"$f"
    expect_refused ResponseTooLarge "larger than"
    restore
    f=$PUB/$(manifest_field "$PUB" ".Files[\"$which.cache\"].Path")
    truncate -s -1 "$f"
    expect_refused FileAltered "bytes, the manifest says"
done
# a file missing
restore
rm "$PUB/$(manifest_field "$PUB" '.Files["auth.cache"].Path')"
expect_refused FileMissing "no such file"
restore
rm "$PUB/manifest.json"
expect_refused FileMissing "no such file"

# from here on, manifests signed with the admin's key (a stolen key, or a publisher's mistake):
# what does not rest on the signature
SK=$T/adm/bundle-signing.key
forge() { restore; "$FORGE" "$SK" "$T/next/manifest.json" "$PUB/manifest.json" "$@" || fail "bundle_forge $*"; }
# another account
forge account=210987654321
expect_refused AccountMismatch "account 210987654321"
# expired, and expired a second ago
forge created=-7200 expires=-3600
expect_refused BundleExpired "expired at"
forge expires=-1
expect_refused BundleExpired "expired at"
# a response larger than bundle_max_size: the manifest claims more, and the file is bigger
forge nss_size=5000000
sed -i 's/^bundle_max_size = .*//' "$HOST"; echo "bundle_max_size = 4096" >>"$HOST"
expect_refused ResponseTooLarge "bundle_max_size"
sed -i '/^bundle_max_size = /d' "$HOST"
# the manifest says fewer bytes than the server sends: the transfer is cut off
forge nss_size=20
expect_refused ResponseTooLarge "larger than 20 bytes"
# another fleet: a host whose fleet key is not the one the secrets are sealed to
restore
mv "$T/fleet.key" "$T/fleet.key.real"
rm "$T/other/fleet.key"
"$IAMCTL" --config "$T/other/iam.conf" create-bundle-signing-key --replace >/dev/null || fail "other fleet key"
cp "$T/other/fleet.key" "$T/fleet.key"
expect_refused FleetKeyMismatch "another fleet key"
mv "$T/fleet.key.real" "$T/fleet.key"

# after all that, the host still has the good bundle, and it works
hgetent passwd alice >/dev/null || fail "alice gone after the refusals"
hgetent passwd carol >/dev/null && fail "carol arrived through a refused pull"
ok
expect_pam_ok login alice Alice-Passw0rd-1 authenticate acct_mgmt
grep -q "^installed_serial $GOOD_SERIAL\$" "$HCACHE/pull.state" || fail "installed Serial moved"
# and the untouched next bundle installs
restore
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true
hgetent passwd carol >/dev/null || fail "carol not there after the pull"
ok

# ---- a change, a deletion, a rollback ------------------------------------------------------
admin create-user --user-name bob >/dev/null || fail "create bob"
publish_to "$PUB"
cp -a "$PUB" "$T/with-bob"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true
hgetent passwd bob >/dev/null || fail "bob does not resolve after the pull"
ok
admin delete-user --user-name bob >/dev/null || fail "delete bob"
publish_to "$PUB"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true
hgetent passwd bob >/dev/null && fail "bob still resolves after deletion and pull"
ok
# a deleted SSH key stops working at the next pull
admin delete-ssh-public-key --user-name alice --ssh-public-key-id "$KEY_ID" >/dev/null || fail "delete-ssh-public-key"
publish_to "$PUB"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true
"$AUTHKEYS" --config "$HOST" --uid "$ALICE_UID" alice >"$T/keys" || fail "iam-authorized-keys after the key's deletion"
[ -s "$T/keys" ] && fail "a deleted key still given after the pull"
ok
# rollback: the older bundle (which had bob) served again, signed as it was
rm -rf "$PUB"; cp -a "$T/with-bob" "$PUB"
expect_refused Rollback "lower than"
hgetent passwd bob >/dev/null && fail "rollback brought bob back"
ok
# remembered across a restart: the state is a file; a fresh process refuses again
expect_refused Rollback "a rollback"
# nor any lower Serial, validly signed
forge serial=1
expect_refused Rollback "lower than"

# ---- bundle_max_age: IAM logins fail closed on a bundle signed too long ago ------------------
sed -i "s/^bundle_max_age = .*/bundle_max_age = 1h/" "$HOST"
expect_pam_ok login alice Alice-Passw0rd-1 authenticate acct_mgmt
# a newer bundle, validly signed two hours ago (a publisher that stopped publishing, or an
# origin frozen by an attacker): installed, and IAM logins are refused
admin create-user --user-name dan >/dev/null || fail "create dan"
publish_to "$PUB"
"$FORGE" "$SK" "$PUB/manifest.json" "$PUB/manifest.json" created=-7200 || fail "forge created"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true
expect_pam_fail "." login alice Alice-Passw0rd-1 authenticate
expect_pam_fail "." login alice Alice-Passw0rd-1 acct_mgmt
# the publisher publishes again (the store unchanged): the renewed manifest lets logins in
publish_to "$PUB"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" false
expect_pam_ok login alice Alice-Passw0rd-1 authenticate acct_mgmt
# no pull state at all, with bundle_max_age: fail closed
mv "$HCACHE/pull.state" "$T/pull.state.saved"
expect_pam_fail "." login alice Alice-Passw0rd-1 authenticate
mv "$T/pull.state.saved" "$HCACHE/pull.state"
sed -i "s/^bundle_max_age = .*/bundle_max_age = 0/" "$HOST"

# ---- what only the host knows -----------------------------------------------------------------
# a user with the name of an account only the host has (the admin cannot know it): the whole
# bundle is refused, naming the entry
admin create-user --user-name hostonly >/dev/null || fail "create hostonly"
publish_to "$PUB"
expect_refused HostConflict "user \"hostonly\".*local account"
admin delete-user --user-name hostonly >/dev/null
# a group name that grants privileges: the admin allowed it for itself, this host does not
sed -i "s/^allow_privileged_group_names = .*/allow_privileged_group_names = yes/" "$ADMIN"
admin create-group --group-name docker >/dev/null || fail "create-group docker on the admin"
publish_to "$PUB"
expect_refused HostConflict "docker"
admin delete-group --group-name docker >/dev/null || fail "delete-group docker"
publish_to "$PUB"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true

# a host without a bundle_url has nothing to pull
"$IAMCTL" --config "$ADMIN" pull >"$T/out" 2>"$T/err" && fail "pull on the admin host"
grep -q "has no bundle_url" "$T/err" || fail "pull on the admin host: $(cat "$T/err")"
ok
echo "ok: $PASS checks"
