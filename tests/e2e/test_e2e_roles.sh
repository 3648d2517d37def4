#!/bin/bash
# Roles end to end with the real su and the real, setuid sudo and its approval plugin,
# changing nothing on the host: a private mount + pid namespace with overlays over /etc, /usr
# and /var and a tmpfs over /run (docs/testing.md). The work happens in roles_inner.sh, which
# refuses to run outside such a namespace.
#   test_e2e_roles.sh PAM_IAM_SO NSS_IAM_SO IAM_APPROVAL_SO IAMCTL PACKAGING_DIR
#                     IAM_SUDO_CONF_SCRIPT PLUGIN_INSTALL_PATH
set -uo pipefail
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for p in su sudo setpriv unshare python3 pam-auth-update visudo script; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
exec unshare --mount --pid --fork --kill-child --mount-proc \
    env IAM_E2E_NAMESPACE=1 bash "$(dirname "$0")/roles_inner.sh" "$@"
