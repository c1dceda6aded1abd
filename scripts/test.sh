#!/usr/bin/env bash
# liqstress — the README's second command (and all that .ci/run does): install what is
# missing, build, run every test; then build the CPU code with AddressSanitizer and
# UndefinedBehaviorSanitizer and run the unit tests under them.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/setup.sh

echo "== build (release: CPU backend, CUDA backend when nvcc is found)"
scripts/build.sh release
echo "== tests (unit, statistical, gpu — skipped without a device —, end to end)"
ctest --preset release -j 2 --timeout 900

echo "== build (asan: AddressSanitizer + UndefinedBehaviorSanitizer, CPU only)"
scripts/build.sh asan
echo "== unit tests under the sanitizers"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j 2 --timeout 900

echo "== all tests passed in $(( $(date +%s) - start )) s"
