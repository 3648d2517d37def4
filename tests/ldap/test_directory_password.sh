#!/bin/bash
# Directory passwords through pam_iam (pamtester under pam_wrapper) and the helper
# iam-ldap-auth, against a real slapd (tests/ldap/lib.sh): the directory's password logs an
# imported user in, over StartTLS and ldaps; a wrong one is refused and counted; the directory
# down, silent past the time-out, or showing a certificate of another CA: refused with
# PAM_AUTHINFO_UNAVAIL (fail closed) and audited; a user with a login profile keeps using it;
# a disabled directory account is refused; an ldap:dn tag that did not come from a directory
# import is never bound as; pam_iam itself never maps libldap.
#   test_directory_password.sh IAMCTL PAM_IAM PAM_WRAPPER_LIB IAM_LDAP_AUTH
. "$(dirname "$0")/../helpers/private_net.sh"
IAMCTL=$(realpath "$1")
PAM_IAM=$(realpath "$2")
PAM_WRAPPER=$3
HELPER=$(realpath "$4")
HERE=$(cd "$(dirname "$0")" && pwd)
command -v pamtester >/dev/null || { echo "SKIP: pamtester missing"; exit 77; }
. "$HERE/../security/lib.sh"
. "$HERE/lib.sh"

init_sec
B=$LDAP_BASE
ldap_init
cat >"$T/data.ldif" <<EOF
dn: ou=people,$B
objectClass: organizationalUnit
ou: people

dn: uid=alice,ou=people,$B
objectClass: inetOrgPerson
objectClass: posixAccount
uid: alice
cn: Alice
sn: A
uidNumber: 5010
gidNumber: 5010
homeDirectory: /home/alice
userPassword: $(slappasswd -s 'alice directory pw')

dn: uid=bob,ou=people,$B
objectClass: inetOrgPerson
objectClass: posixAccount
uid: bob
cn: Bob
sn: B
uidNumber: 5011
gidNumber: 5011
homeDirectory: /home/bob
userPassword: $(slappasswd -s 'bob directory pw')

EOF
ldap_load "$T/data.ldif"
ldap_start
expect_ok import-ldap --uri "$LDAP_URI" --base-dn "ou=people,$B" --schema rfc2307 \
    --ca-file "$LDAP_CA" --bind-dn "$LDAP_READER_DN" --bind-password-file "$LDAP_READER_PW_FILE"
# bob also has an IAM login profile: it is his password on this host
printf 'bob iam password 1\n' | "$IAMCTL" --config "$CONF" create-login-profile --user-name bob \
    >/dev/null || fail "create-login-profile bob"
# an ldap:dn tag on an identity made here (only a hand-edited store can have one: tag-user and
# import refuse the key) is not passed on to auth.cache, so it never names a DN to bind as
expect_ok create-user --user-name mallory
sqlite3 "$DB" "INSERT INTO tags (identity, key, value) SELECT id, 'ldap:dn',
    'uid=alice,ou=people,$B' FROM identities WHERE name = 'mallory'" || fail "tag by hand"
expect_ok compile
expect_ok put-user-policy --user-name alice --policy-name login --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*"}]}'

pam_service iam "auth required $PAM_IAM config=$CONF" "account required $PAM_IAM config=$CONF"
conf_ldap() { # conf_ldap URI [CA]: the directory settings of iam.conf
    sed -i '/^ldap_/d' "$CONF"
    printf 'ldap_uri = %s\nldap_ca_file = %s\nldap_timeout = 1\nldap_auth_helper = %s\n' \
        "$1" "${2:-$LDAP_CA}" "$HELPER" >>"$CONF"
}
audit_last() { tail -n 1 "$T/audit.jsonl"; }

# without ldap_uri: no directory passwords
expect_pam_fail "Authentication failure" iam alice 'alice directory pw' authenticate

conf_ldap "$LDAP_URI"
expect_pam_ok iam alice 'alice directory pw' authenticate acct_mgmt
audit_last | jq -e 'select(.eventName == "Login")' >/dev/null || fail "no Login record"
ok
grep '"eventName":"Authenticate"' "$T/audit.jsonl" | tail -n 1 |
    jq -e '.errorCode == null and .additionalEventData.authMethod == "password"' >/dev/null ||
    { tail -n 3 "$T/audit.jsonl" >&2; fail "the accepted directory password's audit record"; }
ok
expect_pam_fail "Authentication failure" iam alice 'wrong pw' authenticate
audit_last | jq -e '.errorCode == "FailedAuthentication"' >/dev/null ||
    { audit_last >&2; fail "the refused directory password's audit record"; }
ok
# an empty password is never sent (an unauthenticated bind would succeed)
expect_pam_fail "Authentication failure" iam alice '' authenticate
# bob's IAM password, not the directory's
expect_pam_ok iam bob 'bob iam password 1' authenticate
expect_pam_fail "Authentication failure" iam bob 'bob directory pw' authenticate
# the hand-made ldap:dn tag: mallory cannot bind as alice
expect_pam_fail "Authentication failure" iam mallory 'alice directory pw' authenticate
expect_ok get-user --user-name mallory
jcheck '(.User.Tags | from_entries | .["ldap:dn"]) != null'

# a disabled directory account (the tag an AD import sets): refused before any bind
sqlite3 "$DB" "INSERT INTO tags (identity, key, value) SELECT id, 'ldap:disabled', 'true'
    FROM identities WHERE name = 'alice'" || fail "tag by hand"
expect_ok compile
expect_pam_fail "Authentication failure" iam alice 'alice directory pw' authenticate
audit_last | jq -e '.errorCode == "DirectoryAccountDisabled"' >/dev/null ||
    { audit_last >&2; fail "the disabled account's audit record"; }
ok
sqlite3 "$DB" "DELETE FROM tags WHERE key = 'ldap:disabled'" || fail "untag"
expect_ok compile

# ldaps://
conf_ldap "$LDAPS_URI"
expect_pam_ok iam alice 'alice directory pw' authenticate
# a certificate of another CA: not checked, fail closed
conf_ldap "$LDAPS_URI" "$LD/other-ca.crt"
expect_pam_fail "Authentication service cannot retrieve authentication info" iam alice 'alice directory pw' \
    authenticate
audit_last | jq -e '.errorCode == "DirectoryUnavailable"' >/dev/null ||
    { audit_last >&2; fail "the unavailable directory's audit record"; }
ok

# a server that accepts and never answers: the time-out (1 s) ends it
SILENT_PORT=$(free_port)
python3 -c 'import socket, time, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
c = [s.accept()[0] for _ in range(2)]; time.sleep(30)' "$SILENT_PORT" &
SILENT=$!
sleep 0.3
conf_ldap "ldap://127.0.0.1:$SILENT_PORT"
start=$(date +%s%N)
expect_pam_fail "Authentication service cannot retrieve authentication info" iam alice 'alice directory pw' \
    authenticate
elapsed=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed" -lt 8000 ] || fail "the silent directory took ${elapsed} ms (killed at 4 s)"
ok
kill "$SILENT" 2>/dev/null
wait "$SILENT" 2>/dev/null

# the directory down: refused, not counted as a wrong password, and logins work again after
conf_ldap "$LDAP_URI"
ldap_stop
expect_pam_fail "Authentication service cannot retrieve authentication info" iam alice 'alice directory pw' \
    authenticate
ldap_start
expect_pam_ok iam alice 'alice directory pw' authenticate

# the helper missing: fail closed
sed -i "s|^ldap_auth_helper = .*|ldap_auth_helper = $T/no-such-helper|" "$CONF"
expect_pam_fail "Authentication service cannot retrieve authentication info" iam alice 'alice directory pw' \
    authenticate
conf_ldap "$LDAP_URI"

# pam_iam never maps libldap (the helper does)
if command -v strace >/dev/null; then
    printf '%s\n' 'alice directory pw' | LD_PRELOAD="${PAM_PRELOAD:-$PAM_WRAPPER}" PAM_WRAPPER=1 \
        PAM_WRAPPER_DISABLE_DEEPBIND=1 PAM_WRAPPER_SERVICE_DIR="$PAMSVC" \
        strace -e trace=openat -o "$T/strace" pamtester iam alice authenticate >/dev/null 2>&1 ||
        fail "pamtester under strace"
    ! grep -q libldap "$T/strace" || fail "pamtester's process mapped libldap"
    ok
fi

echo "PASS: $PASS checks"
