// liqstress — the progress line (see progress.h).
#include "host/util/progress.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "host/util/format.h"

namespace liq {

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

Progress::Progress(std::uint64_t total_paths, bool enabled)
    : total_(total_paths), enabled_(enabled), start_(Clock::now()), last_draw_() {}

void Progress::update(std::uint64_t done) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : -1.0;
  const double pct =
      total_ > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0;
  std::fprintf(stderr, "\r\033[K  paths %s / %s (%.0f%%)  %s paths/s  ETA %s",
               format_count(static_cast<double>(done)).c_str(),
               format_count(static_cast<double>(total_)).c_str(), pct, format_si(rate).c_str(),
               format_seconds(eta).c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace liq
