#!/bin/bash
# CI test of the Debian packages.
#
# Builds the .debs from this tree (packaging/build-deb.sh, lintian must report no
# error), then, in a private mount and pid namespace where /etc, /usr and /var are
# writable overlays and /run and /home are fresh tmpfs (the host is never
# touched), installs them with dpkg as a user would and checks:
#   - files, modes, the pam-auth-update lines, nsswitch.conf, the sudoers drop-in;
#   - a local user still logs in over ssh before IAM is configured (pam_iam fails
#     closed with no configuration, and that must not touch local users);
#   - an IAM user logs in with a fresh access key over ssh, `id` shows the IAM
#     groups, a wrong secret and a login policy's condition deny, sudo is allowed
#     by host:Sudo for one user and refused for another (sudo's approval plugin,
#     enabled by the package in /etc/sudo.conf, asks for each command), the audit
#     log has them;
#   - sshd: the package's drop-in /etc/ssh/sshd_config.d/iam.conf names
#     iam-authorized-keys, sshd (running) is reloaded, alice logs in with her
#     uploaded SSH key; remove takes the drop-in out and reloads sshd again;
#   - remove: /etc/sudo.conf is byte for byte what it was before installation;
#   - purge: nsswitch.conf, /etc/pam.d and /etc/sudoers.d are byte for byte what
#     they were before installation, the modules are gone, local logins work.
#
# usage: test_package.sh           (needs root; exit 77 = skipped)
# IAM_PKG_DEBS=DIR reuses .debs built earlier instead of building.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)

if [ "${1:-}" != "--inside" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root (dpkg, unshare, sshd)"
        exit 77
    fi
    for tool in unshare dpkg-buildpackage sshd ssh sshpass sudo visudo pam-auth-update; do
        if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
            echo "SKIP: $tool is not installed (scripts/install-deps.sh)"
            exit 77
        fi
    done
    T=$(mktemp -d /tmp/iam-pkgtest.XXXXXX)
    trap 'rm -rf "$T"' EXIT
    if [ -n "${IAM_PKG_DEBS:-}" ]; then
        debs=$(cd "$IAM_PKG_DEBS" && pwd)
    else
        debs=$T/debs
        start=$(date +%s)
        "$top/packaging/build-deb.sh" --lintian "$debs" > "$T/build.out" 2>&1 || {
            cat "$T/build.out"
            echo "FAIL: package build or lintian"
            exit 1
        }
        echo "ok   packages built, lintian reports no error ($(($(date +%s) - start)) s)"
        grep -E '^[WE]: ' "$debs/lintian.log" | sed 's/^/     lintian /' || true
    fi
    # The host's files, to prove afterwards that the namespace kept them safe.
    sha_before=$(cat /etc/nsswitch.conf /etc/pam.d/* 2>/dev/null | sha256sum)
    rc=0
    unshare --mount --pid --net --fork --kill-child --mount-proc \
        "$0" --inside "$T" "$debs" || rc=$?
    sha_after=$(cat /etc/nsswitch.conf /etc/pam.d/* 2>/dev/null | sha256sum)
    if [ "$sha_before" != "$sha_after" ]; then
        echo "FAIL: the host's /etc/nsswitch.conf or /etc/pam.d changed"
        rc=1
    fi
    exit "$rc"
fi

# ---- inside the private namespace ---------------------------------------------
T=$2
debs=$3
fails=0
ok() { echo "ok   $*"; }
diag() { # the tails of sshd's log and the audit log, after an unexpected denial
    [ -f "$T/sshd.log" ] && tail -n 8 "$T/sshd.log" | sed 's/^/     sshd: /'
    [ -f /var/log/iam/audit.jsonl ] && tail -n 3 /var/log/iam/audit.jsonl | sed 's/^/     audit: /'
    return 0
}
fail() {
    echo "FAIL $*"
    fails=$((fails + 1))
}
die() {
    echo "FAIL $*"
    [ -f "$T/sshd.log" ] && sed 's/^/     sshd: /' "$T/sshd.log" | tail -n 20
    exit 1
}

ip link set lo up    # a private network namespace: port 2222 cannot clash with anything
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /home
mkdir -p "$T/ov"
mount -t tmpfs tmpfs "$T/ov"
for d in etc usr var; do
    mkdir -p "$T/ov/$d.u" "$T/ov/$d.w"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/ov/$d.u,workdir=$T/ov/$d.w" "/$d"
done
export DEBIAN_FRONTEND=noninteractive
# A container's policy-rc.d (exit 101: "start no services") would keep invoke-rc.d from
# reloading sshd; a Debian host has none, and this namespace's /usr is an overlay.
rm -f /usr/sbin/policy-rc.d

# Start from Debian's stock files, plus an initgroups line, so the test does not
# depend on what else this machine has configured.
cat > /etc/nsswitch.conf <<'EOF'
# /etc/nsswitch.conf (test copy)
passwd:         files systemd
group:          files systemd
initgroups:     files
shadow:         files systemd
gshadow:        files systemd

hosts:          files dns
networks:       files
EOF
before=$T/before
mkdir -p "$before"
mkdir -p /etc/ssh/sshd_config.d
cp -a /etc/nsswitch.conf /etc/pam.d /etc/sudoers.d /etc/sudo.conf /etc/ssh/sshd_config.d "$before/"

# A local user with a password, who must keep logging in throughout.
useradd -m -s /bin/bash localtester
echo 'localtester:Local-Pass-123' | chpasswd

# sshd on a loopback port, with PAM; its service name is "sshd", the stack as shipped. It
# includes the drop-in folder as Debian's sshd_config does, and keeps its pid where Debian's
# sshd does, so that the package finds it running (and reloads it).
mkdir -p /run/sshd "$T/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/hostkey"
cat > "$T/ssh/sshd_config" <<EOF
Include /etc/ssh/sshd_config.d/*.conf
Port 2222
ListenAddress 127.0.0.1
HostKey $T/ssh/hostkey
PidFile /run/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
UseDNS no
LogLevel VERBOSE
EOF
/usr/sbin/sshd -f "$T/ssh/sshd_config" -E "$T/sshd.log"
# Started, or given up after a minute (a wide margin on a loaded machine; it takes ms).
for _ in $(seq 600); do
    [ -s /run/sshd.pid ] && break
    sleep 0.1
done
[ -s /run/sshd.pid ] || die "sshd did not start"

# ssh_as USER SECRET COMMAND: log in with the real client; the secret goes through
# the environment (sshpass -e), never argv. Prints the command's output.
ssh_as() {
    SSHPASS=$2 sshpass -e ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o PubkeyAuthentication=no \
        -o NumberOfPasswordPrompts=1 -o PreferredAuthentications=keyboard-interactive \
        "$1@127.0.0.1" "$3"
}

ssh_as localtester Local-Pass-123 'echo hello' | grep -qx hello ||
    die "a local user cannot log in over ssh even before the package is installed"
# sshpass keeps ssh's standard input: the sudo checks below feed secrets through it.
[ "$(printf 'stdin-ok\n' | ssh_as localtester Local-Pass-123 'cat')" = stdin-ok ] ||
    die "ssh does not forward standard input under sshpass"
echo 'localtester ALL=(ALL:ALL) ALL' > /etc/sudoers.d/zz-iamtest
chmod 0440 /etc/sudoers.d/zz-iamtest

# ---- install --------------------------------------------------------------------
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
if dpkg -i "$debs"/iamctl_*_"$arch".deb "$debs"/libpam-iam_*_"$arch".deb \
        "$debs"/libnss-iam_*_"$arch".deb > "$T/dpkg-install.log" 2>&1; then
    ok "dpkg -i iamctl libpam-iam libnss-iam"
else
    cat "$T/dpkg-install.log"
    die "dpkg -i failed"
fi

# has_line PATTERN CMD...: CMD succeeds and prints a line matching PATTERN.
# The output is read whole before grep looks at it: under pipefail,
# `CMD | grep -q` fails when grep stops reading early and CMD dies of SIGPIPE
# (ldconfig -p on a machine with many libraries did exactly that in CI).
has_line() {
    local pattern=$1 out
    shift
    out=$("$@") || return 1
    grep -q -- "$pattern" <<<"$out"
}

check_mode() { # check_mode PATH MODE OWNER:GROUP
    local got
    got=$(stat -c '%a %U:%G' "$1" 2>/dev/null || echo missing)
    if [ "$got" = "$2 $3" ]; then ok "$1 is $2 $3"; else fail "$1 is '$got', want '$2 $3'"; fi
}
check_mode "/lib/$multiarch/security/pam_iam.so" 644 root:root
check_mode "/usr/lib/$multiarch/libnss_iam.so.2" 644 root:root
check_mode /usr/sbin/iamctl 755 root:root
check_mode /usr/libexec/iam/iam-authorized-keys 755 root:root
check_mode /etc/ssh/sshd_config.d/iam.conf 644 root:root
grep -qx 'AuthorizedKeysCommand /usr/libexec/iam/iam-authorized-keys --uid %U --fingerprint %f %u' \
    /etc/ssh/sshd_config.d/iam.conf && grep -qx 'AuthorizedKeysCommandUser nobody' \
    /etc/ssh/sshd_config.d/iam.conf &&
    ok "sshd drop-in: AuthorizedKeysCommand iam-authorized-keys as nobody" ||
    fail "sshd drop-in lacks the AuthorizedKeysCommand lines"
# sshd was running: the package reloaded it (sshd logs the SIGHUP and re-executes)
for _ in $(seq 100); do grep -q 'Received SIGHUP' "$T/sshd.log" && break; sleep 0.1; done
grep -q 'Received SIGHUP' "$T/sshd.log" && ok "install reloaded the running sshd" ||
    fail "install did not reload sshd"
[ -f /usr/share/doc/iamctl/findings.md ] &&
    ok "validate-policy's findings catalogue is at /usr/share/doc/iamctl/findings.md" ||
    fail "/usr/share/doc/iamctl/findings.md missing (HOST_* learnMoreLink target)"
check_mode /etc/iam 755 root:root
check_mode /var/lib/iam 755 root:root
check_mode /var/log/iam 750 root:root
check_mode /etc/sudoers.d/iam 440 root:root
check_mode "/usr/lib/$multiarch/iam-host/iam_approval.so" 644 root:root
# pam_iam's directory-password helper, in the architecture's own directory (libpam-iam is
# Multi-Arch: same), at the path the module runs by default
check_mode "/usr/lib/$multiarch/iam-host/iam-ldap-auth" 755 root:root
grep -aq "/usr/lib/$multiarch/iam-host/iam-ldap-auth" "/lib/$multiarch/security/pam_iam.so" &&
    ok "pam_iam.so runs the helper from where the package put it" ||
    fail "pam_iam.so does not name /usr/lib/$multiarch/iam-host/iam-ldap-auth"
[ "$(/usr/share/iam-host/iam-sudo-conf status)" = enabled ] &&
    grep -qx "Plugin iam_approval /usr/lib/$multiarch/iam-host/iam_approval.so" /etc/sudo.conf &&
    ok "/etc/sudo.conf: sudo asks iam_approval.so about every command" ||
    fail "/etc/sudo.conf does not enable iam_approval.so"
has_line "libnss_iam.so.2 .*/libnss_iam.so.2" ldconfig -p &&
    ok "libnss_iam.so.2 is in ld.so.cache (setuid sudo finds it)" ||
    fail "libnss_iam.so.2 is not in ld.so.cache"

want_ns=$(sed -e 's/^\(passwd: *files\)/\1 iam/' -e 's/^\(group: *files\)/\1 iam/' \
    -e 's/^\(initgroups: *files\)/\1 iam/' "$before/nsswitch.conf")
if [ "$want_ns" = "$(cat /etc/nsswitch.conf)" ]; then
    ok "nsswitch.conf: iam after files on passwd, group, initgroups; nothing else changed"
else
    fail "nsswitch.conf after install:"
    diff <(echo "$want_ns") /etc/nsswitch.conf || true
fi
grep -Eq '^auth[[:space:]]+\[success=1 default=ignore\][[:space:]]+pam_iam.so use_first_pass' \
    /etc/pam.d/common-auth && ok "common-auth: pam_iam after pam_unix, use_first_pass" ||
    fail "common-auth lacks the pam_iam line"
grep -Eq '^account[[:space:]]+\[default=bad success=ok user_unknown=ignore\][[:space:]]+pam_iam.so' \
    /etc/pam.d/common-account && ok "common-account: pam_iam, user_unknown=ignore" ||
    fail "common-account lacks the pam_iam line"
grep -Eq '^session[[:space:]]+optional[[:space:]]+pam_iam.so' /etc/pam.d/common-session &&
    ok "common-session: pam_iam optional" || fail "common-session lacks the pam_iam line"
visudo -c -q && ok "visudo -c accepts the sudoers with /etc/sudoers.d/iam" ||
    fail "visudo -c rejects the installed sudoers"
has_line 'PAM service name to use: sudo-iam$' sudo -V &&
    has_line 'PAM service name to use for login shells: sudo-iam-i$' sudo -V &&
    ok "sudo uses the PAM services sudo-iam and sudo-iam-i" ||
    fail "sudo does not use the sudo-iam PAM services"

# Installed, not yet configured: pam_iam fails closed for IAM users, local users
# are unaffected.
ssh_as localtester Local-Pass-123 'echo hello' | grep -qx hello &&
    ok "local user logs in over ssh with pam_iam installed and unconfigured" ||
    fail "local user cannot log in with pam_iam installed and unconfigured"
printf 'Local-Pass-123\n' | setpriv --reuid=localtester --regid=localtester --init-groups \
    sudo -S -k -p '' id -un 2>"$T/sudo.err" | grep -qx root &&
    ok "sudo by a local user works through sudo-iam with pam_iam unconfigured" ||
    fail "sudo by a local user fails with pam_iam unconfigured: $(cat "$T/sudo.err")"

# ---- configure an account ----------------------------------------------------------
# One function, so that the first hard failure skips to the purge checks.
configure_and_use() {
account=123456789012
host_arn="arn:aws:ec2:us-east-1:$account:instance/i-0123456789abcdef0"
iamctl init --account-id "$account" --host-arn "$host_arn" > "$T/init.out" 2>&1 ||
    { cat "$T/init.out"; fail "iamctl init failed"; return 1; }
printf 'host_tag.env = prod\n' >> /etc/iam/iam.conf
check_mode /etc/iam/iam.conf 644 root:root
check_mode /etc/iam/iam.db 600 root:root

pol=$T/policies
mkdir -p "$pol"
cat > "$pol/login.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Sid": "LoginFromLoopbackSameEnv", "Effect": "Allow",
   "Action": "host:Login", "Resource": "*",
   "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
                 "StringEquals": {"aws:ResourceTag/env": "${aws:PrincipalTag/env}"}}}]}
EOF
cat > "$pol/sudo.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Sid": "AdminsMaySudo", "Effect": "Allow",
   "Action": "host:Sudo", "Resource": "*"}]}
EOF
run() {
    "$@" > "$T/cmd.out" 2>&1 || {
        cat "$T/cmd.out"
        fail "$*"
        return 1
    }
}
run iamctl create-group --group-name devs || return 1
run iamctl create-group --group-name admins || return 1
run iamctl put-group-policy --group-name devs --policy-name login --policy-document "file://$pol/login.json" || return 1
run iamctl put-group-policy --group-name admins --policy-name sudo --policy-document "file://$pol/sudo.json" || return 1
for u in alice:prod bob:prod carol:staging; do
    run iamctl create-user --user-name "${u%%:*}" --tags "Key=env,Value=${u#*:}" || return 1
    run iamctl add-user-to-group --group-name devs --user-name "${u%%:*}" || return 1
done
run iamctl add-user-to-group --group-name admins --user-name alice || return 1
secret_of() {
    iamctl create-access-key --user-name "$1" > "$T/key.$1" 2>&1 || {
        cat "$T/key.$1" >&2
        return 1
    }
    sed -n 's/.*"SecretAccessKey"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$T/key.$1"
}
alice_key=$(secret_of alice) && bob_key=$(secret_of bob) && carol_key=$(secret_of carol) ||
    { fail "iamctl create-access-key"; return 1; }
[ ${#alice_key} -eq 40 ] && ok "create-access-key printed a 40-character secret" ||
    { fail "no secret in create-access-key's output"; return 1; }
ls /var/lib/iam/nss.cache /var/lib/iam/auth.cache >/dev/null 2>&1 &&
    ok "iamctl compiled the caches" || fail "caches missing in /var/lib/iam"
for u in alice bob carol; do
    install -d -m 0700 -o "$u" -g "$u" "/home/$u" 2>/dev/null ||
        fail "cannot create /home/$u owned by $u (NSS does not resolve $u)"
done
echo '%devs ALL=(ALL:ALL) ALL' >> /etc/sudoers.d/zz-iamtest

# ---- end to end ------------------------------------------------------------------
getent passwd alice | grep -q '^alice:[^:]*:[0-9]*:[0-9]*:' && ok "getent passwd alice" ||
    fail "getent passwd alice"
# Debian's common-account runs pam_unix first; for a passwd entry whose password field is
# "x" and that has no shadow entry, pam_unix answers PAM_AUTHINFO_UNAVAIL and the stack's
# pam_deny refuses the login before pam_iam is asked. SSSD's module reports "*" for this.
pwfield=$(getent passwd alice | cut -d: -f2)
[ "$pwfield" != x ] && ok "nss_iam's password field is '$pwfield', not 'x' (pam_unix lets the account phase on)" ||
    fail "nss_iam reports 'x' as alice's password field: pam_unix's account phase will refuse every IAM user"
out=$(ssh_as alice "$alice_key" 'id -nG' 2>&1) || true
if grep -qw devs <<< "$out" && grep -qw admins <<< "$out"; then
    ok "ssh alice with her access key; id -nG shows: $out"
else
    fail "ssh alice with her access key: '$out'"
    diag
fi
# Her SSH key: sshd asks the package's iam-authorized-keys (as nobody) for it.
ssh-keygen -q -t ed25519 -N '' -f "$T/alice_ssh" &&
    run iamctl upload-ssh-public-key --user-name alice --ssh-public-key-body "file://$T/alice_ssh.pub" ||
    fail "upload-ssh-public-key"
out=$(ssh -F /dev/null -p 2222 -i "$T/alice_ssh" -o IdentitiesOnly=yes -o BatchMode=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -o PreferredAuthentications=publickey alice@127.0.0.1 'echo key-in' 2>&1) || true
[ "$out" = key-in ] && ok "ssh alice with her uploaded SSH key (AuthorizedKeysCommand)" ||
    { fail "ssh alice with her SSH key: '$out'"; diag; }
# A refusal is checked twice: the client is refused, and the audit record says why.
# audit_since N NAME EXPR: among the records appended after line N, those of EVENT and USER
# (rs, a list) satisfy the Python expression EXPR.
audit=/var/log/iam/audit.jsonl
audit_lines() { if [ -f "$audit" ]; then wc -l < "$audit"; else echo 0; fi; }
audit_since() {
    python3 - "$audit" "$@" <<'PY'
import json, sys
path, start, event, user, expr = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
try:
    lines = open(path).read().splitlines()[start:]
except OSError:
    lines = []
rs = [r for r in map(json.loads, lines)
      if r["eventName"] == event and r["userIdentity"].get("userName") == user]
if not eval("(" + expr + "\n)"):  # parenthesized: EXPR may span lines
    print(json.dumps(rs, indent=1)[:3000])
    sys.exit(1)
PY
}
n=$(audit_lines)
out=$(ssh_as alice "$bob_key" 'echo in' 2>&1) && fail "alice got in with bob's secret" ||
    ok "alice with bob's secret: denied"
audit_since "$n" Authenticate alice \
    'len(rs) == 1 and rs[0]["errorCode"] == "FailedAuthentication" and rs[0]["additionalEventData"]["decision"] == "failure"' &&
    ok "audit: alice with bob's secret -> Authenticate FailedAuthentication" ||
    fail "audit: no FailedAuthentication record for alice with bob's secret"
wrong=${alice_key%?}
if [ "${alice_key: -1}" = x ]; then wrong+=y; else wrong+=x; fi
n=$(audit_lines)
out=$(ssh_as alice "$wrong" 'echo in' 2>&1) && fail "alice got in with a wrong secret" ||
    ok "alice with a wrong secret: denied"
audit_since "$n" Authenticate alice \
    'len(rs) == 1 and rs[0]["errorCode"] == "FailedAuthentication"' &&
    ok "audit: alice with a wrong secret -> Authenticate FailedAuthentication" ||
    fail "audit: no FailedAuthentication record for alice with a wrong secret"
n=$(audit_lines)
out=$(ssh_as carol "$carol_key" 'echo in' 2>&1) && fail "carol (env=staging) got in: $out" ||
    ok "carol, env=staging on a prod host: denied by the login policy's condition"
audit_since "$n" Authenticate carol 'len(rs) == 1 and "errorCode" not in rs[0]' &&
    audit_since "$n" Login carol \
    'len(rs) == 1 and rs[0]["errorCode"] == "AccessDenied" and "implicit deny" in rs[0]["errorMessage"]
     and rs[0]["additionalEventData"]["decision"] == "deny" and rs[0]["requestParameters"]["action"] == "host:Login"' &&
    ok "audit: carol authenticated, then Login AccessDenied (implicit deny: the condition did not match)" ||
    fail "audit: carol's refusal is not recorded as an implicit deny of host:Login"
out=$(printf '%s\n' "$alice_key" | ssh_as alice "$alice_key" "sudo -S -k -p '' id -un" 2>&1) || true
if [ "$(echo "$out" | tail -n 1)" = root ]; then
    ok "sudo by alice (admins: host:Sudo allowed)"
else
    fail "sudo by alice: '$out'"
    diag
fi
n=$(audit_lines)
out=$(printf '%s\n' "$bob_key" | ssh_as bob "$bob_key" "sudo -S -k -p '' id -un" 2>&1) || true
[ "$(echo "$out" | tail -n 1)" != root ] && grep -q 'not allowed by IAM policy' <<< "$out" &&
    ok "sudo by bob (no host:Sudo): refused by the approval plugin, which says why" ||
    fail "bob may sudo, or sudo did not say why: '$out'"
audit_since "$n" SudoCommand bob \
    'len(rs) == 1 and rs[0]["errorCode"] == "AccessDenied" and rs[0]["requestParameters"]["action"] == "host:Sudo"
     and rs[0]["additionalEventData"]["decision"] == "deny"' &&
    ok "audit: bob's sudo -> SudoCommand AccessDenied" || fail "audit: bob's sudo refusal is not recorded as such"
ssh_as localtester Local-Pass-123 'echo hello' | grep -qx hello &&
    ok "local user still logs in over ssh" || fail "local user cannot log in"

if [ -f "$audit" ]; then
    check_mode "$audit" 600 root:root
    # record EVENT USER: the audit lines of that event for that user
    record() {
        grep "\"eventName\":[[:space:]]*\"$1\"" "$audit" | grep "\"userName\":[[:space:]]*\"$2\"" || true
    }
    r=$(record Login alice)
    [ -n "$r" ] && ! grep -q errorCode <<< "$r" && grep -q '"decidingStatement":[[:space:]]*"LoginFromLoopbackSameEnv"' <<< "$r" &&
        ok "audit: alice's Login allowed, by statement LoginFromLoopbackSameEnv" ||
        fail "audit: no allowed Login record for alice naming its statement"
    record Login carol | grep -q '"errorCode":[[:space:]]*"AccessDenied"' &&
        ok "audit: carol's Login AccessDenied" || fail "audit: no AccessDenied Login record for carol"
    r=$(record SudoCommand alice)
    [ -n "$r" ] && ! grep -q errorCode <<< "$r" && grep -q '"commandLine":[[:space:]]*"/usr/bin/id -un"' <<< "$r" &&
        ok "audit: alice's SudoCommand allowed, with its command line" ||
        fail "audit: no allowed SudoCommand record for alice"
    record SudoCommand bob | grep -q '"errorCode":[[:space:]]*"AccessDenied"' &&
        ok "audit: bob's SudoCommand AccessDenied (host:Sudo decided, not host:Login)" ||
        fail "audit: no AccessDenied SudoCommand record for bob"
    [ -z "$(record Login bob | grep '"service":[[:space:]]*"sudo')" ] &&
        ok "audit: sudo did not ask host:Login" || fail "audit: sudo asked host:Login"
    if grep -qF -e "$alice_key" -e "$bob_key" -e "$carol_key" "$audit"; then
        fail "a secret is in the audit log"
    else
        ok "no secret in the audit log"
    fi
    # the trail, with the installed paths: query it, seal it, prove it, rotate it
    iamctl lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=alice |
        jq -e '.Events | length > 0 and all(.[]; .Username == "alice")' >/dev/null &&
        ok "lookup-events finds alice's events" || fail "lookup-events"
    iamctl seal-logs >"$T/seal.json" 2>"$T/seal.err" && [ -f /var/lib/iam/trail/state ] &&
        [ -d /var/log/iam/audit.jsonl.digest ] && ok "seal-logs: state in /var/lib/iam/trail, digests beside the log" ||
        fail "seal-logs: $(cat "$T/seal.err")"
    iamctl validate-logs --public-key "$(jq -r .PublicKey "$T/seal.json")" >"$T/validate.out" &&
        ok "validate-logs: $(grep 'records valid' "$T/validate.out")" || fail "validate-logs: $(cat "$T/validate.out")"
    [ -f /lib/systemd/system/iam-seal-logs.timer ] && [ -f /lib/systemd/system/iam-seal-logs.service ] &&
        ok "the seal timer is installed" || fail "iam-seal-logs.timer not installed"
    # the fleet: the pull helper where iamctl looks for it, and the timer
    [ -x /usr/libexec/iam/iam-pull ] && [ -f /lib/systemd/system/iam-pull.timer ] &&
        [ -f /lib/systemd/system/iam-pull.service ] &&
        ok "iam-pull and its timer are installed" || fail "iam-pull or iam-pull.timer not installed"
    iamctl pull >"$T/pull.out" 2>&1 && fail "iamctl pull on a host that keeps its store succeeded"
    grep -q "has no bundle_url" "$T/pull.out" && ok "iamctl pull runs the installed helper" ||
        fail "iamctl pull: $(cat "$T/pull.out")"
    ldd /usr/sbin/iamctl | grep -q libcurl && fail "iamctl links libcurl (only iam-pull should)" ||
        ok "iamctl does not load libcurl; iam-pull does: $(ldd /usr/libexec/iam/iam-pull | grep -c libcurl)"
    if command -v logrotate >/dev/null; then
        logrotate -f -s "$T/logrotate.state" /etc/logrotate.d/iam 2>"$T/logrotate.err" &&
            [ -f /var/log/iam/audit.jsonl.1 ] && iamctl validate-logs >/dev/null &&
            ok "the logrotate policy rotates the log, sealed first: the trail still validates" ||
            fail "logrotate policy: $(cat "$T/logrotate.err")"
    fi
else
    fail "no audit log at $audit"
fi
}
configure_and_use || echo "     (skipped the rest of the end-to-end checks)"

# ---- upgrade path ---------------------------------------------------------------
# Installing the same packages again runs the upgrade path of every script: nothing
# may be added twice, and iamctl's postinst recompiles the caches.
if dpkg -i "$debs"/iamctl_*_"$arch".deb "$debs"/libpam-iam_*_"$arch".deb \
        "$debs"/libnss-iam_*_"$arch".deb > "$T/dpkg-upgrade.log" 2>&1; then
    ok "dpkg -i over the installed packages (upgrade path)"
else
    cat "$T/dpkg-upgrade.log"
    fail "dpkg -i over the installed packages failed"
fi
[ "$want_ns" = "$(cat /etc/nsswitch.conf)" ] && ok "upgrade: nsswitch.conf unchanged" ||
    fail "upgrade changed nsswitch.conf"
[ "$(grep -c 'pam_iam.so' /etc/pam.d/common-account)" = 1 ] &&
    ok "upgrade: one pam_iam line in common-account" || fail "upgrade: pam_iam lines duplicated"
if [ -n "${alice_key:-}" ]; then
    ssh_as alice "$alice_key" 'echo in' 2>/dev/null | grep -qx in &&
        ok "upgrade: alice still logs in" || fail "upgrade: alice cannot log in"
fi

# ---- upgrade from 0.1.0 ----------------------------------------------------------
# A host of 0.1.0 has its account in a JSON database (tests/data/iam-0.1.0.json was written
# by iamctl 0.1.0). Upgrading the packages (iamctl's postinst runs `iamctl compile`) converts
# it into the store: iam.conf then names the store, the JSON file stays byte for byte as the
# backup, and its users resolve through NSS. The account made above is put back afterwards.
mkdir -p "$T/etc-iam" && cp -a /etc/iam/. "$T/etc-iam/"
rm -f /etc/iam/iam.db /etc/iam/iam.db-wal /etc/iam/iam.db-shm
install -m 0600 -o root -g root "$top/tests/data/iam-0.1.0.json" /etc/iam/iam.json
printf '%s\n' 'account_id = 111122223333' \
    'host_arn = arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc' \
    'database = /etc/iam/iam.json' 'uid_min = 5000' 'uid_max = 5999' > /etc/iam/iam.conf
chmod 0644 /etc/iam/iam.conf
json_sum=$(sha256sum < /etc/iam/iam.json)
if dpkg -i "$debs"/iamctl_*_"$arch".deb "$debs"/libpam-iam_*_"$arch".deb \
        "$debs"/libnss-iam_*_"$arch".deb > "$T/dpkg-upgrade01.log" 2>&1; then
    ok "dpkg -i over a host of 0.1.0 (its JSON database)"
else
    cat "$T/dpkg-upgrade01.log"
    fail "dpkg -i over a host of 0.1.0 failed"
fi
check_mode /etc/iam/iam.db 600 root:root
grep -qx 'database = /etc/iam/iam.db' /etc/iam/iam.conf &&
    ok "upgrade from 0.1.0: iam.conf names the store" ||
    fail "upgrade from 0.1.0: iam.conf says $(grep database /etc/iam/iam.conf)"
[ "$(sha256sum < /etc/iam/iam.json)" = "$json_sum" ] &&
    ok "upgrade from 0.1.0: the JSON database is kept as it was" ||
    fail "upgrade from 0.1.0: the JSON database changed"
getent passwd zoe | grep -q '^zoe:[^:]*:5008:5008:Zoe Local:' &&
    ok "upgrade from 0.1.0: its users resolve (getent passwd zoe)" ||
    fail "upgrade from 0.1.0: getent passwd zoe gives '$(getent passwd zoe)'"
iamctl list-users | jq -e '[.Users[].UserName] == ["alice","bob","carol.ops","dave@example.com","erin_ci","zoe"]' >/dev/null &&
    ok "upgrade from 0.1.0: every user is in the store" || fail "upgrade from 0.1.0: list-users"
rm -rf /etc/iam/* && cp -a "$T/etc-iam/." /etc/iam/ && iamctl compile >/dev/null ||
    fail "cannot put the account back after the 0.1.0 upgrade check"

# ---- remove, reinstall -----------------------------------------------------------
# remove keeps conffiles (/etc/pam.d/sudo-iam*) but must unwire everything.
if dpkg -r libnss-iam libpam-iam iamctl > "$T/dpkg-remove.log" 2>&1; then
    ok "dpkg -r libnss-iam libpam-iam iamctl"
else
    cat "$T/dpkg-remove.log"
    fail "dpkg -r failed"
fi
cmp -s "$before/nsswitch.conf" /etc/nsswitch.conf && ok "remove: nsswitch.conf restored" ||
    fail "remove: nsswitch.conf not restored"
diff -r -x sudo-iam -x sudo-iam-i "$before/pam.d" /etc/pam.d >/dev/null &&
    ok "remove: /etc/pam.d restored (but for the sudo-iam conffiles)" ||
    fail "remove: /etc/pam.d not restored"
[ ! -e /etc/sudoers.d/iam ] && sudo_v=$(sudo -V) &&
    ! grep -q 'service name to use: sudo-iam' <<<"$sudo_v" &&
    ok "remove: sudoers drop-in gone, sudo uses its own PAM service again" ||
    fail "remove: sudo still points at sudo-iam"
cmp -s "$before/sudo.conf" /etc/sudo.conf && ok "remove: /etc/sudo.conf byte for byte as before" ||
    fail "remove: /etc/sudo.conf not restored"
diff -r "$before/sshd_config.d" /etc/ssh/sshd_config.d >/dev/null &&
    ok "remove: sshd's drop-in gone, /etc/ssh/sshd_config.d as before" ||
    fail "remove: /etc/ssh/sshd_config.d not restored"
[ "$(grep -c 'Received SIGHUP' "$T/sshd.log")" -ge 2 ] && ok "remove reloaded the running sshd" ||
    fail "remove did not reload sshd"
printf 'Local-Pass-123\n' | setpriv --reuid=localtester --regid=localtester --init-groups \
    sudo -S -k -p '' id -un 2>/dev/null | grep -qx root &&
    ok "remove: a local user's sudo works" || fail "remove: a local user's sudo fails"
if dpkg -i "$debs"/iamctl_*_"$arch".deb "$debs"/libpam-iam_*_"$arch".deb \
        "$debs"/libnss-iam_*_"$arch".deb > "$T/dpkg-reinstall.log" 2>&1; then
    ok "dpkg -i again after remove"
else
    cat "$T/dpkg-reinstall.log"
    fail "dpkg -i after remove failed"
fi
[ "$want_ns" = "$(cat /etc/nsswitch.conf)" ] && [ -f /etc/sudoers.d/iam ] &&
    grep -q pam_iam /etc/pam.d/common-account &&
    ok "reinstall: nsswitch.conf, PAM and sudo wired again" ||
    fail "reinstall did not wire nsswitch.conf, PAM and sudo again"

# ---- purge -----------------------------------------------------------------------
kill "$(cat /run/sshd.pid)" 2>/dev/null || true
rm -f /etc/sudoers.d/zz-iamtest
if dpkg --purge libnss-iam libpam-iam iamctl > "$T/dpkg-purge.log" 2>&1; then
    ok "dpkg --purge libnss-iam libpam-iam iamctl"
else
    cat "$T/dpkg-purge.log"
    fail "dpkg --purge failed"
fi
for f in nsswitch.conf pam.d sudoers.d sudo.conf ssh/sshd_config.d; do
    if diff -r "$before/${f#ssh/}" "/etc/$f" > "$T/diff" 2>&1; then
        ok "/etc/$f is byte for byte what it was before installation"
    else
        fail "/etc/$f differs after purge:"
        cat "$T/diff"
    fi
done
[ ! -e "/lib/$multiarch/security/pam_iam.so" ] && [ ! -e "/usr/lib/$multiarch/libnss_iam.so.2" ] &&
    [ ! -e "/usr/lib/$multiarch/iam-host/iam_approval.so" ] &&
    [ ! -e "/usr/lib/$multiarch/iam-host/iam-ldap-auth" ] &&
    ok "modules removed" || fail "modules left behind"
[ ! -e /etc/logrotate.d/iam ] && [ ! -e /lib/systemd/system/iam-seal-logs.timer ] &&
    ok "logrotate policy and seal timer removed" || fail "logrotate policy or seal timer left behind"
[ ! -e /usr/libexec/iam/iam-authorized-keys ] && ok "iam-authorized-keys removed" ||
    fail "iam-authorized-keys left behind"
[ ! -e /var/lib/libnss-iam ] && [ ! -e /var/lib/libpam-iam ] && [ ! -e /var/lib/iam ] &&
    [ ! -e /var/lib/iamctl ] &&
    ok "no state left in /var/lib" || fail "state left in /var/lib"
if [ -n "${alice_key:-}" ]; then
    [ -f /etc/iam/iam.db ] && [ -f /etc/iam/iam.conf ] &&
        ok "purge keeps the identity database and iam.conf (documented)" ||
        fail "purge deleted /etc/iam/iam.db or iam.conf"
fi
/usr/sbin/sshd -f "$T/ssh/sshd_config" -E "$T/sshd.log"
sleep 0.3
ssh_as localtester Local-Pass-123 'echo hello' | grep -qx hello &&
    ok "local user logs in after purge" || fail "local user cannot log in after purge"

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all package checks passed"
