#!/bin/bash
# The inside of test_e2e_pam_ssh_sudo.sh. Runs only in the private namespace that script
# makes: every change below lands in an overlay over /etc and a tmpfs over /run.
#   pam_e2e_inner.sh PAM_IAM_SO PAMFX_TOOL
set -uo pipefail
module=$1 tool=$2

# Safety first: never touch a real /etc.
[ "${IAM_E2E_NAMESPACE:-}" = 1 ] || { echo "refusing to run outside the test namespace"; exit 1; }
[ "$$" = 1 ] || { echo "refusing: not pid 1 of a private pid namespace"; exit 1; }
mount -t tmpfs tmpfs /run || exit 1
t=/run/iame2e
mkdir -p "$t/u" "$t/w" /run/sshd || exit 1
mount -t overlay overlay -o lowerdir=/etc,upperdir="$t/u",workdir="$t/w" /etc || exit 1
[ "$(findmnt -n -o FSTYPE /etc)" = overlay ] || { echo "refusing: /etc is not the overlay"; exit 1; }

fails=0 passes=0
ok()  { passes=$((passes + 1)); echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }

fx=/run/iamfx
mkdir -m 0700 "$fx"
secrets=$("$tool" "$fx" sshd-iamtest) || { echo "fixture failed"; exit 1; }
eval "$secrets"
conf=$fx/iam.conf
audit=$fx/audit.jsonl

# Stand-ins for the NSS module (not on this branch yet): the IAM users as local accounts
# whose shadow entry is locked ('!'), so pam_unix can never authenticate them; a local
# group that sudoers grants.
for u in alice bob carol dave erin frank grace heidi; do
    useradd -M -s /bin/sh "$u" || exit 1
done
groupadd iamsudo && usermod -aG iamsudo alice && usermod -aG iamsudo heidi || exit 1
useradd -M -s /bin/sh localuser || exit 1
echo 'localuser:Local-Pass-9' | chpasswd -c YESCRYPT || exit 1

# The stacks, as the installer would leave them: our word added to Debian's common-auth and
# common-account ahead of pam_unix (what pam-auth-update does with a profile), sshd through
# Debian's own /etc/pam.d/sshd, su through Debian's /etc/pam.d/su, and the sudo stack with
# its own account line asking host:Sudo.
sed -i "0,/^auth.*pam_unix.so/s|^auth\([[:space:]]*\)\[success=1 default=ignore\]\([[:space:]]*\)pam_unix.so\(.*\)|auth\t[success=2 user_unknown=ignore authinfo_unavail=ignore default=ignore]\t$module config=$conf\nauth\t[success=1 default=ignore]\tpam_unix.so\3 try_first_pass|" /etc/pam.d/common-auth
grep -q pam_iam /etc/pam.d/common-auth || { echo "cannot edit common-auth"; cat /etc/pam.d/common-auth; exit 1; }
sed -i "0,/^account.*pam_unix.so/s|^account\(.*pam_unix.so.*\)|account\t[success=ok user_unknown=ignore authinfo_unavail=bad default=bad]\t$module config=$conf\naccount\1|" /etc/pam.d/common-account
grep -q pam_iam /etc/pam.d/common-account || { echo "cannot edit common-account"; exit 1; }
sed -i "0,/^session.*pam_unix.so/s|^session\(.*pam_unix.so.*\)|session\toptional\t$module config=$conf\nsession\1|" /etc/pam.d/common-session
cp /etc/pam.d/sshd /etc/pam.d/sshd-iamtest
cat > /etc/pam.d/sudo <<EOF
#%PAM-1.0
session  required pam_limits.so
auth     [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $module config=$conf
auth     required pam_unix.so try_first_pass
account  [success=ok user_unknown=ignore default=bad] $module config=$conf action=host:Sudo
account  required pam_unix.so
session  required pam_unix.so
EOF
echo '%iamsudo ALL=(ALL) ALL' > /etc/sudoers.d/iamsudo && chmod 0440 /etc/sudoers.d/iamsudo

port=$((20000 + RANDOM % 20000))
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
for _ in $(seq 50); do
    ss -ltn 2>/dev/null | grep -q ":$port " && break
    sleep 0.1
done

# login USER SECRET METHOD [HOST]: prints the remote `id`, returns ssh's status.
login() {
    sshpass -p "$2" ssh -F /dev/null -p "$port" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no -o LogLevel=ERROR \
        -o NumberOfPasswordPrompts=1 -o PreferredAuthentications="$3" \
        "$1@${4:-127.0.0.1}" id </dev/null 2>/dev/null
}
records() { if [ -f "$audit" ]; then wc -l < "$audit"; else echo 0; fi; }
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
expect_login "ssh: fresh access key (bare secret), keyboard-interactive" alice "$SECRET_alice" keyboard-interactive
sleep 0.3 # the session close record is written as the connection winds down
audit_check "$n" "audit: Authenticate, Login, SessionOpen, SessionClose with the right fields" \
  '[x["eventName"] for x in r] == ["Authenticate","Login","SessionOpen","SessionClose"]
   and all(x["eventSource"]=="pam_iam" and x["eventVersion"]
           and x["userIdentity"]["type"]=="IAMUser"
           and x["userIdentity"]["userName"]=="alice"
           and x["userIdentity"]["accountId"]=="123456789012"
           and x["userIdentity"]["principalId"]=="AIDAEXAMPLEUSERID0001"
           and x["userIdentity"]["arn"]=="arn:aws:iam::123456789012:user/alice"
           and x["sourceIPAddress"]=="127.0.0.1" and x["userAgent"]=="sshd-iamtest"
           and x["requestParameters"]["service"]=="sshd-iamtest"
           and len(x["eventID"])==36 and "errorCode" not in x for x in r)
   and all(x["userIdentity"].get("accessKeyId")=="'"$KEY_alice"'" for x in r[:2])
   and r[1]["requestParameters"]["action"]=="host:Login"
   and r[1]["requestParameters"]["hostArn"]=="arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
   and r[1]["additionalEventData"]["authMethod"]=="accesskey"
   and r[1]["additionalEventData"]["decidingPolicy"]=="arn:aws:iam::123456789012:policy/LoginAndSudo"
   and r[1]["additionalEventData"]["decidingStatement"]=="LoginAnywhere"
   and r[1]["additionalEventData"]["decision"]=="allow"
   and r[1]["additionalEventData"]["enforced"] is True'
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
expect_denied "ssh: conditional policy: from ::1 (not in 127.0.0.0/8)" frank "$SECRET_frank" keyboard-interactive ::1
expect_denied "ssh: conditional policy: env tag differs" grace "$SECRET_grace" keyboard-interactive
n=$(records)
expect_denied "ssh: explicit Deny on a group" carol "$SECRET_carol" password
audit_check "$n" "audit: group Deny names the policy and Sid" \
  '[x["eventName"] for x in r]==["Authenticate","Login"] and r[1]["errorCode"]=="AccessDenied"
   and r[1]["additionalEventData"]["decidingPolicy"]=="group/contractors/deny"
   and r[1]["additionalEventData"]["decidingStatement"]=="NoLoginForContractors"
   and r[1]["additionalEventData"]["decision"]=="deny"'
expect_denied "ssh: no policy at all (implicit deny)" dave "$SECRET_dave" keyboard-interactive
n=$(records)
expect_login "ssh: local non-IAM user through pam_unix (keyboard-interactive)" localuser Local-Pass-9 keyboard-interactive
expect_login "ssh: local non-IAM user through pam_unix (password)" localuser Local-Pass-9 password
audit_check "$n" "audit: local user leaves no Login/Session records" \
  'all(x["eventName"]=="Authenticate" and x["userIdentity"]["type"]=="Unknown" for x in r)'
expect_denied "ssh: local user, wrong password" localuser Local-Pass-8 keyboard-interactive

# sudo: setuid, the real binary; the account phase of its stack asks host:Sudo.
sudo_as() { # user secret
    echo "$2" | setpriv --reuid="$(id -u "$1")" --regid="$(id -g "$1")" --init-groups \
        sudo -S -k -p '' true 2>/dev/null
}
n=$(records)
if sudo_as alice "$SECRET_alice"; then ok "sudo: allowed by host:Sudo (alice)"; else bad "sudo: allowed by host:Sudo (alice)"; fi
audit_check "$n" "audit: sudo -> Authenticate + Sudo" \
  '[x["eventName"] for x in r]==["Authenticate","Sudo"] and r[1]["requestParameters"]["action"]=="host:Sudo"
   and r[1]["userAgent"]=="sudo" and "errorCode" not in r[1]'
n=$(records)
if sudo_as heidi "$SECRET_heidi"; then bad "sudo: refused without host:Sudo (heidi)"; else ok "sudo: refused without host:Sudo (heidi)"; fi
audit_check "$n" "audit: sudo refusal recorded" \
  '[x["eventName"] for x in r]==["Authenticate","Sudo"] and r[1]["errorCode"]=="AccessDenied"'
if sudo_as alice wrong-secret; then bad "sudo: wrong secret refused"; else ok "sudo: wrong secret refused"; fi

# su, from an unprivileged user, through Debian's /etc/pam.d/su and the edited common-*.
su_as() { # from to secret
    (sleep 0.5; printf '%s\n' "$3") | setpriv --reuid="$(id -u "$1")" --regid="$(id -g "$1")" \
        --init-groups script -qec "su $2 -c 'id -un'" /dev/null 2>/dev/null | tr -d '\r' | tail -1
}
if [ "$(su_as localuser heidi "$SECRET_heidi")" = heidi ]; then ok "su: IAM user with an access key"; else bad "su: IAM user with an access key"; fi
if [ "$(su_as localuser heidi "$SECRET_alice")" = heidi ]; then bad "su: wrong secret refused"; else ok "su: wrong secret refused"; fi
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
    exit 1
fi
exit 0
