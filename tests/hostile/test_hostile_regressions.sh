#!/bin/bash
# Regression tests for hostile-input bugs found by the hardening work, each fixed by
# the code's owner since; they must stay fixed. Each case prints what it saw.
#   test_hostile_regressions.sh IAMCTL
set -uo pipefail
IAMCTL=$1
# shellcheck source=../helpers/work.sh
. "$(dirname "$0")/../helpers/work.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/hostile-regressions.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
export IAMCTL_PASSWD_FILE=$T/passwd IAMCTL_GROUP_FILE=$T/group
printf 'root:x:0:0:root:/root:/bin/bash\n' >passwd
printf 'root:x:0:\n' >group
FAILS=0
bad() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
"$IAMCTL" --config "$T/iam.conf" init --account-id 123456789012 \
    --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
    --database "$T/iam.db" --cache-dir "$T/cache" --audit-log none >/dev/null || exit 1
cp iam.conf good.conf

# 1. common/config.c accepted invalid UTF-8 in values (default_shell, home_template, host_tag
#    values flow into passwd entries, policy context and JSON audit records). Fixed in f18100a.
sed 's|^default_shell = .*|default_shell = /bin/b\xffsh|' good.conf >iam.conf
if "$IAMCTL" --config "$T/iam.conf" list-users >out 2>err; then
    bad "config: invalid UTF-8 in default_shell accepted"
elif ! grep -Eq 'iam\.conf:[0-9]+' err; then
    bad "config: invalid UTF-8 refused without file:line: $(cat err)"
fi
cp good.conf iam.conf

# 2. iamctl/main.c iamctl_read_param(): a file:// parameter was read before its size was
#    known: a 1 GB sparse export took seconds and 256 MB of memory before the refusal, which
#    read "--authorization-details: Argument list too long" (strerror(E2BIG)). Fixed in f18100a.
truncate -s 1G big.json
work_run "$IAMCTL" --config "$T/iam.conf" import --authorization-details "file://$T/big.json" >out 2>err
[ "$WORK_RC" = 1 ] || bad "import of 1 GB: exit $WORK_RC"
# Refused by its size: iamctl reads its config and passwd/group files, not the export.
[ "$WORK_READ" -lt $((16 << 20)) ] || bad "import of 1 GB read $WORK_READ bytes before refusing"
grep -q "too large" err || bad "import of 1 GB: unclear message: $(cat err)"

# 3. iamctl/simulate.c simulate_context_entry_shorthand(): the item tokenizer honoured '\'
#    inside quotes, the [list] splitter did not, so ContextKeyValues=["\","] came back as a
#    bare -ENOMEM: "iamctl: unknown error" (found by fuzz_simulate_request). Fixed in c0b274f.
printf '%s' '{"PolicyInputList":["{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"],"ActionNames":["a:b"]}' >req.json
"$IAMCTL" simulate-custom-policy --cli-input-json "file://$T/req.json" \
    --context-entries 'ContextKeyName=k,ContextKeyValues=["\","],ContextKeyType=stringList' >out 2>err
rc=$?
[ "$rc" = 1 ] || [ "$rc" = 2 ] || bad "shorthand: exit $rc"
grep -q "unknown error" err && bad "shorthand with a backslash in a [list]: $(cat err)"

echo "# $FAILS failed"
[ "$FAILS" = 0 ]
