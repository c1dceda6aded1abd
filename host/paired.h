// liqstress — estimates and differences of one statistic of a metric across runs, shared by
// `compare` and `sweep`: the estimate and 95% interval a file's /summary holds, and the
// paired difference of two runs over common random numbers (host/compare.cpp explains the
// intervals: per-path differences for means and exceedance, batch means for VaR and ES).
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "host/statistics.h"
#include "host/summary.h"

namespace liq {

/// Batches of the batch-means intervals.
constexpr int kPairedBatches = 20;

struct Stat {
  std::string metric, statistic;  // e.g. "total_liquidated_usd", "VaR 99%"
  enum Kind { mean, var, es, exceedance } kind = mean;
  double param = 0.0;  // level or threshold
  std::size_t index = 0;
};

struct Estimate {
  double value = NAN;
  Interval ci{NAN, NAN};
};

struct Difference {
  double value = NAN;
  Interval paired{NAN, NAN};
  bool has_paired = false;
  double unpaired_half = NAN;
};

/// The estimate and 95% interval of `st` in a summary (mean: ± z·stderr).
Estimate estimate_of(const MetricSummary& s, const Stat& st);

/// The per-path column behind a metric's name (nullopt when the name is not known).
std::optional<std::vector<double>> column_of(const ColumnSource& c,
                                             const std::vector<std::string>& assets,
                                             const std::vector<std::string>& portfolios,
                                             const std::string& metric);

/// Paired difference B − A of `st` over common random numbers; has_paired is false when
/// the interval cannot be given (too few paths per batch for the level).
Difference paired_difference(const std::vector<double>& a, const std::vector<double>& b,
                             const Stat& st);

}  // namespace liq
