#!/bin/bash
# "Map once, never open/stat per call": 3,000,000 lookups through the module must make no
# system call per lookup. The cache is opened once, and its path is re-checked (a readlink
# of <dir>/current and one lstat) at most once a second. usage: test_nss_syscalls.sh MODULE.so MKNSSCACHE LOOP
set -euo pipefail
so=$1 mk=$2 loop=$3
. "$(dirname "$0")/nss_test_lib.sh"
command -v strace >/dev/null || fail "strace not installed (scripts/install-deps.sh installs it)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nss_fixture "$tmp"
"$mk" "$tmp/passwd" "$tmp/group" "$tmp/nss.cache"
pre=$(asan_preload "$so")
[ -z "$pre" ] || { echo "skipped under sanitizers (the runtime makes its own system calls)"; exit 77; }
count=3000000
start=$(date +%s)
strace -f -qq -o "$tmp/trace" "$loop" "$so" "$tmp/nss.cache" "$count" >"$tmp/out"
secs=$(($(date +%s) - start + 1))
grep -qx "$count lookups, 0 wrong" "$tmp/out" || fail "wrong answers: $(cat "$tmp/out")"
ok
total=$(wc -l <"$tmp/trace")
# the reader opens the cache directory and then the file in it (openat(dirfd, "nss.cache"))
opens=$(grep -Ec "open(at)?\((.*\"$tmp/nss.cache\"|[0-9]+, \"nss.cache\")" "$tmp/trace" || true)
stats=$(grep -Ec "(lstat|newfstatat|statx)\(.*$tmp/nss.cache\"" "$tmp/trace" || true)
echo "# $count lookups in ${secs}s: $total system calls in all, $opens open(s) and $stats stat(s) of the cache"
[ "$opens" = 1 ] || fail "the cache was opened $opens times"
ok
[ "$stats" -le "$((secs + 1))" ] || fail "$stats stats of the cache in ${secs}s: more than one a second"
ok
# Process start-up and dynamic loading take a hundred or so; one per lookup would be millions.
[ "$total" -lt 1000 ] || fail "$total system calls for $count lookups"
ok
echo "$pass_count passed, 0 failed"
