// liqstress — the stopping rule of --target-rel-ci (see stopping_rule.h).
#include "host/run/stopping_rule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "host/stats/metrics.h"
#include "host/stats/statistics.h"
#include "host/util/format.h"
#include "host/util/table.h"

namespace liq {

namespace {

/// Relative half-width of the 95% interval of the 99% VaR of total liquidations: what
/// --target-rel-ci compares with its target. Infinite while VaR is 0 with a non-zero width.
double var99_relative_half_width(const std::vector<double>& total,
                                 const std::vector<double>& weight, double& var) {
  const SortedSample sample(total, weight);
  var = sample.quantile(0.99);
  const Interval ci = sample.quantile_interval(0.99, 0.95);
  const double half = 0.5 * (ci.hi - ci.lo);
  if (half == 0.0) return 0.0;
  return var > 0.0 ? half / var : std::numeric_limits<double>::infinity();
}

}  // namespace

StoppingRule::StoppingRule(std::optional<double> target, std::uint64_t increment,
                           std::uint64_t max_paths, int assets)
    : target_(target), increment_(increment), max_paths_(max_paths), assets_(assets) {}

void StoppingRule::take(std::uint64_t row, const PathRows& r) {
  if (!target_) return;
  if (total_.size() < row + r.n_rows) {
    total_.resize(row + r.n_rows, 0.0);
    weight_.resize(row + r.n_rows, 0.0);
  }
  // The total as every summary reads it (host/stats/metrics.h ColumnSpec).
  const ColumnSpec total = column_spec(Column::total, 0, 0, assets_, r.n_portfolios);
  for (std::size_t i = 0; i < r.n_rows; ++i) {
    total_[row + i] = column_value(total, r.liquidated_usd.data() + i * total.width);
    weight_[row + i] = r.weight[i];
  }
}

std::uint64_t StoppingRule::next_goal(std::uint64_t done) {
  if (!target_) return 0;
  double var = 0.0;
  const double rel = var99_relative_half_width(total_, weight_, var);
  std::ostringstream why_stop;
  why_stop << "the 99% VaR of total liquidations (" << millions(var)
           << "M USD) has a 95% interval half-width of "
           << (std::isfinite(rel) ? format_percent(rel, 2) : std::string("(VaR is 0)"))
           << " of its value at " << format_count(static_cast<double>(done)) << " paths";
  if (rel < *target_) {
    stopped_by_ =
        "target reached: " + why_stop.str() + " (target " + format_percent(*target_, 2) + ")";
  } else if (done >= max_paths_) {
    stopped_by_ = "simulation.max_paths reached: " + why_stop.str() + ", above the target " +
                  format_percent(*target_, 2);
  } else {
    return std::min(max_paths_, done + increment_);
  }
  return 0;
}

}  // namespace liq
