// liqstress — JSON documents on nlohmann::json: `--summary-json`, `compare --json`, `sweep
// --json`, and the one-line JSON attributes of results files (inputs, shard_inputs).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/stats/metrics.h"
#include "host/stats/paired.h"

namespace liq {

/// A JSON value whose object members keep the order they were added in.
using Json = nlohmann::ordered_json;

/// A document as written to a file or stdout: two-space indents and a final newline. NaN
/// and infinities are written as null; bytes that are not UTF-8 as U+FFFD.
std::string json_text(const Json& j);

/// One line with a blank after each ',' and ':' (`{"a": 1, "b": [2, 3]}`): the spelling
/// of the results files' JSON attributes, kept byte for byte.
std::string json_line(const Json& j);

/// [lo, hi].
Json json_interval(const Interval& i);

/// {"value", "unpaired_ci": [lo, hi]} and, when there is one, "paired_ci": [lo, hi].
Json difference_json(const Difference& d);

/// The metrics as {"<name>": {"label", "units", "n", "effective_n", "mean", "stderr",
/// "var": [{"level", "value", "ci": [lo, hi]}], "es": [...], "exceedance": [{"threshold",
/// "probability", "ci"}]}}, in the order given.
Json metrics_json(const std::vector<Metric>& metrics);

}  // namespace liq
