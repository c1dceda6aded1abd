// liqstress — JSON text: numbers, strings, and the metrics of `--summary-json`, `compare
// --json` and `sweep --json`.
#pragma once

#include <string>
#include <vector>

#include "host/stats/metrics.h"

namespace liq {

/// The metrics as JSON: {"metrics": {"<name>": {"n", "mean", "stderr", "var": [{"level",
/// "value", "ci": [lo, hi]}], "es": [...], "exceedance": [{"threshold", "probability",
/// "ci"}]}}} plus whatever `header` holds (a JSON object's members, already rendered).
std::string metrics_json(const std::vector<Metric>& metrics, const std::string& header);

/// JSON text of a number (shortest round-trip form, null for NaN and infinities) and of a
/// string (quoted, escaped).
std::string json_number(double x);
std::string json_string(const std::string& s);

}  // namespace liq
