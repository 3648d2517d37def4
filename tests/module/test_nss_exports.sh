#!/bin/bash
# libnss_iam.so.2 links only libc and exports exactly the .map list (nothing of the reader).
# usage: test_nss_exports.sh MODULE.so nss_iam.map
set -euo pipefail
so=$1 map=$2
. "$(dirname "$0")/nss_test_lib.sh"

soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libnss_iam.so.2" ] || fail "SONAME is '$soname'"
ok
needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort)
# Sanitizer builds add their runtimes; nothing else is allowed.
needed=$(printf '%s\n' "$needed" | grep -Ev '^lib(asan|ubsan)\.so' || true)
[ "$needed" = "libc.so.6" ] || fail "NEEDED is not only libc.so.6: $(echo $needed)"
ok
want=$(sed -n 's/^[[:space:]]*\(_nss_iam_[a-z_]*\);.*/\1/p' "$map" | sort)
[ "$(echo "$want" | wc -l)" = 11 ] || fail "map lists $(echo "$want" | wc -l) symbols"
got=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^$' | sort)
if [ "$got" != "$want" ]; then
    diff <(echo "$want") <(echo "$got") >&2 || true
    fail "exported symbols differ from $map"
fi
ok
# No undefined references beyond glibc's (a sanitizer build resolves libc calls through its
# runtime, unversioned, so the check only applies to a plain build).
if readelf -d "$so" | grep -Ec 'lib(asan|ubsan)\.so' >/dev/null; then
    echo "$pass_count passed, 0 failed"
    exit 0
fi
undef=$(nm -D --undefined-only "$so" | awk '{print $2}' | grep -Ev '@GLIBC_|^__(asan|ubsan|lsan|sanitizer)|^_ITM_|^__gmon_start__|^__cxa_finalize' || true)
[ -z "$undef" ] || fail "undefined symbols outside glibc: $undef"
ok
echo "$pass_count passed, 0 failed"
