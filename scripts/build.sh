#!/usr/bin/env bash
# liqstress — configures and builds a CMake preset (default: release) with every core.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
if [ -x /usr/local/cuda/bin/nvcc ] && ! command -v nvcc >/dev/null 2>&1; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
