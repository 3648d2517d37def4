#!/bin/bash
# What iam_approval.so adds to one sudo: the real, setuid sudo run as an IAM user and as a local
# user (both NOPASSWD in sudoers, so no secret is typed), with the plugin's line in
# /etc/sudo.conf and without it, in alternation so that the machine's drift hits both sides
# alike. Prints the median and 90th percentile of each side, the ratio of the medians and the
# median of the paired differences. Without the plugin, pam_iam's account phase evaluates
# host:Sudo (once per sudo); with it, the plugin evaluates host:Sudo with the command and
# the account phase does not, so "added" is the plugin's cost minus that evaluation's.
# Runs in a private mount + pid namespace (overlays over /etc, /usr and /var): the host is
# untouched. Needs root.
#   bench_sudo.sh PAM_IAM_SO NSS_IAM_SO IAM_APPROVAL_SO IAMCTL PACKAGING_DIR IAM_SUDO_CONF_SCRIPT
#                 PLUGIN_INSTALL_PATH [RUNS]
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "bench_sudo.sh: needs root (setuid sudo, private /etc)" >&2; exit 1; }
if [ "${IAM_BENCH_NAMESPACE:-}" != 1 ]; then
    exec unshare --mount --pid --fork --kill-child --mount-proc \
        env IAM_BENCH_NAMESPACE=1 bash "$0" "$@"
fi
module=$1 nss_module=$2 plugin=$3 iamctl=$4 pkg=$5 sudo_conf_script=$6 plugin_path=$7
runs=${8:-200}
[ "$$" = 1 ] || { echo "refusing: not pid 1 of a private pid namespace" >&2; exit 1; }
mount -t tmpfs tmpfs /run
t=/run/iambench
mkdir -p "$t"
for d in etc usr var; do
    mkdir -p "$t/$d.u" "$t/$d.w"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$t/$d.u,workdir=$t/$d.w" "/$d"
done
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
install -m 0644 "$module" "/usr/lib/$multiarch/security/pam_iam.so"
install -m 0644 "$nss_module" "/usr/lib/$multiarch/libnss_iam.so.2"
install -d -m 0755 "$(dirname "$plugin_path")"
install -m 0644 "$plugin" "$plugin_path"
ldconfig
install -m 0644 "$pkg/pam-configs/iam" /usr/share/pam-configs/iam
install -m 0644 "$pkg/pam.d/sudo-iam" "$pkg/pam.d/sudo-iam-i" /etc/pam.d/
install -m 0440 "$pkg/sudoers/iam" /etc/sudoers.d/iam
DEBIAN_FRONTEND=noninteractive pam-auth-update --package --enable iam
sed -i -e 's/^\(passwd:[[:space:]]*files\)/\1 iam/' -e 's/^\(group:[[:space:]]*files\)/\1 iam/' \
    /etc/nsswitch.conf
install -m 0755 "$iamctl" /usr/sbin/iamctl
install -d -m 0755 /etc/iam /var/lib/iam
install -d -m 0750 /var/log/iam
iamctl init --account-id 123456789012 \
    --host-arn arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0 >/dev/null
cat > "$t/policy.json" <<'J'
{"Version": "2012-10-17", "Statement": [
  {"Sid": "Anything", "Effect": "Allow", "Action": "host:Sudo", "Resource": "*"},
  {"Sid": "NoShells", "Effect": "Deny", "Action": "host:Sudo", "Resource": "*",
   "Condition": {"StringLike": {"host:Command": ["/bin/*sh", "/usr/bin/*sh"]}}}]}
J
iamctl create-user --user-name benchiam >/dev/null
iamctl put-user-policy --user-name benchiam --policy-name sudo \
    --policy-document "file://$t/policy.json" >/dev/null
useradd -M -s /bin/sh benchlocal
printf '%s\n' 'benchiam ALL=(ALL:ALL) NOPASSWD: ALL' 'benchlocal ALL=(ALL:ALL) NOPASSWD: ALL' \
    > /etc/sudoers.d/zz-bench
chmod 0440 /etc/sudoers.d/zz-bench
[ -e /etc/sudo.conf ] || : > /etc/sudo.conf
cp -p /etc/sudo.conf "$t/sudo.conf.without"
"$sudo_conf_script" enable /etc/sudo.conf
cp -p /etc/sudo.conf "$t/sudo.conf.with"
# Every run must succeed, with and without the plugin, before anything is timed.
for u in benchiam benchlocal; do
    for side in with without; do
        cp -p "$t/sudo.conf.$side" /etc/sudo.conf
        setpriv --reuid="$(id -u $u)" --regid="$(id -g $u)" --init-groups \
            sudo -n /usr/bin/true || { echo "bench_sudo.sh: sudo failed for $u ($side plugin)" >&2; exit 1; }
    done
done
audit=$(sed -n 's/^audit_log = //p' /etc/iam/iam.conf)
before=$(wc -l < "$audit")
python3 - "$t" "$runs" "$(id -u benchiam)" "$(id -g benchiam)" "$(id -u benchlocal)" \
    "$(id -g benchlocal)" <<'PY'
import os, shutil, statistics, subprocess, sys, time
t, runs = sys.argv[1], int(sys.argv[2])
users = {"IAM user": (sys.argv[3], sys.argv[4]), "local user": (sys.argv[5], sys.argv[6])}
def one(uid, gid):
    argv = ["setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups",
            "sudo", "-n", "/usr/bin/true"]
    start = time.perf_counter_ns()
    r = subprocess.run(argv)
    took = time.perf_counter_ns() - start
    if r.returncode != 0:
        sys.exit("bench_sudo: sudo failed during the run")
    return took / 1e6
def use(side):
    shutil.copy2(os.path.join(t, "sudo.conf." + side), "/etc/sudo.conf")
print(f"sudo -n /usr/bin/true, {runs} runs per side, alternating (times in ms)")
print(f"{'':12} {'median without':>15} {'median with':>12} {'p90 without':>12} {'p90 with':>9}"
      f" {'ratio':>6} {'added (median of pairs)':>24}")
for name, (uid, gid) in users.items():
    wo, wi, diff = [], [], []
    for _ in range(runs):
        use("without"); a = one(uid, gid)
        use("with"); b = one(uid, gid)
        wo.append(a); wi.append(b); diff.append(b - a)
    q = lambda xs: statistics.quantiles(xs, n=10)[8]
    mwo, mwi = statistics.median(wo), statistics.median(wi)
    print(f"{name:12} {mwo:15.3f} {mwi:12.3f} {q(wo):12.3f} {q(wi):9.3f} {mwi / mwo:6.3f}"
          f" {statistics.median(diff):24.3f}")
PY
after=$(wc -l < "$audit")
echo "audit records written while timing: $((after - before)) (one SudoCommand per IAM user's sudo with the plugin)"
