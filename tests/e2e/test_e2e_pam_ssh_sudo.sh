#!/bin/bash
# End to end, real programs, no change to the host (docs/testing.md): a private mount + pid + network
# namespace with an overlay over /etc and a tmpfs over /run; real sshd (via a symlink named
# sshd-iamtest, on 127.0.0.1 and ::1), setuid sudo and su, with pam_iam.so and
# libnss_iam.so.2 from the build tree installed as the packages install them (pam-auth-update
# profile, sudo-iam stacks, sudoers drop-in, nsswitch.conf); users, keys and policies are
# made with iamctl. The work happens in
# pam_e2e_inner.sh, which refuses to run outside such a namespace.
#   test_e2e_pam_ssh_sudo.sh PAM_IAM_SO NSS_IAM_SO IAMCTL PACKAGING_DIR
set -uo pipefail
module=$1 nss_module=$2 iamctl=$3 pkg=$4
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for p in /usr/sbin/sshd sshpass ssh sudo su setpriv unshare ip python3 script pam-auth-update visudo; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
exec unshare --mount --pid --net --fork --kill-child --mount-proc \
    env IAM_E2E_NAMESPACE=1 bash "$(dirname "$0")/pam_e2e_inner.sh" "$module" "$nss_module" \
    "$iamctl" "$pkg"
