#!/bin/bash
# The host vocabulary tables of the documents are exactly what iam/host.h defines: each FILE's
# block between "<!-- host-vocabulary:begin -->" and "<!-- host-vocabulary:end -->" must be
# the output of GENERATOR (tests/docs/host_vocabulary.c). With --update, rewrite the blocks.
#   test_host_vocabulary.sh [--update] GENERATOR FILE...
set -euo pipefail
update=0
if [ "${1:-}" = --update ]; then
    update=1
    shift
fi
gen=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" >"$tmp/want"
status=0
for f in "$@"; do
    begin=$(grep -c '^<!-- host-vocabulary:begin -->$' "$f" || true)
    end=$(grep -c '^<!-- host-vocabulary:end -->$' "$f" || true)
    if [ "$begin" != 1 ] || [ "$end" != 1 ]; then
        echo "FAIL: $f: needs exactly one host-vocabulary begin and end marker" >&2
        status=1
        continue
    fi
    sed -n '/^<!-- host-vocabulary:begin -->$/,/^<!-- host-vocabulary:end -->$/p' "$f" |
        sed '1d;$d' >"$tmp/have"
    if cmp -s "$tmp/want" "$tmp/have"; then
        echo "ok: $f"
    elif [ $update = 1 ]; then
        awk -v want="$tmp/want" '
            /^<!-- host-vocabulary:end -->$/ { skip = 0 }
            !skip { print }
            /^<!-- host-vocabulary:begin -->$/ { while ((getline l < want) > 0) print l; skip = 1 }
        ' "$f" >"$tmp/new"
        cat "$tmp/new" >"$f"
        echo "updated: $f"
    else
        echo "FAIL: $f: the host vocabulary tables differ from iam/host.h (rerun with --update):" >&2
        diff -u "$tmp/want" "$tmp/have" >&2 || true
        status=1
    fi
done
exit $status
