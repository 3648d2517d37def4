#!/bin/bash
# Functions a reader can hold: fails when a function definition in common/, pam_iam/, nss_iam/, sudo_iam/, pull/
# or iamctl/ is longer than MAX lines (default 150), counted from the first line of its
# definition to its closing brace, comments and blank lines included. Run by
# scripts/static-analysis.sh; docs/style.md ("Functions") says why.
#   scripts/check-function-length.sh [MAX]          exit 0 clean, 1 too long, 2 usage
#   scripts/check-function-length.sh --list [MIN]   every function of MIN lines or more
#
# The scan is lexical: comments, string and character literals are blanked, then a
# definition is a top-level `{` whose line ends a text that holds a `)` and no `=` (data
# initialisers and struct bodies have an `=` or no parameter list). Sources follow
# .clang-format, so every definition's closing brace is a `}` in column 1.
#
# Exceptions: functions another piece of work is splitting now. Each line is
# "path function" (the definition's file and name); an exception that no longer applies
# fails the check, so the list can only shrink.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=check
if [ "${1:-}" = --list ]; then
  mode=list
  shift
fi
max=${1:-150}
case $max in '' | *[!0-9]*) echo "usage: $0 [--list] [MAX]" >&2; exit 2 ;; esac

# path function -- why it is still long (who is splitting it)
exceptions='
'

prog=$(cat <<'PY'
import re, sys

mode, limit, exc_text = sys.argv[1], int(sys.argv[2]), sys.argv[3]
exceptions = {}
for raw in exc_text.splitlines():
    line = raw.split("--", 1)[0].strip()
    if line:
        path, name = line.split()
        exceptions[(path, name)] = False

def blank(text):
    """Comments, string and character literals become spaces; newlines are kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)

def functions(path):
    lines = blank(open(path, encoding="utf-8", errors="replace").read()).split("\n")
    depth, start, found, name = 0, None, [], None
    for no, line in enumerate(lines, 1):
        stripped = line.strip()
        if depth == 0 and start is None and line[:1] not in ("", " ", "\t", "#", "}"):
            start = no
        if depth == 0 and start is not None and stripped.endswith(";") and "{" not in line:
            start = None  # a declaration
            continue
        opened = depth == 0 and "{" in line
        for ch in line:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
        if opened and start is not None:
            head = " ".join(l.strip() for l in lines[start - 1:no])
            head = head[:head.index("{")] if "{" in head else head
            names = [n for n in re.findall(r"([A-Za-z_]\w*)\s*\(", head)
                     if not n.startswith("__") and not n.isupper()]
            if ")" in head and "=" not in head and names:
                name = (names[0], start)
            else:
                name = None
        if depth == 0:
            if name and line.startswith("}"):
                found.append((name[0], name[1], no - name[1] + 1))
            if depth == 0 and (stripped.endswith("}") or stripped.endswith(";") or not stripped):
                start, name = None, None
    return found

status = 0
for path in sys.stdin.read().split("\0"):
    if not path:
        continue
    for fname, line, length in functions(path):
        if mode == "list":
            if length >= limit:
                print(f"{length:5d} {path}:{line}: {fname}")
            continue
        if length <= limit:
            continue
        if (path, fname) in exceptions:
            exceptions[(path, fname)] = True
            print(f"check-function-length: exception: {path}:{line}: {fname}() is {length} lines")
            continue
        print(f"{path}:{line}: {fname}() is {length} lines (more than {limit}): split it "
              "into steps a reader can hold")
        status = 1
if mode == "check":
    for (path, fname), used in exceptions.items():
        if not used:
            print(f"check-function-length: {path} {fname}: listed as an exception but not "
                  f"longer than {limit} lines (or gone): remove the entry")
            status = 1
    print("check-function-length: " + ("FAILED" if status else "clean") +
          f" (limit {limit} lines, {sum(exceptions.values())} exception(s) in use)")
sys.exit(status)
PY
)
git ls-files -z -- 'common/*.c' 'pam_iam/*.c' 'nss_iam/*.c' 'sudo_iam/*.c' 'ssh_iam/*.c' 'ldap_iam/*.c' 'iamctl/*.c' 'pull/*.c' |
  python3 -c "$prog" "$mode" "$max" "$exceptions"
