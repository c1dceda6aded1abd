// liqstress — the error kinds a process can end with, and their exit codes (SPEC.md).
// Messages follow "WHERE: PROBLEM (WHY); SUGGESTION": a config error names file:line and
// the key path, a book error the row and column.
#pragma once

#include <stdexcept>
#include <string>

namespace liq {

enum class ExitCode : int {
  ok = 0,
  usage = 2,          // bad usage or bad input: config, book, output path
  runtime = 3,        // device, I/O
  interrupted = 130,  // SIGINT (128 + 2)
  terminated = 143,   // SIGTERM (128 + 15)
};

/// Bad usage or bad input (exit code 2). The message is complete as it stands.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A failure of the machine rather than of the input (exit code 3).
struct RuntimeFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace liq
