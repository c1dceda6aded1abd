// liqstress — the summaries at the end of a run, on rank 0 once every block is in: the metrics
// from the per-path columns (in memory, or read back from the results file's rows), the
// tables rendered while those can be read, /timeseries from the exact per-step sums, /summary,
// and --summary-json once the results are committed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/model/step_sums.h"
#include "host/run/plan.h"
#include "host/run/sinks.h"
#include "host/stats/metrics.h"

namespace liq {

/// What a run reports.
struct RunOutcome {
  std::uint64_t paths = 0;      // paths run: the results file's rows
  std::vector<Metric> metrics;  // as in /summary
  std::string tables;           // the price and liquidation tables (host/run/report.h)
  PathCounts counts;            // the cascade's rounds and the liquidated accounts
  std::string stopped_by;       // --target-rel-ci: what ended the run
  double seconds = 0.0;         // from setup done to results committed
};

/// Computes the metrics and renders the tables, then writes /timeseries and /summary into the
/// results file (not yet committed).
RunOutcome summarise(const RunPlan& plan, ResultsSink& results, const StepSums& sums,
                     std::uint64_t paths);

/// --summary-json FILE: the metrics, the run's size and what stopped it, the cascade's
/// rounds; written atomically.
void write_summary_json(const RunPlan& plan, const RunOutcome& outcome);

}  // namespace liq
