// liqstress — readable fixed-width tables for the terminal (end-of-run summaries, bench,
// info). Columns after the first are right-aligned.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace liq {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& os) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

/// "12.34%" for a fraction 0.1234, with `digits` decimals.
std::string format_percent(double fraction, int digits = 2);
/// A number with thousands separators: 1234567 → "1,234,567".
std::string format_count(double value);
/// A rate in engineering form: 1.23e9 → "1.23 G".
std::string format_si(double value, int digits = 3);
/// Seconds as "42 s", "3 min 05 s", "1 h 02 min".
std::string format_seconds(double seconds);

}  // namespace liq
