#!/bin/bash
# End to end with the real sshd: IAM users log in with their SSH public keys, which sshd gets
# from iam-authorized-keys (AuthorizedKeysCommand, the drop-in the package installs), under
# policy. Private mount + pid + network namespace with overlays over /etc, /usr and /var and a tmpfs over
# /run (docs/testing.md): the host is untouched. The work happens in ssh_keys_inner.sh.
#   test_e2e_ssh_keys.sh PAM_IAM_SO NSS_IAM_SO IAMCTL IAM_AUTHORIZED_KEYS PACKAGING_DIR
set -uo pipefail
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for p in /usr/sbin/sshd ssh ssh-keygen unshare ip python3 pam-auth-update; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody (AuthorizedKeysCommandUser)"; exit 77; }
exec unshare --mount --pid --net --fork --kill-child --mount-proc \
    env IAM_E2E_NAMESPACE=1 bash "$(dirname "$0")/ssh_keys_inner.sh" "$@"
