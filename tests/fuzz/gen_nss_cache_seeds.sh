#!/bin/bash
# Regenerate the fuzz_nss_cache seed corpus (tests/fuzz/nss_cache) with the real writer,
# after a change of the cache format:
#   tests/fuzz/gen_nss_cache_seeds.sh build/tests/mknsscache
# empty.cache: no user, no group; fixture.cache: the account of tests/module/nss_fixture.h;
# medium.cache: 300 users, 40 groups, a local account listed in groups, several blocks;
# patched.cache: medium.cache patched (iam_nss_cache_patch, as a refresh does: records moved
# into the room at the end of their sections, zeroed holes, stale line hints, new table slots
# and index entries); patched2.cache: that one patched again.
set -euo pipefail
mk=$(readlink -f "$1")
out=$(cd "$(dirname "$0")" && pwd)/nss_cache
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

: >"$tmp/passwd"
: >"$tmp/group"
"$mk" "$tmp/passwd" "$tmp/group" "$out/empty.cache"

cat >"$tmp/passwd" <<'END'
alice:x:200001:200001:Alice Smith,,,:/home/alice:/bin/bash
bob:x:200002:200002::/home/bob:/bin/sh
carol:x:200003:200003::/home/carol:
END
cat >"$tmp/group" <<'END'
alice:x:200001:
bob:x:200002:
carol:x:200003:
devs:x:210000:alice,bob,carol
ops:x:210001:bob
mixed:x:210002:localadmin,alice
END
"$mk" "$tmp/passwd" "$tmp/group" "$out/fixture.cache"

awk -v out="$tmp" 'BEGIN {
    for (i = 1; i <= 300; i++) {
        printf "user%d:x:%d:%d:User %d:/home/user%d:/bin/bash\n", i, 300000 + i, 300000 + i, i, i > out "/passwd"
        for (k = 0; k < 3; k++) { j = (i * 7 + k * 13) % 40; mem[j] = mem[j] (mem[j] == "" ? "" : ",") "user" i }
    }
    for (j = 0; j < 40; j++) {
        extra = (j % 4 == 0) ? (mem[j] == "" ? "" : ",") "localadmin" : ""
        printf "group%d:x:%d:%s%s\n", j + 1, 400001 + j, mem[j], extra > out "/group"
    }
}'
"$mk" "$tmp/passwd" "$tmp/group" "$out/medium.cache"

cat >"$tmp/p.passwd" <<'END'
user5:x:300005:300005:Fifth User, longer gecos than before:/srv/user5:/bin/sh
newbie:x:300400:300400:New:/home/newbie:/bin/bash
END
{
    grep '^group2:' "$tmp/group" | sed 's/$/,newbie/'
    echo "newg:x:400100:newbie,user1,user300"
} >"$tmp/p.group"
"$mk" --patch "$out/medium.cache" "$tmp/p.passwd" "$tmp/p.group" "$out/patched.cache"
echo "user300:x:300300:300300:::" >"$tmp/p.passwd"
echo "newg:x:400100:user2" >"$tmp/p.group"
"$mk" --patch "$out/patched.cache" "$tmp/p.passwd" "$tmp/p.group" "$out/patched2.cache"
ls -l "$out"
