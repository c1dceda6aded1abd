// liqstress — JSON documents (see json.h).
#include "host/io/json.h"

namespace liq {

namespace {

constexpr auto kReplace = Json::error_handler_t::replace;

/// [{"<level_key>": levels[i], "<value_key>": values[i], "ci": [lo, hi]}, ...].
Json per_level(const char* level_key, const std::vector<double>& levels, const char* value_key,
               const std::vector<double>& values, const std::vector<Interval>& ci) {
  Json out = Json::array();
  for (std::size_t i = 0; i < levels.size(); ++i)
    out.push_back({{level_key, levels[i]}, {value_key, values[i]}, {"ci", json_interval(ci[i])}});
  return out;
}

}  // namespace

std::string json_text(const Json& j) {
  return j.dump(2, ' ', false, kReplace) + "\n";
}

std::string json_line(const Json& j) {
  std::string out;
  if (j.is_object()) {
    for (const auto& [key, value] : j.items())
      out.append(out.empty() ? "" : ", ")
          .append(Json(key).dump(-1, ' ', false, kReplace))
          .append(": ")
          .append(json_line(value));
    return "{" + out + "}";
  }
  if (j.is_array()) {
    for (const Json& value : j) out.append(out.empty() ? "" : ", ").append(json_line(value));
    return "[" + out + "]";
  }
  return j.dump(-1, ' ', false, kReplace);
}

Json json_interval(const Interval& i) {
  return Json::array({i.lo, i.hi});
}

Json difference_json(const Difference& d) {
  Json j = {{"value", d.value},
            {"unpaired_ci", json_interval({d.value - d.unpaired_half, d.value + d.unpaired_half})}};
  if (d.has_paired) j["paired_ci"] = json_interval(d.paired);
  return j;
}

Json metrics_json(const std::vector<Metric>& metrics) {
  Json out = Json::object();
  for (const Metric& m : metrics) {
    const MetricSummary& s = m.summary;
    out[m.name] = {
        {"label", m.label},
        {"units", "USD"},
        {"n", s.n},
        {"effective_n", s.effective_n},
        {"mean", s.mean},
        {"stderr", s.stderr_mean},
        {"var", per_level("level", s.levels, "value", s.var, s.var_ci)},
        {"es", per_level("level", s.levels, "value", s.es, s.es_ci)},
        {"exceedance",
         per_level("threshold", s.thresholds, "probability", s.exceedance, s.exceedance_ci)},
    };
  }
  return out;
}

}  // namespace liq
