#!/usr/bin/env bash
# liqstress — what can be measured of the CUDA kernels without a device: registers, stack frame
# and spills per kernel from `nvcc -Xptxas -v` (the flags of the build: C++20, -O3, no FMA
# contraction), for sm_90 (H100) unless an architecture is given.
#
#   scripts/ptxas_report.sh [ARCH]        e.g. scripts/ptxas_report.sh sm_80  (NVCC=path: that nvcc)
set -euo pipefail
cd "$(dirname "$0")/.."
arch="${1:-sm_90}"
nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
"$nvcc" -std=c++20 -O3 --fmad=false --expt-relaxed-constexpr -arch="$arch" -I. -Xptxas -v \
  -c kernels/cuda_backend.cu -o /dev/null 2>&1 | python3 -c '
import re, sys
name = frame = None
for line in sys.stdin:
    m = re.search(r"Compiling entry function .\S*?\d+([a-z_]+kernel)", line)
    if m:
        name = m.group(1)
    f = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
    if f:
        frame = f.groups()
    r = re.search(r"Used (\d+) registers", line)
    if r and name and frame:
        print(f"{name:<28} {r.group(1):>4} registers {frame[0]:>6} B stack {frame[1]:>5} B spill "
              f"stores {frame[2]:>5} B spill loads")
        name = None
'
