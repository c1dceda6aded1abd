// liqstress — fuzz harness: checkpoint logs as `run --resume` reads them (host/io/checkpoint):
// the log read up to its last complete mark, then every row record before it read back. Bad
// input must end in InputError (exit code 2), with no allocation beyond what the file holds.
#include "host/io/checkpoint.h"
#include "host/util/errors.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const liq::fuzz::ScratchFile file(".ckpt");
  if (size > 1024 * 1024) return -1;
  try {
    liq::CheckpointState state;
    const liq::CheckpointLog log = liq::CheckpointLog::resume(file.hold(data, size), state);
    liq::PathRows rows;
    for (const auto& [first_row, offset] : state.row_records) {
      std::uint64_t row = 0;
      log.read_rows(offset, row, rows);
    }
  } catch (const liq::InputError&) {
    return 0;
  }
  return 0;
}
