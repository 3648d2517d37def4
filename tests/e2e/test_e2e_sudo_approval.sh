#!/bin/bash
# End to end with the real, setuid sudo and the approval plugin, changing nothing on the host:
# a private mount + pid + network namespace with overlays over /etc, /usr and /var and a tmpfs over
# /run (docs/testing.md). pam_iam.so, libnss_iam.so.2 and iam_approval.so come from the build
# tree and are installed as the package installs them; /etc/sudo.conf is edited by the
# package's own iam-sudo-conf. The work happens in sudo_approval_inner.sh, which refuses to
# run outside such a namespace.
#   test_e2e_sudo_approval.sh PAM_IAM_SO NSS_IAM_SO IAM_APPROVAL_SO IAMCTL PACKAGING_DIR
#                             IAM_SUDO_CONF_SCRIPT PLUGIN_INSTALL_PATH
set -uo pipefail
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for p in /usr/sbin/sshd sshpass ssh sudo setpriv unshare ip python3 pam-auth-update visudo; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
exec unshare --mount --pid --net --fork --kill-child --mount-proc \
    env IAM_E2E_NAMESPACE=1 bash "$(dirname "$0")/sudo_approval_inner.sh" "$@"
