#!/bin/bash
# The full test suite: every label (unit, vectors, module, e2e, fuzz), then the unit and module
# tests again under ASan+UBSan, then a short run of each fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
jobs=$(nproc)

"$top/scripts/install-deps.sh"

echo "==> build (release, hardened)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "==> ctest (all labels)"
(cd build && ctest --output-on-failure -j"$jobs" -LE fuzz)

echo "==> static analysis (clang-tidy, cppcheck)"
"$top/scripts/static-analysis.sh" build

echo "==> build (ASan+UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DIAM_SANITIZE=address,undefined \
      -DIAM_E2E=OFF -DIAM_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
echo "==> ctest under sanitizers (unit, vectors, module)"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j"$jobs" -LE 'e2e|fuzz')

echo "==> build (libFuzzer, clang)"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DIAM_FUZZ=ON \
      -DIAM_TESTS=OFF -DIAM_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$jobs"
echo "==> short fuzz runs"
(cd build-fuzz && ctest --output-on-failure -L fuzz)
