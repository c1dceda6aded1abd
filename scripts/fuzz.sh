#!/usr/bin/env bash
# liqstress — runs one libFuzzer harness of tests/fuzz for a while, on one core:
#
#   scripts/fuzz.sh TARGET SECONDS     TARGET: scenario, tiers, book_csv, results, checkpoint
#
# One process on one core (no -jobs/-workers/-fork: libFuzzer would start child processes).
# Builds the fuzz preset (clang-14, ASan+UBSan, CPU only; packages: scripts/setup.sh test),
# then fuzzes from the committed corpus tests/fuzz/corpus/TARGET (read, never written) and a
# working corpus build/fuzz/corpus/TARGET (new inputs go there), with the target's
# dictionary. A finding stops the run: its input lands in build/fuzz/findings/TARGET/; fix it,
# then keep the input as tests/fuzz/corpus/TARGET/regress-<what> (the test suite replays every
# corpus file). The log, with libFuzzer's final statistics, is build/fuzz/logs/TARGET-*.log.
# Memory: any single allocation over 256 MB is a finding (no input is larger than 1 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 2 ]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS" >&2
  exit 2
fi
target="$1"
seconds="$2"
case "$target" in
  scenario | tiers | book_csv | results | checkpoint) ;;
  *)
    echo "scripts/fuzz.sh: unknown target '$target' (scenario, tiers, book_csv, results, checkpoint)" >&2
    exit 2
    ;;
esac

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j 2 --target "fuzz_$target"

work=build/fuzz/corpus/$target
findings=build/fuzz/findings/$target
logs=build/fuzz/logs
mkdir -p "$work" "$findings" "$logs"
log=$logs/$target-$(date -u +%Y%m%dT%H%M%SZ).log
echo "fuzzing $target for $seconds s on one core; log: $log"
set +e
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  build/fuzz/fuzz/fuzz_"$target" -max_total_time="$seconds" \
  -dict=tests/fuzz/dict/"$target".dict -artifact_prefix="$findings/" \
  -rss_limit_mb=2048 -malloc_limit_mb=256 -timeout=10 -max_len=1048576 -print_final_stats=1 \
  "$work" tests/fuzz/corpus/"$target" 2>&1 | tee "$log" | grep -E "^(#[0-9]+ +(INITED|DONE|pulse)|==|stat::|SUMMARY|artifact_prefix|Test unit written)"
rc=${PIPESTATUS[0]}
set -e
echo "fuzz_$target exited $rc (log: $log)"
exit "$rc"
