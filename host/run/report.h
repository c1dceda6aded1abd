// liqstress — what `run` prints at its end (README, "Command line"): where the results went
// with the run's size and speed, what stopped it, the price table and the liquidation table
// (read from the run's per-path columns), and the cascade's lines.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "host/run/plan.h"
#include "host/run/summaries.h"
#include "host/scenario/scenario.h"
#include "host/stats/metrics.h"

namespace liq {

/// The price table, a blank line and the liquidation table. They read the columns: with
/// per-path rows those are the results file's, so render them before the file is closed.
std::string render_tables(const Scenario& sc, const ColumnSource& columns, const PathCounts& counts,
                          const std::vector<Metric>& metrics);

/// The cascade in two lines: how many rounds steps needed, and a warning (on `err` too) when
/// paths reached impact.max_cascade_rounds (their fixed point may not have been reached).
void print_cascade_lines(const Scenario& sc, const PathCounts& counts, std::uint64_t n_paths,
                         std::ostream& out, std::ostream& err);

/// The end of a run on `out` (the cascade's warning on `err` too).
void print_report(const RunPlan& plan, const RunOutcome& outcome, std::ostream& out,
                  std::ostream& err);

}  // namespace liq
