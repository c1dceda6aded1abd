// liqstress — the end-of-run metrics table on a terminal.
#pragma once

#include <iosfwd>
#include <vector>

#include "host/stats/metrics.h"

namespace liq {

/// The end-of-run table: per metric, mean ± standard error, VaR and ES at the configured
/// levels nearest 95% and 99% with their 95% intervals, and P(> 0). USD millions.
void print_metrics_table(const std::vector<Metric>& metrics, std::ostream& out);

}  // namespace liq
