#!/bin/bash
# Static analysis gate: clang-tidy (checks in .clang-tidy, over the compile_commands.json of a
# build dir) and cppcheck, on every C file of the tree, and the length of every function
# (scripts/check-function-length.sh). Exits non-zero on any finding that is
# not a documented false positive (.clang-tidy-suppressions, .cppcheck-suppressions) or an
# entry of .clang-tidy-baseline: findings present when the gate was introduced, not yet
# triaged or fixed by the code's owner. Baseline entries are printed on every run (they are
# debts, not false positives); a new finding fails the gate.
#   scripts/static-analysis.sh [BUILD_DIR]     (default: build; configured if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bdir=${1:-build}
jobs=${JOBS:-$(nproc)}
tidy=$(command -v run-clang-tidy-14 || command -v run-clang-tidy || true)
[ -n "$tidy" ] || { echo "static-analysis: run-clang-tidy (clang-tidy 14) not installed" >&2; exit 1; }
command -v cppcheck >/dev/null || { echo "static-analysis: cppcheck not installed" >&2; exit 1; }

if [ ! -f "$bdir/compile_commands.json" ]; then
  cmake -S . -B "$bdir" >/dev/null
fi
# Generated sources and headers must exist for the analysis to see what the compiler sees.
cmake --build "$bdir" -j"$jobs" >/dev/null

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0

echo "==> clang-tidy ($(clang-tidy --version | sed -n 's/.*LLVM version \([0-9.]*\).*/\1/p'))"
# Only our sources: the regex is matched against the absolute file names in the database.
"$tidy" -p "$bdir" -quiet -j "$jobs" "^$top/(common|pam_iam|nss_iam|sudo_iam|ssh_iam|ldap_iam|iamctl|pull|tests)/" \
  >"$out/tidy.log" 2>&1 || true
if grep -qE "^(Error while processing|Error: no checks|.*error: unknown)" "$out/tidy.log"; then
  grep -E "^(Error while processing|Error: no checks|.*error: unknown)" "$out/tidy.log" >&2
  echo "static-analysis: clang-tidy could not run" >&2
  status=1
fi
python3 - "$top" "$out/tidy.log" .clang-tidy-suppressions .clang-tidy-baseline <<'PY' || status=1
import os, re, sys
top, log, supfile, basefile = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def load(path):
    out = []
    if not os.path.exists(path):
        return out
    for raw in open(path, encoding="utf-8"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ", 3)]
        if len(parts) != 4 or not parts[3]:
            print(f"static-analysis: bad line in {path} (path | check | line | reason): {line}")
            sys.exit(1)
        out.append(parts + [0])
    return out
sups = load(supfile)
base = load(basefile)
ansi = re.compile(r"\x1b\[[0-9;]*m")
diag = re.compile(r"^(/[^:]+):(\d+):(\d+): (warning|error): (.*) \[([^\]]+)\]$")
seen, findings = set(), []
for raw in open(log, encoding="utf-8", errors="replace"):
    m = diag.match(ansi.sub("", raw.rstrip("\n")))
    if not m:
        continue
    path, ln, col, _, msg, checks = m.groups()
    rel = path[len(top) + 1:] if path.startswith(top + "/") else path
    checks = [c for c in checks.split(",") if c != "-warnings-as-errors"]
    key = (rel, ln, col, tuple(checks))
    if key in seen:
        continue
    seen.add(key)
    try:
        src = open(path, encoding="utf-8", errors="replace").read().split("\n")[int(ln) - 1].strip()
    except (OSError, IndexError):
        src = ""
    hit = None
    for s in sups + base:
        if s[0] == rel and s[1] in checks and s[2] == src:
            hit = s
            break
    if hit:
        hit[4] += 1
        continue
    findings.append(f"{rel}:{ln}:{col}: {msg} [{','.join(checks)}]\n    {src}")
for s in sups + base:
    if s[4] == 0:
        print(f"static-analysis: note: unused entry (fixed? remove it): {s[0]} | {s[1]} | {s[2]}")
for b in base:
    if b[4]:
        print(f"baseline (to fix, {b[3]}): {b[0]}: {b[2]} [{b[1]}]")
for f in findings:
    print(f)
print(f"clang-tidy: {len(findings)} new finding(s), {sum(s[4] for s in sups)} false positive(s) "
      f"suppressed, {sum(1 for b in base if b[4])} baseline finding(s) open")
sys.exit(1 if findings else 0)
PY

echo "==> cppcheck ($(cppcheck --version))"
mapfile -t incs < <(find common iamctl pam_iam nss_iam sudo_iam ssh_iam ldap_iam pull tests -type d \( -name include \
                      -o -name helpers -o -name module -o -name unit -o -path common -o -path iamctl \
                      -o -path pam_iam -o -path nss_iam -o -path sudo_iam -o -path ssh_iam -o -path ldap_iam -o -path pull \) | sed 's/^/-I/')
if ! cppcheck --enable=warning,portability,performance --std=c11 --inline-suppr \
      --suppressions-list=.cppcheck-suppressions --error-exitcode=1 --quiet -j "$jobs" \
      --library=posix -D_GNU_SOURCE -D__GNUC__ -DIAM_SYSCONFDIR='"/etc/iam"' \
      -DIAM_STATEDIR='"/var/lib/iam"' -DIAM_LIBEXECDIR='"/usr/libexec/iam"' \
      -DIAM_LDAP_AUTH_HELPER='"/usr/lib/x86_64-linux-gnu/iam-host/iam-ldap-auth"' \
      -DIAM_VERSION='"0"' "${incs[@]}" \
      --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
      common pam_iam nss_iam sudo_iam ssh_iam ldap_iam iamctl pull tests >"$out/cppcheck.log" 2>&1; then
  status=1
fi
cat "$out/cppcheck.log"
echo "cppcheck: $(grep -c ': \(error\|warning\|portability\|performance\|style\): ' "$out/cppcheck.log" || true) finding(s)"

echo "==> function length"
"$top/scripts/check-function-length.sh" || status=1

if [ $status -ne 0 ]; then
  echo "static-analysis: FAILED" >&2
else
  echo "static-analysis: clean"
fi
exit $status
