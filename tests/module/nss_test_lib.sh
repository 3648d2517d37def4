#!/bin/bash
# Shared by the nss script tests: a fixture account as passwd/group text, built into a cache
# with the real writer (mknsscache), plus small assertion helpers.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
pass_count=0
ok() { pass_count=$((pass_count + 1)); }

# expect "<description>" "<wanted output>" command...
expect() {
    local what=$1 want=$2 got rc=0
    shift 2
    got=$("$@" 2>&1) || rc=$?
    if [ "$got" != "$want" ]; then
        printf 'FAIL: %s\n--- wanted:\n%s\n--- got (rc %s):\n%s\n' "$what" "$want" "$rc" "$got" >&2
        exit 1
    fi
    ok
}

# expect_rc "<description>" <rc> command...
expect_rc() {
    local what=$1 want=$2 rc=0
    shift 2
    "$@" >/dev/null 2>&1 || rc=$?
    [ "$rc" = "$want" ] || fail "$what: exit $rc, wanted $want"
    ok
}

# nss_fixture DIR: DIR/passwd DIR/group (IAM content) written.
nss_fixture() {
    cat >"$1/passwd" <<'EOT'
alice:x:200001:200001:Alice Smith,,,:/home/alice:/bin/bash
bob:x:200002:200002::/home/bob:/bin/sh
carol:x:200003:200003:Carol:/home/carol:/bin/bash
EOT
    cat >"$1/group" <<'EOT'
alice:x:200001:
bob:x:200002:
carol:x:200003:
devs:x:210000:alice,bob,carol
ops:x:210001:bob
mixed:x:210002:localadmin,alice
EOT
}

# When the module was built with ASan, programs that load it need the runtime first.
asan_preload() {
    local so=$1
    if readelf -d "$so" | grep -c 'libasan' >/dev/null; then
        printf '%s' "$(gcc -print-file-name=libasan.so)"
    fi
}
