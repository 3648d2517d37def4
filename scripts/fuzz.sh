#!/bin/bash
# Run every fuzz_* target for SECONDS each (default 600), at most JOBS at once (default 2),
# each over a scratch copy of its committed seed corpus (new inputs are kept under
# $FUZZ_WORK, default build-fuzz/fuzz-work, never in the tree). Prints each target's
# execution count and exits non-zero when any target found a crash (its input is left in
# $FUZZ_WORK/<target>/crash-*). Undefined behaviour is fatal: the targets and the core they link
# are built with -fno-sanitize-recover=all (cmake/IamTest.cmake), UBSAN_OPTIONS halts on the
# first report as well, and a "runtime error:" line in a target's log counts as a finding even
# if the process went on.
#   scripts/fuzz.sh [SECONDS]            builds build-fuzz with clang first
#   FUZZ_TARGETS="fuzz_db fuzz_config" scripts/fuzz.sh 60
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
secs=${1:-600}
jobs=${JOBS:-2}
bdir=${FUZZ_BUILD:-$top/build-fuzz}
work=${FUZZ_WORK:-$bdir/fuzz-work}

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}

case $secs in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2 ;; esac

cmake -S . -B "$bdir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DIAM_FUZZ=ON \
      -DIAM_TESTS=OFF -DIAM_BENCH=OFF >/dev/null
cmake --build "$bdir" -j"$jobs" >/dev/null

# Per target: the seed directory and options, as iam_add_fuzz registered them for CTest.
manifest=$bdir/fuzz-targets.txt
[ -s "$manifest" ] || { echo "fuzz.sh: $manifest missing or empty" >&2; exit 1; }
declare -A corpus opts
all=()
while IFS=$'\t' read -r name dir args; do
  corpus[$name]=$dir
  opts[$name]=$args
  all+=("$name")
done <"$manifest"

if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  targets=("${all[@]}")
fi
for t in "${targets[@]}"; do
  [ -n "${corpus[$t]+set}" ] || { echo "fuzz.sh: no fuzz target $t in $manifest" >&2; exit 1; }
done

run_one() {
  local t=$1 exe seeds out
  exe=$(find "$bdir" -maxdepth 3 -type f -perm -u+x -name "$t" | head -n1)
  seeds=${corpus[$t]}
  out=$work/$t
  mkdir -p "$out/corpus"
  if [ -d "$seeds" ]; then cp -n "$seeds"/* "$out/corpus/" 2>/dev/null || true; fi
  "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
         -artifact_prefix="$out/" ${opts[$t]} "$out/corpus" >"$out/log" 2>&1
}

pids=() names=()
status=0
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  echo "==> $t for ${secs}s"
  run_one "$t" &
  pids+=($!) names+=("$t")
done
for i in "${!pids[@]}"; do
  t=${names[$i]}
  if wait "${pids[$i]}"; then rc=0; else rc=$?; fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log" | tail -n1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t/log" | tail -n1)
  printf '%-24s executions %-12s exec/s %-8s' "$t" "${execs:-?}" "${rate:-?}"
  if [ "$rc" -ne 0 ] || compgen -G "$work/$t/crash-*" >/dev/null || \
     compgen -G "$work/$t/leak-*" >/dev/null || compgen -G "$work/$t/timeout-*" >/dev/null ||
     grep -q 'runtime error:' "$work/$t/log"; then
    echo " FOUND a problem (exit $rc): see $work/$t/log"
    status=1
  else
    echo " clean"
  fi
done
exit $status
