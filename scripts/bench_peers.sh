#!/usr/bin/env bash
# liqstress — the bench beside a peer (README "Bench"), one thread, run one after the other on
# this machine: a plain C++ loop of the same price model (scripts/peers/plain_loop.cpp: Random123
# Philox, Box–Muller, jumps, bridge extremes; scalar, -O3 -march=native), then
#  1. `liqstress bench --threads 1` on the bench's workload (4 assets, 1,440 one-minute steps):
#     its price model, full model and RNG bound against the loop of the same price model;
#  2. the whole process, `liqstress run scripts/peers/workload10.toml --threads 1` (10 assets,
#     250 daily steps, a one-position book; HDF5 written, summaries computed), timed from start
#     to exit, against the loop of the same price model — with SIMD lanes (the default) and
#     without (--simd off).
#
#   scripts/bench_peers.sh [LIQSTRESS] [PATHS] [RUN_PATHS]   (librandom123-dev: scripts/setup.sh test)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/release/liqstress}"
paths="${2:-8192}"
run_paths="${3:-20000}"
mkdir -p build/peers
g++ -std=c++20 -O3 -march=native -o build/peers/plain_loop scripts/peers/plain_loop.cpp
loop=$(build/peers/plain_loop "$paths")
echo "$loop"
bench=$("$bin" bench --backend cpu --threads 1 --paths "$paths" 2>&1)
echo "$bench"
loop10=$(build/peers/plain_loop "$run_paths" 10 250)
echo "$loop10"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
whole() {  # seconds of one whole `run`, from start to exit
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" run scripts/peers/workload10.toml --backend cpu --threads 1 --paths "$run_paths" \
    -o "$out/w.h5" --force --quiet "$@" > /dev/null
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{print $2 - $1}'
}
t_simd=$(whole)
t_off=$(whole --simd off)
python3 - "$loop" "$bench" "$loop10" "$t_simd" "$t_off" "$run_paths" <<'PY'
import re, sys
loop_text, bench, loop10_text, t_simd, t_off, run_paths = sys.argv[1:]
rate_re = r"in [0-9.]+ s: ([0-9.e+]+) path-asset-steps/s"
loop = float(re.search(rate_re, loop_text).group(1))
loop10 = float(re.search(rate_re, loop10_text).group(1))
def rate(label):
    m = re.search(label + r"\s+([0-9.]+) ([kMG]?)", bench)
    return float(m.group(1)) * {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[m.group(2)]
price, full, rng = rate("price model alone"), rate(r"full model: prices \+ book"), rate("random numbers alone")
print(f"\nbench workload (1 thread): plain loop {loop / 1e6:.2f} M/s; liqstress price model "
      f"{price / 1e6:.2f} M/s ({price / loop:.2f}x the loop, {price / rng:.2f} of its RNG bound "
      f"{rng / 1e6:.2f} M/s); full model {full / 1e6:.2f} M/s ({full / loop:.2f}x)")
work = int(run_paths) * 10 * 250
for name, t in (("SIMD lanes", float(t_simd)), ("--simd off", float(t_off))):
    r = work / t
    print(f"whole process, workload10 (1 thread, {name}): {t:.2f} s, {r / 1e6:.2f} M/s = "
          f"{r / loop10:.2f}x the plain loop's {loop10 / 1e6:.2f} M/s")
PY
