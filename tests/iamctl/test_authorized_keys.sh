#!/bin/bash
# iam-authorized-keys against caches iamctl compiles: the Active keys of a user in
# authorized_keys format, nothing (exit 0) for unknown users, users without Active keys and
# accounts that are not the IAM user's; exit 1 when iam.conf or the cache cannot be used;
# exit 2 for a bad command line. Every byte of the cache flipped in turn: never a crash, never
# a key that is not alice's.
#   test_authorized_keys.sh IAMCTL IAM_AUTHORIZED_KEYS
IAMCTL=$1 AKEYS=$2
. "$(dirname "$0")/lib.sh"

init_db
C=(--config "$CONF")
ak() { "$AKEYS" "${C[@]}" "$@" >"$T/out" 2>"$T/err"; RC=$?; }
expect_ak() { # expect_ak RC EXPECTED_STDOUT ARGS...
    local rc=$1 want=$2
    shift 2
    ak "$@"
    [ "$RC" -eq "$rc" ] || fail "iam-authorized-keys $*: exit $RC, want $rc"
    [ "$(cat "$T/out")" = "$want" ] || fail "iam-authorized-keys $*: stdout differs from '$want'"
    ok
}
for u in alice bob; do expect_ok create-user --user-name "$u"; done
ssh-keygen -q -t ed25519 -N '' -C 'alice@laptop' -f "$T/k1" || fail ssh-keygen
ssh-keygen -q -t ecdsa -N '' -f "$T/k2" || fail ssh-keygen
ssh-keygen -q -t ed25519 -N '' -f "$T/k3" || fail ssh-keygen
id_of() { jq -r .SSHPublicKey.SSHPublicKeyId "$T/out"; }
expect_ok upload-ssh-public-key --user-name alice --ssh-public-key-body "file://$T/k1.pub"
K1=$(id_of)
expect_ok upload-ssh-public-key --user-name alice --ssh-public-key-body "file://$T/k2.pub"
K2=$(id_of)
expect_ok upload-ssh-public-key --user-name bob --ssh-public-key-body "file://$T/k3.pub"
K3=$(id_of)
uid_a=$(sql "SELECT posix_id FROM identities WHERE name = 'alice'")
uid_b=$(sql "SELECT posix_id FROM identities WHERE name = 'bob'")
line() { echo "$(cut -d' ' -f1,2 "$1") $2"; }
both="$(line "$T/k1.pub" "$K1")
$(line "$T/k2.pub" "$K2")"

[ "$(stat -c %a "$T/cache/ssh_keys.cache")" = 644 ] || fail "ssh_keys.cache is not 0644"
ok
expect_ak 0 "$both" --uid "$uid_a" alice
expect_ak 0 "$both" --uid="$uid_a" alice
expect_ak 0 "$(line "$T/k3.pub" "$K3")" --uid "$uid_b" bob
expect_ak 0 "$(line "$T/k3.pub" "$K3")" --uid "$uid_b" -- bob
# the comment of the uploaded line is not printed: the id is
grep -q 'alice@laptop' "$T/out" && fail "the upload's comment is printed"
ok
# unknown users, names IAM cannot have: nothing, exit 0
expect_ak 0 "" --uid "$uid_a" mallory
expect_ak 0 "" --uid "$uid_a" ''
expect_ak 0 "" --uid "$uid_a" "$(printf 'a%.0s' $(seq 300))"
# an account that is not the IAM user's (a local account of the same name): nothing
expect_ak 0 "" --uid 1000 alice
grep -q "not the IAM user's" "$T/err" || fail "no word on stderr about the other account"
ok
expect_ak 0 "" --uid "$uid_b" alice
# without --uid the account is looked up: this test's alice is not in NSS
expect_ak 0 "" alice
# Inactive and deleted keys are gone at the next compile (every write compiles)
expect_ok update-ssh-public-key --user-name alice --ssh-public-key-id "$K1" --status Inactive
expect_ak 0 "$(line "$T/k2.pub" "$K2")" --uid "$uid_a" alice
expect_ok delete-ssh-public-key --user-name alice --ssh-public-key-id "$K2"
expect_ak 0 "" --uid "$uid_a" alice
expect_ok update-ssh-public-key --user-name alice --ssh-public-key-id "$K1" --status Active
expect_ak 0 "$(line "$T/k1.pub" "$K1")" --uid "$uid_a" alice
# bad command lines: exit 2
expect_ak 2 "" --uid "$uid_a"
expect_ak 2 "" --uid x alice
expect_ak 2 "" --uid -1 alice
expect_ak 2 "" --bogus alice
expect_ak 2 "" alice bob
# an unusable iam.conf or cache: exit 1, saying what to do
"$AKEYS" --config "$T/nonexistent.conf" alice >"$T/out" 2>"$T/err"
[ $? -eq 1 ] && [ ! -s "$T/out" ] || fail "a missing iam.conf is not exit 1"
ok
cp "$T/cache/ssh_keys.cache" "$T/good"
rm "$T/cache/ssh_keys.cache"
expect_ak 1 "" --uid "$uid_a" alice
grep -q "iamctl compile" "$T/err" || fail "the missing cache's message does not say what to run"
ok
ln -s "$T/good" "$T/cache/ssh_keys.cache"
expect_ak 1 "" --uid "$uid_a" alice
rm "$T/cache/ssh_keys.cache"
cp "$T/good" "$T/cache/ssh_keys.cache" && chmod 0666 "$T/cache/ssh_keys.cache"
expect_ak 1 "" --uid "$uid_a" alice
chmod 0644 "$T/cache/ssh_keys.cache"
expect_ak 0 "$(line "$T/k1.pub" "$K1")" --uid "$uid_a" alice
head -c 100 "$T/good" > "$T/cache/ssh_keys.cache"
expect_ak 1 "" --uid "$uid_a" alice
# every byte flipped in turn: exit 1, or alice's key (a byte no lookup of alice reads), or
# nothing (a slot that no longer points at her record); never anything else, never a crash
size=$(stat -c %s "$T/good")
good_out=$(line "$T/k1.pub" "$K1")
python3 - "$T/good" "$T/cache/ssh_keys.cache" "$AKEYS" "$CONF" "$uid_a" "$good_out" <<'PY' || fail "byte flips"
import os, subprocess, sys
good, path, akeys, conf, uid, want = sys.argv[1:]
data = open(good, "rb").read()
bad = 0
for i in range(len(data)):
    b = bytearray(data)
    b[i] ^= 0x41
    open(path + ".t", "wb").write(bytes(b))
    os.chmod(path + ".t", 0o644)
    os.rename(path + ".t", path)
    p = subprocess.run([akeys, "--config", conf, "--uid", uid, "alice"], capture_output=True)
    out = p.stdout.decode()
    if p.returncode < 0 or p.returncode not in (0, 1) or (p.returncode == 0 and out not in ("", want + "\n")) \
            or (p.returncode == 1 and out):
        print("byte %d: exit %d, stdout %r" % (i, p.returncode, out))
        bad += 1
sys.exit(1 if bad else 0)
PY
ok
echo "ok - $PASS checks"
