// liqstress — readable fixed-width tables for the terminal (end-of-run summaries, bench,
// info). Columns after the first are right-aligned; the numbers in them: host/util/format.h.
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

}  // namespace liq
