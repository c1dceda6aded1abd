// liqstress — the summaries at the end of a run (see summaries.h).
#include "host/run/summaries.h"

#include <optional>

#include "host/io/atomic_file.h"
#include "host/io/json.h"
#include "host/io/summary_file.h"
#include "host/run/report.h"
#include "host/run/tail.h"
#include "host/run/tail.h"

namespace liq {

RunOutcome summarise(const RunPlan& plan, ResultsSink& results, const StepSums& sums,
                     std::uint64_t paths) {
  const Scenario& sc = plan.scenario();
  RunOutcome outcome;
  outcome.paths = paths;
  outcome.counts = results.counts();
  SummaryOptions summary_options;
  summary_options.levels = sc.output.quantiles;
  summary_options.thresholds = sc.output.thresholds;
  std::optional<FileColumns> file_columns;
  if (!results.memory_columns())
    file_columns.emplace(results.writer().file_id(), sc.n_assets(), plan.n_portfolios(),
                         static_cast<std::size_t>(paths));
  const ColumnSource& columns = results.memory_columns()
                                    ? static_cast<const ColumnSource&>(*results.memory_columns())
                                    : *file_columns;
  outcome.metrics =
      compute_metrics(columns, results.assets(), results.portfolios(), summary_options);
  // The tables read the columns too: render them before the file is closed.
  outcome.tables = render_tables(sc, columns, outcome.counts, outcome.metrics);
  results.writer().write_timeseries(sums, paths, step_cells(plan.model.market), sc.regime_names());
  results.writer().write_summary(outcome.metrics);
  results.writer().write_tails(
      typical_tail_paths(plan, columns, results.assets(), results.portfolios()),
      plan.model.market.n_steps);
  return outcome;
}

void write_summary_json(const RunPlan& plan, const RunOutcome& outcome) {
  const Scenario& sc = plan.scenario();
  const RunOptions& opt = plan.options;
  Json j = {{"format", "liqstress-summary"},     {"format_version", 1},
            {"results", plan.target().string()}, {"seed", sc.simulation.seed},
            {"first_path", opt.first_path},      {"paths", outcome.paths}};
  if (plan.target_rel_ci) j["stopped_by"] = outcome.stopped_by;
  j["cascade"] = {
      {"most_rounds_in_a_step", outcome.counts.most_rounds},
      {"max_cascade_rounds", sc.impact.max_cascade_rounds},
      {"paths_at_the_cap",
       outcome.counts.paths_with_at_least(static_cast<std::size_t>(sc.impact.max_cascade_rounds))}};
  j["metrics"] = metrics_json(outcome.metrics);
  write_text_file_atomically(*opt.summary_json, json_text(j), opt.force);
}

}  // namespace liq
