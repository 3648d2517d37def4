# Helpers for the fleet tests: an admin host (store, keys) and a pulling host in a scratch
# directory. Source after setting IAMCTL, FORGE (bundle_forge), PAM_IAM and PAM_WRAPPER.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../security/lib.sh"
ADMIN=$T/admin.conf
HOST=$T/host.conf
HCACHE=$T/hcache
HAUDIT=$T/haudit.jsonl
PUB=$T/pub

admin() { "$IAMCTL" --config "$ADMIN" "$@"; }
# the admin host: store, signing key, fleet key; a user with a password
fleet_admin_init() {
    mkdir -p "$T/adm"
    admin init --account-id 123456789012 --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-admin \
        --database "$T/adm/iam.db" --cache-dir "$T/adm/cache" --audit-log none \
        --uid-min 5000 --uid-max 19999 >/dev/null || fail "admin init"
    admin export-fleet-key --output "$T/fleet.key" >/dev/null || fail "export-fleet-key"
    PK=$(admin get-bundle-public-key | jq -r .PublicKey) || fail "get-bundle-public-key"
}
# fleet_host_init URL [more init options]: the pulling host's iam.conf
fleet_host_init() {
    local url=$1
    shift
    rm -f "$HOST"
    "$IAMCTL" --config "$HOST" init --account-id 123456789012 \
        --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-host --bundle-url "$url" \
        --bundle-public-key "$PK" --bundle-secret-key "$T/fleet.key" --cache-dir "$HCACHE" \
        --audit-log "$HAUDIT" --uid-min 5000 --uid-max 19999 "$@" >/dev/null || fail "host init"
}
# hpull: iamctl pull on the host; stdout $T/out, stderr $T/err, exit $RC
# The host's own local accounts: the admin's, plus one only the host has.
cp "$T/passwd" "$T/hpasswd"; cp "$T/group" "$T/hgroup"
printf 'hostonly:x:4999:4999::/home/h:/bin/sh\n' >>"$T/hpasswd"
printf 'hostonly:x:4999:\n' >>"$T/hgroup"
hpull() {
    IAMCTL_PASSWD_FILE=$T/hpasswd IAMCTL_GROUP_FILE=$T/hgroup "$IAMCTL" --config "$HOST" pull \
        >"$T/out" 2>"$T/err"
    RC=$?
}
# the host's installed state: the switch, both caches, the pull state
host_state() {
    (cd "$HCACHE" 2>/dev/null && readlink current; sha256sum nss.cache auth.cache pull.state 2>/dev/null; ls -d gen.* 2>/dev/null)
}
# expect_pull_ok SERIAL INSTALLED
expect_pull_ok() {
    hpull
    [ "$RC" = 0 ] || fail "pull failed (exit $RC)"
    [ "$(jq -c . "$T/out")" = "{\"Serial\":$1,\"Installed\":$2}" ] || fail "pull printed $(cat "$T/out"), expected Serial $1 Installed $2"
    ok
}
# expect_refused CODE PATTERN: exit 1, the error, an audit record with errorCode CODE, and the
# host exactly as it was
expect_refused() {
    local code=$1 pat=$2 before n
    before=$(host_state)
    n=$(cat "$HAUDIT" 2>/dev/null | wc -l)
    hpull
    [ "$RC" = 1 ] || fail "expected pull to be refused ($code), exit $RC"
    grep -q "$code" "$T/err" || fail "pull's error does not name $code"
    grep -Eq -- "$pat" "$T/err" || fail "pull's error does not match /$pat/"
    grep -q "nothing was installed" "$T/err" || fail "pull does not say nothing was installed"
    [ "$(host_state)" = "$before" ] || fail "a refused pull ($code) changed the host"
    [ "$(cat "$HAUDIT" | wc -l)" = $((n + 1)) ] || fail "no audit record for $code"
    tail -1 "$HAUDIT" | jq -e --arg c "$code" '.eventName == "PullBundle" and .errorCode == $c and
        .additionalEventData.decision == "failure" and (.errorMessage | length > 0)' >/dev/null ||
        fail "audit record of $code: $(tail -1 "$HAUDIT")"
    ok
}
# publish_to DIR: publish the admin's store
publish_to() { admin publish --output "$1" >"$T/pubout" || fail "publish"; }
# manifest_field DIR JQ: a field of DIR's manifest
manifest_field() { jq -r .Manifest "$1/manifest.json" | base64 -d | jq -r "$2"; }
