#!/bin/bash
# End to end, real programs, no change to the host (TESTING.md): a private mount + pid
# namespace with an overlay over /etc and a tmpfs over /run; real sshd (via a symlink named
# sshd-iamtest, on 127.0.0.1 and ::1), setuid sudo, su, and pam_iam.so from the build tree.
# The work happens in pam_e2e_inner.sh, which refuses to run outside such a namespace.
#   test_e2e_pam_ssh_sudo.sh PAM_IAM_SO PAMFX_TOOL
set -uo pipefail
module=$1 tool=$2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for p in /usr/sbin/sshd sshpass ssh sudo su setpriv unshare python3 script; do
    command -v "$p" >/dev/null || { echo "SKIP: $p missing"; exit 77; }
done
exec unshare --mount --pid --fork --kill-child --mount-proc \
    env IAM_E2E_NAMESPACE=1 bash "$(dirname "$0")/pam_e2e_inner.sh" "$module" "$tool"
