#!/bin/bash
# The account phase fails closed for a user NSS knows but auth.cache does not.
#
# The reproduction: IAM user dave, with no policy, is denied. After `delete-user dave`, NSS
# may still resolve him: nscd remembers him for up to 10 minutes, a process that loaded the
# old nss.cache keeps it for a moment, and a host whose NSS module reads another cache_dir
# never forgets him. pam_iam used to answer PAM_USER_UNKNOWN, which the shipped stack ignores
# (user_unknown=ignore), so pam_unix and pam_permit let him in (an ssh public key in his home
# survives the deletion). Now: PAM_PERM_DENIED and an audit record.
#
# The stack is the one the package composes (Debian's common-account plus the account lines
# of packaging/pam-configs/iam, read from the file), run by pamtester under pam_wrapper; NSS
# is nss_wrapper with libnss_iam.so.2 as its module, pointed at the nss.cache from before the
# deletion (what nscd would answer).
#   test_deleted_user.sh IAMCTL PAM_IAM_SO PAM_WRAPPER_LIB NSS_WRAPPER_LIB NSS_IAM_SO PACKAGING
IAMCTL=$(realpath "$1")
PAM_IAM=$(realpath "$2")
PAM_WRAPPER=$3
NSS_WRAPPER=$4
NSS_IAM=$(realpath "$5")
PACKAGING=$(realpath "$6")
PROFILE=$PACKAGING/pam-configs/iam
. "$(dirname "$0")/lib.sh"
command -v pamtester >/dev/null || { echo "SKIP: pamtester missing"; exit 77; }

init_sec
expect_ok create-user --user-name alice
expect_ok put-user-policy --user-name alice --policy-name login \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*"}]}'
expect_ok create-user --user-name dave
DAVE_UID=$(sqlite3 "$DB" "SELECT posix_id FROM identities WHERE kind = 1 AND name = 'dave'")
[ -n "$DAVE_UID" ] || fail "dave has no uid"

# the account stack as pam-auth-update writes it: Debian's lines, then the profile's
{
    printf 'account [success=1 new_authtok_reqd=done default=ignore] pam_unix.so\n'
    printf 'account requisite pam_deny.so\naccount required pam_permit.so\n'
    sed -n '/^Account:/,/^[A-Z]/p' "$PROFILE" | grep -P '^\t' |
        sed -E "s|^\t+||; s|\t+| |g; s|pam_iam.so|$PAM_IAM config=$CONF|; s|^|account |"
} >"$PAMSVC/login"
grep -q "user_unknown=ignore\] $PAM_IAM" "$PAMSVC/login" || { cat "$PAMSVC/login"; fail "the profile's pam_iam line"; }
ok

# NSS: the files only root (as local accounts), then libnss_iam with the cache given
printf 'root:x:0:0:root:/root:/bin/bash\nldapuser:*:7000:7000:a directory user:/home/l:/bin/sh\n' >"$T/nsw.passwd"
printf 'root:x:0:\n' >"$T/nsw.group"
nss_env() { # CACHE
    PAM_PRELOAD="$PAM_WRAPPER:$NSS_WRAPPER"
    PAM_ENV=(NSS_WRAPPER_PASSWD="$T/nsw.passwd" NSS_WRAPPER_GROUP="$T/nsw.group"
             NSS_WRAPPER_MODULE_SO_PATH="$NSS_IAM" NSS_WRAPPER_MODULE_FN_PREFIX=iam
             IAM_NSS_CACHE="$1")
}
records() { jq -s length "$T/audit.jsonl" 2>/dev/null || echo 0; }

nss_env "$T/cache/nss.cache"
# before: alice is let in by her policy, dave is denied (no policy)
expect_pam_ok login alice x acct_mgmt
expect_pam_fail "Permission denied" login dave x acct_mgmt

# the nss.cache that still knows dave, as nscd or another cache_dir would
mkdir -m 0755 "$T/old" && cp "$T/cache/nss.cache" "$T/old/nss.cache"
expect_ok delete-user --user-name dave
n=$(records)
nss_env "$T/old/nss.cache"
expect_pam_fail "Permission denied" login dave x acct_mgmt
[ "$(records)" -eq $((n + 1)) ] || fail "no audit record of the denial"
ok
jq -e -s --arg u "$DAVE_UID" 'last | .eventName == "Login" and .errorCode == "AccessDenied"
        and .requestParameters.osUser == "dave" and .additionalEventData.decision == "deny"
        and .userIdentity.type == "Unknown"' "$T/audit.jsonl" >/dev/null ||
    { tail -1 "$T/audit.jsonl"; fail "the denial's audit record"; }
ok
# the sudo service denies him the same way: /etc/pam.d/sudo-iam is Debian's sudo stack (its
# account part is common-account, which skips pam_iam for this service) and its own lines
{
    cat "$PAMSVC/login"
    grep -P '^account\t' "$PACKAGING/pam.d/sudo-iam" | sed -E "s|\t+| |g; s|pam_iam.so|$PAM_IAM config=$CONF|"
} >"$PAMSVC/sudo-iam"
grep -q "$PAM_IAM config=$CONF action=host:Sudo" "$PAMSVC/sudo-iam" || { cat "$PAMSVC/sudo-iam"; fail "sudo-iam's pam_iam line"; }
expect_pam_fail "Permission denied" sudo-iam dave x acct_mgmt
jq -e -s 'last | .eventName == "Sudo" and .errorCode == "AccessDenied"' "$T/audit.jsonl" >/dev/null ||
    fail "the sudo denial's audit record"
ok
# and with enforce = no too: there is nothing to evaluate, so nothing to merely audit
sed -i 's/^enforce = yes$/enforce = no/' "$CONF"
expect_pam_fail "Permission denied" login dave x acct_mgmt
sed -i 's/^enforce = no$/enforce = yes/' "$CONF"

# not affected: alice; a user nobody knows (NSS says no: pam_unix's unknown user is denied by
# Debian's own lines); a directory user outside IAM's range; root (a local account)
expect_pam_ok login alice x acct_mgmt
expect_pam_fail "." login nobody-at-all x acct_mgmt
expect_pam_ok login ldapuser x acct_mgmt
expect_pam_ok login root x acct_mgmt
# with the current nss.cache, dave is simply unknown
nss_env "$T/cache/nss.cache"
expect_pam_fail "." login dave x acct_mgmt

echo "ok: $PASS checks"
