#!/usr/bin/env bash
# liqstress — the checks that need a GPU, as one short script for a machine that has one:
# the CUDA backend's tests against the CPU oracle, `bench --backend cuda` beside the CPU, and
# the kernels' registers and stack (scripts/ptxas_report.sh). Prints what it ran and exits
# non-zero when a test fails. Expects a release build (scripts/build.sh release -DLIQ_TESTS=ON).
#
#   scripts/gpu-check.sh [BUILD_DIR]       default build/release
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
echo "== GPU tests (the CUDA backend against the CPU oracle)"
ctest --test-dir "$build" -L gpu --output-on-failure
echo "== bench, CUDA then CPU"
"$build/liqstress" bench --backend cuda
"$build/liqstress" bench --backend cpu
echo "== registers and stack per kernel"
scripts/ptxas_report.sh sm_90
