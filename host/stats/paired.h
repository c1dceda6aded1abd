// liqstress — estimates and differences of one statistic of a metric across runs, shared by
// `compare` and `sweep`: the estimate and 95% interval a file's /summary holds, and the
// paired difference of two runs over common random numbers (host/app/compare.cpp explains the
// intervals: per-path differences for means and exceedance, batch means for VaR and ES).
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "host/stats/metrics.h"
#include "host/stats/statistics.h"

namespace liq {

/// Batches of the batch-means intervals.
constexpr int kPairedBatches = 20;

/// One statistic of a metric. Levels and thresholds are named by value, never by position:
/// files written with other output.quantiles or output.thresholds hold them at other
/// indices, or not at all.
struct Stat {
  std::string metric, statistic;  // e.g. "total_liquidated_usd", "VaR 99%"
  enum Kind { mean, var, es, exceedance } kind = mean;
  double param = 0.0;  // level (var, es) or threshold (exceedance)
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

/// The estimate and 95% interval of `st` in a summary (mean: ± z·stderr); nullopt when the
/// summary has no such level or threshold (it is missing from that file: never guessed).
std::optional<Estimate> estimate_of(const MetricSummary& s, const Stat& st);

/// The statistics to show for several files' metrics: every metric any file has (in the
/// order they first appear), each with its mean, VaR and ES at every level any file has, and
/// exceedance of every threshold any file has (levels and thresholds ascending, matched by
/// value across files).
std::vector<Stat> union_of_stats(const std::vector<std::vector<Metric>>& files);

/// The per-path column behind a metric's name (nullopt when the name is not known).
std::optional<std::vector<double>> column_of(const ColumnSource& c,
                                             const std::vector<std::string>& assets,
                                             const std::vector<std::string>& portfolios,
                                             const std::string& metric);

/// `w`, or empty when every weight is 1 (plain sampling).
std::vector<double> unless_all_ones(std::vector<double> w);

/// Paired difference B − A of `st` over common random numbers, with the paths' weights (empty:
/// all 1; importance-sampled files have others); has_paired is false when the interval cannot
/// be given (too few paths per batch for the level).
Difference paired_difference(const std::vector<double>& a, const std::vector<double>& b,
                             const Stat& st, const std::vector<double>& wa = {},
                             const std::vector<double>& wb = {});

}  // namespace liq
