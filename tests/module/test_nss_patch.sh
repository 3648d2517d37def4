#!/bin/bash
# The NSS cache patch (iam_nss_cache_patch) against whole builds: an account of 300 users and
# 40 groups (a local account listed in some) is built, patched with changed and new users and
# groups, and the patched cache must answer every lookup as a whole build of the merged entries
# does (NSSCACHEDUMP: every entry in enumeration order, each lookup by name and id, initgroups
# of every user and member); then a patch of the patched cache likewise; the changes a patch
# does not make must be declined (exit 3: the caller builds whole), and patches piling up must
# end in a decline when the room a build leaves runs out, never in a wrong cache.
#
# usage: test_nss_patch.sh MKNSSCACHE NSSCACHEDUMP
set -u
MK=$(realpath "$1")
DUMP=$(realpath "$2")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
PASS=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { PASS=$((PASS + 1)); }

awk 'BEGIN {
    for (i = 1; i <= 300; i++) {
        printf "user%d:x:%d:%d:User %d:/home/user%d:/bin/bash\n", i, 300000 + i, 300000 + i, i, i > "passwd"
        for (k = 0; k < 3; k++) { j = (i * 7 + k * 13) % 40; mem[j] = mem[j] (mem[j] == "" ? "" : ",") "user" i }
    }
    for (j = 0; j < 40; j++) {
        extra = (j % 4 == 0) ? (mem[j] == "" ? "" : ",") "localadmin" : ""
        printf "group%d:x:%d:%s%s\n", j + 1, 400001 + j, mem[j], extra > "group"
    }
}'
"$MK" passwd group base.cache || fail "base build"

# merge BASE PATCH OUT: BASE's lines with PATCH's put in by name, new names at the end
merge() {
    awk -F: 'NR == FNR { p[$1] = $0; order[++n] = $1; next }
             { if ($1 in p) { print p[$1]; seen[$1] = 1 } else print }
             END { for (i = 1; i <= n; i++) if (!(order[i] in seen)) print p[order[i]] }' \
        "$2" "$1" >"$3"
}

# same CACHE_A CACHE_B WHAT: both answer alike
same() {
    "$DUMP" "$1" >a.dump || fail "cannot read $1: $3"
    "$DUMP" "$2" >b.dump || fail "cannot read $2: $3"
    cmp -s a.dump b.dump || fail "$3: the patched cache answers otherwise: $(diff a.dump b.dump | head -10)"
    ok
}

# 1. a changed user, a new user (in a changed group and a new one), a group that lists a local
#    account losing a member and gaining one, a new group
group1=$(grep '^group1:' group)
cat >p.passwd <<'END'
user5:x:300005:300005:Fifth User, renamed gecos:/srv/user5:/bin/sh
newbie:x:300400:300400:New:/home/newbie:/bin/bash
END
gone=$(echo "$group1" | cut -d: -f4 | cut -d, -f1) # its first member leaves
echo "$group1,newbie" | sed "s/:$gone,/:/" >p.group
grep -q "localadmin.*newbie" p.group && ! grep -q "[:,]$gone," p.group ||
    fail "the test's group1 is not as expected: $(cat p.group)"
echo "newg:x:400100:newbie,user1,user300" >>p.group
"$MK" --patch base.cache p.passwd p.group p1.cache || fail "patch 1 declined or failed"
merge passwd p.passwd m.passwd
merge group p.group m.group
"$MK" m.passwd m.group w1.cache || fail "whole build 1"
same p1.cache w1.cache "patch 1"
cmp -s p1.cache w1.cache && fail "patch 1 is byte for byte a whole build: it patched nothing?"
ok

# 2. a patch of the patched cache
cat >p2.passwd <<'END'
newbie:x:300400:300400:New, again:/home/newbie:/bin/zsh
user300:x:300300:300300:::
END
echo "newg:x:400100:user2,newbie" >p2.group
echo "group2:x:400002:user1,user2,user3,newbie" >>p2.group
"$MK" --patch p1.cache p2.passwd p2.group p2.cache || fail "patch 2 declined or failed"
merge m.passwd p2.passwd m2.passwd
merge m.group p2.group m2.group
"$MK" m2.passwd m2.group w2.cache || fail "whole build 2"
same p2.cache w2.cache "patch 2"

# 3. what a patch does not make: declined with 3, nothing written
decline() {
    local what=$1
    rm -f d.cache
    "$MK" --patch base.cache d.passwd d.group d.cache 2>/dev/null
    [ $? -eq 3 ] || fail "not declined: $what"
    [ ! -e d.cache ] || fail "a declined patch wrote a cache: $what"
    ok
}
: >d.passwd; echo "group3:x:400003:user1,ghost" >d.group; decline "a member that is not a user"
echo "user9:x:309999:300009:::" >d.passwd; : >d.group; decline "a changed uid"
echo "other:x:300010:300010:::" >d.passwd; decline "a new user of a taken uid"
echo "localadmin:x:300500:300500:::" >d.passwd; decline "a new user named like a listed local account"
: >d.passwd; echo "group4:x:409999:" >d.group; decline "a changed gid"
echo "group4:x:400001:" >d.group; echo "zzz:x:400001:" >d.group; decline "a new group of a taken gid"
echo "bad:name:x:300600:300600:::" >d.passwd; : >d.group
"$MK" --patch base.cache d.passwd d.group d.cache 2>/dev/null && fail "a bad entry was patched in"
ok

# 4. patches piling up (a user record growing each time) end in a decline, every cache before
#    it answering as a whole build
cp base.cache cur.cache
cp passwd cur.passwd
declined=0
for i in $(seq 1 400); do
    printf 'user1:x:300001:300001:%s:/home/user1:/bin/bash\n' "$(head -c $((i * 10 % 4000 + 1)) /dev/zero | tr '\0' g)" >g.passwd
    : >g.group
    "$MK" --patch cur.cache g.passwd g.group next.cache 2>/dev/null
    rc=$?
    if [ $rc -eq 3 ]; then
        declined=$i
        break
    fi
    [ $rc -eq 0 ] || fail "patch $i failed"
    merge cur.passwd g.passwd next.passwd
    mv next.passwd cur.passwd
    mv next.cache cur.cache
    if [ $((i % 25)) -eq 0 ]; then
        "$MK" cur.passwd group w.cache || fail "whole build $i"
        same cur.cache w.cache "patch $i of a pile"
    fi
done
[ "$declined" -gt 1 ] || fail "no room ran out in 400 patches, or none fitted ($declined)"
"$MK" cur.passwd group w.cache || fail "whole build at the end"
same cur.cache w.cache "the last patch of the pile"
echo "ok: $PASS checks; the room ran out at patch $declined"
