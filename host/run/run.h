// liqstress — `liqstress run`: a scenario in, paths simulated in blocks on a backend (one
// process or MPI ranks, with checkpoints and a stopping rule), rows and exact per-step sums
// out to a results file, then summaries and tables (README, "Command line").
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace liq {

struct RunOptions {
  std::optional<std::string> config;  // none: the built-in configs/default.toml
  std::optional<std::string> output;  // -o, else output.path of the scenario
  std::optional<std::int64_t> paths;  // --paths, else simulation.paths
  std::optional<std::uint64_t> seed;  // --seed, recorded in the resolved config
  std::string backend = "auto";
  std::string simd = "auto";  // --simd: the CPU backend's SIMD lanes (same bytes whatever)
  int threads = 0;  // 0: every core
  std::uint64_t first_path = 0;
  bool force = false;
  bool quiet = false;
  std::vector<std::string> sets;            // --set KEY=VALUE
  std::optional<std::string> summary_json;  // --summary-json FILE
  std::optional<double> target_rel_ci;      // --target-rel-ci X
  std::optional<std::string> checkpoint;    // --checkpoint FILE
  std::string checkpoint_every = "10m";     // --checkpoint-every DURATION
  std::optional<std::string> resume;        // --resume FILE
  bool single_process = false;  // under MPI: this rank runs the whole run alone (sweep points)
};

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace liq
