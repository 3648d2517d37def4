#!/bin/bash
# Group names that grant privileges where they exist are refused by default, wherever a group
# enters: create-group, a user's private group (create-user), and import (new groups and new
# users' private groups, at the line and column of the name). allow_privileged_group_names =
# yes in iam.conf lets them through.
#
# The reproduction: create-group --group-name wheel succeeded, and NSS then answered for
# "wheel", which sudoers' %wheel (on distributions that use it, or once a package adds it)
# matches by name.
#   test_privileged_groups.sh IAMCTL NSS_IAM_SO DATA_DIR IAM_CONF_5
IAMCTL=$(realpath "$1")
NSS_IAM=$(realpath "$2")
DATA=$(realpath "$3")
MAN=$(realpath "$4")
. "$(dirname "$0")/../iamctl/lib.sh"

expect_ok init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
    --database "$DB" --cache-dir "$T/cache" --audit-log none --uid-min 5000 --uid-max 5999
getent_iam() {
    env IAM_NSS_CACHE="$T/cache/nss.cache" LD_LIBRARY_PATH="$(dirname "$NSS_IAM")" getent -s iam "$@"
}
# the documented list (iam.conf(5)), every name refused, in any case ("root" is also a local
# group here, and refused as that first)
expect_fail 1 'local group' create-group --group-name root
LIST="wheel admin sudo sudoers adm staff operator shadow disk kmem sys tty utmp bin daemon
systemd-journal docker lxd incus incus-admin libvirt libvirt-qemu kvm input video render audio
dialout cdrom floppy tape plugdev netdev bluetooth lpadmin sambashare wireshark ssl-cert
nopasswdlogin tss www-data"
# the list here is the one iam.conf(5) documents, word for word
man_list=$(sed -n '/^\.BR allow_privileged_group_names/,/^\.RE/p' "$MAN" | sed -n '/^\.PP/,/^\.RE/p' |
    grep -v '^\.' | tr -s ' \n' '  ' | sed 's/ $//')
[ "$man_list" = "root $(echo $LIST)" ] || fail "iam.conf(5) lists: $man_list"
ok
for g in $LIST; do
    expect_fail 1 "group \"$g\": a group of that name grants privileges .*allow_privileged_group_names" \
        create-group --group-name "$g"
done
expect_fail 1 "group \"Docker\": a group of that name grants" create-group --group-name Docker
expect_fail 1 "group \"WHEEL\"" create-group --group-name WHEEL
getent_iam group wheel && fail "wheel resolves"
ok
# a user's private group carries the user's name
expect_fail 1 "the private group of user \"lxd\"" create-user --user-name lxd
# names near the list are fine
expect_ok create-group --group-name wheels
expect_ok create-group --group-name sudo-users
expect_ok create-user --user-name dockerd

# import: a new group, and a new user's private group, at the line and column of the name
jq '.GroupDetailList += [{"GroupName": "sudo", "GroupId": "AGPAEXAMPLESUDO000001",
                          "Arn": "arn:aws:iam::123456789012:group/sudo"}]' "$DATA/aws-export.json" |
    sed 's/111122223333/123456789012/g' >"$T/grp.json"
at=$(awk '/"GroupName": "sudo"/ { print NR ":" index($0, "\"sudo\""); exit }' "$T/grp.json")
expect_fail 1 "grp.json:$at: group \"sudo\": a group of that name grants" \
    import --authorization-details "file://$T/grp.json"
jq '.UserDetailList += [{"UserName": "kvm", "UserId": "AIDAEXAMPLEKVM0000001",
                         "Arn": "arn:aws:iam::123456789012:user/kvm"}]' "$DATA/aws-export.json" |
    sed 's/111122223333/123456789012/g' >"$T/usr.json"
at=$(awk '/"UserName": "kvm"/ { print NR ":" index($0, "\"kvm\""); exit }' "$T/usr.json")
expect_fail 1 "usr.json:$at: the private group of user \"kvm\"" \
    import --authorization-details "file://$T/usr.json"

# without private groups a user named like one has no group of that name
sed -i 's/^private_groups = yes$/private_groups = no/' "$CONF"
expect_ok create-user --user-name kvm
getent_iam group kvm && fail "kvm resolves as a group"
ok
sed -i 's/^private_groups = no$/private_groups = yes/' "$CONF"

# the switch, for those who mean it
grep -qx "allow_privileged_group_names = no" "$CONF" || fail "iamctl init does not write the switch"
ok
sed -i 's/^allow_privileged_group_names = no$/allow_privileged_group_names = yes/' "$CONF"
expect_ok create-group --group-name wheel
getent_iam group wheel >/dev/null || fail "wheel does not resolve"
ok
expect_ok import --authorization-details "file://$T/grp.json"
sqlcheck "SELECT count(*) FROM identities WHERE kind = 2 AND name = 'sudo'" 1
echo "ok: $PASS checks"
