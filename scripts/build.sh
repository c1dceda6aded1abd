#!/usr/bin/env bash
# liqstress — configures and builds a CMake preset (default: release) with every core.
#   scripts/build.sh [PRESET [-DNAME=VALUE ...]]
# -D options go to the configure step (and stay in the build tree's cache).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
[ $# -gt 0 ] && shift
for option in "$@"; do
  case "$option" in
    -D*) ;;
    *) echo "build.sh: not a -DNAME=VALUE option: $option" >&2; exit 2 ;;
  esac
done
if [ -x /usr/local/cuda/bin/nvcc ] && ! command -v nvcc >/dev/null 2>&1; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi
cmake --preset "$preset" "$@" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
