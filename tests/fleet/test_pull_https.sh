#!/bin/bash
# Pulling over https from a real web server: nginx on 127.0.0.1 with TLS from a CA this test
# makes. A user created on the admin host logs in on the host after one pull (getent through
# libnss_iam.so.2, pamtester through pam_iam.so) and is gone after deletion and the next pull;
# an unchanged bundle costs one request (a conditional GET answered 304); the refusals that
# need a server (a certificate of another CA, a redirect to http://, a stalled server, a
# response larger than the limit, an unreachable origin) leave the host as it was; a pull
# killed at a random point leaves the previous bundle installed and usable.
#   test_pull_https.sh IAMCTL FORGE NSS_IAM_SO PAM_IAM_SO PAM_WRAPPER_LIB GEN_EXPORT
. "$(dirname "$0")/../helpers/private_net.sh"
IAMCTL=$(realpath "$1")
FORGE=$(realpath "$2")
NSS_DIR=$(dirname "$(realpath "$3")")
PAM_IAM=$(realpath "$4")
PAM_WRAPPER=$5
GEN_EXPORT=$(realpath "$6")
. "$(dirname "$0")/lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "SKIP: nginx missing"; exit 77; }
command -v pamtester >/dev/null || { echo "SKIP: pamtester missing"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }

hgetent() { IAM_NSS_CACHE="$HCACHE/nss.cache" LD_LIBRARY_PATH="$NSS_DIR" getent -s iam "$@"; }
pam_service login "auth required $PAM_IAM config=$HOST" "account required $PAM_IAM config=$HOST"
POLICY='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*"}]}'

# ---- a CA, a server certificate for 127.0.0.1, and another CA nobody trusts ----------------
mkdir -p "$T/tls"
(
    cd "$T/tls" || exit 1
    for ca in ca other; do
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj "/CN=iam-host test $ca" -keyout $ca.key -out $ca.crt 2>/dev/null || exit 1
    done
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
        -keyout server.key -out server.csr 2>/dev/null || exit 1
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile ext -out server.crt 2>/dev/null || exit 1
) || fail "making the test CA"

# ---- nginx: https on one port, http on another (a redirect's target) -----------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port); PORT2=$(free_port); STALL_PORT=$(free_port)
mkdir -p "$T/www" "$T/nginx/tmp"
ln -s "$PUB" "$T/www/bundle"
[ "$(id -u)" = 0 ] && USER_LINE="user root;" || USER_LINE=""
cat >"$T/nginx/nginx.conf" <<CONF
$USER_LINE
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 64; }
http {
    log_format fleet '\$request_method \$uri \$status \$bytes_sent';
    access_log $T/nginx/access.log fleet;
    client_body_temp_path $T/nginx/tmp/body;
    proxy_temp_path $T/nginx/tmp/proxy;
    fastcgi_temp_path $T/nginx/tmp/fastcgi;
    uwsgi_temp_path $T/nginx/tmp/uwsgi;
    scgi_temp_path $T/nginx/tmp/scgi;
    types { application/json json; application/octet-stream gz sealed; }
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $T/tls/server.crt;
        ssl_certificate_key $T/tls/server.key;
        root $T/www;
        disable_symlinks off;
        location /to-http/ { return 301 http://127.0.0.1:$PORT2/bundle/\$1; }
        location ~ ^/moved/(.*)\$ { return 301 https://127.0.0.1:$PORT/bundle/\$1; }
        location /slow/ { alias $PUB/; limit_rate 300k; }
    }
    server {
        listen 127.0.0.1:$PORT2;
        root $T/www;
    }
}
CONF
"$NGINX" -e "$T/nginx/error.log" -p "$T/nginx" -c "$T/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
STALL_PID=
cleanup_servers() {
    kill "$NGINX_PID" 2>/dev/null
    [ -n "$STALL_PID" ] && kill "$STALL_PID" 2>/dev/null
    wait 2>/dev/null
}
trap 'cleanup_servers; pam_cleanup; rm -rf "$T"' EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { cat "$T/nginx/error.log"; fail "nginx did not start"; }
URL=https://127.0.0.1:$PORT/bundle
requests() { wc -l <"$T/nginx/access.log"; }

# ---- the admin publishes; a host with no store pulls ---------------------------------------
fleet_admin_init
admin create-user --user-name alice >/dev/null || fail "create-user"
printf 'Alice-Passw0rd-1\n' | admin create-login-profile --user-name alice >/dev/null || fail "password"
admin put-user-policy --user-name alice --policy-name login --policy-document "$POLICY" >/dev/null || fail "policy"
publish_to "$PUB"
fleet_host_init "$URL" --bundle-ca-file "$T/tls/ca.crt"
hgetent passwd alice >/dev/null && fail "alice resolves before any pull"
expect_pam_fail "." login alice Alice-Passw0rd-1 authenticate acct_mgmt
n=$(requests)
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true
[ "$(($(requests) - n))" = 4 ] || fail "the first pull made $(($(requests) - n)) requests, expected 4 (the manifest, three files)"
hgetent passwd alice | grep -q '^alice:' || fail "alice does not resolve after one pull"
ok
expect_pam_ok login alice Alice-Passw0rd-1 authenticate acct_mgmt

# unchanged: one request, answered 304
n=$(requests)
expect_pull_ok "$(manifest_field "$PUB" .Serial)" false
[ "$(($(requests) - n))" = 1 ] || fail "an unchanged pull made $(($(requests) - n)) requests"
tail -1 "$T/nginx/access.log" | grep -q "^GET /bundle/manifest.json 304 " || fail "not a conditional GET: $(tail -1 "$T/nginx/access.log")"
ok
# a renewed manifest of the same account: one request (200), nothing installed
sleep 1
publish_to "$PUB"
n=$(requests)
expect_pull_ok "$(manifest_field "$PUB" .Serial)" false
[ "$(($(requests) - n))" = 1 ] || fail "a renewed manifest cost $(($(requests) - n)) requests"
ok
# a same-scheme redirect is followed
sed -i "s|^bundle_url = .*|bundle_url = https://127.0.0.1:$PORT/moved|" "$HOST"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" false
sed -i "s|^bundle_url = .*|bundle_url = $URL|" "$HOST"

# the user deleted on the admin host is gone after the next pull
admin delete-user-policy --user-name alice --policy-name login >/dev/null
admin delete-login-profile --user-name alice >/dev/null || fail "delete-login-profile"
admin delete-user --user-name alice >/dev/null || fail "delete-user"
publish_to "$PUB"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true
hgetent passwd alice >/dev/null && fail "alice still resolves after deletion and pull"
ok
expect_pam_fail "." login alice Alice-Passw0rd-1 authenticate acct_mgmt

# ---- refusals that need a server ------------------------------------------------------------
admin create-user --user-name bob >/dev/null || fail "create bob"
publish_to "$PUB"
# the system's CA store does not know the test CA
sed -i '/^bundle_ca_file = /d' "$HOST"
expect_refused CertificateInvalid "certificate"
# a CA file of another CA
echo "bundle_ca_file = $T/tls/other.crt" >>"$HOST"
expect_refused CertificateInvalid "bundle_ca_file"
sed -i "s|^bundle_ca_file = .*|bundle_ca_file = $T/tls/ca.crt|" "$HOST"
# a redirect to http://
sed -i "s|^bundle_url = .*|bundle_url = https://127.0.0.1:$PORT/to-http|" "$HOST"
expect_refused RedirectRefused "http://127.0.0.1:$PORT2/.*another scheme"
# a response larger than the limit: a 100 KB "manifest"
mkdir -p "$T/www/huge"
head -c 100000 /dev/zero | tr '\0' ' ' >"$T/www/huge/manifest.json"
sed -i "s|^bundle_url = .*|bundle_url = https://127.0.0.1:$PORT/huge|" "$HOST"
expect_refused ResponseTooLarge "larger than"
# a server that accepts and never answers (bundle_timeout = 2)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$STALL_PORT" &
STALL_PID=$!
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$STALL_PORT") 2>/dev/null && break
    sleep 0.1
done
sed -i "s|^bundle_url = .*|bundle_url = https://127.0.0.1:$STALL_PORT/bundle|" "$HOST"
echo "bundle_timeout = 2" >>"$HOST"
start=$(date +%s)
expect_refused OriginTimeout "did not answer, or stalled"
[ $(($(date +%s) - start)) -lt 20 ] || fail "the stalled server held pull for $(($(date +%s) - start)) s"
kill "$STALL_PID"; wait "$STALL_PID" 2>/dev/null; STALL_PID=
# nobody listens at all
expect_refused OriginUnreachable "127.0.0.1:$STALL_PORT"
grep -q "stays in use" "$T/err" || fail "an unreachable origin: the host does not say it keeps its bundle"
ok
sed -i '/^bundle_timeout = /d' "$HOST"
sed -i "s|^bundle_url = .*|bundle_url = $URL|" "$HOST"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true

# ---- a pull killed at a random point ----------------------------------------------------------
# A bundle of 3,000 users served at 300 KB/s (about a second a pull), so a kill lands while fetching,
# verifying or installing; after each, the host has the previous bundle or the new one, whole,
# and it answers; then a pull that is not killed installs the new one.
"$GEN_EXPORT" 3000 123456789012 >"$T/export.json"
admin import --authorization-details "file://$T/export.json" >/dev/null || fail "import"
sed -i "s|^bundle_url = .*|bundle_url = https://127.0.0.1:$PORT/slow|" "$HOST"
publish_to "$PUB"
start=$(date +%s%N)
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true
dur_ms=$((($(date +%s%N) - start) / 1000000))
[ "$dur_ms" -gt 200 ] || fail "the slow pull took only $dur_ms ms: the kill test would not hit it"
killed=0
for i in $(seq 10); do
    admin create-user --user-name "kill$i" >/dev/null || fail "create kill$i"
    publish_to "$PUB"
    new=$(manifest_field "$PUB" .Serial)
    old=$(sed -n 's/^installed_serial //p' "$HCACHE/pull.state")
    delay=$((RANDOM % (dur_ms + 50)))
    IAMCTL_PASSWD_FILE=$T/hpasswd IAMCTL_GROUP_FILE=$T/hgroup "$IAMCTL" --config "$HOST" pull >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '0.%03d' "$delay")"
    kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
    wait "$pid" 2>/dev/null
    # a whole generation is current, its files are what the links name, and it answers
    gen=$(readlink "$HCACHE/current") || fail "no current generation after a kill"
    cmp -s "$HCACHE/$gen/nss.cache" "$HCACHE/nss.cache" || [ "$(stat -c %i "$HCACHE/$gen/nss.cache")" = "$(stat -c %i "$HCACHE/nss.cache")" ] ||
        true # the hard links follow the switch a moment later; the modules read through current
    hgetent passwd user000001 >/dev/null || fail "after a kill ($delay ms) the host does not resolve users"
    inst=$(sed -n 's/^installed_serial //p' "$HCACHE/pull.state") || fail "pull.state unreadable after a kill"
    [ "$inst" = "$old" ] || [ "$inst" = "$new" ] || fail "after a kill: installed Serial $inst, neither $old nor $new"
    if [ "$inst" = "$old" ]; then
        hgetent passwd "kill$i" >/dev/null && [ "$(readlink "$HCACHE/current")" = "$gen" ] && \
            ! grep -q "^highest_serial $new\$" "$HCACHE/pull.state" && fail "kill$i resolves, but the old bundle is recorded"
    fi
    expect_pull_ok "$new" "$([ "$inst" = "$new" ] && echo false || echo true)"
    hgetent passwd "kill$i" >/dev/null || fail "kill$i missing after the pull that completed"
done
[ "$killed" -ge 5 ] || fail "only $killed of 10 pulls were killed before they ended"
printf 'Bob-Passw0rd-22\n' | admin create-login-profile --user-name bob >/dev/null || fail "bob's password"
admin put-user-policy --user-name bob --policy-name login --policy-document "$POLICY" >/dev/null || fail "bob's policy"
publish_to "$PUB"
expect_pull_ok "$(manifest_field "$PUB" .Serial)" true
expect_pam_ok login bob Bob-Passw0rd-22 authenticate acct_mgmt
echo "ok: $PASS checks ($killed pulls killed)"
