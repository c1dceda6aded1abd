#!/usr/bin/env bash
# liqstress — the README's second command (and all that .ci/run does): install what the
# tests need (scripts/setup.sh test), build, run every test; then build the CPU code with
# AddressSanitizer and UndefinedBehaviorSanitizer and run the unit tests under them.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/setup.sh test

echo "== build (release: CPU backend, CUDA backend when nvcc is found)"
# The tests and MPI on, whatever an earlier scripts/run.sh configured (it leaves both to
# what is installed): the binary under test is the one mpirun runs.
scripts/build.sh release -DLIQ_TESTS=ON -DLIQ_MPI=ON
echo "== tests (unit, statistical, gpu — skipped without a device —, end to end)"
ctest --preset release -j 2 --timeout 900

echo "== build (asan: AddressSanitizer + UndefinedBehaviorSanitizer, CPU only)"
scripts/build.sh asan
echo "== unit tests under the sanitizers"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j 2 --timeout 900

echo "== all tests passed in $(( $(date +%s) - start )) s"
