#!/bin/bash
# The incremental cache refresh after a write gives the same caches as a whole compile: over a
# random sequence of verbs (a fixed seed; bounded: STEPS verbs on a small account), after each
# write the current generation's nss.cache and auth.cache are kept, `iamctl compile` (always a
# whole compile, with the seeds of the generation it replaces) installs the next generation in
# a copy of the cache directory (the writes go on refreshing their own caches, so patches pile
# up on patches), and the two must answer alike. Both caches are patched in place by a refresh
# (records move into the room a compile leaves), so they are compared in everything they
# answer, not byte for byte: NSSCACHEDUMP prints every user and group of nss.cache in
# enumeration order and the answer of every lookup by name, by id and of initgroups;
# AUTHCACHEDUMP every user of auth.cache in name order with every field of the record its
# lookup by name gives (after the reader's whole check of the file); the dumps must be the
# same. IAMCTL_DEBUG_REFRESH
# says which way each write went: the test also requires that most writes were incremental,
# that many of them patched nss.cache (else it would prove nothing), and that the ones that
# cannot be (a delete, a managed policy's new version, a role's change, iam.conf changed) fell
# back to the whole compile; roles are in the mix since a role is a user on the host, in both
# caches.
#
# usage: test_refresh.sh IAMCTL NSSCACHEDUMP AUTHCACHEDUMP [SEED] [STEPS]
IAMCTL=$(realpath "$1")
NSSCACHEDUMP=$(realpath "$2")
AUTHCACHEDUMP=$(realpath "$3")
SEED=${4:-13}
STEPS=${5:-160}
. "$(dirname "$0")/lib.sh"

RANDOM=$SEED
export IAMCTL_DEBUG_REFRESH=1
init_db
sed -i 's/^uid_max = .*/uid_max = 9000/' "$CONF"
DOC='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"host:Login","Resource":"*"}}'
DOC2='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["host:Login","host:Sudo"],"Resource":"*"}}'

n_users=0 n_groups=0 n_roles=0 incremental=0 whole=0 patched=0 rebuilt=0 auth_differ=0
users=() groups=() roles=()
pick_user() { echo "${users[RANDOM % ${#users[@]}]}"; }
pick_group() { echo "${groups[RANDOM % ${#groups[@]}]}"; }
trust() { # USER: a trust policy that lets USER assume the role
    printf '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}}' \
        "arn:aws:iam::123456789012:user/$1"
}

# same_answers DUMPER NAME INCREMENTAL WHOLE: both caches answer alike, every entry and lookup
# as DUMPER prints them (a patch leaves other bytes than a whole build).
same_answers() {
    "$1" "$3" >"$T/inc.dump" || fail "cannot read $2 after: $what"
    "$1" "$4" >"$T/whole.dump" || fail "cannot read the compiled $2 after: $what"
    cmp -s "$T/inc.dump" "$T/whole.dump" ||
        fail "$2 of the refresh answers otherwise than a whole compile after: $what" \
            "$(diff "$T/inc.dump" "$T/whole.dump" | head -20)"
}

# compare: the caches the last write installed against a whole compile of the same store.
# The compile goes to a copy of the cache directory (so it keeps the seeds, as a compile in
# place would), and the next write refreshes the caches of the writes before it: patches of
# patches, until the room a compile leaves runs out.
compare() {
    local what=$1 gen
    gen=$(readlink "$T/cache/current") || fail "no current generation after: $what"
    cp "$T/cache/$gen/nss.cache" "$T/inc.nss" && cp "$T/cache/$gen/auth.cache" "$T/inc.auth" ||
        fail "cannot copy the caches after: $what"
    rm -rf "$T/cache2" && cp -a "$T/cache" "$T/cache2" || fail "cannot copy the cache directory"
    sed "s|^cache_dir = .*|cache_dir = $T/cache2|" "$CONF" >"$T/iam2.conf"
    grep -qx "cache_dir = $T/cache2" "$T/iam2.conf" || fail "no cache_dir in $CONF"
    "$IAMCTL" --config "$T/iam2.conf" compile >/dev/null 2>"$T/err" || fail "compile after: $what"
    gen=$(readlink "$T/cache2/current")
    [ -n "$gen" ] || fail "no generation compiled after: $what"
    set -- "$T/cache2"
    same_answers "$NSSCACHEDUMP" nss.cache "$T/inc.nss" "$1/$gen/nss.cache"
    same_answers "$AUTHCACHEDUMP" auth.cache "$T/inc.auth" "$1/$gen/auth.cache"
    cmp -s "$T/inc.auth" "$1/$gen/auth.cache" || auth_differ=$((auth_differ + 1))
    ok
}

# note_and_compare ARGS...: after a write that succeeded, which way its refresh went, then
# the comparison
note_and_compare() {
    if grep -q '^iamctl: caches: incremental' "$T/err"; then
        incremental=$((incremental + 1))
        grep -q '^iamctl: caches: incremental, nss.cache patched$' "$T/err" &&
            patched=$((patched + 1))
        grep -q '^iamctl: caches: incremental, nss.cache rebuilt$' "$T/err" &&
            rebuilt=$((rebuilt + 1))
    else
        grep -q '^iamctl: caches: ' "$T/err" || fail "no refresh reported: iamctl $*"
        whole=$((whole + 1))
    fi
    cp "$T/err" "$T/err.write"; compare "$*"
}

# write ARGS...: a verb that must succeed
write() {
    run "$@"
    [ "$RC" -eq 0 ] || fail "expected success: iamctl $*"
    note_and_compare "$@"
}

# try ARGS...: a verb that may be refused (a third key) or change nothing (a group the user
# is already in): compared when it wrote
try() {
    run "$@"
    if [ "$RC" -eq 0 ]; then
        grep -q '^iamctl: caches: ' "$T/err" && note_and_compare "$@"
    else
        grep -q '^iamctl: caches: ' "$T/err" && fail "a refused verb refreshed the caches: $*"
    fi
    return 0
}

# a write that cannot be incremental: it must say so (and still compare)
write_whole() {
    local before=$whole
    write "$@"
    [ "$whole" -gt "$before" ] || fail "expected a whole compile: iamctl $*"
}

new_user() {
    n_users=$((n_users + 1))
    write create-user --user-name "u$n_users" $([ $((RANDOM % 3)) = 0 ] && echo --path /eng/)
    users+=("u$n_users")
}
new_group() {
    n_groups=$((n_groups + 1))
    write create-group --group-name "g$n_groups"
    groups+=("g$n_groups")
}

# a small account to start from: the first write compiles whole (no state yet)
new_user
new_group
for _ in 1 2 3 4 5 6; do new_user; done
for _ in 1 2 3; do new_group; done
write create-policy --policy-name shared --policy-document "$DOC"
POLICY=arn:aws:iam::123456789012:policy/shared

for step in $(seq 1 "$STEPS"); do
    u=$(pick_user)
    g=$(pick_group)
    case $((RANDOM % 18)) in
    0) new_user ;;
    1) new_group ;;
    2 | 3)
        try add-user-to-group --user-name "$u" --group-name "$g"
        ;;
    4)
        try remove-user-from-group --user-name "$u" --group-name "$g"
        ;;
    5) write put-user-policy --user-name "$u" --policy-name "p$((RANDOM % 3))" \
        --policy-document "$([ $((RANDOM % 2)) = 0 ] && echo "$DOC" || echo "$DOC2")" ;;
    6)
        try delete-user-policy --user-name "$u" --policy-name "p$((RANDOM % 3))"
        ;;
    7) write put-group-policy --group-name "$g" --policy-name "gp$((RANDOM % 2))" \
        --policy-document "$([ $((RANDOM % 2)) = 0 ] && echo "$DOC" || echo "$DOC2")" ;;
    8)
        try create-access-key --user-name "$u"
        ;;
    9) write tag-user --user-name "$u" --tags "Key=team,Value=t$((RANDOM % 4))" ;;
    10)
        try attach-user-policy --user-name "$u" --policy-arn "$POLICY"
        try attach-group-policy --group-name "$g" --policy-arn "$POLICY"
        ;;
    11) write update-user --user-name "$u" --new-path "/p$((RANDOM % 3))/" ;;
    12)
        # the password on standard input, as iamctl takes it
        echo "correct horse battery $RANDOM" |
            "$IAMCTL" --config "$CONF" create-login-profile --user-name "$u" >"$T/out" 2>"$T/err"
        [ $? -eq 0 ] && note_and_compare create-login-profile --user-name "$u"
        ;;
    13)
        # a new default version of a managed policy reaches everyone it is attached to
        run create-policy-version --policy-arn "$POLICY" --set-as-default \
            --policy-document "$([ $((RANDOM % 2)) = 0 ] && echo "$DOC" || echo "$DOC2")"
        if [ "$RC" -eq 0 ]; then
            grep -q '^iamctl: caches: incremental' "$T/err" &&
                fail "a managed policy's new version was refreshed incrementally"
            compare "create-policy-version"
            run list-policy-versions --policy-arn "$POLICY"
            old=$(jq -r '[.Versions[] | select(.IsDefaultVersion | not) | .VersionId][0] // empty' "$T/out")
            [ -n "$old" ] && write delete-policy-version --policy-arn "$POLICY" --version-id "$old"
        fi
        ;;
    14)
        # a group goes: its line, and the records of its members (their groups and policies)
        if [ "${#groups[@]}" -gt 2 ]; then
            run list-group-policies --group-name "$g"
            for p in $(jq -r '.PolicyNames[]' "$T/out"); do
                write delete-group-policy --group-name "$g" --policy-name "$p"
            done
            run list-attached-group-policies --group-name "$g"
            [ -n "$(jq -r '.AttachedPolicies[]' "$T/out")" ] &&
                write detach-group-policy --group-name "$g" --policy-arn "$POLICY"
            run get-group --group-name "$g"
            for uu in $(jq -r '.Users[].UserName' "$T/out"); do
                write remove-user-from-group --user-name "$uu" --group-name "$g"
            done
            write_whole delete-group --group-name "$g"
            mapfile -t groups < <(printf '%s\n' "${groups[@]}" | grep -vx "$g")
        fi
        ;;
    15)
        if [ "${#users[@]}" -gt 3 ]; then
            run list-access-keys --user-name "$u"
            for k in $(jq -r '.AccessKeyMetadata[].AccessKeyId' "$T/out"); do
                write delete-access-key --user-name "$u" --access-key-id "$k"
            done
            try delete-login-profile --user-name "$u"
            run list-attached-user-policies --user-name "$u"
            [ -n "$(jq -r '.AttachedPolicies[]' "$T/out")" ] &&
                write detach-user-policy --user-name "$u" --policy-arn "$POLICY"
            run list-user-policies --user-name "$u"
            for p in $(jq -r '.PolicyNames[]' "$T/out"); do
                write delete-user-policy --user-name "$u" --policy-name "$p"
            done
            run list-groups-for-user --user-name "$u"
            for gg in $(jq -r '.Groups[].GroupName' "$T/out"); do
                write remove-user-from-group --user-name "$u" --group-name "$gg"
            done
            write_whole delete-user --user-name "$u"
            mapfile -t users < <(printf '%s\n' "${users[@]}" | grep -vx "$u")
        fi
        ;;
    16)
        # a role is a user on the host (a passwd line, an auth record with its trust policy):
        # a role's write compiles whole; the users' writes after it stay incremental and equal
        if [ "${#roles[@]}" -lt 3 ]; then
            n_roles=$((n_roles + 1))
            write_whole create-role --role-name "r$n_roles" --assume-role-policy-document \
                "$(trust "$u")"
            roles+=("r$n_roles")
        fi
        ;;
    17)
        if [ "${#roles[@]}" -gt 0 ]; then
            r=${roles[RANDOM % ${#roles[@]}]}
            case $((RANDOM % 3)) in
            0) write_whole put-role-policy --role-name "$r" --policy-name "rp$((RANDOM % 2))" \
                --policy-document "$DOC2" ;;
            1) write_whole update-assume-role-policy --role-name "$r" --policy-document \
                "$(trust "$u")" ;;
            2) # attached already: nothing written, nothing refreshed
               run attach-role-policy --role-name "$r" --policy-arn "$POLICY"
               [ "$RC" -eq 0 ] || fail "attach-role-policy --role-name $r"
               if grep -q '^iamctl: caches: ' "$T/err"; then
                   grep -q '^iamctl: caches: incremental' "$T/err" &&
                       fail "a role's change was refreshed incrementally"
                   note_and_compare attach-role-policy --role-name "$r"
               fi ;;
            esac
        fi
        ;;
    esac
done

# the users' writes below are made with roles in both caches (a role's record has fields of
# its own, which the patch of auth.cache must step over)
[ "${#roles[@]}" -gt 0 ] || fail "no role was made: the roles prove nothing"

# a user's inline policy replaced under the same name: the patch must write a new document
# (same source, new text), not point at the old one
u=$(pick_user)
write put-user-policy --user-name "$u" --policy-name pfix --policy-document "$DOC"
write put-user-policy --user-name "$u" --policy-name pfix --policy-document "$DOC2"

# iam.conf's shape of the caches changed: the next write compiles whole, then refreshes again
sed -i 's|^default_shell = .*|default_shell = /bin/sh|' "$CONF"
write_whole tag-user --user-name "$(pick_user)" --tags Key=after,Value=conf
before=$incremental
write tag-user --user-name "$(pick_user)" --tags Key=after,Value=again
[ "$incremental" -gt "$before" ] || fail "no incremental refresh after the whole compile: $(cat "$T/err.write")"

# the refreshes that could be incremental were, most of them
[ "$incremental" -ge $(((incremental + whole) / 2)) ] ||
    fail "only $incremental of $((incremental + whole)) writes were refreshed incrementally"
[ "$incremental" -ge 40 ] || fail "only $incremental incremental refreshes: the test proves little"
[ "$patched" -ge 15 ] || fail "only $patched refreshes patched nss.cache: the test proves little"
# auth.cache patched in place differs in its bytes from a whole compile's (records in the
# room, the room smaller): if it never did, the dump comparison above proved nothing
[ "$auth_differ" -ge 15 ] ||
    fail "auth.cache differed in its bytes from a whole compile only $auth_differ times"
echo "ok: $PASS checks; $incremental incremental refreshes ($patched patched nss.cache," \
    "$rebuilt rebuilt it; auth.cache patched unlike a compile's bytes $auth_differ times)," \
    "$whole whole compiles, all equal"
