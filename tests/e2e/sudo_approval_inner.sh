#!/bin/bash
# The inside of test_e2e_sudo_approval.sh. Runs only in the private namespace that script
# makes: every change below lands in overlays over /etc, /usr and /var and a tmpfs over /run.
#   sudo_approval_inner.sh PAM_IAM_SO NSS_IAM_SO IAM_APPROVAL_SO IAMCTL PACKAGING_DIR
#                          IAM_SUDO_CONF_SCRIPT PLUGIN_INSTALL_PATH
set -uo pipefail
module=$1 nss_module=$2 plugin=$3 iamctl=$4 pkg=$5 sudo_conf_script=$6 plugin_path=$7

[ "${IAM_E2E_NAMESPACE:-}" = 1 ] || { echo "refusing to run outside the test namespace"; exit 1; }
ip link set lo up || exit 1    # a private network namespace: sshd's port cannot clash with anything on the host
[ "$$" = 1 ] || { echo "refusing: not pid 1 of a private pid namespace"; exit 1; }
mount -t tmpfs tmpfs /run || exit 1
t=/run/iame2e
mkdir -p "$t" /run/sshd || exit 1
for d in etc usr var; do
    mkdir -p "$t/$d.u" "$t/$d.w" || exit 1
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$t/$d.u,workdir=$t/$d.w" "/$d" || exit 1
    [ "$(findmnt -n -o FSTYPE "/$d")" = overlay ] || { echo "refusing: /$d is not the overlay"; exit 1; }
done

fails=0 passes=0
ok()  { passes=$((passes + 1)); echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# ---- install as libpam-iam and libnss-iam do -----------------------------------------------
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
install -m 0644 "$module" "/usr/lib/$multiarch/security/pam_iam.so" || exit 1
install -m 0644 "$nss_module" "/usr/lib/$multiarch/libnss_iam.so.2" || exit 1
install -d -m 0755 "$(dirname "$plugin_path")" && install -m 0644 "$plugin" "$plugin_path" || exit 1
ldconfig || exit 1
install -m 0644 "$pkg/pam-configs/iam" /usr/share/pam-configs/iam || exit 1
install -m 0644 "$pkg/pam.d/sudo-iam" "$pkg/pam.d/sudo-iam-i" /etc/pam.d/ || exit 1
install -m 0440 "$pkg/sudoers/iam" /etc/sudoers.d/iam || exit 1
DEBIAN_FRONTEND=noninteractive pam-auth-update --package --enable iam || exit 1
sed -i -e 's/^\(passwd:[[:space:]]*files\)/\1 iam/' -e 's/^\(group:[[:space:]]*files\)/\1 iam/' \
    /etc/nsswitch.conf || exit 1
[ -e /etc/sudo.conf ] && cp -p /etc/sudo.conf "$t/sudo.conf.orig"
"$sudo_conf_script" enable /etc/sudo.conf || exit 1
check "iam-sudo-conf: plugin line added, status enabled" \
    '[ "$("$sudo_conf_script" status)" = enabled ] && grep -qx "Plugin iam_approval $plugin_path" /etc/sudo.conf'

install -m 0755 "$iamctl" /usr/sbin/iamctl || exit 1
install -d -m 0755 /etc/iam /var/lib/iam && install -d -m 0750 /var/log/iam || exit 1
account=123456789012
iamctl init --account-id "$account" \
    --host-arn "arn:aws:ec2:us-east-1:$account:instance/i-0123456789abcdef0" >/dev/null || exit 1
audit=$(sed -n 's/^audit_log = //p' /etc/iam/iam.conf)
cache_dir=$(sed -n 's/^cache_dir = //p' /etc/iam/iam.conf)

pol=$t/policies
mkdir -p "$pol"
# alice: exactly one command (any arguments), and echo with only the words hello and world.
cat > "$pol/alice.json" <<'J'
{"Version": "2012-10-17", "Statement": [
  {"Sid": "OnlyId", "Effect": "Allow", "Action": "host:Sudo", "Resource": "*",
   "Condition": {"StringEquals": {"host:Command": "/usr/bin/id"}}},
  {"Sid": "EchoGreetings", "Effect": "Allow", "Action": "host:Sudo", "Resource": "*",
   "Condition": {"StringEquals": {"host:Command": "/usr/bin/echo"},
                 "ForAllValues:StringEquals": {"host:CommandArgs": ["hello", "world"]}}}]}
J
# bob: everything but a shell, whichever way sudo starts it.
cat > "$pol/bob.json" <<'J'
{"Version": "2012-10-17", "Statement": [
  {"Sid": "Anything", "Effect": "Allow", "Action": "host:Sudo", "Resource": "*"},
  {"Sid": "NoShells", "Effect": "Deny", "Action": "host:Sudo", "Resource": "*",
   "Condition": {"StringLike": {"host:Command": ["/bin/*sh", "/usr/bin/*sh", "/bin/dash", "/usr/bin/dash"]}}}]}
J
# carol: anything in /usr/bin, but only as nobody.
cat > "$pol/carol.json" <<'J'
{"Version": "2012-10-17", "Statement": [
  {"Sid": "AsNobody", "Effect": "Allow", "Action": "host:Sudo", "Resource": "*",
   "Condition": {"StringEquals": {"host:RunAsUser": "nobody"},
                 "StringLike": {"host:Command": "/usr/bin/*"}}}]}
J
# erin: only from a login over the loopback network (the login-session record).
cat > "$pol/erin.json" <<'J'
{"Version": "2012-10-17", "Statement": [
  {"Sid": "LoginAnywhere", "Effect": "Allow", "Action": "host:Login", "Resource": "*"},
  {"Sid": "FromLoopback", "Effect": "Allow", "Action": "host:Sudo", "Resource": "*",
   "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
                 "StringEquals": {"host:Service": "sudo", "host:Command": "/usr/bin/id"}}}]}
J
run() { "$@" > "$t/cmd.out" 2>&1 || { cat "$t/cmd.out"; echo "FAILED: $*"; exit 1; }; }
run iamctl create-group --group-name devs
for u in alice bob carol erin; do
    run iamctl create-user --user-name "$u"
    run iamctl add-user-to-group --group-name devs --user-name "$u"
    run iamctl put-user-policy --user-name "$u" --policy-name sudo --policy-document "file://$pol/$u.json"
done
declare -A SECRET
for u in alice bob carol erin; do
    SECRET[$u]=$(iamctl create-access-key --user-name "$u" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["SecretAccessKey"])') ||
        { echo "create-access-key $u failed"; exit 1; }
done
useradd -M -s /bin/sh localuser || exit 1
echo 'localuser:Local-Pass-9' | chpasswd -c YESCRYPT || exit 1
printf '%s\n' '%devs ALL=(ALL:ALL) ALL' 'localuser ALL=(ALL:ALL) ALL' > /etc/sudoers.d/zz-test
chmod 0440 /etc/sudoers.d/zz-test
visudo -c -q || { echo "visudo rejects the sudoers"; exit 1; }

count() { if [ -f "$audit" ]; then wc -l < "$audit"; else echo 0; fi; }
# sudo_as USER SECRET ARGS...: run the real sudo as USER; stdout in $t/out, stderr in $t/err.
sudo_as() {
    local user=$1 secret=$2
    shift 2
    printf '%s\n' "$secret" | setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" \
        --init-groups sudo -S -k -p '' "$@" > "$t/out" 2> "$t/err"
}
# audit_check FROM NAME PYTHON_EXPR: r = the records appended since line FROM.
audit_check() {
    if python3 - "$audit" "$1" "$3" <<'PY'
import json, sys
path, start, expr = sys.argv[1], int(sys.argv[2]), sys.argv[3]
r = [json.loads(l) for l in open(path).read().splitlines()[start:]]
try:
    good = eval("(" + expr + ")")
except Exception as e:
    print("audit_check:", repr(e))
    good = False
if not good:
    print(json.dumps(r, indent=1)[:4000])
sys.exit(0 if good else 1)
PY
    then ok "$2"; else bad "$2"; fi
}
cmd_records='[x for x in r if x["eventName"] == "SudoCommand"]'

# ---- one command allowed, everything else refused; the PAM phase does not get in the way --
n=$(count)
check "alice: the one allowed command runs (/usr/bin/id -u as root)" \
    'sudo_as alice "${SECRET[alice]}" /usr/bin/id -u && [ "$(cat "$t/out")" = 0 ]'
audit_check "$n" "audit: one SudoCommand record, allowed, naming the command and the Sid" \
  "len($cmd_records) == 1 and (lambda x: x['eventSource'] == 'iam_approval'
     and x['requestParameters']['action'] == 'host:Sudo'
     and x['requestParameters']['command'] == '/usr/bin/id'
     and x['requestParameters']['commandLine'] == '/usr/bin/id -u'
     and x['requestParameters']['runAsUser'] == 'root'
     and x['requestParameters']['runAsGroup'] == 'root'
     and x['userIdentity']['userName'] == 'alice'
     and x['additionalEventData']['decision'] == 'allow'
     and x['additionalEventData']['decidingPolicy'] == 'user/alice/sudo'
     and x['additionalEventData']['decidingStatement'] == 'OnlyId'
     and 'errorCode' not in x)($cmd_records[0])
   and not [x for x in r if x['eventName'] == 'Sudo']"
n=$(count)
check "alice: another command is refused" '! sudo_as alice "${SECRET[alice]}" /usr/bin/whoami'
check "alice: sudo says why (not allowed by IAM policy)" 'grep -q "not allowed by IAM policy" "$t/err"'
check "alice: the refused command did not run" '[ ! -s "$t/out" ]'
audit_check "$n" "audit: the refusal, with errorCode and the command line" \
  "len($cmd_records) == 1 and $cmd_records[0]['errorCode'] == 'AccessDenied'
   and $cmd_records[0]['additionalEventData']['decision'] == 'deny'
   and $cmd_records[0]['requestParameters']['commandLine'] == '/usr/bin/whoami'"
check "alice: the allowed command by a path with .. in it is refused" \
    '! sudo_as alice "${SECRET[alice]}" /usr/sbin/../bin/id && grep -q "without . or .." "$t/err"'
check "alice: ForAllValues on host:CommandArgs allows 'echo hello world'" \
    'sudo_as alice "${SECRET[alice]}" /usr/bin/echo hello world && [ "$(cat "$t/out")" = "hello world" ]'
check "alice: ... and refuses 'echo hello evil'" '! sudo_as alice "${SECRET[alice]}" /usr/bin/echo hello evil'
# The command line is data: a newline and a forged record in an argument stay in one string.
n=$(count)
forged='x
{"eventName":"SudoCommand","forged":true}'
sudo_as alice "${SECRET[alice]}" /usr/bin/id "$forged" >/dev/null 2>&1
audit_check "$n" "audit: a forged record in an argument stays inside commandLine" \
  "len($cmd_records) == 1 and all('forged' not in x for x in r)
   and '?{' in $cmd_records[0]['requestParameters']['commandLine']"

# ---- the same question offline: simulate-principal-policy with the plugin's context --------
simulate() { # user command args(comma-separated, may be empty) run-as: prints EvalDecision
    local entries=("ContextKeyName=host:Command,ContextKeyValues=$2,ContextKeyType=string"
        "ContextKeyName=host:RunAsUser,ContextKeyValues=$4,ContextKeyType=string")
    [ -n "$3" ] && entries+=("ContextKeyName=host:CommandArgs,ContextKeyValues=$3,ContextKeyType=stringList")
    iamctl simulate-principal-policy --policy-source-arn "arn:aws:iam::$account:user/$1" \
        --action-names host:Sudo --context-entries "${entries[@]}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["EvaluationResults"][0]["EvalDecision"])'
}
check "simulate: alice may run /usr/bin/id as root (as the plugin decided)" \
    '[ "$(simulate alice /usr/bin/id -u root)" = allowed ]'
check "simulate: alice may not run /usr/bin/whoami" '[ "$(simulate alice /usr/bin/whoami "" root)" = implicitDeny ]'
check "simulate: echo hello evil is refused, echo hello world allowed" \
    '[ "$(simulate alice /usr/bin/echo hello,evil root)" = implicitDeny ] &&
     [ "$(simulate alice /usr/bin/echo hello,world root)" = allowed ]'
check "simulate: bob's shell is an explicit deny" '[ "$(simulate bob /bin/bash "" root)" = explicitDeny ]'

# ---- a deny on shells holds for sudo -s and sudo -i ----------------------------------------
check "bob: an ordinary command runs" 'sudo_as bob "${SECRET[bob]}" /usr/bin/true'
check "bob: sudo -s is refused (the shell is the command)" \
    '! sudo_as bob "${SECRET[bob]}" -s /usr/bin/true && grep -q "not allowed by IAM policy" "$t/err"'
check "bob: sudo -i is refused" '! sudo_as bob "${SECRET[bob]}" -i /usr/bin/true'
check "bob: sudo /bin/bash is refused" '! sudo_as bob "${SECRET[bob]}" /bin/bash -c true'
check "bob: sudo sh -c is refused" '! sudo_as bob "${SECRET[bob]}" sh -c true'

# ---- run-as conditions ---------------------------------------------------------------------
check "carol: sudo -u nobody /usr/bin/id -un runs as nobody" \
    'sudo_as carol "${SECRET[carol]}" -u nobody /usr/bin/id -un && [ "$(cat "$t/out")" = nobody ]'
check "carol: the same command as root is refused" '! sudo_as carol "${SECRET[carol]}" /usr/bin/id -un'

# ---- local users are never asked -----------------------------------------------------------
n=$(count)
check "localuser: sudo works as before" \
    'sudo_as localuser Local-Pass-9 /usr/bin/whoami && [ "$(cat "$t/out")" = root ]'
audit_check "$n" "audit: nothing about the local user" 'len(r) == 0'

# ---- enforce = no: audited, not refused ----------------------------------------------------
sed -i 's/^enforce = .*/enforce = no/' /etc/iam/iam.conf
grep -q '^enforce = no' /etc/iam/iam.conf || echo 'enforce = no' >> /etc/iam/iam.conf
n=$(count)
check "enforce = no: a denied command runs" 'sudo_as alice "${SECRET[alice]}" /usr/bin/whoami'
audit_check "$n" "enforce = no: audited as would deny" \
  "len($cmd_records) == 1 and $cmd_records[0]['additionalEventData']['decision'] == 'would deny'
   and $cmd_records[0]['additionalEventData']['enforced'] is False"
sed -i 's/^enforce = no/enforce = yes/' /etc/iam/iam.conf

# ---- fail closed ---------------------------------------------------------------------------
# readers go through <cache_dir>/current to the generation's files
gen=$cache_dir/$(readlink "$cache_dir/current")
mv "$gen/auth.cache" "$t/auth.cache"
check "no auth cache: an IAM user's command is refused" '! sudo_as bob "${SECRET[bob]}" -n /usr/bin/true'
check "no auth cache: local users keep sudo" 'sudo_as localuser Local-Pass-9 /usr/bin/true'
mv "$t/auth.cache" "$gen/auth.cache"

# ---- a deleted IAM user whose name NSS still resolves (an older nss.cache, nscd) -----------
# frank may sudo without a password by sudoers; after delete-user, the nss.cache from before
# the deletion goes back in place: NSS knows him, auth.cache does not.
run iamctl create-user --user-name frank
run iamctl add-user-to-group --group-name devs --user-name frank
printf '%s\n' 'frank ALL=(ALL:ALL) NOPASSWD: ALL' > /etc/sudoers.d/zzz-frank
chmod 0440 /etc/sudoers.d/zzz-frank
gen=$cache_dir/$(readlink "$cache_dir/current")
cp -p "$gen/nss.cache" "$t/nss.cache.with-frank"
run iamctl remove-user-from-group --group-name devs --user-name frank
run iamctl delete-user --user-name frank
gen=$cache_dir/$(readlink "$cache_dir/current")
cp -p "$gen/nss.cache" "$t/nss.cache.now"
cp "$t/nss.cache.with-frank" "$gen/nss.cache"
check "deleted frank: NSS still resolves him (the stale nss.cache)" 'id -u frank >/dev/null 2>&1'
n=$(count)
check "deleted frank: sudo is refused by the PAM account phase" '! sudo_as frank x -n /usr/bin/true'
audit_check "$n" "audit: the account phase's refusal names the account" \
  "any(x['eventName'] == 'Sudo' and x.get('errorCode') == 'AccessDenied'
       and x['requestParameters']['osUser'] == 'frank' for x in r)"
# the plugin on its own refuses him too (pam_iam's account line taken out of sudo-iam)
cp -p /etc/pam.d/sudo-iam "$t/sudo-iam.orig"
sed -i '/pam_iam\.so/d' /etc/pam.d/sudo-iam
n=$(count)
check "deleted frank: with no pam_iam account line, the plugin refuses" \
    '! sudo_as frank x -n /usr/bin/true && grep -q "not allowed by IAM policy" "$t/err"'
audit_check "$n" "audit: the plugin's refusal, a SudoCommand for the account frank" \
  "len($cmd_records) == 1 and $cmd_records[0].get('errorCode') == 'AccessDenied'
   and $cmd_records[0]['requestParameters']['osUser'] == 'frank'
   and $cmd_records[0]['userIdentity']['type'] == 'Unknown'"
cp -p "$t/sudo-iam.orig" /etc/pam.d/sudo-iam
cp "$t/nss.cache.now" "$gen/nss.cache"
rm -f /etc/sudoers.d/zzz-frank

# ---- the login session reaches the plugin: real sshd, pam_loginuid, aws:SourceIp ----------
if (echo 4242 > /proc/self/loginuid) 2>/dev/null; then
    cp /etc/pam.d/sshd /etc/pam.d/sshd-iamtest
    port=2222
    ssh-keygen -q -t ed25519 -N '' -f "$t/hostkey" || exit 1
    printf '%s\n' "Port $port" "ListenAddress 127.0.0.1" "HostKey $t/hostkey" \
        "PidFile $t/sshd.pid" "UsePAM yes" "KbdInteractiveAuthentication yes" \
        "PasswordAuthentication yes" "PubkeyAuthentication no" "UseDNS no" > "$t/sshd_config"
    ln -s /usr/sbin/sshd "$t/sshd-iamtest"
    "$t/sshd-iamtest" -D -e -f "$t/sshd_config" 2> "$t/sshd.log" &
    sshd_pid=$!
    for _ in $(seq 50); do ss -ltn 2>/dev/null | grep -q ":$port " && break; sleep 0.1; done
    ssh_run() { # user secret remote-command (stdin: the secret again, for sudo -S)
        printf '%s\n' "$2" | sshpass -p "$2" ssh -F /dev/null -p "$port" \
            -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
            -o PubkeyAuthentication=no -o LogLevel=ERROR -o NumberOfPasswordPrompts=1 \
            -o PreferredAuthentications=keyboard-interactive "$1@127.0.0.1" "$3" 2>&1
    }
    check "erin: without a login over the network, refused" '! sudo_as erin "${SECRET[erin]}" /usr/bin/id -u'
    n=$(count)
    out=$(ssh_run erin "${SECRET[erin]}" "sudo -S -k -p '' /usr/bin/id -u")
    check "erin: sudo inside an ssh login from 127.0.0.1 is allowed (aws:SourceIp from the login)" \
        'printf "%s\n" "$out" | grep -qx 0'
    audit_check "$n" "audit: the SudoCommand record carries the login's source address" \
      "len($cmd_records) == 1 and $cmd_records[0]['sourceIPAddress'] == '127.0.0.1'
       and $cmd_records[0]['additionalEventData']['decision'] == 'allow'"
    # While a login lasts, its record is there: root's, 0600, with what sshd told pam_iam.
    ssh_run erin "${SECRET[erin]}" "sleep 4" >/dev/null &
    login_pid=$!
    rec=
    for _ in $(seq 30); do
        rec=$(find "$cache_dir/sessions" -type f 2>/dev/null | head -1)
        [ -n "$rec" ] && break
        sleep 0.1
    done
    check "during a login its record exists: root 0600, user erin, source_ip 127.0.0.1" \
        '[ -n "$rec" ] && [ "$(stat -c "%U %a" "$rec")" = "root 600" ] &&
         grep -qx "user erin" "$rec" && grep -qx "source_ip 127.0.0.1" "$rec" &&
         grep -qx "service sshd-iamtest" "$rec"'
    wait "$login_pid"
    for _ in $(seq 20); do [ -z "$(ls -A "$cache_dir/sessions")" ] && break; sleep 0.2; done
    check "the login's record is gone when the login ends" '[ -z "$(ls -A "$cache_dir/sessions")" ]'
    check "the sessions directory is root 0700" '[ "$(stat -c "%U %a" "$cache_dir/sessions")" = "root 700" ]'
    kill "$sshd_pid" 2>/dev/null
    wait "$sshd_pid" 2>/dev/null
else
    echo "# SKIP the login-session part: this kernel or container does not let us set loginuid"
fi

# ---- without the plugin: the PAM account phase decides host:Sudo, as before ----------------
"$sudo_conf_script" disable /etc/sudo.conf
if [ -e "$t/sudo.conf.orig" ]; then
    check "iam-sudo-conf disable: /etc/sudo.conf byte for byte as before" 'cmp -s /etc/sudo.conf "$t/sudo.conf.orig"'
else
    check "iam-sudo-conf disable: the sudo.conf it created is gone" '[ ! -e /etc/sudo.conf ]'
fi
check "no plugin: alice (one command only) is refused by the PAM phase" \
    '! sudo_as alice "${SECRET[alice]}" /usr/bin/id -u && grep -q "account" "$t/err"'
check "no plugin: bob (host:Sudo allowed) may use sudo" 'sudo_as bob "${SECRET[bob]}" /usr/bin/true'

echo "# $passes passed, $fails failed"
if [ "$fails" != 0 ]; then
    echo "--- last audit records"; tail -n 6 "$audit" | cut -c1-700
    echo "--- sudo.conf"; grep -v '^#' /etc/sudo.conf | grep -v '^$'
    [ -f "$t/sshd.log" ] && { echo "--- sshd log"; tail -20 "$t/sshd.log"; }
    exit 1
fi
exit 0
