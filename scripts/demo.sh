#!/bin/bash
# iam-host in two minutes: run as root on Debian 12.
#
# Installs the build dependencies, builds the Debian packages from this tree,
# then, inside a private mount namespace (this host's /etc, /usr and /var are
# never modified: the namespace sees writable overlays of them that vanish at
# the end), installs the packages, creates an IAM account, starts sshd on
# 127.0.0.1:2222 and logs in with the real ssh client; then a second host configuration
# with no store pulls the account from nginx over https, and refuses a tampered bundle.
#
# usage: ./scripts/demo.sh            IAM_DEMO_DEBS=DIR reuses packages built earlier
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

if [ -t 1 ]; then
    B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' D=$'\e[2m' N=$'\e[0m'
else
    B='' G='' R='' D='' N=''
fi
step() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
say() { printf '    %s\n' "$*"; }
shown() { printf '    %s$ %s%s\n' "$D" "$*" "$N"; }

if [ "${1:-}" != "--inside" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "demo: run as root (it installs packages and uses a private mount namespace)" >&2
        exit 1
    fi
    T=$(mktemp -d /tmp/iam-demo.XXXXXX)
    trap 'rm -rf "$T"' EXIT
    step "Installing build dependencies (scripts/install-deps.sh)"
    "$top/scripts/install-deps.sh" > "$T/deps.log" 2>&1 || {
        cat "$T/deps.log"
        exit 1
    }
    say "done"
    if [ -n "${IAM_DEMO_DEBS:-}" ]; then
        debs=$(cd "$IAM_DEMO_DEBS" && pwd)
    else
        step "Building the Debian packages (packaging/build-deb.sh -> build-deb/)"
        debs=$top/build-deb
        start=$(date +%s)
        "$top/packaging/build-deb.sh" "$debs" | sed 's/^/    /'
        say "built in $(($(date +%s) - start)) s"
    fi
    unshare --mount --pid --net --fork --kill-child --mount-proc "$0" --inside "$T" "$debs"
    step "Done. The namespace is gone; this host's /etc was never changed."
    exit 0
fi

# ---- inside the private namespace --------------------------------------------------
T=$2
debs=$3
export DEBIAN_FRONTEND=noninteractive
ip link set lo up    # a private network namespace: port 2222 cannot clash with anything
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /home
mkdir -p "$T/ov"
mount -t tmpfs tmpfs "$T/ov"
for d in etc usr var; do
    mkdir -p "$T/ov/$d.u" "$T/ov/$d.w"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/ov/$d.u,workdir=$T/ov/$d.w" "/$d"
done

step "Installing iamctl, libpam-iam and libnss-iam (private namespace)"
arch=$(dpkg --print-architecture)
dpkg -i "$debs"/iamctl_*_"$arch".deb "$debs"/libpam-iam_*_"$arch".deb \
    "$debs"/libnss-iam_*_"$arch".deb > "$T/dpkg.log" 2>&1 || {
    cat "$T/dpkg.log"
    exit 1
}
say "/etc/nsswitch.conf:"
grep -E '^(passwd|group|initgroups):' /etc/nsswitch.conf | sed 's/^/      /'
say "/etc/pam.d/common-account (added by pam-auth-update):"
grep -E 'pam_(iam|localuser|succeed_if)' /etc/pam.d/common-account | tr -s '\t ' ' ' | sed 's/^/      /'
say "/etc/sudoers.d/iam routes sudo through /etc/pam.d/sudo-iam, and /etc/sudo.conf now has:"
grep -A1 '^# iam-host' /etc/sudo.conf | sed 's/^/      /'
say "(sudo asks iam_approval.so about every command: host:Sudo with host:Command in the context)"

step "Creating an IAM account"
account=123456789012
host_arn="arn:aws:ec2:us-east-1:$account:instance/i-0demo0123456789ab"
iam() { # run iamctl, show the command, keep quiet unless it fails
    shown "iamctl $*"
    iamctl "$@" > "$T/iamctl.out" 2>&1 || {
        cat "$T/iamctl.out"
        exit 1
    }
}
iam init --account-id "$account" --host-arn "$host_arn"
echo 'host_tag.env = prod' >> /etc/iam/iam.conf
say "(this host is tagged env=prod in /etc/iam/iam.conf)"
cat > "$T/login.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Sid": "LoginFromLoopbackSameEnv", "Effect": "Allow",
   "Action": "host:Login", "Resource": "*",
   "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
                 "StringEquals": {"aws:ResourceTag/env": "${aws:PrincipalTag/env}"}}}]}
EOF
cat > "$T/sudo.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Sid": "AdminsMayRunId", "Effect": "Allow",
   "Action": "host:Sudo", "Resource": "*",
   "Condition": {"StringEquals": {"host:Command": "/usr/bin/id"}}}]}
EOF
iam create-group --group-name devs
iam create-group --group-name admins
cd "$T"
say "login.json:"
sed 's/^/      /' login.json
iam put-group-policy --group-name devs --policy-name login --policy-document file://login.json
iam put-group-policy --group-name admins --policy-name sudo --policy-document file://sudo.json
iam create-user --user-name alice --tags Key=env,Value=prod
iam create-user --user-name bob --tags Key=env,Value=prod
iam create-user --user-name carol --tags Key=env,Value=staging
iam add-user-to-group --group-name devs --user-name alice
iam add-user-to-group --group-name devs --user-name bob
iam add-user-to-group --group-name devs --user-name carol
iam add-user-to-group --group-name admins --user-name alice
say "devs may log in from 127.0.0.0/8 when the host's env tag equals the user's;"
say "admins may run one command with sudo, /usr/bin/id (sudo.json):"
sed 's/^/      /' sudo.json
for u in alice bob carol; do
    if ! getent passwd "$u" > /dev/null; then
        echo "demo: nss_iam does not resolve $u: is /var/lib/iam/nss.cache there?" >&2
        exit 1
    fi
    install -d -m 0700 -o "$u" -g "$u" "/home/$u"
done
say "$(getent passwd alice)   (from nss_iam; home directories created)"
echo '%devs ALL=(ALL:ALL) ALL' > /etc/sudoers.d/devs
chmod 0440 /etc/sudoers.d/devs
say "sudoers: %devs ALL=(ALL:ALL) ALL   (sudoers grants, the IAM policy decides)"

new_key() { # new_key USER: prints the secret; shows the key id only
    iamctl create-access-key --user-name "$1" > "$T/key.$1"
    sed -n 's/.*"SecretAccessKey"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$T/key.$1"
}
key_id() {
    sed -n 's/.*"AccessKeyId"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$T/key.$1"
}

mkdir -p /run/sshd "$T/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/hostkey"
cat > "$T/ssh/sshd_config" <<EOF
Include /etc/ssh/sshd_config.d/*.conf
Port 2222
ListenAddress 127.0.0.1
HostKey $T/ssh/hostkey
PidFile $T/ssh/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication yes
UseDNS no
EOF
/usr/sbin/sshd -f "$T/ssh/sshd_config" -E "$T/sshd.log"

# The secret is the password; sshpass -e takes it from the environment, never argv.
ssh_as() { # ssh_as USER SECRET COMMAND
    SSHPASS=$2 sshpass -e ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o PubkeyAuthentication=no \
        -o NumberOfPasswordPrompts=1 -o PreferredAuthentications=keyboard-interactive \
        "$1@127.0.0.1" "$3"
}
result() { # result STATUS TEXT: STATUS 0 = allowed
    if [ "$1" = 0 ]; then printf '    %s%s%s\n' "$G" "$2" "$N"; else printf '    %s%s%s\n' "$R" "$2" "$N"; fi
}

step "alice logs in over ssh with a fresh access key"
alice_key=$(new_key alice)
shown "iamctl create-access-key --user-name alice"
say "AccessKeyId $(key_id alice), SecretAccessKey ${alice_key:0:4}... (shown once, stored hashed)"
rc=0
shown "ssh -p 2222 alice@127.0.0.1 id          (password: her SecretAccessKey)"
ssh_as alice "$alice_key" 'id' | sed 's/^/      /' || rc=$?
result "$rc" "$([ "$rc" = 0 ] && echo 'allowed: id shows the IAM groups devs and admins' || echo "FAILED (rc $rc)")"

step "alice logs in with her SSH key (sshd asks iam-authorized-keys, the package's drop-in)"
ssh-keygen -q -t ed25519 -N '' -C alice@laptop -f "$T/alice_ssh"
shown "iamctl upload-ssh-public-key --user-name alice --ssh-public-key-body file://alice_ssh.pub"
ssh_id=$(iamctl upload-ssh-public-key --user-name alice --ssh-public-key-body "file://$T/alice_ssh.pub" |
    sed -n 's/.*"SSHPublicKeyId"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
say "SSHPublicKeyId $ssh_id; /etc/ssh/sshd_config.d/iam.conf:"
grep -v '^#' /etc/ssh/sshd_config.d/iam.conf | sed 's/^/      /'
key_login() { # key_login USER KEYFILE COMMAND
    ssh -F /dev/null -p 2222 -i "$2" -o IdentitiesOnly=yes -o BatchMode=yes \
        -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
        -o PreferredAuthentications=publickey "$1@127.0.0.1" "$3"
}
rc=0
shown "ssh -i alice_ssh -p 2222 alice@127.0.0.1 id"
key_login alice "$T/alice_ssh" id | sed 's/^/      /' || rc=$?
result "$rc" "$([ "$rc" = 0 ] && echo 'allowed' || echo "FAILED (rc $rc)")"
login_rec=$(grep '"eventName":"Login"' /var/log/iam/audit.jsonl | tail -n 1)
say "its Login record: authMethod $(sed -n 's/.*"authMethod":"\([^"]*\)".*/\1/p' <<< "$login_rec"),\
 sshPublicKeyId $(sed -n 's/.*"sshPublicKeyId":"\([^"]*\)".*/\1/p' <<< "$login_rec")\
 (what a policy sees as host:AuthMethod and host:SSHPublicKeyId)"
shown "iamctl update-ssh-public-key --user-name alice --ssh-public-key-id $ssh_id --status Inactive"
iamctl update-ssh-public-key --user-name alice --ssh-public-key-id "$ssh_id" --status Inactive
rc=0
key_login alice "$T/alice_ssh" id > /dev/null 2>&1 || rc=$?
result "$([ "$rc" = 0 ] && echo 1 || echo 0)" \
    "$([ "$rc" = 0 ] && echo 'UNEXPECTED: the Inactive key still works' || echo 'the Inactive key is refused at once')"

step "carol is denied by the login policy (tag env=staging, this host is env=prod)"
carol_key=$(new_key carol)
rc=0
shown "ssh -p 2222 carol@127.0.0.1 id          (password: her new SecretAccessKey)"
ssh_as carol "$carol_key" 'id' > /dev/null 2>&1 || rc=$?
result "$([ "$rc" = 0 ] && echo 1 || echo 0)" \
    "$([ "$rc" = 0 ] && echo 'UNEXPECTED: carol got in' || echo 'denied: Permission denied')"
say "the same question, offline (the host's tag passed as context, as AWS's simulator wants):"
shown "iamctl simulate-principal-policy --policy-source-arn arn:aws:iam::$account:user/carol \\"
printf '    %s      --action-names host:Login --resource-arns %s \\%s\n' "$D" "$host_arn" "$N"
printf '    %s      --context-entries ContextKeyName=aws:SourceIp,... ContextKeyName=aws:ResourceTag/env,...%s\n' "$D" "$N"
iamctl simulate-principal-policy --policy-source-arn "arn:aws:iam::$account:user/carol" \
    --action-names host:Login --resource-arns "$host_arn" --context-entries \
    "ContextKeyName=aws:SourceIp,ContextKeyValues=127.0.0.1,ContextKeyType=ip" \
    "ContextKeyName=aws:ResourceTag/env,ContextKeyValues=prod,ContextKeyType=string" \
    2>&1 | grep -E '"(EvalActionName|EvalDecision)"' | sed 's/^ */      /' || true

step "sudo, decided per command: alice may run id, not cat; bob may run nothing"
bob_key=$(new_key bob)
rc=0
shown "ssh -p 2222 alice@127.0.0.1 'sudo id -un'   (sudo asks for the secret again)"
out=$(printf '%s\n' "$alice_key" | ssh_as alice "$alice_key" "sudo -S -k -p '' id -un" 2>&1) || rc=$?
if [ "$(tail -n 1 <<< "$out")" = root ]; then
    result 0 "alice: sudo id -un -> root (allowed: host:Command is /usr/bin/id)"
else
    result 1 "alice: UNEXPECTED: $out"
fi
shown "ssh -p 2222 alice@127.0.0.1 'sudo cat /etc/shadow'"
out=$(printf '%s\n' "$alice_key" | ssh_as alice "$alice_key" "sudo -S -k -p '' cat /etc/shadow" 2>&1) || true
if grep -q 'not allowed by IAM policy' <<< "$out"; then
    result 1 "alice: refused; sudo printed:"
    say "  $(grep -m 1 'not allowed by IAM policy' <<< "$out")"
else
    result 0 "alice: UNEXPECTED: $(tail -n 1 <<< "$out")"
fi
shown "ssh -p 2222 bob@127.0.0.1 'sudo id -un'"
out=$(printf '%s\n' "$bob_key" | ssh_as bob "$bob_key" "sudo -S -k -p '' id -un" 2>&1) || true
if [ "$(tail -n 1 <<< "$out")" != root ]; then
    result 1 "bob: refused (no policy allows him host:Sudo); sudo printed:"
    say "  $(grep -m 1 'not allowed by IAM policy' <<< "$out" || tail -n 1 <<< "$out")"
else
    result 0 "bob: UNEXPECTED: sudo worked"
fi
say "the same question, offline: may alice run 'cat /etc/shadow' as root here?"
shown "iamctl simulate-principal-policy --policy-source-arn arn:aws:iam::$account:user/alice \\"
printf '    %s      --action-names host:Sudo --resource-arns %s --context-entries \\%s\n' "$D" "$host_arn" "$N"
printf '    %s      ContextKeyName=host:Command,ContextKeyValues=/usr/bin/cat,ContextKeyType=string ...%s\n' "$D" "$N"
iamctl simulate-principal-policy --policy-source-arn "arn:aws:iam::$account:user/alice" \
    --action-names host:Sudo --resource-arns "$host_arn" --context-entries \
    "ContextKeyName=host:Command,ContextKeyValues=/usr/bin/cat,ContextKeyType=string" \
    "ContextKeyName=host:CommandArgs,ContextKeyValues=/etc/shadow,ContextKeyType=stringList" \
    "ContextKeyName=host:RunAsUser,ContextKeyValues=root,ContextKeyType=string" \
    2>&1 | grep -E '"(EvalActionName|EvalDecision)"' | sed 's/^ */      /' || true

step "sudo gated by MFA: dave has a virtual MFA device; sudo needs aws:MultiFactorAuthPresent"
cat > "$T/mfa-sudo.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Sid": "IdWithMFA", "Effect": "Allow", "Action": "host:Sudo", "Resource": "*",
   "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                 "StringEquals": {"host:Command": "/usr/bin/id"}}}]}
EOF
say "mfa-sudo.json:"
sed 's/^/      /' "$T/mfa-sudo.json"
iam create-user --user-name dave --tags Key=env,Value=prod
iam add-user-to-group --group-name devs --user-name dave
iam put-user-policy --user-name dave --policy-name mfa-sudo --policy-document file://mfa-sudo.json
install -d -m 0700 -o dave -g dave /home/dave
dave_key=$(new_key dave)
# two devices (a phone and a tablet): each code is good once per device
for d in phone tablet; do
    iam create-virtual-mfa-device --virtual-mfa-device-name "dave-$d" --outfile "$T/dave-$d.seed" \
        --bootstrap-method Base32StringSeed
done
say "each seed went to its --outfile only (0600): what an authenticator app would scan"
totp() { oathtool --totp -b -N "@$(( $(date +%s) + $1 ))" "$(cat "$T/dave-${2:-phone}.seed")"; }
for d in phone tablet; do
    iam enable-mfa-device --user-name dave --serial-number "arn:aws:iam::$account:mfa/dave-$d" \
        --authentication-code1 "$(totp -60 $d)" --authentication-code2 "$(totp -30 $d)"
done
# ssh asks twice (secret, then "MFA code:"): answered through SSH_ASKPASS, never argv
printf '#!/bin/sh\ncase "$1" in *MFA*) cat "$ASK_CODE" ;; *) cat "$ASK_SECRET" ;; esac\n' > "$T/askpass"
chmod 0755 "$T/askpass"
ssh_mfa() { # ssh_mfa USER SECRET CODE COMMAND (stdin: for sudo -S)
    printf '%s\n' "$2" > "$T/ask.secret"
    printf '%s\n' "$3" > "$T/ask.code"
    ASK_SECRET=$T/ask.secret ASK_CODE=$T/ask.code SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force \
        DISPLAY= setsid -w ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o PubkeyAuthentication=no \
        -o NumberOfPasswordPrompts=1 -o PreferredAuthentications=keyboard-interactive \
        "$1@127.0.0.1" "$4"
}
shown "ssh -p 2222 dave@127.0.0.1 'sudo id -un'   (Password: the secret; MFA code: from the device)"
out=$(printf '%s\n%s\n' "$dave_key" "$(totp 30)" | ssh_mfa dave "$dave_key" "$(totp 0)" \
      "sudo -S -k -p '' id -un" 2>&1) || true
if [ "$out" = root ]; then
    result 0 "dave: secret + code at login, code again at sudo -> root (MFA present)"
else
    result 1 "dave: UNEXPECTED: $out"
fi
shown "the same, with a wrong code for sudo"
out=$(printf '%s\n%s\n' "$dave_key" 000000 | ssh_mfa dave "$dave_key" "$(totp 0 tablet)" \
      "sudo -S -k -p '' id -un" 2>&1) || true
if [ "$out" = root ]; then
    result 0 "dave: UNEXPECTED: sudo worked with a wrong code"
else
    result 1 "dave: refused (wrong MFA code); sudo printed: $(printf '%s' "$out" | tail -1)"
fi
step "A second host, with no store, pulls the account from a web server"
iam publish --output /var/www/iam-bundle
say "$(ls /var/www/iam-bundle | tr '\n' ' ')  (auth.cache sealed to the fleet key)"
mkdir -p "$T/web/tmp"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/web/tls.key" -out "$T/web/tls.crt" 2>/dev/null
cat > "$T/web/nginx.conf" <<NGINX
user root;
worker_processes 1;
pid $T/web/nginx.pid;
error_log $T/web/error.log;
events {}
http {
    log_format short '\$request_method \$uri \$status \$bytes_sent';
    access_log $T/web/access.log short;
    client_body_temp_path $T/web/tmp/1; proxy_temp_path $T/web/tmp/2;
    fastcgi_temp_path $T/web/tmp/3; uwsgi_temp_path $T/web/tmp/4; scgi_temp_path $T/web/tmp/5;
    server { listen 127.0.0.1:8443 ssl; ssl_certificate $T/web/tls.crt;
             ssl_certificate_key $T/web/tls.key; root /var/www; }
}
NGINX
nginx -e "$T/web/error.log" -p "$T/web" -c "$T/web/nginx.conf"
say "nginx serves /var/www on https://127.0.0.1:8443 (TLS from a CA made for the demo)"
iam export-fleet-key --output /etc/iam/host2-fleet.key
pk=$(iamctl get-bundle-public-key | sed -n 's/.*"PublicKey": "\(.*\)".*/\1/p')
h2() { # iamctl as the second host: its own iam.conf, caches and audit log; JSON on one line
    shown "iamctl --config /etc/iam/host2.conf $*"
    local rc=0
    iamctl --config /etc/iam/host2.conf "$@" > "$T/h2.out" 2>&1 || rc=$?
    if [ "$(head -c1 "$T/h2.out")" = "{" ]; then
        printf '    %s\n' "$(tr -s '\n ' ' ' < "$T/h2.out")"
    else
        sed 's/^/    /' "$T/h2.out"
    fi
    return $rc
}
h2 init --account-id "$account" --host-arn "${host_arn%ab}cd" \
    --bundle-url https://127.0.0.1:8443/iam-bundle --bundle-public-key "$pk" \
    --bundle-secret-key /etc/iam/host2-fleet.key --bundle-ca-file "$T/web/tls.crt" \
    --cache-dir /var/lib/iam-host2 --audit-log /var/log/iam/host2-audit.jsonl
h2 pull
say "$(IAM_NSS_CACHE=/var/lib/iam-host2/nss.cache getent -s iam passwd alice)   (the second host's caches)"
h2 pull
say "nginx: $(tail -1 "$T/web/access.log")   (unchanged: one conditional request)"
h2 create-user --user-name mallory || true

step "A tampered bundle is refused; the second host keeps what it has"
iam create-user --user-name erin
iam publish --output /var/www/iam-bundle
f=$(ls -t /var/www/iam-bundle/nss.cache.*.gz | head -1)
say "someone with write access to the web server changes one byte of $(basename "$f")"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 1; open(sys.argv[1], "wb").write(b)' "$f"
h2 pull || true
say "$(IAM_NSS_CACHE=/var/lib/iam-host2/nss.cache getent -s iam passwd erin || echo "erin: not on the second host")"
say "audit: $(tail -1 /var/log/iam/host2-audit.jsonl | sed -n 's/.*"eventName":"\([^"]*\)".*"errorCode":"\([^"]*\)".*/\1 \2/p')"
iam publish --output /var/www/iam-bundle
say "published again (the damaged file is written anew):"
h2 pull
say "$(IAM_NSS_CACHE=/var/lib/iam-host2/nss.cache getent -s iam passwd erin)"
kill "$(cat "$T/web/nginx.pid")" 2>/dev/null || true

step "The audit log (/var/log/iam/audit.jsonl), one CloudTrail-style record per decision"
field() { sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" <<< "$2"; }
if [ -f /var/log/iam/audit.jsonl ]; then
    printf '    %-21s %-13s %-6s %-9s %-13s %s\n' eventTime eventName user service result "decided by"
    while IFS= read -r line; do
        ev=$(field eventName "$line")
        res=$(field errorCode "$line")
        case "$ev:$res" in
        Login: | Sudo: | SudoCommand:) res=allowed ;;
        *:) res=ok ;;
        esac
        why=$(field decidingPolicy "$line")
        if [ -n "$why" ]; then
            why="$why/$(field decidingStatement "$line")"
        elif [ "$res" = AccessDenied ]; then
            why="(no statement allows it)"
        fi
        printf '    %-21s %-13s %-6s %-9s %-13s %s\n' "$(field eventTime "$line")" "$ev" \
            "$(field userName "$line")" "$(field userAgent "$line")" "$res" "$why"
    done < /var/log/iam/audit.jsonl
    say "($(wc -l < /var/log/iam/audit.jsonl) records; no secret is ever written)"
else
    say "no audit log was written"
fi

kill "$(cat "$T/ssh/sshd.pid")" 2>/dev/null || true
