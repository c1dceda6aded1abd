// liqstress — numbers as people read them (see format.h).
#include "host/util/format.h"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace liq {

std::string millions(double usd) {
  if (!std::isfinite(usd)) return "n/a";
  std::ostringstream o;
  o << std::fixed << std::setprecision(2) << usd / 1e6;
  const std::string s = o.str();
  // Thousands separators in the integer part.
  const std::size_t dot = s.find('.');
  const std::size_t start = s[0] == '-' ? 1 : 0;
  std::string out = s.substr(0, start);
  for (std::size_t i = start; i < dot; ++i) {
    if (i > start && (dot - i) % 3 == 0) out += ',';
    out += s[i];
  }
  out += s.substr(dot);
  return out;
}

}  // namespace liq
