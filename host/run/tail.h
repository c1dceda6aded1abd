// liqstress — the typical path into the tail (/tail, results/README.md): for each metric and
// each output.tail_levels p, the paths of its worst (1 − p) tail are simulated a second time —
// randomness is addressed by path index, so they are the same paths — with their per-step
// sums, and the weighted means per step over the tail are written. It answers "what does a day
// that breaks the fund look like" from the paths themselves.
#pragma once

#include <cstdint>
#include <vector>

#include "host/io/summary_file.h"
#include "host/run/plan.h"
#include "host/stats/metrics.h"

namespace liq {

/// The tails of every metric at the scenario's output.tail_levels, from the run's columns
/// (rows in path order from `first_path`); empty when there are no levels.
std::vector<TailSeries> typical_tail_paths(const RunPlan& plan, const ColumnSource& columns,
                                           const std::vector<std::string>& assets,
                                           const std::vector<std::string>& portfolios);

/// The rows of the worst (1 − p) tail of x weighted by w (w empty: weights 1): the largest
/// values, ties by row, until their weight reaches (1 − p) of the total.
std::vector<std::uint64_t> tail_rows(const std::vector<double>& x, const std::vector<double>& w,
                                     double p);

}  // namespace liq
