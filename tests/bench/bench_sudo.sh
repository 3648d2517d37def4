#!/bin/bash
# What iam_approval.so adds to one sudo: the real, setuid sudo run as an IAM user and as a local
# user (both NOPASSWD in sudoers, so no secret is typed) with three /etc/sudo.conf: without
# an approval plugin, with sudo_nop.so (approves everything, does nothing: what sudo itself
# spends on an approval plugin) and with iam_approval.so, in rotation so that the machine's
# drift hits all three alike. Prints the median and 90th percentile of each, the ratios of
# the medians and the medians of the paired differences. Without iam_approval.so, pam_iam's
# account phase evaluates host:Sudo (once per sudo); with it, the plugin evaluates host:Sudo
# with the command and the account phase does not.
# Then, with iam_approval.so, what `sudo -u ROLE` (sts:AssumeRole, decided by the plugin: the
# run-as user's record, the role's trust policy and the caller's policies) costs beside plain
# sudo (run as root) and `sudo -u` a local user, the same IAM user, in rotation: medians, 90th
# percentiles, ratios, and the CPU time (user+sys of sudo and what it runs) beside wall time,
# with the load average before and after.
# Runs in a private mount + pid namespace (overlays over /etc, /usr and /var): the host is
# untouched. Needs root.
#   bench_sudo.sh PAM_IAM_SO NSS_IAM_SO IAM_APPROVAL_SO IAMCTL PACKAGING_DIR IAM_SUDO_CONF_SCRIPT
#                 PLUGIN_INSTALL_PATH SUDO_NOP_SO [RUNS]
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "bench_sudo.sh: needs root (setuid sudo, private /etc)" >&2; exit 1; }
if [ "${IAM_BENCH_NAMESPACE:-}" != 1 ]; then
    exec unshare --mount --pid --fork --kill-child --mount-proc \
        env IAM_BENCH_NAMESPACE=1 bash "$0" "$@"
fi
module=$1 nss_module=$2 plugin=$3 iamctl=$4 pkg=$5 sudo_conf_script=$6 plugin_path=$7
nop=$8 runs=${9:-200}
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
# Allowed with and without the plugin alike (nothing in it needs the command).
cat > "$t/policy.json" <<'J'
{"Version": "2012-10-17", "Statement": [
  {"Sid": "Anything", "Effect": "Allow", "Action": "host:Sudo", "Resource": "*"}]}
J
iamctl create-user --user-name benchiam >/dev/null
iamctl put-user-policy --user-name benchiam --policy-name sudo \
    --policy-document "file://$t/policy.json" >/dev/null
# A role benchiam may assume: trusted by the account, allowed by benchiam's own policy.
cat > "$t/trust.json" <<'J'
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
   "Action": "sts:AssumeRole"}]}
J
cat > "$t/assume.json" <<'J'
{"Version": "2012-10-17", "Statement": [
  {"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole",
   "Resource": "arn:aws:iam::123456789012:role/benchrole"}]}
J
iamctl create-role --role-name benchrole --assume-role-policy-document "file://$t/trust.json" \
    >/dev/null
iamctl put-user-policy --user-name benchiam --policy-name assume \
    --policy-document "file://$t/assume.json" >/dev/null
useradd -M -s /bin/sh benchlocal
printf '%s\n' 'benchiam ALL=(ALL:ALL) NOPASSWD: ALL' 'benchlocal ALL=(ALL:ALL) NOPASSWD: ALL' \
    > /etc/sudoers.d/zz-bench
chmod 0440 /etc/sudoers.d/zz-bench
[ -e /etc/sudo.conf ] || : > /etc/sudo.conf
cp -p /etc/sudo.conf "$t/sudo.conf.without"
"$sudo_conf_script" enable /etc/sudo.conf
cp -p /etc/sudo.conf "$t/sudo.conf.with"
install -m 0644 "$nop" "$(dirname "$plugin_path")/sudo_nop.so"
cp -p "$t/sudo.conf.without" "$t/sudo.conf.nop"
printf 'Plugin sudo_nop %s\n' "$(dirname "$plugin_path")/sudo_nop.so" >> "$t/sudo.conf.nop"
# Every run must succeed, with and without the plugin, before anything is timed.
for u in benchiam benchlocal; do
    for side in with nop without; do
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
print(f"sudo -n /usr/bin/true, {runs} runs of each, in rotation (times in ms)")
print("  none: no approval plugin; nop: sudo_nop.so; iam: iam_approval.so")
q = lambda xs: statistics.quantiles(xs, n=10)[8]
for name, (uid, gid) in users.items():
    times = {"without": [], "nop": [], "with": []}
    for _ in range(runs):
        for side in times:
            use(side)
            times[side].append(one(uid, gid))
    m = {k: statistics.median(v) for k, v in times.items()}
    pair = lambda a, b: statistics.median([y - x for x, y in zip(times[a], times[b])])
    print(f"{name}:")
    print(f"  median  none {m['without']:8.3f}  nop {m['nop']:8.3f}  iam {m['with']:8.3f}")
    print(f"  p90     none {q(times['without']):8.3f}  nop {q(times['nop']):8.3f}  iam {q(times['with']):8.3f}")
    print(f"  iam/none {m['with'] / m['without']:.3f}  iam/nop {m['with'] / m['nop']:.3f}"
          f"  added by iam over none {pair('without', 'with'):+.3f}"
          f"  over nop {pair('nop', 'with'):+.3f}  (medians of paired differences)")
PY
after=$(wc -l < "$audit")
echo "audit records written while timing: $((after - before)) (one per IAM user's sudo: Sudo from" \
     "the account phase without iam_approval.so, SudoCommand with it)"
# sudo -u ROLE beside plain sudo and sudo -u a local user, all with iam_approval.so.
cp -p "$t/sudo.conf.with" /etc/sudo.conf
for target in root benchlocal benchrole; do
    setpriv --reuid="$(id -u benchiam)" --regid="$(id -g benchiam)" --init-groups \
        sudo -n -u "$target" /usr/bin/true ||
        { echo "bench_sudo.sh: sudo -u $target failed for benchiam" >&2; exit 1; }
done
before=$(wc -l < "$audit")
grep -c '"AssumeRole"' "$audit" >/dev/null || { echo "bench_sudo.sh: no AssumeRole record" >&2; exit 1; }
python3 - "$runs" "$(id -u benchiam)" "$(id -g benchiam)" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs, uid, gid = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def one(target):
    argv = ["setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups",
            "sudo", "-n", "-u", target, "/usr/bin/true"]
    c0, start = cpu(), time.perf_counter_ns()
    r = subprocess.run(argv)
    took, c1 = time.perf_counter_ns() - start, cpu()
    if r.returncode != 0:
        sys.exit("bench_sudo: sudo -u %s failed during the run" % target)
    return took / 1e6, (c1 - c0) * 1e3
print()
print(f"IAM user, iam_approval.so: sudo -n [-u TARGET] /usr/bin/true, {runs} runs of each, in "
      "rotation (ms)")
print("  root: plain sudo; local: -u a local user; role: -u an IAM role (sts:AssumeRole)")
print("  load average before: %.2f %.2f %.2f" % os.getloadavg())
wall = {"root": [], "benchlocal": [], "benchrole": []}
cpus = {k: [] for k in wall}
for _ in range(runs):
    for target in wall:
        w, c = one(target)
        wall[target].append(w)
        cpus[target].append(c)
print("  load average after:  %.2f %.2f %.2f" % os.getloadavg())
q = lambda xs: statistics.quantiles(xs, n=10)[8]
m = {k: statistics.median(v) for k, v in wall.items()}
mc = {k: statistics.median(v) for k, v in cpus.items()}
names = {"root": "root ", "benchlocal": "local", "benchrole": "role "}
for k in wall:
    print(f"  {names[k]}  wall median {m[k]:8.3f}  p90 {q(wall[k]):8.3f}   cpu (user+sys) "
          f"median {mc[k]:7.3f}")
pair = lambda a, b: statistics.median([y - x for x, y in zip(wall[a], wall[b])])
print(f"  role/root {m['benchrole'] / m['root']:.3f}  role/local {m['benchrole'] / m['benchlocal']:.3f}"
      f"  cpu role/root {mc['benchrole'] / mc['root']:.3f}")
print(f"  added by -u ROLE over plain sudo {pair('root', 'benchrole'):+.3f}, over -u local "
      f"{pair('benchlocal', 'benchrole'):+.3f} (medians of paired differences)")
PY
after=$(wc -l < "$audit")
echo "audit records written while timing -u: $((after - before)) (one per sudo: SudoCommand, or" \
     "AssumeRole for sudo -u ROLE)"
