// liqstress — text tables (see table.h).
#include "host/util/table.h"

#include <algorithm>
#include <iomanip>

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

}  // namespace liq
