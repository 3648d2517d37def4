#!/bin/bash
# The inside of test_e2e_ssh_keys.sh; runs only in the private namespace that script makes.
#   ssh_keys_inner.sh PAM_IAM_SO NSS_IAM_SO IAMCTL IAM_AUTHORIZED_KEYS PACKAGING_DIR
set -uo pipefail
module=$1 nss_module=$2 iamctl=$3 akeys=$4 pkg=$5

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

# ---- install as the packages do, from the build tree ----------------------------------
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
install -m 0644 "$module" "/usr/lib/$multiarch/security/pam_iam.so" || exit 1
install -m 0644 "$nss_module" "/usr/lib/$multiarch/libnss_iam.so.2" || exit 1
ldconfig || exit 1
install -m 0644 "$pkg/pam-configs/iam" /usr/share/pam-configs/iam || exit 1
DEBIAN_FRONTEND=noninteractive pam-auth-update --package --enable iam || exit 1
sed -i -e 's/^\(passwd:[[:space:]]*files\)/\1 iam/' -e 's/^\(group:[[:space:]]*files\)/\1 iam/' \
    /etc/nsswitch.conf || exit 1
install -m 0755 "$iamctl" /usr/sbin/iamctl || exit 1
install -d -m 0755 /usr/libexec/iam || exit 1
install -m 0755 "$akeys" /usr/libexec/iam/iam-authorized-keys || exit 1
install -d -m 0755 /etc/ssh/sshd_config.d || exit 1
install -m 0644 "$pkg/ssh/iam.conf" /etc/ssh/sshd_config.d/iam.conf || exit 1
install -d -m 0755 /etc/iam /var/lib/iam && install -d -m 0750 /var/log/iam || exit 1

account=123456789012
host_arn="arn:aws:ec2:us-east-1:$account:instance/i-0123456789abcdef0"
iamctl init --account-id "$account" --host-arn "$host_arn" >/dev/null || exit 1
audit=$(sed -n 's/^audit_log = //p' /etc/iam/iam.conf)
pol=$t/policies
mkdir -p "$pol" || exit 1
printf '%s\n' '{"Version": "2012-10-17", "Statement": [{"Sid": "Login", "Effect": "Allow",' \
    '  "Action": "host:Login", "Resource": "*"}]}' > "$pol/login.json"
run() { "$@" > "$t/cmd.out" 2>&1 || { cat "$t/cmd.out"; echo "FAILED: $*"; exit 1; }; }
run iamctl create-group --group-name devs
run iamctl put-group-policy --group-name devs --policy-name login --policy-document "file://$pol/login.json"
for u in alice bob carol; do
    run iamctl create-user --user-name "$u"
    run iamctl add-user-to-group --group-name devs --user-name "$u"
done
# dave may log in with an access key only; erin with one particular SSH key only.
printf '%s\n' '{"Version": "2012-10-17", "Statement": [{"Sid": "AccessKeysOnly", "Effect": "Allow",' \
    '  "Action": "host:Login", "Resource": "*",' \
    '  "Condition": {"StringEquals": {"host:AuthMethod": "accesskey"}}}]}' > "$pol/accesskey.json"
run iamctl create-user --user-name dave
run iamctl put-user-policy --user-name dave --policy-name accesskey --policy-document "file://$pol/accesskey.json"
run iamctl create-user --user-name erin
# upload USER NAME: a new key pair $t/NAME; sets ID_<NAME> to its APKA... id.
upload() {
    ssh-keygen -q -t ed25519 -N '' -C "$2" -f "$t/$2" || exit 1
    eval "ID_$2=$(iamctl upload-ssh-public-key --user-name "$1" \
        --ssh-public-key-body "file://$t/$2.pub" | python3 -c \
        'import json,sys; print(json.load(sys.stdin)["SSHPublicKey"]["SSHPublicKeyId"])')" ||
        { echo "upload-ssh-public-key $1 failed"; exit 1; }
}
upload alice alice1
upload alice alice2
upload bob bob1
upload dave dave1
upload erin erin1
upload erin erin2
printf '%s\n' '{"Version": "2012-10-17", "Statement": [{"Sid": "OneKey", "Effect": "Allow",' \
    '  "Action": "host:Login", "Resource": "*",' \
    "  \"Condition\": {\"StringEquals\": {\"host:AuthMethod\": \"publickey\", \"host:SSHPublicKeyId\": \"$ID_erin1\"}}}]}" \
    > "$pol/onekey.json"
run iamctl put-user-policy --user-name erin --policy-name onekey --policy-document "file://$pol/onekey.json"
ssh-keygen -q -t ed25519 -N '' -f "$t/stranger" || exit 1
cp /etc/pam.d/sshd /etc/pam.d/sshd-iamtest

port=2222
ssh-keygen -q -t ed25519 -N '' -f "$t/hostkey" || exit 1
cat > "$t/sshd_config" <<CONF
Include /etc/ssh/sshd_config.d/*.conf
Port $port
ListenAddress 127.0.0.1
HostKey $t/hostkey
PidFile $t/sshd.pid
UsePAM yes
PubkeyAuthentication yes
KbdInteractiveAuthentication no
PasswordAuthentication no
PermitRootLogin no
UseDNS no
LogLevel VERBOSE
CONF
ln -s /usr/sbin/sshd "$t/sshd-iamtest"
"$t/sshd-iamtest" -D -e -f "$t/sshd_config" 2>"$t/sshd.log" &
sshd_pid=$!
for _ in $(seq 600); do
    ss -ltn 2>/dev/null | grep -q ":$port " && break
    kill -0 "$sshd_pid" 2>/dev/null || break
    sleep 0.1
done
ss -ltn 2>/dev/null | grep -q ":$port " || { echo "sshd did not start:"; cat "$t/sshd.log"; exit 1; }

# key_login USER KEYNAME: log in with that private key only; prints the remote `id`.
key_login() {
    ssh -F /dev/null -p "$port" -i "$t/$2" -o IdentitiesOnly=yes -o BatchMode=yes \
        -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
        -o PreferredAuthentications=publickey "$1@127.0.0.1" id </dev/null 2>/dev/null
}
count() { if [ -f "$audit" ]; then wc -l < "$audit"; else echo 0; fi; }
# The record count once every connection's sshd process has ended (a one-minute margin
# against a hang; no time limit decides anything).
records() {
    for _ in $(seq 600); do
        pgrep -P "$sshd_pid" >/dev/null || break
        sleep 0.1
    done
    count
}
expect_login() { # name user key
    local out
    out=$(key_login "$2" "$3")
    if [ $? = 0 ] && echo "$out" | grep -q "uid=[0-9]*($2)"; then ok "$1"; else bad "$1"; fi
}
expect_denied() { # name user key
    if key_login "$2" "$3" >/dev/null; then bad "$1"; else ok "$1"; fi
}
audit_check() { # FROM_LINE NAME PYTHON_EXPR over r, the records since FROM_LINE
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

# What sshd gets: the program as sshd runs it (as nobody, sshd's %U and %u).
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    /usr/libexec/iam/iam-authorized-keys --uid "$(id -u alice)" alice)
if [ "$(printf '%s\n' "$out" | awk '{print $3}' | tr '\n' ' ')" = "$ID_alice1 $ID_alice2 " ] &&
    [ "$(printf '%s\n' "$out" | awk '{print $1" "$2}' | head -1)" = "$(cut -d' ' -f1,2 "$t/alice1.pub")" ]; then
    ok "iam-authorized-keys as nobody: alice's two keys, authorized_keys lines with their ids"
else
    bad "iam-authorized-keys as nobody: $out"
fi

n=$(records)
expect_login "ssh: alice logs in with her first key" alice alice1
expect_login "ssh: alice logs in with her second key" alice alice2
audit_check "$n" "audit: key logins: Login allowed, host:AuthMethod publickey, the key's id" \
  '[(x["eventName"], x["additionalEventData"].get("sshPublicKeyId")) for x in r
    if x["eventName"]=="Login"]==[("Login","'"$ID_alice1"'"),("Login","'"$ID_alice2"'")]
   and all(x["userIdentity"]["userName"]=="alice" and "errorCode" not in x
           and x["additionalEventData"]["authMethod"]=="publickey"
           and "accessKeyId" not in x["userIdentity"] for x in r)
   and [x["eventName"] for x in r if x["eventName"].startswith("Session")]==["SessionOpen",
        "SessionClose","SessionOpen","SessionClose"]
   and all(x["additionalEventData"].get("sshPublicKeyId") in ("'"$ID_alice1"'","'"$ID_alice2"'")
           for x in r)'
n=$(records)
expect_denied "ssh: dave's key is refused by his policy's host:AuthMethod condition" dave dave1
audit_check "$n" "audit: dave -> Login AccessDenied (implicit deny), authMethod publickey" \
  '[x["eventName"] for x in r]==["Login"] and r[0]["errorCode"]=="AccessDenied"
   and "implicit deny" in r[0]["errorMessage"]
   and r[0]["additionalEventData"]["authMethod"]=="publickey"
   and r[0]["additionalEventData"]["sshPublicKeyId"]=="'"$ID_dave1"'"'
n=$(records)
expect_login "ssh: erin logs in with the one key her policy names (host:SSHPublicKeyId)" erin erin1
expect_denied "ssh: erin's other key is refused by the same policy" erin erin2
audit_check "$n" "audit: erin's two Login records name the two keys" \
  '[(x["additionalEventData"]["sshPublicKeyId"], x.get("errorCode")) for x in r
    if x["eventName"]=="Login"]==[("'"$ID_erin1"'",None),("'"$ID_erin2"'","AccessDenied")]'
grep -q "Accepted publickey for alice" "$t/sshd.log" &&
    ok "sshd: Accepted publickey for alice" || bad "sshd log has no accepted publickey for alice"
expect_denied "ssh: bob's key does not open alice's account" alice bob1
expect_denied "ssh: a key IAM does not know is refused" alice stranger
expect_denied "ssh: carol has no key" carol alice1
expect_login "ssh: bob logs in with his key" bob bob1

run iamctl update-ssh-public-key --user-name alice --ssh-public-key-id "$ID_alice1" --status Inactive
expect_denied "ssh: an Inactive key is refused (after the compile update-ssh-public-key runs)" alice alice1
expect_login "ssh: alice's other key still works" alice alice2
run iamctl update-ssh-public-key --user-name alice --ssh-public-key-id "$ID_alice1" --status Active
expect_login "ssh: the key works again once Active" alice alice1
run iamctl delete-ssh-public-key --user-name alice --ssh-public-key-id "$ID_alice2"
expect_denied "ssh: a deleted key is refused" alice alice2
expect_login "ssh: alice's remaining key works" alice alice1
# delete-user refuses a user with keys or groups (as IAM's DeleteConflict): take them first
run iamctl remove-user-from-group --group-name devs --user-name bob
run iamctl delete-ssh-public-key --user-name bob --ssh-public-key-id "$ID_bob1"
run iamctl delete-user --user-name bob
expect_denied "ssh: a deleted user's key is refused" bob bob1

# The records iam-authorized-keys left for the account phase: a directory of nobody's, 0700,
# and every record taken by pam_iam (none left once the logins are over).
cache_dir=$(sed -n 's/^cache_dir = //p' /etc/iam/iam.conf)
[ "$(stat -c '%U %a' "$cache_dir/sshd-keys")" = "nobody 700" ] &&
    ok "sshd-keys: nobody's, 0700 (made by the compile)" ||
    bad "sshd-keys is $(stat -c '%U %a' "$cache_dir/sshd-keys")"
records >/dev/null
[ -z "$(ls -A "$cache_dir/sshd-keys")" ] && ok "sshd-keys: every record was taken by pam_iam" ||
    bad "sshd-keys holds $(ls -A "$cache_dir/sshd-keys" | wc -l) records after the logins"

# A damaged cache (its header): iam-authorized-keys fails (sshd logs it) and offers nothing.
cp "$cache_dir/ssh_keys.cache" "$t/good.cache"
python3 - "$cache_dir/ssh_keys.cache" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[24] ^= 0xff  # the seed: the header's hash no longer matches
open(p + ".new", "wb").write(bytes(b))
PY
chmod 0644 "$cache_dir/ssh_keys.cache.new" && mv "$cache_dir/ssh_keys.cache.new" "$cache_dir/ssh_keys.cache"
expect_denied "ssh: a damaged key cache lets no key in" alice alice1
grep -Eq "iam-authorized-keys: cannot (use|read) .*ssh_keys.cache" "$t/sshd.log" &&
    ok "sshd's log has iam-authorized-keys' complaint" || bad "no complaint in sshd's log"
run iamctl compile
expect_login "ssh: iamctl compile repairs it" alice alice1

kill "$sshd_pid" 2>/dev/null
wait "$sshd_pid" 2>/dev/null
echo "# $passes passed, $fails failed"
if [ "$fails" != 0 ]; then
    echo "--- sshd log"
    tail -60 "$t/sshd.log"
    echo "--- audit log (last records)"
    tail -n 12 "$audit" | cut -c1-600
    exit 1
fi
exit 0
