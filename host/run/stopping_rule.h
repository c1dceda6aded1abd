// liqstress — the stopping rule of --target-rel-ci: the run grows in increments of `paths` up
// to simulation.max_paths until the 95% interval of the 99% VaR of total liquidations has a
// half-width below the target share of its value. It is checked only after whole increments,
// so where a run stops depends on the scenario and seed alone (not on batch size, threads,
// ranks or backend), and the file equals a plain run of that many paths row for row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/model/path_rows.h"

namespace liq {

class StoppingRule {
 public:
  /// `target`: none for a run as long as asked (`increment` paths).
  StoppingRule(std::optional<double> target, std::uint64_t increment, std::uint64_t max_paths,
               int assets);

  bool active() const { return target_.has_value(); }

  /// Rank 0: the rows of a completed block (any order): the total and weight of each path.
  void take(std::uint64_t first_row, const PathRows& rows);

  /// After the increment that ends at `done` paths: the next goal, or 0 when the run stops
  /// (always without a target; stopped_by() then says why, with a target).
  std::uint64_t next_goal(std::uint64_t done);

  /// What ended the run: "target reached: ..." or "simulation.max_paths reached: ...".
  const std::string& stopped_by() const { return stopped_by_; }

 private:
  std::optional<double> target_;
  std::uint64_t increment_ = 0, max_paths_ = 0;
  int assets_ = 0;
  std::vector<double> total_, weight_;  // per path, in path order
  std::string stopped_by_;
};

}  // namespace liq
