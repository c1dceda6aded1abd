// liqstress — text tables and number formatting (see table.h).
#include "host/util/table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

namespace liq {

void TextTable::print(std::ostream& os) const {
  std::vector<std::size_t> width(header_.size(), 0);
  auto widen = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  };
  widen(header_);
  for (const auto& r : rows_) widen(r);
  auto line = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < row.size() ? row[c] : "";
      if (c > 0) os << "  ";
      if (c == 0)
        os << std::left << std::setw(static_cast<int>(width[c])) << cell;
      else
        os << std::right << std::setw(static_cast<int>(width[c])) << cell;
    }
    os << '\n';
  };
  line(header_);
  std::size_t total = 0;
  for (std::size_t w : width) total += w;
  os << std::string(total + 2 * (width.empty() ? 0 : width.size() - 1), '-') << '\n';
  for (const auto& r : rows_) line(r);
  os << std::left;
}

std::string format_percent(double fraction, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << 100.0 * fraction << '%';
  return s.str();
}

std::string format_count(double value) {
  if (!std::isfinite(value)) return std::to_string(value);
  const bool negative = value < 0;
  const auto v = static_cast<unsigned long long>(std::llround(std::fabs(value)));
  std::string digits = std::to_string(v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::string format_si(double value, int digits) {
  static const char* const kPrefix[] = {"", " k", " M", " G", " T", " P"};
  int p = 0;
  double v = value;
  while (std::fabs(v) >= 1000.0 && p < 5) {
    v /= 1000.0;
    ++p;
  }
  std::ostringstream s;
  s << std::setprecision(digits) << v << kPrefix[p];
  return s.str();
}

std::string format_seconds(double seconds) {
  char buf[64];
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  } else if (seconds < 3600) {
    const auto s = static_cast<long>(seconds);
    std::snprintf(buf, sizeof buf, "%ld min %02ld s", s / 60, s % 60);
  } else {
    const auto m = static_cast<long>(seconds / 60);
    std::snprintf(buf, sizeof buf, "%ld h %02ld min", m / 60, m % 60);
  }
  return buf;
}

}  // namespace liq
