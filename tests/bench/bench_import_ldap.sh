#!/bin/bash
# import-ldap at scale: 100,000 users and 10,000 groups (each user in two groups, one SSH key
# for one user in ten) in a real slapd on 127.0.0.1 (tests/ldap/lib.sh), imported over ldapi://
# into a fresh store, RUNS times; beside it, in the same run, the baseline: ldapsearch fetching
# the same entries with the same attributes and page size (the server's and the transfer's
# share). Prints medians: the import end to end (wall), iamctl's own CPU time (user + system:
# the part that is ours), the ldapsearch baseline, and a second import of the unchanged
# directory (nothing written). A benchmark, not a test.
#   bench_import_ldap.sh IAMCTL [RUNS] [USERS] [GROUPS]
set -uo pipefail
IAMCTL=$(realpath "$1")
RUNS=${2:-3}
USERS=${3:-100000}
GROUPS_N=${4:-10000}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-ldap.XXXXXX")
PASS=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { :; }
pam_cleanup() { :; }
. "$HERE/../ldap/lib.sh"
export IAMCTL_PASSWD_FILE=/etc/passwd IAMCTL_GROUP_FILE=/etc/group

ldap_init
echo "generating $USERS users and $GROUPS_N groups" >&2
python3 - "$LDAP_BASE" "$USERS" "$GROUPS_N" >"$T/data.ldif" <<'PY'
import sys
base, users, groups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
w = sys.stdout.write
w(f"dn: ou=people,{base}\nobjectClass: organizationalUnit\nou: people\n\n")
w(f"dn: ou=groups,{base}\nobjectClass: organizationalUnit\nou: groups\n\n")
key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
for i in range(users):
    n = f"u{i:06d}"
    w(f"dn: uid={n},ou=people,{base}\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n"
      f"objectClass: ldapPublicKey\nuid: {n}\ncn: User {i}\nsn: {i}\n"
      f"uidNumber: {400000 + i}\ngidNumber: {400000 + i}\nhomeDirectory: /home/{n}\n"
      f"loginShell: /bin/bash\n")
    if i % 10 == 0:
        w(f"sshPublicKey: {key} {n}\n")
    w("\n")
members = [[] for _ in range(groups)]
for i in range(users):  # user i is in groups i % groups and (i * 7 + 3) % groups
    members[i % groups].append(i)
    if (i * 7 + 3) % groups != i % groups:
        members[(i * 7 + 3) % groups].append(i)
for g in range(groups):
    w(f"dn: cn=g{g:05d},ou=groups,{base}\nobjectClass: posixGroup\ncn: g{g:05d}\n"
      f"gidNumber: {600000 + g}\n")
    for i in members[g]:
        w(f"memberUid: u{i:06d}\n")
    w("\n")
PY
echo "loading (slapadd)" >&2
ldap_load "$T/data.ldif"
ldap_start

# run_timed OUT CMD...: wall seconds and the child's user+system CPU seconds into OUT
run_timed() {
    local out=$1
    shift
    python3 - "$out" "$@" <<'PY'
import resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
if p.returncode != 0:
    sys.stderr.write(p.stderr.decode()[-2000:])
    sys.exit(1)
open(out, "a").write(f"{wall:.3f} {ru.ru_utime + ru.ru_stime:.3f}\n")
PY
}

for r in $(seq 1 "$RUNS"); do
    echo "run $r/$RUNS" >&2
    # the baseline: the same two paged searches with ldapsearch
    run_timed "$T/base" sh -c "ldapsearch -LLL -x -H '$LDAPI_URI' -D '$LDAP_READER_DN' \
        -w reader-secret -E pr=500/noprompt -b '$LDAP_BASE' '(objectClass=posixAccount)' \
        uid uidNumber gidNumber cn gecos homeDirectory loginShell sshPublicKey entryUUID \
        >/dev/null && ldapsearch -LLL -x -H '$LDAPI_URI' -D '$LDAP_READER_DN' -w reader-secret \
        -E pr=500/noprompt -b '$LDAP_BASE' '(objectClass=posixGroup)' cn gidNumber memberUid \
        entryUUID >/dev/null" || fail "ldapsearch"
    rm -rf "$T/store"
    mkdir -p "$T/store"
    "$IAMCTL" --config "$T/store/iam.conf" init --account-id 123456789012 \
        --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
        --database "$T/store/iam.db" --cache-dir "$T/store/cache" --audit-log none \
        --uid-min 400000 --uid-max 700000 >/dev/null || fail "init"
    IMPORT=("$IAMCTL" --config "$T/store/iam.conf" import-ldap --uri "$LDAP_URI"
        --ca-file "$LDAP_CA" --bind-dn "$LDAP_READER_DN" --bind-password-file
        "$LDAP_READER_PW_FILE" --base-dn "$LDAP_BASE" --schema rfc2307 --page-size 500)
    run_timed "$T/first" "${IMPORT[@]}" || fail "the first import"
    run_timed "$T/again" "${IMPORT[@]}" || fail "the second import"
done
users=$(sqlite3 "$T/store/iam.db" "SELECT count(*) FROM identities WHERE kind = 1")
members=$(sqlite3 "$T/store/iam.db" "SELECT count(*) FROM memberships")
python3 - "$T" "$users" "$members" <<'PY'
import statistics, sys
t = sys.argv[1]
def col(name, i):
    return statistics.median(float(l.split()[i]) for l in open(f"{t}/{name}"))
print(f"import-ldap of {sys.argv[2]} users, {sys.argv[3]} memberships "
      f"(median of {sum(1 for _ in open(t + '/first'))} runs):")
print(f"  first import, end to end (StartTLS, paged): {col('first', 0):7.2f} s wall, "
      f"iamctl's own CPU {col('first', 1):6.2f} s")
print(f"  baseline, ldapsearch of the same entries:   {col('base', 0):7.2f} s wall")
print(f"  second import (nothing changed):            {col('again', 0):7.2f} s wall, "
      f"iamctl's own CPU {col('again', 1):6.2f} s")
print(f"  ratio first import / ldapsearch: {col('first', 0) / col('base', 0):.2f}")
PY
