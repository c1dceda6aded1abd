// liqstress — durations in scenario files: "90s", "15m", "6h", "3d" (fractions allowed), "inf"
// where a key allows it; read into seconds and written back in the largest exact unit.
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "host/scenario/config.h"
#include "host/scenario/toml_text.h"
#include "host/util/format.h"

namespace liq {
namespace {

struct Unit {
  std::string_view suffix;
  double seconds;
};
constexpr Unit kUnits[] = {{"d", 86400.0}, {"h", 3600.0}, {"m", 60.0}, {"s", 1.0}};

}  // namespace

double parse_duration(std::string_view text, bool allow_inf) {
  if (text.empty()) throw std::invalid_argument("empty duration");
  if (text == "inf") {
    if (allow_inf) return std::numeric_limits<double>::infinity();
    throw std::invalid_argument("\"inf\" is not allowed here, a finite duration is required");
  }
  if (text.front() == '-') throw std::invalid_argument("negative duration");
  std::size_t unit_start = text.size();
  while (unit_start > 0 && std::isalpha(static_cast<unsigned char>(text[unit_start - 1])) != 0) {
    --unit_start;
  }
  const std::string_view number = text.substr(0, unit_start);
  const std::string_view unit = text.substr(unit_start);
  if (unit.empty()) {
    throw std::invalid_argument("no unit (write e.g. \"90s\", \"15m\", \"6h\", \"3d\")");
  }
  double unit_seconds = 0.0;
  for (const Unit& u : kUnits) {
    if (unit == u.suffix) unit_seconds = u.seconds;
  }
  if (unit_seconds == 0.0) {
    throw std::invalid_argument("unknown unit \"" + std::string(unit) + "\" (use s, m, h or d)");
  }
  double value = 0.0;
  const auto res = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || res.ec != std::errc{} || res.ptr != number.data() + number.size() ||
      !std::isfinite(value)) {
    throw std::invalid_argument("not a number before the unit: \"" + std::string(number) + "\"");
  }
  if (value < 0) throw std::invalid_argument("negative duration");
  const double seconds = value * unit_seconds;
  if (!std::isfinite(seconds)) throw std::invalid_argument("duration too large");
  return seconds;
}

std::string duration_text(double seconds) {
  if (std::isinf(seconds)) return "inf";
  if (seconds == 0.0) return "0s";
  for (const Unit& u : kUnits) {
    const double q = seconds / u.seconds;
    if (q == std::floor(q) && q * u.seconds == seconds && std::abs(q) < 1e15) {
      return std::to_string(static_cast<long long>(q)) + std::string(u.suffix);
    }
  }
  return number_text(seconds) + "s";
}

}  // namespace liq
