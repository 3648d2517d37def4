#!/bin/bash
# The inside of test_e2e_roles.sh. Runs only in the private namespace that script makes: every
# change below lands in overlays over /etc, /usr and /var and a tmpfs over /run.
#   roles_inner.sh PAM_IAM_SO NSS_IAM_SO IAM_APPROVAL_SO IAMCTL PACKAGING_DIR
#                  IAM_SUDO_CONF_SCRIPT PLUGIN_INSTALL_PATH
set -uo pipefail
module=$1 nss_module=$2 plugin=$3 iamctl=$4 pkg=$5 sudo_conf_script=$6 plugin_path=$7

[ "${IAM_E2E_NAMESPACE:-}" = 1 ] || { echo "refusing to run outside the test namespace"; exit 1; }
[ "$$" = 1 ] || { echo "refusing: not pid 1 of a private pid namespace"; exit 1; }
mount -t tmpfs tmpfs /run || exit 1
t=/run/iame2e
mkdir -p "$t" || exit 1
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
"$sudo_conf_script" enable /etc/sudo.conf || exit 1
# su assumes roles: the two lines the README gives, before su's usual auth and account lines
sed -i -e '0,/^@include common-auth/s//auth [success=done ignore=ignore default=die] pam_iam.so action=sts:AssumeRole\n@include common-auth/' \
    -e '0,/^@include common-account/s//account [success=ok ignore=ignore default=bad] pam_iam.so action=sts:AssumeRole\n@include common-account/' \
    /etc/pam.d/su || exit 1
grep -q 'action=sts:AssumeRole' /etc/pam.d/su || { echo "cannot edit /etc/pam.d/su"; exit 1; }

install -m 0755 "$iamctl" /usr/sbin/iamctl || exit 1
install -d -m 0755 /etc/iam /var/lib/iam && install -d -m 0750 /var/log/iam || exit 1
account=123456789012
iamctl init --account-id "$account" \
    --host-arn "arn:aws:ec2:us-east-1:$account:instance/i-0123456789abcdef0" >/dev/null || exit 1
audit=$(sed -n 's/^audit_log = //p' /etc/iam/iam.conf)
cache_dir=$(sed -n 's/^cache_dir = //p' /etc/iam/iam.conf)

run() { "$@" > "$t/cmd.out" 2>&1 || { cat "$t/cmd.out"; echo "FAILED: $*"; exit 1; }; }
# the README's worked example: a deploy role for the deployers group
run iamctl create-group --group-name deployers
run iamctl put-group-policy --group-name deployers --policy-name assume-deploy --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/deploy"}]}'
run iamctl create-role --role-name deploy --description "deploys the app" --assume-role-policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}'
run iamctl put-role-policy --role-name deploy --policy-name restart --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Sudo","Resource":"*","Condition":{"StringEquals":{"host:Command":"/usr/bin/id"}}}]}'
declare -A SECRET
for u in alice bob; do
    run iamctl create-user --user-name "$u"
    SECRET[$u]=$(iamctl create-access-key --user-name "$u" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["SecretAccessKey"])') ||
        { echo "create-access-key $u failed"; exit 1; }
done
run iamctl add-user-to-group --group-name deployers --user-name alice
printf '%s\n' 'alice ALL=(deploy) ALL' 'bob ALL=(deploy) ALL' 'deploy ALL=(root) NOPASSWD: ALL' \
    > /etc/sudoers.d/zz-test
chmod 0440 /etc/sudoers.d/zz-test
visudo -c -q || { echo "visudo rejects the sudoers"; exit 1; }

count() { if [ -f "$audit" ]; then wc -l < "$audit"; else echo 0; fi; }
audit_check() { # FROM NAME PYTHON_EXPR: r = the records appended since line FROM
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
    print(json.dumps(r, indent=1)[:5000])
sys.exit(0 if good else 1)
PY
    then ok "$2"; else bad "$2"; fi
}
as_user() { # USER CMD...: run as USER (its groups too); stdout in $t/out, stderr in $t/err
    local u=$1
    shift
    setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --init-groups "$@" > "$t/out" 2> "$t/err"
}

# ---- the role is an account ----------------------------------------------------------------
uid=$(iamctl get-role --role-name deploy >/dev/null; sqlite3 /etc/iam/iam.db \
    "SELECT posix_id FROM identities WHERE kind = 3 AND name = 'deploy'" 2>/dev/null || getent passwd deploy | cut -d: -f3)
check "getent passwd deploy: the role's account (uid, private group, home, shell)" \
    '[ "$(getent passwd deploy)" = "deploy:*:$uid:$uid::/home/deploy:/bin/bash" ]'
check "id deploy: its private group" '[ "$(id -gn deploy)" = deploy ]'

# ---- su: nobody logs in as the role, users assume it ----------------------------------------
n=$(count)
check "su deploy by alice (the group's policy allows, the trust policy trusts the account)" \
    'printf "%s\n" "${SECRET[alice]}" | as_user alice su deploy -c "id -un" && [ "$(tail -1 "$t/out")" = deploy ]'
audit_check "$n" "audit: AssumeRole by alice, then the role session's records as AssumedRole" \
  "any(x['eventName'] == 'AssumeRole' and x['userIdentity']['userName'] == 'alice'
       and x['requestParameters']['roleArn'] == 'arn:aws:iam::123456789012:role/deploy'
       and x['responseElements']['assumedRoleUser']['arn'] == 'arn:aws:sts::123456789012:assumed-role/deploy/alice'
       for x in r)
   and any(x['eventName'] == 'SessionOpen' and x['userIdentity']['type'] == 'AssumedRole'
       and x['userIdentity']['sessionContext']['sourceIdentity'] == 'alice'
       and x['userIdentity']['sessionContext']['sessionIssuer']['arn'] == 'arn:aws:iam::123456789012:role/deploy'
       for x in r)"
n=$(count)
check "su deploy by bob (no policy of his allows sts:AssumeRole): refused" \
    '! printf "%s\n" "${SECRET[bob]}" | as_user bob su deploy -c "id -un"'
audit_check "$n" "audit: bob's AssumeRole refused" \
  "any(x['eventName'] == 'AssumeRole' and x['userIdentity']['userName'] == 'bob'
       and x.get('errorCode') == 'AccessDenied' for x in r)"
check "su deploy by alice with a wrong secret: refused (her own secret is asked)" \
    '! printf "x\n" | as_user alice su deploy -c true'

# ---- sudo -u ROLE: decided by the approval plugin as sts:AssumeRole ------------------------
n=$(count)
check "sudo -u deploy by alice runs as the role" \
    'printf "%s\n" "${SECRET[alice]}" | as_user alice sudo -S -k -p "" -u deploy /usr/bin/id -un && [ "$(cat "$t/out")" = deploy ]'
audit_check "$n" "audit: the plugin's AssumeRole record names the command" \
  "any(x['eventName'] == 'AssumeRole' and x['eventSource'] == 'iam_approval'
       and x['userIdentity']['userName'] == 'alice' and x['requestParameters']['runAsUser'] == 'deploy'
       and x['requestParameters']['command'] == '/usr/bin/id' for x in r)"
check "sudo -u deploy by bob (sudoers allows it, IAM does not): refused" \
    '! printf "%s\n" "${SECRET[bob]}" | as_user bob sudo -S -k -p "" -u deploy /usr/bin/id -un &&
     grep -q "not allowed by IAM policy" "$t/err"'
# tags (ABAC): in sts:AssumeRole aws:ResourceTag is the role's tags, not the host's
run iamctl tag-user --user-name bob --tags Key=team,Value=blue
run iamctl put-user-policy --user-name bob --policy-name same-team --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}]}'
for c in blue red; do
    run iamctl create-role --role-name "$c-svc" --tags "Key=team,Value=$c" --assume-role-policy-document \
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}'
done
printf 'host_tag.team = blue\n' >> /etc/iam/iam.conf
printf '%s\n' 'bob ALL=(blue-svc, red-svc) ALL' > /etc/sudoers.d/zz-abac
check "sudo -u blue-svc by bob (team blue, the role tagged blue): runs as the role" \
    'printf "%s\n" "${SECRET[bob]}" | as_user bob sudo -S -k -p "" -u blue-svc /usr/bin/id -un &&
     [ "$(cat "$t/out")" = blue-svc ]'
check "sudo -u red-svc by bob on a host tagged blue: refused (the role's tags decide)" \
    '! printf "%s\n" "${SECRET[bob]}" | as_user bob sudo -S -k -p "" -u red-svc /usr/bin/id -un &&
     grep -q "not allowed by IAM policy" "$t/err"'
sed -i '/^host_tag.team = blue$/d' /etc/iam/iam.conf
rm -f /etc/sudoers.d/zz-abac

# ---- inside a login: the role session acts with the role's own policies ----------------------
if (echo 4242 > /proc/self/loginuid) 2>/dev/null; then
    alice_uid=$(id -u alice)
    # a login of alice: a fresh audit session whose login uid is alice's, and its record
    # written by pam_iam's session phase (as sshd or login would)
    cat > "$t/login.sh" <<EOS
set -u
echo $alice_uid > /proc/self/loginuid || exit 90
printf 'session required pam_iam.so\n' > /etc/pam.d/iam-login-test
pamtester iam-login-test alice open_session >/dev/null 2>&1 || exit 91
. "$t/inside.sh"
EOS
    cat > "$t/inside.sh" <<'EOS'
as_user() { local u=$1; shift; setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --init-groups "$@"; }
rec=$(ls "$cache_dir/sessions/" | head -1)
echo "record=$rec"
# su into the role, then sudo from inside it: the role's policy allows /usr/bin/id only
printf '%s\n' "${SECRET[alice]}" | as_user alice su deploy -c 'sudo -n /usr/bin/id -u; echo "rc1=$?"; sudo -n /usr/bin/whoami; echo "rc2=$?"'
# after su's session closed, the role session is over: the role's account cannot sudo
as_user deploy sudo -n /usr/bin/id -u; echo "rc3=$?"
# sudo -u deploy notes a role session; then a process of it may act, until MaxSessionDuration
printf '%s\n' "${SECRET[alice]}" | as_user alice sudo -S -k -p '' -u deploy /usr/bin/true; echo "rc4=$?"
as_user deploy sudo -n /usr/bin/id -u; echo "rc5=$?"
f="$cache_dir/sessions/$rec"
since=$(sed -n 's/^role_since //p' "$f")
sed -i "s/^role_since .*/role_since $((since - 3601))/" "$f"
as_user deploy sudo -n /usr/bin/id -u; echo "rc6=$?"
EOS
    export cache_dir t
    export SECRET_alice="${SECRET[alice]}"
    sed -i 's/\${SECRET\[alice\]}/$SECRET_alice/g' "$t/inside.sh"
    n=$(count)
    bash "$t/login.sh" > "$t/login.out" 2>&1
    echo "--- inside the login:"; sed 's/^/  | /' "$t/login.out"
    check "a login record exists for alice's login" 'grep -q "^record=[0-9]" "$t/login.out"'
    check "su deploy, then sudo /usr/bin/id as the role: allowed by the role's policy" \
        'grep -qx 0 "$t/login.out" && grep -qx rc1=0 "$t/login.out"'
    check "... sudo /usr/bin/whoami as the role: refused (the role's policy, not alice's)" \
        'grep -qx rc2=1 "$t/login.out"'
    check "after su ends, the role's account has no session: refused" 'grep -qx rc3=1 "$t/login.out"'
    check "sudo -u deploy notes a role session; a process of it may then act" \
        'grep -qx rc4=0 "$t/login.out" && grep -qx rc5=0 "$t/login.out"'
    check "a role session older than MaxSessionDuration is refused new actions" \
        'grep -qx rc6=1 "$t/login.out"'
    audit_check "$n" "audit: the role session's SudoCommand records are AssumedRole with alice as sourceIdentity" \
      "any(x['eventName'] == 'SudoCommand' and x['userIdentity']['type'] == 'AssumedRole'
           and x['userIdentity']['arn'] == 'arn:aws:sts::123456789012:assumed-role/deploy/alice'
           and x['userIdentity']['sessionContext']['sourceIdentity'] == 'alice'
           and x['additionalEventData']['decision'] == 'allow' for x in r)
       and any(x['eventName'] == 'SudoCommand' and x.get('errorCode') == 'ExpiredToken' for x in r)"
else
    echo "# SKIP the login part: this kernel or container does not let us set loginuid"
fi

echo "# $passes passed, $fails failed"
if [ "$fails" != 0 ]; then
    echo "--- last audit records"; tail -n 8 "$audit" | cut -c1-900
    exit 1
fi
exit 0
