#!/bin/bash
# import-ldap's rfc2307bis and ad schemas against a real slapd (tests/ldap/lib.sh).
# rfc2307bis: member and uniqueMember DNs, groups nested in groups (a cycle included), a
# member that is not imported. ad: slapd with Debian's msuser.schema (sAMAccountName,
# userAccountControl, objectGUID, memberOf, user, group, computer) and unixHomeDirectory
# (ad-unix.schema), not a Samba domain controller: users with and without UNIX ids, memberOf
# and member with nesting, a computer account left out, a disabled account denied everything
# by policy and enabled again on the next import, a renamed account kept by its objectGUID.
#   test_import_schemas.sh IAMCTL NSS_MODULE_DIR
. "$(dirname "$0")/../helpers/private_net.sh"
IAMCTL=$(realpath "$1")
NSS_DIR=$(realpath "$2")
PAM_IAM=/nonexistent
PAM_WRAPPER=/nonexistent
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../security/lib.sh"
. "$HERE/lib.sh"
[ -r /etc/ldap/schema/msuser.schema ] || { echo "SKIP: slapd's msuser.schema missing"; exit 77; }

init_sec
B=$LDAP_BASE
ldap_init /etc/ldap/schema/msuser.schema "$HERE/ad-unix.schema"
posix_user() { # posix_user OU NAME UID
    printf 'dn: uid=%s,ou=%s,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\nuid: %s\ncn: %s\nsn: %s\nuidNumber: %s\ngidNumber: %s\nhomeDirectory: /home/%s\n\n' \
        "$2" "$1" "$B" "$2" "$2" "$2" "$3" "$3" "$2"
}
{
    printf 'dn: ou=bis,%s\nobjectClass: organizationalUnit\nou: bis\n\n' "$B"
    posix_user bis u1 5030
    posix_user bis u2 5031
    posix_user bis u3 5032
    cat <<EOF
dn: cn=g-base,ou=bis,$B
objectClass: posixGroup
objectClass: extensibleObject
cn: g-base
gidNumber: 5040
member: uid=u1,ou=bis,$B
member: cn=g-top,ou=bis,$B
member: cn=printer,ou=bis,$B

dn: cn=g-nested,ou=bis,$B
objectClass: posixGroup
objectClass: extensibleObject
cn: g-nested
gidNumber: 5041
member: cn=g-base,ou=bis,$B
member: UID=u2, OU=bis, DC=example, DC=org

dn: cn=g-top,ou=bis,$B
objectClass: posixGroup
objectClass: extensibleObject
cn: g-top
gidNumber: 5042
member: cn=g-nested,ou=bis,$B

dn: cn=g-uniq,ou=bis,$B
objectClass: posixGroup
objectClass: extensibleObject
cn: g-uniq
gidNumber: 5043
uniqueMember: uid=u3,ou=bis,$B

dn: ou=ad,$B
objectClass: organizationalUnit
ou: ad

dn: cn=Adam Admin,ou=ad,$B
objectClass: user
objectClass: extensibleObject
cn: Adam Admin
sn: Admin
sAMAccountName: adam
displayName: Adam the Admin
uidNumber: 5060
gidNumber: 5060
unixHomeDirectory: /home/adam
homeDirectory: \\\\fileserver\\adam
loginShell: /bin/bash
userAccountControl: 512
objectGUID:: AAECAwQFBgcICQoLDA0ODw==
memberOf: CN=Engineers,OU=ad,DC=example,DC=org
instanceType: 4
nTSecurityDescriptor:: AQ==
objectCategory: cn=Person,cn=Schema,cn=Configuration,$B

dn: cn=Bea,ou=ad,$B
objectClass: user
objectClass: extensibleObject
cn: Bea
sn: Bea
sAMAccountName: bea
userAccountControl: 514
objectGUID:: EBESExQVFhcYGRobHB0eHw==
instanceType: 4
nTSecurityDescriptor:: AQ==
objectCategory: cn=Person,cn=Schema,cn=Configuration,$B

dn: cn=WS01,ou=ad,$B
objectClass: computer
objectClass: extensibleObject
cn: WS01
sn: WS01
sAMAccountName: WS01\$
userAccountControl: 4096
instanceType: 4
nTSecurityDescriptor:: AQ==
objectCategory: cn=Computer,cn=Schema,cn=Configuration,$B

dn: cn=Engineers,ou=ad,$B
objectClass: group
objectClass: extensibleObject
cn: Engineers
sAMAccountName: engineers
groupType: -2147483646
gidNumber: 5070
member: cn=Backend,ou=ad,$B
objectGUID:: ICEiIyQlJicoKSorLC0uLw==
instanceType: 4
nTSecurityDescriptor:: AQ==
objectCategory: cn=Group,cn=Schema,cn=Configuration,$B

dn: cn=Backend,ou=ad,$B
objectClass: group
objectClass: extensibleObject
cn: Backend
sAMAccountName: backend
groupType: -2147483646
member: cn=Bea,ou=ad,$B
objectGUID:: MDEyMzQ1Njc4OTo7PD0+Pw==
instanceType: 4
nTSecurityDescriptor:: AQ==
objectCategory: cn=Group,cn=Schema,cn=Configuration,$B

EOF
} >"$T/data.ldif"
ldap_load "$T/data.ldif"
ldap_start

G=(env IAM_NSS_CACHE="$T/cache/nss.cache" LD_LIBRARY_PATH="$NSS_DIR")
getent_is() { # getent_is DB KEY EXPECTED
    local got
    got=$("${G[@]}" getent -s iam "$1" "$2" | tr -s ' ')
    [ "$got" = "$3" ] || fail "getent $1 $2: want '$3', got '$got'"
    ok
}
CONN=(--uri "$LDAP_URI" --ca-file "$LDAP_CA" --bind-dn "$LDAP_READER_DN"
    --bind-password-file "$LDAP_READER_PW_FILE" --page-size 3)

# --- rfc2307bis: member DNs (any spelling), uniqueMember, nesting with a cycle ---
expect_ok import-ldap "${CONN[@]}" --base-dn "ou=bis,$B" --schema rfc2307bis --user-path /ldap/
jcheck '.ImportedFromDirectory | .Users == 3 and .NewUsers == 3 and .NewGroups == 4 and
    .Warnings == 1'
grep -q "group g-base: member cn=printer,ou=bis,dc=example,dc=org is not an imported user or group, skipped" \
    "$T/err" || fail "no warning for the member that is not imported"
ok
getent_is group g-top "g-top:x:5042:u1,u2"
getent_is group g-nested "g-nested:x:5041:u1,u2"
getent_is group g-base "g-base:x:5040:u1,u2"
getent_is group g-uniq "g-uniq:x:5043:u3"
getent_is initgroups u2 "u2 5040 5041 5042"
expect_ok get-user --user-name u1
jcheck '.User.Path == "/ldap/" and .User.Arn == "arn:aws:iam::123456789012:user/ldap/u1"'
expect_ok list-groups-for-user --user-name u3
jcheck '[.Groups[].GroupName] == ["g-uniq"]'

# --- ad: sAMAccountName, unixHomeDirectory, displayName, memberOf and member, nesting ---
expect_ok import-ldap "${CONN[@]}" --base-dn "ou=ad,$B" --schema ad
jcheck '.ImportedFromDirectory | .Users == 2 and .NewUsers == 2 and .Groups == 2 and
    .NewGroups == 2 and .Warnings == 0'
getent_is passwd adam "adam:*:5060:5060:Adam the Admin:/home/adam:/bin/bash"
BEA_UID=$(sql "SELECT posix_id FROM identities WHERE name = 'bea'")
[ "$BEA_UID" -ge 5000 ] && [ "$BEA_UID" -le 5100 ] && [ "$BEA_UID" != 5060 ] ||
    fail "bea's allocated uid: $BEA_UID"
ok
getent_is group engineers "engineers:x:5070:adam,bea"
BACKEND_GID=$(sql "SELECT posix_id FROM identities WHERE name = 'backend'")
getent_is group backend "backend:x:$BACKEND_GID:bea"
expect_fail 1 NoSuchEntity get-user --user-name 'WS01$'
expect_ok get-user --user-name adam
jcheck '(.User.Tags | from_entries | .["ldap:uuid"]) == "000102030405060708090a0b0c0d0e0f"'

# the disabled account: tagged, and an explicit deny of everything decides every request
expect_ok get-user --user-name bea
jcheck '(.User.Tags | from_entries | .["ldap:disabled"]) == "true"'
expect_ok list-user-policies --user-name bea
jcheck '.PolicyNames == ["DirectoryAccountDisabled"]'
expect_ok put-group-policy --group-name engineers --policy-name login --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*"}]}'
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/bea \
    --action-names host:Login
jcheck '.EvaluationResults[0].EvalDecision == "explicitDeny"'
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/adam \
    --action-names host:Login
jcheck '.EvaluationResults[0].EvalDecision == "allowed"'

# a second run changes nothing
SERIAL=$(sql "SELECT serial FROM account")
expect_ok import-ldap "${CONN[@]}" --base-dn "ou=ad,$B" --schema ad
sqlcheck "SELECT serial FROM account" "$SERIAL"

# bea enabled and renamed (same objectGUID): the same identity, allowed again
ldap_modify <<EOF
dn: cn=Bea,ou=ad,$B
changetype: modify
replace: userAccountControl
userAccountControl: 512
-
replace: sAMAccountName
sAMAccountName: beatrice
EOF
BEA_ID=$(sql "SELECT unique_id FROM identities WHERE name = 'bea'")
expect_ok import-ldap "${CONN[@]}" --base-dn "ou=ad,$B" --schema ad --delete-missing
jcheck '.ImportedFromDirectory.UpdatedUsers == 1 and .Deleted == {"Users": 0, "Groups": 0}'
sqlcheck "SELECT unique_id || ' ' || posix_id FROM identities WHERE name = 'beatrice'" \
    "$BEA_ID $BEA_UID"
expect_ok list-user-policies --user-name beatrice
jcheck '.PolicyNames == []'
expect_ok simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/beatrice \
    --action-names host:Login
jcheck '.EvaluationResults[0].EvalDecision == "allowed"'
# the bis directory's identities were not touched by the ad directory's --delete-missing
expect_ok get-user --user-name u1

echo "PASS: $PASS checks"
