#!/usr/bin/env bash
# liqstress — the bench beside a peer (README "Bench"): a plain C++ loop of the same price model
# (scripts/peers/plain_loop.cpp: Random123 Philox, Box–Muller, jumps, bridge extremes; scalar,
# -O3 -march=native, one thread) and `liqstress bench --threads 1`, run one after the other on
# this machine, and the ratio of liqstress's price model to the loop.
#
#   scripts/bench_peers.sh [LIQSTRESS] [PATHS]      (needs librandom123-dev: scripts/setup.sh test)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/release/liqstress}"
paths="${2:-8192}"
mkdir -p build/peers
g++ -std=c++20 -O3 -march=native -o build/peers/plain_loop scripts/peers/plain_loop.cpp
loop=$(build/peers/plain_loop "$paths")
echo "$loop"
bench=$("$bin" bench --backend cpu --threads 1 --paths "$paths" 2>&1)
echo "$bench"
python3 - "$loop" "$bench" <<'PY'
import re, sys
loop = float(re.search(r"in [0-9.]+ s: ([0-9.e+]+) path-asset-steps/s", sys.argv[1]).group(1))
def rate(label):
    m = re.search(label + r"\s+([0-9.]+) ([kMG]?)", sys.argv[2])
    return float(m.group(1)) * {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[m.group(2)]
price = rate("price model alone")
full = rate(r"full model: prices \+ book")
print(f"\nplain loop {loop / 1e6:.2f} M/s; liqstress price model {price / 1e6:.2f} M/s "
      f"({price / loop:.2f}x the loop); full model {full / 1e6:.2f} M/s ({full / loop:.2f}x)")
PY
