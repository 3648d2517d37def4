#!/bin/bash
# iamctl import-ldap against a real slapd (tests/ldap/lib.sh) with rfc2307 and rfc2307bis
# entries: users, groups, memberships, ids and keys through getent and the store; StartTLS,
# ldaps and ldapi (SASL EXTERNAL); paged results through a server size limit of 5 entries; a
# second run that changes nothing (Serial and store unchanged); --dry-run; a renamed, a moved
# and a deleted entry on the next import; --delete-missing touching only this directory's
# identities; ids outside the range or clashing, refused with both named and nothing changed;
# the directory down, silent (time-out) or showing a certificate of another CA.
#   test_import_ldap.sh IAMCTL NSS_MODULE_DIR
. "$(dirname "$0")/../helpers/private_net.sh"
IAMCTL=$(realpath "$1")
NSS_DIR=$(realpath "$2")
PAM_IAM=/nonexistent
PAM_WRAPPER=/nonexistent
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../security/lib.sh"
. "$HERE/lib.sh"

init_sec
KEY_A="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
KEY_B="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3ZtYUc+DiC1jdcBqY7xjpFuWvnU7qyeB0N6BVsNNQY"
B=$LDAP_BASE

ldap_init
cat >"$T/data.ldif" <<EOF
dn: ou=unix,$B
objectClass: organizationalUnit
ou: unix

dn: ou=people,ou=unix,$B
objectClass: organizationalUnit
ou: people

dn: ou=groups,ou=unix,$B
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,ou=unix,$B
objectClass: inetOrgPerson
objectClass: posixAccount
objectClass: ldapPublicKey
uid: alice
cn: Alice Liddell
sn: Liddell
uidNumber: 5010
gidNumber: 5010
homeDirectory: /home/alice
loginShell: /bin/bash
sshPublicKey: $KEY_A alice@laptop
userPassword: $(slappasswd -s alice-directory-pw)

dn: uid=bob,ou=people,ou=unix,$B
objectClass: inetOrgPerson
objectClass: posixAccount
uid: bob
cn: Bob Builder
sn: Builder
gecos: Bob the Builder,Room 1
uidNumber: 5011
gidNumber: 5020
homeDirectory: /home/bob

dn: uid=carol,ou=people,ou=unix,$B
objectClass: inetOrgPerson
objectClass: posixAccount
uid: carol
cn: Carol
sn: C
uidNumber: 5012
gidNumber: 5012
homeDirectory: /srv/carol
loginShell: /bin/sh

dn: uid=dave,ou=people,ou=unix,$B
objectClass: inetOrgPerson
objectClass: posixAccount
uid: dave
cn: Dave
sn: D
uidNumber: 5013
gidNumber: 5013
homeDirectory: /home/dave

dn: uid=erin,ou=people,ou=unix,$B
objectClass: inetOrgPerson
objectClass: posixAccount
uid: erin
cn: Erin
sn: E
uidNumber: 5014
gidNumber: 5014
homeDirectory: /home/erin

dn: uid=frank,ou=people,ou=unix,$B
objectClass: inetOrgPerson
objectClass: posixAccount
uid: frank
cn: Frank
sn: F
uidNumber: 5015
gidNumber: 5015
homeDirectory: /home/frank

dn: cn=devs,ou=groups,ou=unix,$B
objectClass: posixGroup
cn: devs
gidNumber: 5020
memberUid: alice
memberUid: bob
memberUid: ghost

dn: cn=ops,ou=groups,ou=unix,$B
objectClass: posixGroup
cn: ops
gidNumber: 5021
memberUid: carol
memberUid: alice

dn: cn=alice,ou=groups,ou=unix,$B
objectClass: posixGroup
cn: alice
gidNumber: 5010
memberUid: alice

EOF
ldap_load "$T/data.ldif"
ldap_start

G=(env IAM_NSS_CACHE="$T/cache/nss.cache" LD_LIBRARY_PATH="$NSS_DIR")
getent_is() { # getent_is DB KEY EXPECTED
    local got
    got=$("${G[@]}" getent -s iam "$1" "$2")
    [ "$got" = "$3" ] || fail "getent $1 $2: want '$3', got '$got'"
    ok
}
U=ou=unix,$B
IMPORT=(import-ldap --uri "$LDAP_URI" --base-dn "$U" --schema rfc2307 --ca-file "$LDAP_CA"
    --bind-dn "$LDAP_READER_DN" --bind-password-file "$LDAP_READER_PW_FILE" --page-size 2)

# --- the first import, over StartTLS, paged (2 a page) through the server's limit of 5 ---
expect_ok "${IMPORT[@]}"
jcheck '.ImportedFromDirectory == {"Users": 6, "NewUsers": 6, "UpdatedUsers": 0, "Groups": 3,
    "NewGroups": 2, "UpdatedGroups": 0, "Warnings": 1}'
grep -q "group devs: member ghost is not an imported user, skipped" "$T/err" ||
    fail "no warning for the member that is not a user"
ok
SERIAL=$(jq .Serial "$T/out")
getent_is passwd alice "alice:*:5010:5010:Alice Liddell:/home/alice:/bin/bash"
getent_is passwd 5011 "bob:*:5011:5020:Bob the Builder,Room 1:/home/bob:/bin/bash"
getent_is passwd carol "carol:*:5012:5012:Carol:/srv/carol:/bin/sh"
getent_is group devs "devs:x:5020:alice,bob"
getent_is group 5021 "ops:x:5021:alice,carol"
getent_is group alice "alice:x:5010:"
got=$("${G[@]}" getent -s iam initgroups alice | tr -s ' ')
[ "$got" = "alice 5020 5021" ] || fail "initgroups alice: $got"
ok
expect_ok list-ssh-public-keys --user-name alice
jcheck '.SSHPublicKeys | length == 1 and .[0].Status == "Active"'
expect_ok get-ssh-public-key --user-name alice --encoding SSH \
    --ssh-public-key-id "$(jq -r '.SSHPublicKeys[0].SSHPublicKeyId' "$T/out")"
jcheck ".SSHPublicKey.SSHPublicKeyBody == \"$KEY_A\""
expect_ok get-user --user-name alice
jcheck '.User.Arn == "arn:aws:iam::123456789012:user/alice" and
    (.User.Tags | from_entries | .["ldap:dn"] == "uid=alice,ou=people,ou=unix,dc=example,dc=org"
     and (.["ldap:uuid"] | test("^[0-9a-f-]{36}$")))'
ALICE_ID=$(jq -r .User.UserId "$T/out")
sqlcheck "SELECT count(*) FROM identities WHERE source = 'ldap:ou=unix,dc=example,dc=org'" 8

# the server's size limit is real: a search without paging is cut at 5 entries (the import
# above read 6 users and 3 groups through it, 2 a page)
ldapsearch -x -H "$LDAPI_URI" -D "$LDAP_READER_DN" -w reader-secret -b "$U" \
    '(objectClass=posixAccount)' dn >"$T/out" 2>&1
[ $? -eq 4 ] && grep -q "Size limit exceeded" "$T/out" || fail "slapd's size limit is not in force"
ok

# libldap is mapped by import-ldap only
if command -v strace >/dev/null; then
    strace -f -e trace=openat -o "$T/strace" "$IAMCTL" --config "$CONF" list-users >/dev/null ||
        fail "list-users under strace"
    ! grep -q libldap "$T/strace" || fail "list-users loaded libldap"
    ok
fi

# --- a second run changes nothing: same Serial, same store ---
before=$(dbstate)
expect_ok "${IMPORT[@]}"
jcheck ".ImportedFromDirectory.NewUsers == 0 and .ImportedFromDirectory.UpdatedUsers == 0 and
    .ImportedFromDirectory.NewGroups == 0 and .ImportedFromDirectory.UpdatedGroups == 0 and
    .Serial == $SERIAL"
[ "$(dbstate)" = "$before" ] || fail "a second import changed the store"
ok

# --- the package's timer runs the same import through packaging/iam-import-ldap ---
cat >"$T/import-ldap.conf" <<EOF
LDAP_URI=$LDAP_URI
LDAP_BASE_DN='$U'
LDAP_SCHEMA=rfc2307
LDAP_BIND_DN='$LDAP_READER_DN'
LDAP_BIND_PASSWORD_FILE=$LDAP_READER_PW_FILE
LDAP_CA_FILE=$LDAP_CA
LDAP_PAGE_SIZE=2
EOF
chmod 644 "$T/import-ldap.conf"
IAMCTL="$IAMCTL --config $CONF" sh "$HERE/../../packaging/iam-import-ldap" "$T/import-ldap.conf" \
    >"$T/out" 2>"$T/err" || fail "iam-import-ldap"
jcheck ".ImportedFromDirectory.Users == 6 and .Serial == $SERIAL"
chmod 666 "$T/import-ldap.conf"
if sh "$HERE/../../packaging/iam-import-ldap" "$T/import-ldap.conf" >"$T/out" 2>"$T/err"; then
    fail "iam-import-ldap sourced a file others can write"
fi
grep -q "must be root's and not writable by group or others" "$T/err" || fail "no reason given"
ok
chmod 644 "$T/import-ldap.conf"

# --- identities of other sources: one made here, one from an AWS export ---
expect_ok create-user --user-name localmade
cat >"$T/export.json" <<'EOF'
{"UserDetailList": [{"UserName": "fromaws", "UserId": "AIDAEXAMPLEAWS000001", "Path": "/",
  "Arn": "arn:aws:iam::123456789012:user/fromaws", "CreateDate": "2024-01-01T00:00:00Z",
  "GroupList": [], "AttachedManagedPolicies": [], "UserPolicyList": [], "Tags": []}],
 "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
EOF
expect_ok import --authorization-details "file://$T/export.json"

# --- the directory changes: alice renamed (new uid and RDN), bob moved, carol deleted, dave's
# shell and key, erin gets ops ---
ldap_modify <<EOF
dn: uid=alice,ou=people,ou=unix,$B
changetype: modrdn
newrdn: uid=alice2
deleteoldrdn: 1

dn: ou=staff,ou=unix,$B
changetype: add
objectClass: organizationalUnit
ou: staff

dn: uid=bob,ou=people,ou=unix,$B
changetype: modrdn
newrdn: uid=bob
deleteoldrdn: 1
newsuperior: ou=staff,ou=unix,$B

dn: uid=carol,ou=people,ou=unix,$B
changetype: delete

dn: uid=dave,ou=people,ou=unix,$B
changetype: modify
replace: loginShell
loginShell: /bin/zsh
-
add: objectClass
objectClass: ldapPublicKey
-
add: sshPublicKey
sshPublicKey: $KEY_B

dn: cn=ops,ou=groups,ou=unix,$B
changetype: modify
add: memberUid
memberUid: erin
memberUid: alice2
-
delete: memberUid
memberUid: alice

dn: cn=devs,ou=groups,ou=unix,$B
changetype: modify
add: memberUid
memberUid: alice2
-
delete: memberUid
memberUid: alice
EOF

# --dry-run says what would change and changes nothing
before=$(dbstate)
expect_ok "${IMPORT[@]}" --dry-run --delete-missing
jcheck '.DryRun == true and ([.Changes[] | "\(.Action) \(.Name)"] | sort) ==
    ["DeleteUser carol", "UpdateUser alice2", "UpdateUser bob", "UpdateUser dave",
     "UpdateUser erin"]'
[ "$(dbstate)" = "$before" ] || fail "--dry-run changed the store"
ok

# without --delete-missing carol stays
expect_ok "${IMPORT[@]}"
jcheck '.ImportedFromDirectory.UpdatedUsers == 4 and .ImportedFromDirectory.NewUsers == 0 and
    (has("Deleted") | not)'
expect_ok get-user --user-name carol
expect_ok get-user --user-name alice2
jcheck ".User.UserId == \"$ALICE_ID\""
expect_fail 1 NoSuchEntity get-user --user-name alice
getent_is passwd 5010 "alice2:*:5010:5010:Alice Liddell:/home/alice:/bin/bash"
getent_is group devs "devs:x:5020:alice2,bob"
getent_is passwd dave "dave:*:5013:5013:Dave:/home/dave:/bin/zsh"
expect_ok get-user --user-name bob
jcheck '(.User.Tags | from_entries | .["ldap:dn"]) == "uid=bob,ou=staff,ou=unix,dc=example,dc=org"'
expect_ok list-ssh-public-keys --user-name dave
jcheck '.SSHPublicKeys | length == 1'

# with --delete-missing carol goes; what came from elsewhere stays
expect_ok "${IMPORT[@]}" --delete-missing
jcheck '.Deleted == {"Users": 1, "Groups": 0} and .ImportedFromDirectory.UpdatedUsers == 0'
expect_fail 1 NoSuchEntity get-user --user-name carol
expect_ok get-user --user-name localmade
expect_ok get-user --user-name fromaws
getent_is group ops "ops:x:5021:alice2,erin"
# carol's uid is never handed out again
expect_ok create-user --user-name newlocal
sqlcheck "SELECT posix_id > 5021 FROM identities WHERE name = 'newlocal'" 1

# --- ids: outside the range, a local account's, another IAM identity's: refused, both named ---
ldap_modify <<EOF
dn: uid=gina,ou=people,ou=unix,$B
changetype: add
objectClass: inetOrgPerson
objectClass: posixAccount
uid: gina
cn: Gina
sn: G
uidNumber: 7000
gidNumber: 7000
homeDirectory: /home/gina
EOF
expect_fail 1 "uid=gina,ou=people,ou=unix,dc=example,dc=org: uidNumber 7000 is outside uid_min..uid_max \(5000..5100\).*nothing was changed" \
    "${IMPORT[@]}"
ldap_modify <<EOF
dn: uid=gina,ou=people,ou=unix,$B
changetype: modify
replace: uidNumber
uidNumber: 5003
EOF
expect_fail 1 "uid=gina,.*: uidNumber 5003 is the uid of the local user localuser" "${IMPORT[@]}"
LOCALMADE_UID=$(sql "SELECT posix_id FROM identities WHERE name = 'localmade'")
ldap_modify <<EOF
dn: uid=gina,ou=people,ou=unix,$B
changetype: modify
replace: uidNumber
uidNumber: $LOCALMADE_UID
EOF
expect_fail 1 "uid=gina,.*: uidNumber $LOCALMADE_UID is already the id of IAM user localmade \(source iamctl\)" \
    "${IMPORT[@]}"
ldap_modify <<EOF
dn: uid=gina,ou=people,ou=unix,$B
changetype: delete
EOF

# --- transports ---
# ldaps://
expect_ok import-ldap --uri "$LDAPS_URI" --base-dn "$U" --schema rfc2307 --ca-file "$LDAP_CA" \
    --bind-dn "$LDAP_READER_DN" --bind-password-file "$LDAP_READER_PW_FILE" --page-size 3
jcheck ".ImportedFromDirectory.Users == 5 and .ImportedFromDirectory.UpdatedUsers == 0"
# ldapi:// with SASL EXTERNAL (slapd maps this uid to the reader)
expect_ok import-ldap --uri "$LDAPI_URI" --base-dn "$U" --schema rfc2307 --sasl-external \
    --page-size 4
jcheck ".ImportedFromDirectory.Users == 5 and .ImportedFromDirectory.UpdatedUsers == 0"
# no StartTLS: loopback only
expect_ok import-ldap --uri "$LDAP_URI" --base-dn "$U" --schema rfc2307 --no-starttls \
    --bind-dn "$LDAP_READER_DN" --bind-password-file "$LDAP_READER_PW_FILE" --page-size 4
expect_fail 1 "without StartTLS only a loopback address is accepted" import-ldap \
    --uri ldap://192.0.2.1 --base-dn "$U" --schema rfc2307 --no-starttls
# a certificate of another CA
expect_fail 1 "StartTLS.*nothing was changed" import-ldap --uri "$LDAP_URI" --base-dn "$U" \
    --schema rfc2307 --ca-file "$LD/other-ca.crt"
expect_fail 1 "nothing was changed" import-ldap --uri "$LDAPS_URI" --base-dn "$U" \
    --schema rfc2307 --ca-file "$LD/other-ca.crt"
# a wrong bind password
printf 'wrong\n' >"$T/wrong.pw"
chmod 600 "$T/wrong.pw"
expect_fail 1 "bind: Invalid credentials.*nothing was changed" import-ldap --uri "$LDAP_URI" \
    --base-dn "$U" --schema rfc2307 --ca-file "$LDAP_CA" --bind-dn "$LDAP_READER_DN" \
    --bind-password-file "$T/wrong.pw"
# a password file others can read
chmod 644 "$T/wrong.pw"
expect_fail 1 "not writable by its group nor readable by others" import-ldap --uri "$LDAP_URI" \
    --base-dn "$U" --schema rfc2307 --bind-dn "$LDAP_READER_DN" --bind-password-file "$T/wrong.pw"

# a server that accepts and never answers: the time-out ends it
SILENT_PORT=$(free_port)
python3 -c 'import socket, time, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
c = [s.accept()[0] for _ in range(3)]; time.sleep(30)' "$SILENT_PORT" &
SILENT=$!
sleep 0.3
start=$(date +%s)
expect_fail 1 "(Timed out|Can't contact).*nothing was changed" import-ldap \
    --uri "ldap://127.0.0.1:$SILENT_PORT" --base-dn "$U" --schema rfc2307 --timeout 1
[ $(($(date +%s) - start)) -le 8 ] || fail "the time-out did not end the import"
ok
kill "$SILENT" 2>/dev/null
wait "$SILENT" 2>/dev/null

# the directory down
ldap_stop
expect_fail 1 "Can't contact LDAP server.*nothing was changed" "${IMPORT[@]}"

echo "PASS: $PASS checks"
