#!/bin/bash
# Benchmark (not a test): the fleet at N users (default 100,000), for one host measured and for
# a fleet of H hosts pulling every P seconds computed (default 10,000 hosts, 300 s).
#   bench_fleet.sh IAMCTL GEN_EXPORT [N] [H] [P]
# Measured, medians of RUNS (default 5) runs:
#   - publish after a change (compile, compress, seal, sign, write) and publish of an unchanged
#     store (the manifest renewed only);
#   - the bundle's files: nss.cache and auth.cache raw, as published (gzip level 6, auth.cache
#     then sealed), and beside them gzip -9, zstd -3 / -19 and xz -6 of the same caches (the
#     command-line tools, for the choice of compression);
#   - pull + verify + install of a changed bundle on a host (file://, and https:// through a
#     local nginx when it is installed), and of an unchanged one;
#   - the bytes nginx sends for the manifest (200), its conditional GET (304) and the files.
# Every user has a password (an argon2id hash of its own, random, the size a real one has), a
# tag and a group with an inline policy: the auth.cache of a real account.
set -euo pipefail
IAMCTL=$(realpath "$1")
GEN=$(realpath "$2")
N=${3:-100000}
HOSTS=${4:-10000}
PERIOD=${5:-300}
RUNS=${RUNS:-5}
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-fleet.XXXXXX")
NGINX_PID=
trap '[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
export IAMCTL_PASSWD_FILE=$T/passwd IAMCTL_GROUP_FILE=$T/group
printf 'root:x:0:0:root:/root:/bin/bash\n' >passwd
printf 'root:x:0:\n' >group

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
admin() { "$IAMCTL" --config "$T/admin.conf" "$@"; }
host() { "$IAMCTL" --config "$T/host.conf" "$@"; }

mkdir adm
admin init --account-id 123456789012 --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-admin \
    --database "$T/adm/iam.db" --cache-dir "$T/adm/cache" --audit-log none \
    --uid-min 200000 --uid-max 499999 >/dev/null
echo "==> an account of $N users ($((N / 10)) groups), each with a password"
python3 "$GEN" "$N" 123456789012 >export.json
t0=$(now_ms)
admin import --authorization-details file://export.json >/dev/null
python3 - "$T/adm/iam.db" <<'PY'
import base64, os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
b64 = lambda n: base64.b64encode(os.urandom(n)).decode().rstrip("=")
rows = [(uid, "2026-01-01T00:00:00Z",
         f"$argon2id$v=19$m=65536,t=2,p=1${b64(16)}${b64(32)}")
        for (uid,) in db.execute("SELECT id FROM identities WHERE kind = 'user'")]
db.executemany("INSERT INTO login_profiles (user, create_date, password_hash) VALUES (?, ?, ?)", rows)
db.execute("UPDATE account SET serial = serial + 1")
db.commit()
PY
admin compile >/dev/null
echo "    import + passwords + compile: $(( $(now_ms) - t0 )) ms"
admin export-fleet-key --output "$T/fleet.key" >/dev/null
PK=$(admin get-bundle-public-key | python3 -c 'import json,sys; print(json.load(sys.stdin)["PublicKey"])')

# ---- publish ----------------------------------------------------------------------------------
pub_changed=() pub_same=()
for i in $(seq "$RUNS"); do
    admin create-user --user-name "bench$i" >/dev/null
    t0=$(now_ms); admin publish --output "$T/pub" >pub.json; pub_changed+=($(( $(now_ms) - t0 )))
    t0=$(now_ms); admin publish --output "$T/pub" >/dev/null; pub_same+=($(( $(now_ms) - t0 )))
done
P_CHANGED=$(printf '%s\n' "${pub_changed[@]}" | median)
P_SAME=$(printf '%s\n' "${pub_same[@]}" | median)
NSS_RAW=$(python3 -c 'import json;print(json.load(open("pub.json"))["Files"][0]["ContentSize"])')
NSS_GZ=$(python3 -c 'import json;print(json.load(open("pub.json"))["Files"][0]["Size"])')
AUTH_RAW=$(python3 -c 'import json;print(json.load(open("pub.json"))["Files"][1]["ContentSize"])')
AUTH_SEALED=$(python3 -c 'import json;print(json.load(open("pub.json"))["Files"][1]["Size"])')
MAN=$(stat -c %s "$T/pub/manifest.json")

# ---- compression: the same caches through the command-line tools ------------------------------
gen=$(readlink "$T/adm/cache/current")
comp() { # NAME CMD...: bytes and ms for both caches
    local name=$1 n a t0 t1
    shift
    t0=$(now_ms); n=$("$@" <"$T/adm/cache/$gen/nss.cache" | wc -c); a=$("$@" <"$T/adm/cache/$gen/auth.cache" | wc -c); t1=$(now_ms)
    printf '    %-10s nss.cache %9d  auth.cache %10d  together %10d bytes  %6d ms\n' "$name" "$n" "$a" $((n + a)) $((t1 - t0))
}
echo "==> compression of the caches (raw: nss.cache $NSS_RAW, auth.cache $AUTH_RAW bytes)"
comp "gzip -6" gzip -6 -c
comp "gzip -9" gzip -9 -c
command -v zstd >/dev/null && comp "zstd -3" zstd -3 -c -q && comp "zstd -19" zstd -19 -c -q
command -v xz >/dev/null && comp "xz -6" xz -6 -c

# ---- the host: pull + verify + install ---------------------------------------------------------
"$IAMCTL" --config "$T/host.conf" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-host --bundle-url "file://$T/pub" \
    --bundle-public-key "$PK" --bundle-secret-key "$T/fleet.key" --cache-dir "$T/hcache" \
    --audit-log none --uid-min 200000 --uid-max 499999 >/dev/null
host pull >/dev/null
pull_changed=() pull_same=()
for i in $(seq "$RUNS"); do
    admin create-user --user-name "again$i" >/dev/null
    admin publish --output "$T/pub" >/dev/null
    t0=$(now_ms); host pull | grep -q '"Installed": true'; pull_changed+=($(( $(now_ms) - t0 )))
    t0=$(now_ms); host pull | grep -q '"Installed": false'; pull_same+=($(( $(now_ms) - t0 )))
done
PULL_CHANGED=$(printf '%s\n' "${pull_changed[@]}" | median)
PULL_SAME=$(printf '%s\n' "${pull_same[@]}" | median)

# ---- over https, through nginx: times and the bytes on the wire --------------------------------
HTTPS=""
NGINX=$(command -v nginx || true)
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
if [ -n "$NGINX" ] && command -v openssl >/dev/null; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 -keyout tls.key -out tls.crt 2>/dev/null
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p ngx/tmp www && ln -s "$T/pub" www/b
    [ "$(id -u)" = 0 ] && U="user root;" || U=""
    cat >ngx/nginx.conf <<CONF
$U
worker_processes 1; pid $T/ngx/pid; error_log $T/ngx/error.log;
events {}
http { log_format b '\$uri \$status \$bytes_sent \$request_length'; access_log $T/ngx/access.log b;
  client_body_temp_path $T/ngx/tmp/1; proxy_temp_path $T/ngx/tmp/2; fastcgi_temp_path $T/ngx/tmp/3;
  uwsgi_temp_path $T/ngx/tmp/4; scgi_temp_path $T/ngx/tmp/5;
  server { listen 127.0.0.1:$PORT ssl; ssl_certificate $T/tls.crt; ssl_certificate_key $T/tls.key;
           root $T/www; disable_symlinks off; } }
CONF
    "$NGINX" -e "$T/ngx/error.log" -p "$T/ngx" -c "$T/ngx/nginx.conf" -g 'daemon off;' &
    NGINX_PID=$!
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
    sed -i "s|^bundle_url = .*|bundle_url = https://127.0.0.1:$PORT/b|" host.conf
    echo "bundle_ca_file = $T/tls.crt" >>host.conf
    host pull >/dev/null
    https_changed=() https_same=()
    for i in $(seq "$RUNS"); do
        admin create-user --user-name "web$i" >/dev/null
        admin publish --output "$T/pub" >/dev/null
        : >ngx/access.log
        t0=$(now_ms); host pull | grep -q '"Installed": true'; https_changed+=($(( $(now_ms) - t0 )))
        CH_REQ=$(wc -l <ngx/access.log); CH_BYTES=$(awk '{s += $3 + $4} END {print s}' ngx/access.log)
        : >ngx/access.log
        t0=$(now_ms); host pull | grep -q '"Installed": false'; https_same+=($(( $(now_ms) - t0 )))
        SAME_REQ=$(wc -l <ngx/access.log); SAME_BYTES=$(awk '{s += $3 + $4} END {print s}' ngx/access.log)
        SAME_STATUS=$(awk '{print $2}' ngx/access.log | tr '\n' ' ')
    done
    HTTPS_CHANGED=$(printf '%s\n' "${https_changed[@]}" | median)
    HTTPS_SAME=$(printf '%s\n' "${https_same[@]}" | median)
    HTTPS=1
fi

echo "==> one host, $N users (medians of $RUNS)"
printf '    publish, after a change        %8s ms\n' "$P_CHANGED"
printf '    publish, store unchanged       %8s ms   (manifest renewed only)\n' "$P_SAME"
printf '    nss.cache   %10d bytes -> %9d gzip       (%.1f%%)\n' "$NSS_RAW" "$NSS_GZ" "$(awk -v a="$NSS_GZ" -v b="$NSS_RAW" 'BEGIN {print 100 * a / b}')"
printf '    auth.cache  %10d bytes -> %9d gzip+sealed (%.1f%%)\n' "$AUTH_RAW" "$AUTH_SEALED" "$(awk -v a="$AUTH_SEALED" -v b="$AUTH_RAW" 'BEGIN {print 100 * a / b}')"
printf '    manifest.json                  %8d bytes\n' "$MAN"
printf '    pull+verify+install, file://   %8s ms (changed)  %5s ms (unchanged)\n' "$PULL_CHANGED" "$PULL_SAME"
if [ -n "$HTTPS" ]; then
    printf '    pull+verify+install, https://  %8s ms (changed)  %5s ms (unchanged)\n' "$HTTPS_CHANGED" "$HTTPS_SAME"
    printf '    on the wire (nginx: bytes sent + request bytes): changed %d requests %d bytes; unchanged %d request(s) %d bytes, status %s\n' \
        "$CH_REQ" "$CH_BYTES" "$SAME_REQ" "$SAME_BYTES" "$SAME_STATUS"
    PER_CHANGE=$CH_BYTES PER_SAME=$SAME_BYTES REQ_SAME=$SAME_REQ REQ_CHANGE=$CH_REQ
else
    PER_CHANGE=$((MAN + NSS_GZ + AUTH_SEALED)) PER_SAME=$MAN REQ_SAME=1 REQ_CHANGE=3
fi
echo "==> the origin, $HOSTS hosts pulling every $PERIOD s (iam-pull.timer spreads them evenly)"
python3 - "$HOSTS" "$PERIOD" "$REQ_SAME" "$PER_SAME" "$REQ_CHANGE" "$PER_CHANGE" <<'PY'
import sys
h, p, rq0, b0, rq1, b1 = (float(x) for x in sys.argv[1:])
print(f"    no change:  {h * rq0 / p:8.1f} requests/s  {h * b0 / p / 1e3:10.1f} kB/s   ({h * b0 / 1e6:.1f} MB per {p:.0f} s)")
print(f"    one change: {h * rq1 / p:8.1f} requests/s  {h * b1 / p / 1e6:10.2f} MB/s   ({h * b1 / 1e9:.2f} GB over the {p:.0f} s after it)")
PY
