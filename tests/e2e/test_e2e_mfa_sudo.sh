#!/bin/bash
# MFA end to end with the real sshd and the real, setuid sudo, changing nothing on the host
# (a private mount + pid + network namespace with overlays, as test_e2e_sudo_approval.sh): an IAM user
# with a virtual MFA device logs in over ssh with her secret and a code (two prompts of
# keyboard-interactive), and sudo inside that login, which asks for a code too, is allowed by a
# policy that requires aws:MultiFactorAuthPresent for host:Sudo; a wrong or replayed code is
# refused, and a user without a device is refused by the same policy. Codes come from oathtool.
#   test_e2e_mfa_sudo.sh PAM_IAM_SO NSS_IAM_SO IAM_APPROVAL_SO IAMCTL PACKAGING_DIR
#                        IAM_SUDO_CONF_SCRIPT PLUGIN_INSTALL_PATH
set -uo pipefail
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for p in /usr/sbin/sshd ssh sudo setpriv unshare ip python3 pam-auth-update visudo oathtool; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
exec unshare --mount --pid --net --fork --kill-child --mount-proc \
    env IAM_E2E_NAMESPACE=1 bash "$(dirname "$0")/mfa_sudo_inner.sh" "$@"
