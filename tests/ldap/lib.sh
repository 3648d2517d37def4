# A real directory for the tests: Debian's slapd on 127.0.0.1 (ldap:// with StartTLS, ldaps://,
# ldapi://) with a temporary configuration, TLS certificates made here, and the LDIF the test
# gives. Source after tests/security/lib.sh (which gives $T, fail, ok). Nothing outside $T is
# touched; ldap_stop (run on exit) stops the server by its pid.
#   ldap_init LDIF...     configuration, certificates, data loaded with slapadd (offline)
#   ldap_start / ldap_stop
#   ldap_modify LDIF      changes through ldapmodify as the directory's root
# $LDAP_URI (ldap://127.0.0.1:PORT), $LDAPS_URI, $LDAPI_URI, $LDAP_CA (the CA's certificate),
# $LDAP_BASE (dc=example,dc=org), $LDAP_READER_DN and $LDAP_READER_PW_FILE (a reader bind).
LDAP_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SLAPD=${SLAPD:-/usr/sbin/slapd}
[ -x "$SLAPD" ] || { echo "SKIP: slapd missing"; exit 77; }
command -v ldapmodify >/dev/null && command -v openssl >/dev/null ||
    { echo "SKIP: ldap-utils or openssl missing"; exit 77; }

LD=$T/slapd
LDAP_BASE=dc=example,dc=org
LDAP_ROOT_DN=cn=admin,$LDAP_BASE
LDAP_ROOT_PW=root-secret
LDAP_READER_DN=cn=reader,$LDAP_BASE
LDAP_READER_PW_FILE=$T/reader.pw
LDAP_CA=$LD/ca.crt
SLAPD_PID=

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A CA and a server certificate for 127.0.0.1 and localhost (ECDSA P-256, two days).
ldap_certs() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=iam-host test CA" -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign,cRLSign \
        -keyout "$LD/ca.key" -out "$LD/ca.crt" 2>/dev/null || fail "openssl: CA"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$LD/server.key" -out "$LD/server.csr" 2>/dev/null || fail "openssl: request"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
        >"$LD/ext"
    openssl x509 -req -in "$LD/server.csr" -CA "$LD/ca.crt" -CAkey "$LD/ca.key" \
        -CAcreateserial -days 2 -extfile "$LD/ext" -out "$LD/server.crt" 2>/dev/null ||
        fail "openssl: server certificate"
    # another CA, which signed nothing the server shows
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=another CA" -keyout "$LD/other-ca.key" -out "$LD/other-ca.crt" 2>/dev/null ||
        fail "openssl: other CA"
}

# ldap_init [EXTRA_SCHEMA...]: configuration and the base entries; data comes with ldap_load.
ldap_init() {
    mkdir -p "$LD/db"
    ldap_certs
    LDAP_PORT=$(free_port)
    LDAPS_PORT=$(free_port)
    LDAP_URI=ldap://127.0.0.1:$LDAP_PORT
    LDAPS_URI=ldaps://127.0.0.1:$LDAPS_PORT
    LDAPI_URI=ldapi://$(printf '%s' "$LD/ldapi" | sed 's|/|%2F|g')
    local extra=""
    for s in "$@"; do extra="${extra}include $s"$'\n'; done
    cat >"$LD/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include $LDAP_HERE/lpk.schema
$extra
pidfile $LD/slapd.pid
argsfile $LD/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile $LD/ca.crt
TLSCertificateFile $LD/server.crt
TLSCertificateKeyFile $LD/server.key
# a server size limit below the directory's size: only paged searches get everything
sizelimit size.soft=5 size.hard=5 size.prtotal=unlimited
authz-regexp "gidNumber=[0-9]+\\\\+uidNumber=$(id -u),cn=peercred,cn=external,cn=auth" "$LDAP_READER_DN"
database mdb
maxsize 4294967296
suffix "$LDAP_BASE"
rootdn "$LDAP_ROOT_DN"
rootpw $LDAP_ROOT_PW
directory $LD/db
index objectClass eq
index uid,cn,memberUid,member eq
access to attrs=userPassword by anonymous auth by self read by * none
access to * by * read
EOF
    printf 'reader-secret\n' >"$LDAP_READER_PW_FILE"
    chmod 600 "$LDAP_READER_PW_FILE"
    cat >"$LD/base.ldif" <<EOF
dn: $LDAP_BASE
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: $LDAP_READER_DN
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: $(slappasswd -s reader-secret)

EOF
    slapadd -q -f "$LD/slapd.conf" -l "$LD/base.ldif" >/dev/null 2>"$LD/slapadd.err" ||
        { cat "$LD/slapadd.err" >&2; fail "slapadd: base entries"; }
}

# ldap_load LDIF: entries added offline (the server must be stopped)
ldap_load() {
    slapadd -q -f "$LD/slapd.conf" -l "$1" >/dev/null 2>"$LD/slapadd.err" ||
        { cat "$LD/slapadd.err" >&2; fail "slapadd: $1"; }
}

ldap_start() {
    "$SLAPD" -f "$LD/slapd.conf" -h "$LDAP_URI/ $LDAPS_URI/ $LDAPI_URI/" -d 0 \
        >"$LD/slapd.log" 2>&1 &
    SLAPD_PID=$!
    for _ in $(seq 1 100); do
        ldapsearch -x -H "$LDAPI_URI" -b "" -s base >/dev/null 2>&1 && return 0
        kill -0 "$SLAPD_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$LD/slapd.log" >&2
    fail "slapd did not start"
}

ldap_stop() {
    [ -n "$SLAPD_PID" ] || return 0
    kill "$SLAPD_PID" 2>/dev/null
    wait "$SLAPD_PID" 2>/dev/null
    SLAPD_PID=
}

# ldap_modify: LDIF on standard input, applied as the directory's root
ldap_modify() {
    ldapmodify -x -H "$LDAPI_URI" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PW" >"$T/ldapmodify.out" 2>&1 ||
        { cat "$T/ldapmodify.out" >&2; fail "ldapmodify"; }
}

trap 'ldap_stop; pam_cleanup; rm -rf "$T"' EXIT
