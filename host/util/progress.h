// liqstress — a progress line on stderr for long runs: paths done, rate, ETA. Shown only
// when stderr is a terminal and the run is not --quiet; redrawn at most a few times a second.
#pragma once

#include <chrono>
#include <cstdint>

namespace liq {

class Progress {
 public:
  Progress(std::uint64_t total_paths, bool enabled);
  /// Reports that `done` paths are complete.
  void update(std::uint64_t done);
  /// Clears the line (called once at the end).
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t total_;
  bool enabled_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
};

/// Whether stderr is a terminal.
bool stderr_is_terminal();

}  // namespace liq
