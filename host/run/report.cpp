// liqstress — the end-of-run tables and lines of `run` (see report.h).
#include "host/run/report.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "host/stats/metrics_table.h"
#include "host/stats/statistics.h"
#include "host/util/format.h"
#include "host/util/table.h"

namespace liq {

namespace {

/// VaR_p of a sample (MODEL.md §5, host/stats/statistics.h: x_(⌈np⌉) unweighted).
double order_quantile(const std::vector<double>& v, double p) {
  if (v.empty()) return std::nan("");
  return SortedSample(v, {}).quantile(p);
}

std::string pct_return(double log_return) {
  return format_percent(std::expm1(log_return));
}

double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

void print_liquidation_table(const Scenario& sc, const ColumnSource& cols, const PathCounts& counts,
                             const std::vector<Metric>& metrics, std::ostream& out) {
  out << "Liquidated notional q·P_liq, bad debt, ADL and portfolio losses per path, USD millions "
         "(mean ± standard error; VaR and expected shortfall with 95% intervals, MODEL.md §5; "
         "all metrics in /summary):\n";
  print_metrics_table(metrics, out);
  const std::vector<double> fund = cols.column(Column::fund);
  out << "insurance fund at horizon: mean " << millions(mean_of(fund)) << "M, 1% worst "
      << millions(order_quantile(fund, 0.01)) << "M (starts at "
      << millions(sc.insurance_fund.balance_usd) << "M, fee "
      << format_percent(sc.insurance_fund.liquidation_fee, 2) << ")\n";
  for (int p = 0; p < cols.n_portfolios(); ++p) {
    const std::uint64_t gone = static_cast<std::size_t>(p) < counts.liquidated_accounts.size()
                                   ? counts.liquidated_accounts[p]
                                   : 0;
    out << "portfolio " << sc.portfolios[p].name << ": liquidated on "
        << format_percent(static_cast<double>(gone) /
                              static_cast<double>(std::max<std::size_t>(cols.size(), 1)),
                          2)
        << " of paths (loss = -P&L over the horizon, marked to market at spot at the start)\n";
  }
}

void print_price_table(const Scenario& sc, const ColumnSource& cols, std::ostream& out) {
  TextTable t({"asset", "spot USD", "mean return", "stdev", "worst 1% low", "median low",
               "median high", "best 1% high"});
  for (int a = 0; a < sc.n_assets(); ++a) {
    const std::vector<double> f = cols.column(Column::final_lr, a);
    double mean_simple = 0.0, m2 = 0.0;
    for (double x : f) mean_simple += std::expm1(x);
    mean_simple /= static_cast<double>(std::max<std::size_t>(f.size(), 1));
    for (double x : f) m2 += (std::expm1(x) - mean_simple) * (std::expm1(x) - mean_simple);
    const double sd = f.size() > 1 ? std::sqrt(m2 / static_cast<double>(f.size() - 1)) : 0.0;
    std::ostringstream spot;
    spot << std::fixed << std::setprecision(sc.assets[a].spot < 10 ? 4 : 2) << sc.assets[a].spot;
    const SortedSample lows(cols.column(Column::min_lr, a), {});
    const SortedSample highs(cols.column(Column::max_lr, a), {});
    t.add_row({sc.assets[a].symbol, spot.str(), format_percent(mean_simple), format_percent(sd),
               pct_return(lows.quantile(0.01)), pct_return(lows.quantile(0.5)),
               pct_return(highs.quantile(0.5)), pct_return(highs.quantile(0.99))});
  }
  out << "Price paths over " << format_seconds(sc.simulation.horizon_s)
      << " (simple returns; low/high = the path's extreme, Brownian-bridge extremes included):\n";
  t.print(out);
}

}  // namespace

std::string render_tables(const Scenario& sc, const ColumnSource& columns, const PathCounts& counts,
                          const std::vector<Metric>& metrics) {
  std::ostringstream tables;
  print_price_table(sc, columns, tables);
  tables << '\n';
  print_liquidation_table(sc, columns, counts, metrics, tables);
  return tables.str();
}

void print_cascade_lines(const Scenario& sc, const PathCounts& c, std::uint64_t n_paths,
                         std::ostream& out, std::ostream& err) {
  const std::int32_t cap = sc.impact.max_cascade_rounds;
  const std::uint64_t multi = c.paths_with_at_least(2);
  const std::uint64_t capped = c.paths_with_at_least(static_cast<std::size_t>(cap));
  out << "\ncascades: " << format_count(static_cast<double>(multi)) << " of "
      << format_count(static_cast<double>(n_paths))
      << " paths had a step where forced flow liquidated more (2+ rounds); most rounds in a "
         "step: "
      << c.most_rounds << " (cap " << cap << ")\n";
  if (capped > 0) {
    err << "liqstress: warning: " << capped << " path" << (capped == 1 ? "" : "s")
        << " reached impact.max_cascade_rounds = " << cap
        << " in some step; their cascade may not have reached its fixed point (raise the cap)\n";
    out << "warning: " << format_count(static_cast<double>(capped))
        << " paths reached impact.max_cascade_rounds\n";
  }
}

void print_report(const RunPlan& plan, const RunOutcome& outcome, std::ostream& out,
                  std::ostream& err) {
  const Scenario& sc = plan.scenario();
  const std::int32_t steps = plan.model.market.n_steps;
  const std::uint64_t first = plan.options.first_path, paths = outcome.paths;
  const double seconds = outcome.seconds;
  const double pas = static_cast<double>(paths) * sc.n_assets() * steps;
  out << "results: " << plan.target().string() << "\n  " << format_count(static_cast<double>(paths))
      << " paths [" << first << ", " << first + paths << ") x " << sc.n_assets() << " assets x "
      << format_count(steps) << " steps, seed " << sc.simulation.seed << ", "
      << plan.backend->name() << ", " << format_seconds(seconds) << " ("
      << format_si(pas / std::max(seconds, 1e-9)) << " path-asset-steps/s)\n";
  if (plan.target_rel_ci) out << "  stopped: " << outcome.stopped_by << "\n";
  if (plan.setup.tilt)
    out << "  importance tilt chosen by cross-entropy for " << sc.importance.metric << " > "
        << significant(sc.importance.threshold, 4) << " in " << plan.setup.tilt->iterations.size()
        << " pilot iterations" << (plan.setup.tilt->reached ? "" : " (threshold not reached)")
        << ": " << tilt_text(sc, sc.importance) << "\n";
  out << '\n';
  out << outcome.tables;
  if (sc.impact.model != ImpactModel::none)
    print_cascade_lines(sc, outcome.counts, paths, out, err);
}

}  // namespace liq
