// liqstress tests — the per-path record (kernels/record.h) is the one definition of /paths:
// results/README.md's table must list exactly its fields, with their shapes, types and units;
// the rows, the checkpoint codec and the memory estimate follow it.
#include "kernels/record.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "host/io/checkpoint.h"
#include "host/model/path_rows.h"

namespace liq {
namespace {

struct ReadmeRow {
  std::string shape, type, units;
};

/// The cells of a Markdown table row, trimmed ("| a | b |" -> {"a", "b"}).
std::vector<std::string> table_cells(const std::string& line) {
  std::vector<std::string> cells;
  if (line.empty() || line.front() != '|') return cells;
  std::size_t at = 1;
  for (std::size_t bar; (bar = line.find('|', at)) != std::string::npos; at = bar + 1) {
    std::string cell = line.substr(at, bar - at);
    const auto first = cell.find_first_not_of(' ');
    const auto last = cell.find_last_not_of(' ');
    cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
  }
  return cells;
}

/// `text` without its enclosing backticks, or "" when it has none.
std::string unquoted(const std::string& text) {
  if (text.size() < 2 || text.front() != '`' || text.back() != '`') return "";
  return text.substr(1, text.size() - 2);
}

/// The `/paths/NAME` rows of results/README.md's dataset table.
std::map<std::string, ReadmeRow> readme_paths_rows() {
  std::ifstream in(std::string(LIQ_SOURCE_DIR) + "/results/README.md");
  EXPECT_TRUE(in.good()) << "results/README.md not found";
  const std::string prefix = "/paths/";
  std::map<std::string, ReadmeRow> out;
  std::string line;
  while (std::getline(in, line)) {
    const std::vector<std::string> c = table_cells(line);
    if (c.size() < 4) continue;
    const std::string path = unquoted(c[0]);
    if (path.rfind(prefix, 0) != 0) continue;
    out[path.substr(prefix.size())] = ReadmeRow{c[1], c[2], unquoted(c[3])};
  }
  return out;
}

std::string shape_text(RecordShape s) {
  switch (s) {
    case RecordShape::per_path:
      return "[N]";
    case RecordShape::per_asset:
      return "[N, A]";
    case RecordShape::per_asset_side:
      return "[N, A, 2]";
    case RecordShape::per_portfolio:
      return "[N, P]";
  }
  return "?";
}

TEST(Record, ResultsReadmeListsExactlyTheRecordsFields) {
  const std::map<std::string, ReadmeRow> readme = readme_paths_rows();
  ASSERT_FALSE(readme.empty());
  for (const RecordField& f : kPathRecord) {
    const auto it = readme.find(f.name);
    ASSERT_NE(it, readme.end()) << "results/README.md has no row for /paths/" << f.name;
    EXPECT_EQ(it->second.shape, shape_text(f.shape)) << f.name;
    EXPECT_EQ(it->second.type, f.type_name) << f.name;
    EXPECT_EQ(it->second.units, f.units) << f.name;
  }
  for (const auto& [name, row] : readme) {
    bool known = false;
    for (const RecordField& f : kPathRecord) known = known || name == f.name;
    EXPECT_TRUE(known) << "results/README.md lists /paths/" << name << ", which no path writes";
  }
}

TEST(Record, RowsCodecAndSizesFollowTheRecord) {
  PathRows rows;
  rows.resize(3, 2, 1);
  std::size_t bytes = 0, fields = 0;
  rows.visit([&](const RecordField& f, auto& values) {
    EXPECT_EQ(values.size(), 3 * record_cells(f.shape, 2, 1)) << f.name;
    for (std::size_t i = 0; i < values.size(); ++i)
      values[i] = static_cast<std::uint8_t>(i + fields);
    bytes += values.size() * sizeof(values[0]);
    ++fields;
  });
  EXPECT_EQ(fields, std::size(kPathRecord));
  EXPECT_EQ(bytes, 3 * record_bytes_per_path(2, 1));
  // The checkpoint/MPI codec carries every field, bit for bit.
  std::uint64_t first = 0;
  PathRows back;
  decode_rows(encode_rows(42, rows), first, back);
  EXPECT_EQ(first, 42u);
  std::size_t k = 0;
  rows.visit([&](const RecordField& f, const auto& values) {
    std::size_t j = 0;
    back.visit([&](const RecordField&, const auto& other) {
      if (j++ != k) return;
      ASSERT_EQ(values.size(), other.size()) << f.name;
      for (std::size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(static_cast<double>(values[i]), static_cast<double>(other[i])) << f.name;
    });
    ++k;
  });
  // A view points at every field with values, in the record's order.
  const PathOut view = rows.view();
  EXPECT_EQ(view.final_log_return, rows.final_log_return.data());
  EXPECT_EQ(view.cascade_rounds, rows.cascade_rounds.data());
}

}  // namespace
}  // namespace liq
