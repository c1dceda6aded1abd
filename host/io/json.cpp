// liqstress — JSON text of numbers, strings and metrics (see json.h).
#include "host/io/json.h"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "host/util/format.h"

namespace liq {

namespace {

std::string json_interval(const Interval& i) {
  std::string out = "[";
  out.append(json_number(i.lo)).append(", ").append(json_number(i.hi)).append("]");
  return out;
}

}  // namespace

std::string json_number(double x) {
  if (!std::isfinite(x)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string metrics_json(const std::vector<Metric>& metrics, const std::string& header) {
  std::ostringstream o;
  o << "{\n";
  if (!header.empty()) o << header << ",\n";
  o << "  \"metrics\": {";
  for (std::size_t k = 0; k < metrics.size(); ++k) {
    const Metric& m = metrics[k];
    const MetricSummary& s = m.summary;
    o << (k == 0 ? "\n" : ",\n") << "    " << json_string(m.name)
      << ": {\"label\": " << json_string(m.label) << ", \"units\": \"USD\", \"n\": " << s.n
      << ", \"effective_n\": " << json_number(s.effective_n)
      << ", \"mean\": " << json_number(s.mean) << ", \"stderr\": " << json_number(s.stderr_mean)
      << ",\n      \"var\": [";
    for (std::size_t i = 0; i < s.levels.size(); ++i)
      o << (i ? ", " : "") << "{\"level\": " << json_number(s.levels[i])
        << ", \"value\": " << json_number(s.var[i]) << ", \"ci\": " << json_interval(s.var_ci[i])
        << "}";
    o << "],\n      \"es\": [";
    for (std::size_t i = 0; i < s.levels.size(); ++i)
      o << (i ? ", " : "") << "{\"level\": " << json_number(s.levels[i])
        << ", \"value\": " << json_number(s.es[i]) << ", \"ci\": " << json_interval(s.es_ci[i])
        << "}";
    o << "],\n      \"exceedance\": [";
    for (std::size_t i = 0; i < s.thresholds.size(); ++i)
      o << (i ? ", " : "") << "{\"threshold\": " << json_number(s.thresholds[i])
        << ", \"probability\": " << json_number(s.exceedance[i])
        << ", \"ci\": " << json_interval(s.exceedance_ci[i]) << "}";
    o << "]}";
  }
  o << "\n  }\n}\n";
  return o.str();
}

}  // namespace liq
