// liqstress — the end-of-run metrics table (see metrics_table.h).
#include "host/stats/metrics_table.h"

#include <cmath>
#include <ostream>

#include "host/util/format.h"
#include "host/util/table.h"

namespace liq {

namespace {

/// Index of the configured level nearest `target`.
std::size_t nearest_level(const std::vector<double>& levels, double target) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < levels.size(); ++i)
    if (std::fabs(levels[i] - target) < std::fabs(levels[best] - target)) best = i;
  return best;
}

std::string with_interval(double value, const Interval& ci) {
  std::string out = millions(value);
  out.append(" (").append(millions(ci.lo)).append(" to ").append(millions(ci.hi)).append(")");
  return out;
}

}  // namespace

void print_metrics_table(const std::vector<Metric>& metrics, std::ostream& out) {
  if (metrics.empty()) return;
  const std::vector<double>& levels = metrics.front().summary.levels;
  std::vector<double> shown;  // levels, by value
  if (!levels.empty()) {
    shown.push_back(levels[nearest_level(levels, 0.95)]);
    const double hi = levels[nearest_level(levels, 0.99)];
    if (hi != shown.front()) shown.push_back(hi);
  }
  std::vector<std::string> header{"metric", "mean ± s.e."};
  for (double p : shown) {
    header.push_back("VaR " + level_percent(p) + " (95% CI)");
    header.push_back("ES " + level_percent(p) + " (95% CI)");
  }
  TextTable t(header);
  for (const Metric& m : metrics) {
    const MetricSummary& s = m.summary;
    std::vector<std::string> row{m.label, millions(s.mean) + " ± " + millions(s.stderr_mean)};
    for (double p : shown) {
      const std::optional<std::size_t> i = find_value(s.levels, p);
      row.push_back(i ? with_interval(s.var[*i], s.var_ci[*i]) : "missing");
      row.push_back(i ? with_interval(s.es[*i], s.es_ci[*i]) : "missing");
    }
    t.add_row(row);
  }
  t.print(out);
}

}  // namespace liq
