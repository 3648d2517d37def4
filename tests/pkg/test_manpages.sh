#!/bin/bash
# The man pages render without a single groff or man warning, and each names
# what its users look for (a cheap guard against a page going stale).
# usage: test_manpages.sh PACKAGING_MAN_DIR
set -euo pipefail
dir=${1:?usage: $0 packaging/man}
fails=0

expect() { # expect PAGE WORD...: the rendered page mentions each WORD
    local page=$1 text w
    shift
    text=$(MANWIDTH=200 man -l "$dir/$page" 2>/dev/null)
    for w in "$@"; do
        if ! grep -qF -- "$w" <<< "$text"; then
            echo "FAIL $page does not mention '$w'"
            fails=$((fails + 1))
        fi
    done
}

for page in "$dir"/*.[0-9]; do
    warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1 || echo "groff failed")
    if [ -n "$warnings" ]; then
        echo "FAIL $(basename "$page"):"
        echo "$warnings"
        fails=$((fails + 1))
    else
        echo "ok   $(basename "$page") renders cleanly"
    fi
done

expect pam_iam.8 use_first_pass try_first_pass config= action=host:Sudo allow= \
    PAM_USER_UNKNOWN PAM_AUTHINFO_UNAVAIL PAM_PERM_DENIED host:Login host:Sudo \
    aws:SourceIp host:AuthMethod aws:ResourceTag/ /etc/sudoers.d/iam "enforce = no" \
    mfa= aws:MultiFactorAuthAge
expect iam-authorized-keys.8 AuthorizedKeysCommand ssh_keys.cache --uid upload-ssh-public-key
expect nss_iam.8 /var/lib/iam/nss.cache UNAVAIL "nscd -i passwd" initgroups
expect iam.conf.5 account_id host_arn database cache_dir audit_log uid_min uid_max \
    home_template default_shell host_tag. max_access_key_age_days enforce private_groups \
    trail_digest_dir trail_state_dir trail_public_key unused_access_age_days \
    shared_key_window_minutes shared_key_max_source_ips shared_key_max_hosts \
    allow_privileged_group_names lockout lockout_failures lockout_window_seconds \
    lockout_time_seconds
expect iamctl.8 init compile create-user create-access-key simulate-principal-policy \
    get-account-authorization-details import get-credential-report "--config" \
    lookup-events seal-logs validate-logs generate-policy list-findings-v2 get-finding-v2 \
    get-access-key-last-used --audit-log SharedIAMUserAccessKey list-lockouts reset-lockout \
    update-account-password-policy get-account-password-policy change-password \
    create-virtual-mfa-device enable-mfa-device QRCodePNG

if [ "$fails" -ne 0 ]; then
    exit 1
fi
echo "all man page checks passed"
