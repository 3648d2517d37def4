#!/bin/bash
# The inside of test_e2e_mfa_sudo.sh; runs only in the private namespace that script makes.
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
if ! (echo 4242 > /proc/self/loginuid) 2>/dev/null; then
    echo "SKIP: this kernel or container does not let us set loginuid (no login records)"
    exit 0
fi

fails=0 passes=0
ok()  { passes=$((passes + 1)); echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# ---- install as the packages do ---------------------------------------------------------------
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
"$sudo_conf_script" enable /etc/sudo.conf || exit 1
install -m 0755 "$iamctl" /usr/sbin/iamctl || exit 1
install -d -m 0755 /etc/iam /var/lib/iam && install -d -m 0750 /var/log/iam || exit 1
account=123456789012
iamctl init --account-id "$account" \
    --host-arn "arn:aws:ec2:us-east-1:$account:instance/i-0123456789abcdef0" >/dev/null || exit 1
audit=$(sed -n 's/^audit_log = //p' /etc/iam/iam.conf)

# alice and bob: log in with anything; sudo only with a second factor from this login.
cat > "$t/policy.json" <<'J'
{"Version": "2012-10-17", "Statement": [
  {"Sid": "Login", "Effect": "Allow", "Action": "host:Login", "Resource": "*"},
  {"Sid": "SudoWithMFA", "Effect": "Allow", "Action": "host:Sudo", "Resource": "*",
   "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
J
run() { "$@" > "$t/cmd.out" 2>&1 || { cat "$t/cmd.out"; echo "FAILED: $*"; exit 1; }; }
run iamctl create-group --group-name devs
declare -A SECRET
for u in alice bob; do
    run iamctl create-user --user-name "$u"
    run iamctl add-user-to-group --group-name devs --user-name "$u"
    run iamctl put-user-policy --user-name "$u" --policy-name p --policy-document "file://$t/policy.json"
    SECRET[$u]=$(iamctl create-access-key --user-name "$u" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["SecretAccessKey"])') ||
        { echo "create-access-key $u failed"; exit 1; }
done
# two devices: each code is accepted once per device, and the window is one step either
# side of now, so the second device gives the later logins fresh codes without waiting
for d in alice alice2; do
    run iamctl create-virtual-mfa-device --virtual-mfa-device-name $d --outfile "$t/seed.$d" \
        --bootstrap-method Base32StringSeed
done
code() { oathtool --totp -b -N "@$(( $(date +%s) + $1 ))" "$(cat "$t/seed.${2:-alice}")"; } # OFFSET [DEVICE]
for d in alice alice2; do
    # the codes typed here are never accepted at a login: two steps back and one step back
    run iamctl enable-mfa-device --user-name alice --serial-number "arn:aws:iam::$account:mfa/$d" \
        --authentication-code1 "$(code -60 $d)" --authentication-code2 "$(code -30 $d)"
done
printf '%s\n' '%devs ALL=(ALL:ALL) ALL' > /etc/sudoers.d/zz-test
chmod 0440 /etc/sudoers.d/zz-test
visudo -c -q || { echo "visudo rejects the sudoers"; exit 1; }

# ---- a real sshd: keyboard-interactive asks for the secret, then for the code ------------------
cp /etc/pam.d/sshd /etc/pam.d/sshd-iamtest
port=2222
ssh-keygen -q -t ed25519 -N '' -f "$t/hostkey" || exit 1
printf '%s\n' "Port $port" "ListenAddress 127.0.0.1" "HostKey $t/hostkey" \
    "PidFile $t/sshd.pid" "UsePAM yes" "KbdInteractiveAuthentication yes" \
    "PasswordAuthentication no" "PubkeyAuthentication no" "UseDNS no" > "$t/sshd_config"
ln -s /usr/sbin/sshd "$t/sshd-iamtest"
"$t/sshd-iamtest" -D -e -f "$t/sshd_config" 2> "$t/sshd.log" &
sshd_pid=$!
for _ in $(seq 50); do ss -ltn 2>/dev/null | grep -q ":$port " && break; sleep 0.1; done
# ssh answers its prompts through this askpass: the secret, or the code for "MFA code"
cat > "$t/askpass" <<'A'
#!/bin/sh
case "$1" in *MFA*) cat "$ASK_CODE" ;; *) cat "$ASK_SECRET" ;; esac
A
chmod 0755 "$t/askpass"
# ssh_run USER LOGIN_CODE REMOTE_COMMAND: stdin goes to the remote command (sudo -S)
ssh_run() {
    printf '%s\n' "${SECRET[$1]}" > "$t/ask_secret"
    printf '%s\n' "$2" > "$t/ask_code"
    ASK_SECRET=$t/ask_secret ASK_CODE=$t/ask_code SSH_ASKPASS=$t/askpass SSH_ASKPASS_REQUIRE=force \
        DISPLAY= setsid -w ssh -F /dev/null -p "$port" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no -o LogLevel=ERROR \
        -o NumberOfPasswordPrompts=1 -o PreferredAuthentications=keyboard-interactive \
        "$1@127.0.0.1" "$3" 2>&1
}
count() { if [ -f "$audit" ]; then wc -l < "$audit"; else echo 0; fi; }
last_sudo_decision() { # the decision of the last SudoCommand record
    grep '"eventName":"SudoCommand"' "$audit" | tail -1 |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["additionalEventData"]["decision"])'
}

# alice: the login's code, then sudo with the next step's code: allowed (MFA present)
login_code=$(code 0)
sudo_code=$(code 30)
out=$(printf '%s\n%s\n' "${SECRET[alice]}" "$sudo_code" |
      ssh_run alice "$login_code" "sudo -S -k -p '' /usr/bin/id -u")
check "alice: ssh login with secret and code, sudo with a code: allowed (policy needs MFA)" \
    'printf "%s\n" "$out" | grep -qx 0'
check "the SudoCommand record says allow" '[ "$(last_sudo_decision)" = allow ]'
check "the Authenticate records of the login and of sudo carry no error" \
    '[ "$(grep "\"eventName\":\"Authenticate\"" "$audit" | grep -c "\"userName\":\"alice\"")" -ge 2 ] &&
     ! grep "\"eventName\":\"Authenticate\"" "$audit" | grep "\"userName\":\"alice\"" | grep -q errorCode'
# the same code for the next sudo: a replay, refused before the plugin is asked
n=$(count)
out=$(printf '%s\n%s\n' "${SECRET[alice]}" "$sudo_code" |
      ssh_run alice "$(code 0 alice2)" "sudo -S -k -p '' /usr/bin/id -u")
check "alice: a replayed code is refused" '! printf "%s\n" "$out" | grep -qx 0'
check "audit: the replay is named" 'tail -n +$((n + 1)) "$audit" | grep -q "used before (replay)"'
# a wrong code at the login: no login at all
out=$(ssh_run alice 000000 "/usr/bin/id -u")
check "alice: a wrong code at the ssh login is refused" '! printf "%s\n" "$out" | grep -qx "$(id -u alice)"'
# bob has no device: he logs in and authenticates to sudo, but the policy wants MFA
printf '%s\n' "${SECRET[bob]}" > "$t/ask_secret"
out=$(printf '%s\n' "${SECRET[bob]}" | ssh_run bob "" "sudo -S -k -p '' /usr/bin/id -u")
check "bob (no MFA device): sudo is refused by the policy" '! printf "%s\n" "$out" | grep -qx 0'
check "the SudoCommand record says deny" '[ "$(last_sudo_decision)" = deny ]'
kill "$sshd_pid" 2>/dev/null
wait "$sshd_pid" 2>/dev/null

echo "# $passes passed, $fails failed"
if [ "$fails" != 0 ]; then
    echo "--- last audit records"; tail -n 8 "$audit" | cut -c1-600
    echo "--- sshd log"; tail -20 "$t/sshd.log"
    exit 1
fi
exit 0
