#!/bin/bash
# How long `iamctl get-user` takes, for two iamctl binaries side by side (e.g. before and after
# a change that adds libraries): each gets its own store with the same user, and hyperfine
# runs the two commands alternately and prints medians and the ratio. A benchmark, not a test.
#   bench_iamctl_start.sh IAMCTL_BASELINE IAMCTL_NEW [RUNS]
set -euo pipefail
base=$(realpath "$1") new=$(realpath "$2") runs=${3:-300}
command -v hyperfine >/dev/null || { echo "hyperfine is needed" >&2; exit 1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export IAMCTL_PASSWD_FILE=/dev/null IAMCTL_GROUP_FILE=/dev/null
for which in base new; do
    bin=${!which}
    "$bin" --config "$t/$which.conf" init --account-id 123456789012 \
        --host-arn arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0 \
        --database "$t/$which.db" --cache-dir "$t/$which.cache" --audit-log none >/dev/null
    "$bin" --config "$t/$which.conf" create-user --user-name alice >/dev/null
done
hyperfine -N --warmup 30 --runs "$runs" --export-json "$t/out.json" \
    -n baseline "$base --config $t/base.conf get-user --user-name alice" \
    -n new "$new --config $t/new.conf get-user --user-name alice" >/dev/null
python3 - "$t/out.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
b, n = r["baseline"], r["new"]
print("iamctl get-user: baseline median %.3f ms, new median %.3f ms, ratio %.3f (runs %d each)"
      % (b["median"] * 1e3, n["median"] * 1e3, n["median"] / b["median"], len(n["times"])))
PY
