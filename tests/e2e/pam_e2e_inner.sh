#!/bin/bash
# The inside of test_e2e_pam_ssh_sudo.sh. Runs only in the private namespace that script
# makes: every change below lands in overlays over /etc, /usr and /var and a tmpfs over /run.
#   pam_e2e_inner.sh PAM_IAM_SO NSS_IAM_SO IAMCTL PACKAGING_DIR
set -uo pipefail
module=$1 nss_module=$2 iamctl=$3 pkg=$4

# Safety first: never touch the real /etc, /usr or /var.
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

# ---- install, as the packages do (libpam-iam, libnss-iam), from the build tree ----------
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
install -m 0644 "$module" "/usr/lib/$multiarch/security/pam_iam.so" || exit 1
install -m 0644 "$nss_module" "/usr/lib/$multiarch/libnss_iam.so.2" || exit 1
ldconfig || exit 1
install -m 0644 "$pkg/pam-configs/iam" /usr/share/pam-configs/iam || exit 1
install -m 0644 "$pkg/pam.d/sudo-iam" "$pkg/pam.d/sudo-iam-i" /etc/pam.d/ || exit 1
install -m 0440 "$pkg/sudoers/iam" /etc/sudoers.d/iam || exit 1
DEBIAN_FRONTEND=noninteractive pam-auth-update --package --enable iam || exit 1
grep -q pam_iam.so /etc/pam.d/common-auth || { echo "pam-auth-update did not add pam_iam"; exit 1; }
sed -i -e 's/^\(passwd:[[:space:]]*files\)/\1 iam/' -e 's/^\(group:[[:space:]]*files\)/\1 iam/' \
    /etc/nsswitch.conf || exit 1
grep -q '^passwd:.*iam' /etc/nsswitch.conf || { echo "nsswitch.conf not edited"; exit 1; }

# ---- the IAM side, through iamctl as an administrator would ------------------------------
install -m 0755 "$iamctl" /usr/sbin/iamctl || exit 1
install -d -m 0755 /etc/iam /var/lib/iam && install -d -m 0750 /var/log/iam || exit 1 # iamctl.dirs
account=123456789012
host_arn="arn:aws:ec2:us-east-1:$account:instance/i-0123456789abcdef0"
iamctl init --account-id "$account" --host-arn "$host_arn" >/dev/null || exit 1
sed -i 's/^max_access_key_age_days = .*/max_access_key_age_days = 90/' /etc/iam/iam.conf
printf 'host_tag.env = prod\n' >> /etc/iam/iam.conf
audit=$(sed -n 's/^audit_log = //p' /etc/iam/iam.conf)
cache_dir=$(sed -n 's/^cache_dir = //p' /etc/iam/iam.conf)
pol=$t/policies
mkdir -p "$pol" || exit 1
printf '%s\n' '{"Version": "2012-10-17", "Statement": [{"Sid": "LoginAnywhere", "Effect": "Allow",' \
    '  "Action": ["host:Login", "host:Sudo"], "Resource": "*"}]}' > "$pol/login_sudo.json"
printf '%s\n' '{"Version": "2012-10-17", "Statement": [{"Sid": "LoginOnly", "Effect": "Allow",' \
    "  \"Action\": \"host:Login\", \"Resource\": \"$host_arn\"}]}" > "$pol/login.json"
printf '%s\n' '{"Version": "2012-10-17", "Statement": [{"Sid": "NoLoginForContractors",' \
    '  "Effect": "Deny", "Action": "host:*", "Resource": "*"}]}' > "$pol/deny.json"
printf '%s\n' '{"Version": "2012-10-17", "Statement": [{"Sid": "LoopbackSshdSameEnv",' \
    '  "Effect": "Allow", "Action": "host:Login", "Resource": "*", "Condition": {' \
    '    "IpAddress": {"aws:SourceIp": "127.0.0.0/8"},' \
    '    "StringEquals": {"host:Service": "sshd-iamtest",' \
    '                     "aws:ResourceTag/env": "${aws:PrincipalTag/env}"}}}]}' \
    > "$pol/conditional.json"
run() { "$@" > "$t/cmd.out" 2>&1 || { cat "$t/cmd.out"; echo "FAILED: $*"; exit 1; }; }
run iamctl create-policy --policy-name LoginAndSudo --policy-document "file://$pol/login_sudo.json"
run iamctl create-group --group-name devs
run iamctl put-group-policy --group-name devs --policy-name login --policy-document "file://$pol/login.json"
run iamctl create-group --group-name contractors
run iamctl put-group-policy --group-name contractors --policy-name deny --policy-document "file://$pol/deny.json"
for u in alice bob carol dave frank grace heidi; do
    case $u in
    frank) run iamctl create-user --user-name "$u" --tags Key=env,Value=prod ;;
    grace) run iamctl create-user --user-name "$u" --tags Key=env,Value=dev ;;
    *) run iamctl create-user --user-name "$u" ;;
    esac
done
for u in alice bob carol heidi; do run iamctl add-user-to-group --group-name devs --user-name "$u"; done
run iamctl add-user-to-group --group-name contractors --user-name carol
run iamctl attach-user-policy --user-name alice --policy-arn "arn:aws:iam::$account:policy/LoginAndSudo"
for u in frank grace; do
    run iamctl put-user-policy --user-name "$u" --policy-name conditional --policy-document "file://$pol/conditional.json"
done
# new_key USER [SUFFIX]: create an access key; sets KEY<SUFFIX>_<user> and SECRET<SUFFIX>_<user>.
new_key() {
    local out assign
    out=$(iamctl create-access-key --user-name "$1") || { echo "create-access-key $1 failed"; exit 1; }
    assign=$(printf '%s' "$out" | python3 -c '
import json, sys
k = json.load(sys.stdin)["AccessKey"]
print("KEY%s_%s=%s" % (sys.argv[1], sys.argv[2], k["AccessKeyId"]))
print("SECRET%s_%s=%s" % (sys.argv[1], sys.argv[2], k["SecretAccessKey"]))' "${2:-}" "$1") ||
        { echo "cannot read create-access-key output"; exit 1; }
    eval "$assign"
}
for u in alice bob carol dave frank grace heidi; do new_key "$u"; done
new_key alice 2
run iamctl update-access-key --user-name alice --access-key-id "$KEY2_alice" --status Inactive
PASSWORD='correct horse battery staple'
printf '%s\n' "$PASSWORD" > "$t/pw" || exit 1
run iamctl create-login-profile --user-name alice < "$t/pw"
rm -f "$t/pw"
# bob's key is 400+ days old: the store says so (as on a host that has had the key that
# long), and the caches are recompiled.
sqlite3 /etc/iam/iam.db "UPDATE access_keys SET create_date = '2025-01-01T00:00:00Z'
    WHERE access_key_id = '$KEY_bob'" || exit 1
run iamctl compile
[ -f "$cache_dir/auth.cache" ] && [ "$(stat -c '%U %a' "$cache_dir/auth.cache")" = "root 600" ] ||
    { echo "iamctl did not compile a root 0600 auth.cache"; exit 1; }
getent passwd alice >/dev/null || { echo "NSS does not resolve IAM users"; exit 1; }
# pam_unix's account check (ahead of pam_iam in Debian's common-account) answers
# PAM_AUTHINFO_UNAVAIL for a passwd entry whose password field is "x" but that has no shadow
# entry, and the stack then hits pam_deny: IAM users must not claim a shadow password.
if [ "$(getent passwd alice | cut -d: -f2)" = x ]; then
    echo "NOTE: libnss_iam gives pw_passwd \"x\": pam_unix's account phase will refuse IAM users"
fi

# A local account that must keep working through pam_unix, and sudoers granting the IAM
# group "devs" (alice may use sudo by policy, heidi may not).
useradd -M -s /bin/sh localuser || exit 1
echo 'localuser:Local-Pass-9' | chpasswd -c YESCRYPT || exit 1
echo '%devs ALL=(ALL) ALL' > /etc/sudoers.d/zz-devs && chmod 0440 /etc/sudoers.d/zz-devs
visudo -c -q || { echo "visudo rejects the sudoers"; exit 1; }
# sshd's own stack, as Debian ships it, under the name sshd-iamtest.
cp /etc/pam.d/sshd /etc/pam.d/sshd-iamtest

port=2222
ssh-keygen -q -t ed25519 -N '' -f "$t/hostkey" || exit 1
cat > "$t/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
ListenAddress ::1
HostKey $t/hostkey
PidFile $t/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication yes
PubkeyAuthentication no
PermitRootLogin no
UseDNS no
EOF
ln -s /usr/sbin/sshd "$t/sshd-iamtest"
"$t/sshd-iamtest" -D -e -f "$t/sshd_config" 2>"$t/sshd.log" &
sshd_pid=$!
# Listening, or given up after a minute (a wide margin on a loaded machine; it takes ms).
for _ in $(seq 600); do
    ss -ltn 2>/dev/null | grep -q ":$port " && break
    kill -0 "$sshd_pid" 2>/dev/null || break
    sleep 0.1
done
ss -ltn 2>/dev/null | grep -q ":$port " || { echo "sshd did not start:"; cat "$t/sshd.log"; exit 1; }

# login USER SECRET METHOD [HOST]: prints the remote `id`, returns ssh's status.
login() {
    sshpass -p "$2" ssh -F /dev/null -p "$port" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no -o LogLevel=ERROR \
        -o NumberOfPasswordPrompts=1 -o PreferredAuthentications="$3" \
        "$1@${4:-127.0.0.1}" id </dev/null 2>/dev/null
}
count() { if [ -f "$audit" ]; then wc -l < "$audit"; else echo 0; fi; }
# The record count once every connection's sshd process has ended (a session's close is
# written as its process winds down, after the client has gone): no time limit decides it,
# only a one-minute margin against a hang.
records() {
    for _ in $(seq 600); do
        pgrep -P "$sshd_pid" >/dev/null || break
        sleep 0.1
    done
    pgrep -P "$sshd_pid" >/dev/null && echo "WARNING: sshd still has a connection" >&2
    count
}
expect_login() { # name user secret method [host]
    local out
    out=$(login "$2" "$3" "$4" "${5:-127.0.0.1}")
    if [ $? = 0 ] && echo "$out" | grep -q "uid=[0-9]*($2)"; then ok "$1"; else bad "$1"; fi
}
expect_denied() {
    if login "$2" "$3" "$4" "${5:-127.0.0.1}" >/dev/null; then bad "$1"; else ok "$1"; fi
}
# audit_check FROM_LINE NAME PYTHON_EXPR: r = the records appended since FROM_LINE.
audit_check() {
    if python3 - "$audit" "$1" "$2" "$3" <<'PY'
import json, sys
path, start, name, expr = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
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

n=$(records)
out=$(login alice "$SECRET_alice" keyboard-interactive)
if echo "$out" | grep -q "uid=[0-9]*(alice)"; then
    ok "ssh: fresh access key (bare secret), keyboard-interactive"
else
    bad "ssh: fresh access key (bare secret), keyboard-interactive"
fi
if echo "$out" | grep -q "groups=.*[0-9](devs)"; then
    ok "ssh: id shows the IAM group (devs) through libnss_iam"
else
    bad "ssh: id shows the IAM group: $out"
fi
audit_check "$n" "audit: Authenticate, Login, SessionOpen, SessionClose with the right fields" \
  '[x["eventName"] for x in r] == ["Authenticate","Login","SessionOpen","SessionClose"]
   and all(x["eventSource"]=="pam_iam" and x["eventVersion"]
           and x["userIdentity"]["type"]=="IAMUser"
           and x["userIdentity"]["userName"]=="alice"
           and x["userIdentity"]["accountId"]=="123456789012"
           and x["userIdentity"]["principalId"].startswith("AIDA")
           and x["userIdentity"]["arn"]=="arn:aws:iam::123456789012:user/alice"
           and x["sourceIPAddress"]=="127.0.0.1" and x["userAgent"]=="sshd-iamtest"
           and x["requestParameters"]["service"]=="sshd-iamtest"
           and len(x["eventID"])==36 and "errorCode" not in x for x in r)
   and all(x["userIdentity"].get("accessKeyId")=="'"$KEY_alice"'" for x in r[:2])
   and r[1]["requestParameters"]["action"]=="host:Login"
   and r[1]["requestParameters"]["hostArn"]=="arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
   and r[1]["additionalEventData"]["authMethod"]=="accesskey"
   and r[1]["additionalEventData"]["decidingPolicy"]=="arn:aws:iam::123456789012:policy/LoginAndSudo"
   and r[1]["requestParameters"]["osUser"]=="alice"
   and r[1]["additionalEventData"]["decidingStatement"]=="LoginAnywhere"
   and r[1]["additionalEventData"]["decision"]=="allow"
   and r[1]["additionalEventData"]["enforced"] is True'
if [ -f "$cache_dir/lastused/$KEY_alice" ] && grep -Eq "^[0-9]{20} sshd-iamtest +[0-9a-f]{16}$" "$cache_dir/lastused/$KEY_alice"; then
    ok "last use of alice's key recorded (for the credential report)"
else
    bad "last use of alice's key recorded"
fi
expect_login "ssh: AKIA…:secret, password method" alice "$KEY_alice:$SECRET_alice" password
expect_login "ssh: login-profile password" alice "$PASSWORD" keyboard-interactive
n=$(records)
expect_denied "ssh: wrong secret denied" alice "$SECRET_bob" keyboard-interactive
audit_check "$n" "audit: wrong secret -> one Authenticate record, errorCode set" \
  'len(r)==1 and r[0]["eventName"]=="Authenticate" and r[0]["errorCode"]=="FailedAuthentication"'
n=$(records)
expect_denied "ssh: inactive key denied" alice "$KEY2_alice:$SECRET2_alice" password
audit_check "$n" "audit: inactive key named in the record" \
  'len(r)==1 and r[0]["errorCode"]=="InvalidClientTokenId" and r[0]["userIdentity"]["accessKeyId"]=="'"$KEY2_alice"'"'
n=$(records)
expect_denied "ssh: expired key denied" bob "$SECRET_bob" keyboard-interactive
audit_check "$n" "audit: expired key" 'len(r)==1 and r[0]["errorCode"]=="ExpiredToken"'
n=$(records)
expect_denied "ssh: unknown user denied" mallory "$SECRET_alice" keyboard-interactive
audit_check "$n" "audit: unknown user recorded as Unknown, no key id" \
  'len(r)>=1 and r[0]["userIdentity"]["type"]=="Unknown" and r[0]["errorCode"]=="NoSuchEntity"
   and "accessKeyId" not in r[0]["userIdentity"]'
expect_login "ssh: conditional policy: 127.0.0.1, service sshd-iamtest, env tags equal" frank "$SECRET_frank" keyboard-interactive
# An account-phase refusal: authenticated, then no statement allows host:Login.
implicit_deny() { # user source-address
    printf '%s' '[x["eventName"] for x in r]==["Authenticate","Login"]
   and "errorCode" not in r[0] and r[0]["userIdentity"]["userName"]=="'"$1"'"
   and r[1]["errorCode"]=="AccessDenied" and "implicit deny" in r[1]["errorMessage"]
   and r[1]["additionalEventData"]["decision"]=="deny"
   and "decidingPolicy" not in r[1]["additionalEventData"]
   and r[1]["sourceIPAddress"]=="'"$2"'"'
}
n=$(records)
expect_denied "ssh: conditional policy: from ::1 (not in 127.0.0.0/8)" frank "$SECRET_frank" keyboard-interactive ::1
audit_check "$n" "audit: ::1 -> Login AccessDenied, implicit deny, from ::1" "$(implicit_deny frank ::1)"
n=$(records)
expect_denied "ssh: conditional policy: env tag differs" grace "$SECRET_grace" keyboard-interactive
audit_check "$n" "audit: env tag differs -> Login AccessDenied, implicit deny" \
  "$(implicit_deny grace 127.0.0.1)"
n=$(records)
expect_denied "ssh: explicit Deny on a group" carol "$SECRET_carol" password
audit_check "$n" "audit: group Deny names the policy and Sid" \
  '[x["eventName"] for x in r]==["Authenticate","Login"] and r[1]["errorCode"]=="AccessDenied"
   and r[1]["additionalEventData"]["decidingPolicy"]=="group/contractors/deny"
   and r[1]["additionalEventData"]["decidingStatement"]=="NoLoginForContractors"
   and r[1]["additionalEventData"]["decision"]=="deny"'
n=$(records)
expect_denied "ssh: no policy at all (implicit deny)" dave "$SECRET_dave" keyboard-interactive
audit_check "$n" "audit: no policy -> Login AccessDenied, implicit deny" \
  "$(implicit_deny dave 127.0.0.1)"
n=$(records)
expect_login "ssh: local non-IAM user through pam_unix (keyboard-interactive)" localuser Local-Pass-9 keyboard-interactive
expect_login "ssh: local non-IAM user through pam_unix (password)" localuser Local-Pass-9 password
audit_check "$n" "audit: a local user's logins leave no IAM records" 'len(r)==0'
n=$(records)
expect_denied "ssh: local user, wrong password" localuser Local-Pass-8 keyboard-interactive
# pam_unix said no, so pam_iam (use_first_pass) tried the same password: a name not in IAM.
audit_check "$n" "audit: a local user's wrong password -> one Authenticate NoSuchEntity" \
  '[x["eventName"] for x in r]==["Authenticate"] and r[0]["userIdentity"]["type"]=="Unknown"
   and r[0]["errorCode"]=="NoSuchEntity" and "accessKeyId" not in r[0]["userIdentity"]'

# sudo: setuid, the real binary; the account phase of its stack asks host:Sudo.
sudo_as() { # user secret
    echo "$2" | setpriv --reuid="$(id -u "$1")" --regid="$(id -g "$1")" --init-groups \
        sudo -S -k -p '' true 2>/dev/null
}
n=$(records)
if sudo_as alice "$SECRET_alice"; then ok "sudo: allowed by host:Sudo (alice)"; else bad "sudo: allowed by host:Sudo (alice)"; fi
audit_check "$n" "audit: sudo -> Authenticate + Sudo" \
  '[x["eventName"] for x in r]==["Authenticate","Sudo"] and r[1]["requestParameters"]["action"]=="host:Sudo"
   and r[1]["userAgent"]=="sudo-iam" and "errorCode" not in r[1]'
n=$(records)
if sudo_as heidi "$SECRET_heidi"; then bad "sudo: refused without host:Sudo (heidi)"; else ok "sudo: refused without host:Sudo (heidi)"; fi
audit_check "$n" "audit: sudo refusal recorded" \
  '[x["eventName"] for x in r]==["Authenticate","Sudo"] and r[1]["errorCode"]=="AccessDenied"'
n=$(records)
if sudo_as alice wrong-secret; then bad "sudo: wrong secret refused"; else ok "sudo: wrong secret refused"; fi
audit_check "$n" "audit: sudo with a wrong secret -> Authenticate FailedAuthentication only" \
  '[x["eventName"] for x in r]==["Authenticate"] and r[0]["errorCode"]=="FailedAuthentication"
   and r[0]["userIdentity"]["userName"]=="alice" and r[0]["userAgent"]=="sudo-iam"'

# su, from an unprivileged user, through Debian's /etc/pam.d/su and the edited common-*, on a
# terminal. The secret is typed once su shows its prompt with echo off (typed earlier, su's
# switch to no-echo would flush it); prints the last line su's command wrote.
su_as() { # from to secret
    python3 - "$(id -u "$1")" "$(id -g "$1")" "$2" "$3" <<'PY'
import os, pty, select, sys, termios, time
uid, gid, to, secret = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("setpriv", ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--init-groups",
                          "su", to, "-c", "id -un"])
out = b""
def pump(done, limit=120.0):
    # Read what su writes until done(out) or end of output; a hang fails after `limit` s.
    global out
    end = time.monotonic() + limit
    while not done(out) and time.monotonic() < end:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            out += chunk
def echo_off():
    try:
        return not termios.tcgetattr(fd)[3] & termios.ECHO
    except termios.error:
        return False
pump(lambda b: b.rstrip().endswith(b":") and echo_off())
os.write(fd, (secret + "\n").encode())
pump(lambda b: False)
os.waitpid(pid, 0)
lines = [l for l in out.decode(errors="replace").replace("\r", "").split("\n") if l.strip()]
print(lines[-1] if lines else "")
PY
}
if [ "$(su_as localuser heidi "$SECRET_heidi")" = heidi ]; then ok "su: IAM user with an access key"; else bad "su: IAM user with an access key"; fi
n=$(records)
if [ "$(su_as localuser heidi "$SECRET_alice")" = heidi ]; then bad "su: wrong secret refused"; else ok "su: wrong secret refused"; fi
audit_check "$n" "audit: su with a wrong secret -> Authenticate FailedAuthentication" \
  '[x["eventName"] for x in r]==["Authenticate"] and r[0]["errorCode"]=="FailedAuthentication"
   and r[0]["userIdentity"]["userName"]=="heidi" and r[0]["userAgent"]=="su"'
if [ "$(su_as alice localuser Local-Pass-9)" = localuser ]; then ok "su: local user through pam_unix"; else bad "su: local user through pam_unix"; fi

# No secret ever reaches the audit log; the log is root 0600.
if grep -qF -e "$SECRET_alice" -e "$SECRET2_alice" -e "$PASSWORD" -e "$SECRET_heidi" \
        -e "$SECRET_bob" -e Local-Pass "$audit"; then
    bad "audit: no secret in the log"; else ok "audit: no secret in the log"; fi
if [ "$(stat -c '%U %a' "$audit")" = "root 600" ]; then ok "audit: log is root 0600"; else bad "audit: log is root 0600"; fi

kill "$sshd_pid" 2>/dev/null
wait "$sshd_pid" 2>/dev/null
echo "# $passes passed, $fails failed"
if [ "$fails" != 0 ]; then
    echo "--- sshd log"
    tail -40 "$t/sshd.log"
    echo "--- audit log (last records)"
    tail -n 12 "$audit" | cut -c1-600
    echo "--- stacks"
    grep -v '^#' /etc/pam.d/common-auth /etc/pam.d/common-account | grep -v ':$'
    exit 1
fi
exit 0
