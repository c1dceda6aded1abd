// liqstress — numbers as text (see format.h).
#include "host/util/format.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <locale>

namespace liq {

namespace {

/// The "C" locale with ',' between groups of three digits: what {fmt}'s `L` formats with.
const std::locale& separators() {
  struct Thousands : std::numpunct<char> {
    char do_thousands_sep() const override { return ','; }
    std::string do_grouping() const override { return "\3"; }
  };
  static const std::locale loc(std::locale::classic(), new Thousands);
  return loc;
}

}  // namespace

std::string millions(double usd) {
  if (!std::isfinite(usd)) return "n/a";
  return fmt::format(separators(), "{:.2Lf}", usd / 1e6);
}

std::string grouped(std::int64_t n) {
  return fmt::format(separators(), "{:L}", n);
}

std::string format_count(double value) {
  if (!std::isfinite(value)) return std::to_string(value);
  const std::string digits = grouped(std::llround(std::fabs(value)));
  return value < 0 ? "-" + digits : digits;
}

std::string format_percent(double fraction, int digits) {
  return fmt::format("{:.{}f}%", 100.0 * fraction, digits);
}

std::string level_percent(double p) {
  return significant(p * 100.0, 4) + "%";
}

std::string significant(double v, int digits) {
  return fmt::format("{:.{}g}", v, digits);
}

std::string format_si(double value, int digits) {
  static const char* const kPrefix[] = {"", " k", " M", " G", " T", " P"};
  int p = 0;
  double v = value;
  while (std::fabs(v) >= 1000.0 && p < 5) {
    v /= 1000.0;
    ++p;
  }
  return significant(v, digits) + kPrefix[p];
}

std::string format_seconds(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return fmt::format("{:.0f} s", seconds);
  if (seconds < 3600) {
    const auto s = static_cast<long>(seconds);
    return fmt::format("{} min {:02} s", s / 60, s % 60);
  }
  const auto m = static_cast<long>(seconds / 60);
  return fmt::format("{} h {:02} min", m / 60, m % 60);
}

std::string shortest(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

std::string number_text(double v) {
  const std::string s = shortest(v);
  const std::size_t e = s.find('e');
  if (e == std::string::npos) return s;
  // "4e+08" → "4e8", "1.5e-07" → "1.5e-7": the sign only when negative, no leading zeros.
  std::size_t at = e + 1;
  const bool negative = at < s.size() && s[at] == '-';
  if (at < s.size() && (s[at] == '+' || s[at] == '-')) ++at;
  while (at + 1 < s.size() && s[at] == '0') ++at;
  std::string out(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(e + 1));
  if (negative) out.push_back('-');
  out.append(s.begin() + static_cast<std::ptrdiff_t>(at), s.end());
  return out;
}

std::string float_literal(double v) {
  std::string s = number_text(v);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string amount_text(double v) {
  const bool whole = std::isfinite(v) && std::abs(v) < 1e16 && v == std::trunc(v);
  return whole ? fmt::format("{:.0f}", v) : shortest(v);
}

}  // namespace liq
