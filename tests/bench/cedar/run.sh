#!/bin/sh
# Side by side, in one run, on the same request stream: the iam-host engine (bench_policy) and
# Cedar's WASM build (bench_cedar.mjs, Cedar policies equivalent to the same 40 statements).
# Both report CPU time per decision (median of runs); the ratio is Cedar / iam-host.
#   tests/bench/cedar/run.sh BUILD_DIR/tests/bench_policy [RUNS]
# Needs node and npm (installs @cedar-policy/cedar-wasm, pinned in package-lock.json, into
# tests/bench/cedar/node_modules on first use).
set -eu
bench=$1
runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -d "$here/node_modules/@cedar-policy/cedar-wasm" ]; then
    (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
fi
echo "== iam-host engine (C)"
"$bench" --runs "$runs" --dump "$tmp/requests.json" | tee "$tmp/iam.txt"
echo "== Cedar (cedar-wasm), same requests"
node "$here/bench_cedar.mjs" "$tmp/requests.json" --runs "$runs" | tee "$tmp/cedar.txt"
iam=$(sed -n 's/^IAM_NS_PER_DECISION=//p' "$tmp/iam.txt")
ced=$(sed -n 's/^CEDAR_NS_PER_DECISION=//p' "$tmp/cedar.txt")
full=$(sed -n 's/^CEDAR_FULL_NS_PER_DECISION=//p' "$tmp/cedar.txt")
echo "== side by side (CPU time per decision, medians)"
awk -v a="$iam" -v b="$ced" -v c="$full" 'BEGIN {
    printf "iam-host: %.0f ns   cedar-wasm (pre-parsed): %.0f ns   ratio: cedar is %.0fx slower\n", a, b, b / a
    printf "cedar-wasm isAuthorized (parse per call): %.0f ns   ratio: %.0fx\n", c, c / a
}'
