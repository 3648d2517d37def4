#!/bin/bash
# IAM identities never take the host's own ids or names.
#
# The reproduction: an account whose user has uid 1 and gid 42 (shadow) compiled, and NSS
# resolved it. Now uid_min..uid_max holds for every uid and gid (apart from a primary gid
# equal to default_gid), and no IAM id or name may be a local account's: checked before
# every write commits (nothing is written) and again at compile time (the last good caches
# stay). The store is edited behind iamctl's back with sqlite3, as a careless administrator
# or a restored backup would.
#   test_system_ids.sh IAMCTL NSS_IAM_SO
IAMCTL=$(realpath "$1")
NSS_IAM=$(realpath "$2")
. "$(dirname "$0")/../iamctl/lib.sh"

init_db # uid 5000..5010; local: localuser 5003 (/etc/passwd), localgrp 5005 (/etc/group)
expect_ok create-user --user-name alice
expect_ok create-user --user-name bob
expect_ok create-group --group-name devs
ALICE=$(sql "SELECT posix_id FROM identities WHERE kind = 1 AND name = 'alice'")
[ -n "$ALICE" ] || fail "alice has no uid"
getent_iam() { # what the NSS module answers from the compiled cache
    env IAM_NSS_CACHE="$T/cache/nss.cache" LD_LIBRARY_PATH="$(dirname "$NSS_IAM")" getent -s iam "$@"
}
getent_iam passwd alice >"$T/alice" || fail "alice does not resolve"
ok

# hand edits of the store, each refused by compile (the caches stay) and by any write
edit() { # SQL
    getent_iam passwd alice >"$T/alice"
    rm -f "$T/good.db"
    sqlite3 "$DB" ".backup '$T/good.db'" || fail "backup"
    sqlite3 "$DB" "$1" || fail "sqlite3 $1"
}
restore() { sqlite3 "$DB" ".restore '$T/good.db'" || fail "restore"; }
caches_id() { # the installed caches: inode, change time and content of both
    stat -L -c '%i %Z' "$T/cache/nss.cache" "$T/cache/auth.cache" &&
        cat "$T/cache/nss.cache" "$T/cache/auth.cache" | sha256sum
}
refused() { # PATTERN
    local before
    before=$(caches_id)
    expect_fail 1 "$1" compile
    [ "$(caches_id)" = "$before" ] || fail "a refused compile installed caches"
    cmp -s <(getent_iam passwd alice) "$T/alice" || fail "the caches changed"
    # expect_fail also checks that the store is exactly as before
    expect_fail 1 "$1.*nothing was written" tag-user --user-name bob --tags Key=team,Value=x
    ok
}
user_set() { echo "UPDATE identities SET $2 WHERE kind = 1 AND name = '$1';"; }
edit "$(user_set alice 'posix_id = 1, gid = 42')"
refused 'user "alice": uid 1 is outside 5000..5010'
restore
edit "$(user_set alice 'gid = 42')"
refused 'user "alice": primary gid 42 is outside 5000..5010 and is not default_gid \(100\)'
restore
edit "UPDATE identities SET posix_id = 27 WHERE kind = 2 AND name = 'devs';"
refused 'group "devs": gid 27 is outside 5000..5010'
restore
edit "$(user_set alice 'posix_id = 4294967294, gid = 4294967294')"
refused 'uid 4294967294 is outside'
restore
# ids of local accounts, inside the range
edit "$(user_set alice 'posix_id = 5003, gid = 5003')"
refused 'user "alice": uid 5003 is the local account "localuser"'
restore
edit "UPDATE identities SET posix_id = 5005 WHERE kind = 2 AND name = 'devs';"
refused 'group "devs": gid 5005 is the local group "localgrp"'
restore
edit "$(user_set bob 'gid = 5005')"
refused 'user "bob": primary gid 5005 is the local group "localgrp"'
restore
expect_ok compile

# the host changes under a good store: a local account appears, the range narrows
getent_iam passwd alice >"$T/alice"
printf 'ALICE:x:1001:1001::/home/alice:/bin/sh\n' >>"$T/passwd"
refused 'user "alice" has the name of a local account'
sed -i '$d' "$T/passwd"
printf 'devs:x:1002:\n' >>"$T/group"
refused 'group "devs" has the name of a local group'
sed -i '$d' "$T/group"
printf 'bob:x:1003:\n' >>"$T/group"
refused 'user "bob" has the name of a local group .*private group'
sed -i '$d' "$T/group"
printf 'x:x:%s:%s::/:/bin/sh\n' "$ALICE" "$ALICE" >>"$T/passwd"
refused "user \"alice\": uid $ALICE is the local account \"x\""
sed -i '$d' "$T/passwd"
printf 'xg:x:%s:\n' "$ALICE" >>"$T/group"
refused "user \"alice\": uid $ALICE is the local group \"xg\"'s gid .*private group"
sed -i '$d' "$T/group"
sed -i 's/^uid_min = 5000$/uid_min = 5005/' "$CONF"
refused '(uid|gid) 500[0-4] is outside 5005..5010'
sed -i 's/^uid_min = 5005$/uid_min = 5000/' "$CONF"
expect_ok compile
expect_ok tag-user --user-name bob --tags Key=team,Value=x

# new ids skip local ones: localuser's 5003 and localgrp's 5005 are never handed out
for u in u1 u2 u3 u4; do expect_ok create-user --user-name "$u"; done
sqlcheck "SELECT count(*) FROM identities WHERE posix_id IN (5003, 5005)" 0

# default_gid is the one gid outside the range a user may have (private_groups = no)
sed -i 's/^private_groups = yes$/private_groups = no/' "$CONF"
grep -q '^private_groups = no$' "$CONF" || fail "private_groups not switched"
expect_ok create-user --user-name carol
sqlcheck "SELECT gid FROM identities WHERE kind = 1 AND name = 'carol'" 100
getent_iam passwd carol | grep -q ':100:' || fail "carol's primary group is not 100"
ok
edit "$(user_set carol 'gid = 101')"
refused 'user "carol": primary gid 101 is outside 5000..5010 and is not default_gid \(100\)'
restore
expect_ok compile
echo "ok: $PASS checks"
