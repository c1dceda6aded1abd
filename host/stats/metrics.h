// liqstress — the metrics of a run (docs/MODEL.md §5, SPEC.md `/summary`): per-path columns
// kept in path order and the metrics computed from them (total and per asset and side
// liquidated notional, bad debt, ADL, each portfolio's loss) with their summaries
// (host/stats/statistics.h). Everything here is a function of the columns in path order, so
// a run, its shards merged, any thread count and any batch size give the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/model/path_rows.h"
#include "host/stats/statistics.h"

namespace liq {

/// The per-path columns a summary reads.
enum class Column {
  total,
  liquidated,
  bad_debt,
  adl,
  adl_closed,
  fund,
  weight,
  loss,
  final_lr,
  min_lr,
  max_lr
};

/// Where per-path columns come from, in path order: memory (PathColumns) or a results file
/// (FileColumns), so that a long run need not hold every path's values until the end.
class ColumnSource {
 public:
  virtual ~ColumnSource() = default;
  virtual int n_assets() const = 0;
  virtual int n_portfolios() const = 0;
  virtual std::size_t size() const = 0;
  /// One column: `index` is the asset (liquidated, *_lr) or portfolio (loss); `side` 0 long,
  /// 1 short (liquidated). total = Σ over assets and sides, added in that order.
  virtual std::vector<double> column(Column c, int index = 0, int side = 0) const = 0;
};

/// Where a column's values come from (one fact, one place): a double field of the per-path
/// record (kernels/record.h), `width` values per row of which the column takes the one at
/// `offset`, or — for the total — their sum in row order (assets, then long before short),
/// negated for a loss (= −P&L). Memory (PathColumns) and files (FileColumns) both read
/// columns through it, so they give the same bytes.
struct ColumnSpec {
  const char* field = nullptr;
  std::size_t width = 1;
  std::size_t offset = 0;
  bool sum = false;
  bool negate = false;
};
ColumnSpec column_spec(Column c, int index, int side, int assets, int portfolios);

/// The column's value for one path, `row` pointing at the path's `width` values.
inline double column_value(const ColumnSpec& spec, const double* row) {
  double v = row[spec.offset];
  if (spec.sum) {
    v = 0.0;
    for (std::size_t k = 0; k < spec.width; ++k) v += row[k];
  }
  return spec.negate ? -v : v;
}

/// Per-path values in memory, in path order: rows may arrive in any order (put) or in path
/// order (add). Keeps every column a summary or table reads: per asset the final, lowest
/// and highest log-returns and the liquidated notional per side; the total, bad debt, ADL
/// deficit and closed notional, fund and weight; each portfolio's loss.
class PathColumns final : public ColumnSource {
 public:
  PathColumns(int assets, int portfolios);
  /// Appends rows after the last row.
  void add(const PathRows& rows);
  /// Makes room for `n` rows (new rows are 0).
  void resize(std::size_t n);
  /// Stores rows [row, row + rows.n_rows) (resizing when needed).
  void put(std::size_t row, const PathRows& rows);
  int n_assets() const override { return n_assets_; }
  int n_portfolios() const override { return n_portfolios_; }
  std::size_t size() const override { return kept_.empty() ? 0 : kept_.front().values.size(); }
  std::vector<double> column(Column c, int index = 0, int side = 0) const override;
  const std::vector<double>& total() const { return ref(Column::total, 0, 0); }
  const std::vector<double>& weight() const { return ref(Column::weight, 0, 0); }
  /// Bytes per path held here.
  static std::size_t bytes_per_path(int assets, int portfolios) {
    return sizeof(double) * (5 * static_cast<std::size_t>(assets) + 6 + portfolios);
  }

 private:
  struct Kept {
    Column column;
    int index, side;
    ColumnSpec spec;
    std::vector<double> values;  // [path]
  };
  const std::vector<double>& ref(Column c, int index, int side) const;
  int n_assets_ = 0;
  int n_portfolios_ = 0;
  std::vector<Kept> kept_;
};

/// Counts over paths that do not depend on their order.
struct PathCounts {
  std::uint16_t most_rounds = 0;                   // most cascade rounds in a step
  std::vector<std::uint64_t> paths_by_rounds;      // [rounds]: paths with that many
  std::vector<std::uint64_t> liquidated_accounts;  // [portfolio]
  void add(const PathRows& rows);
  /// Paths whose worst step needed at least `rounds` cascade rounds.
  std::uint64_t paths_with_at_least(std::size_t rounds) const {
    std::uint64_t n = 0;
    for (std::size_t r = rounds; r < paths_by_rounds.size(); ++r) n += paths_by_rounds[r];
    return n;
  }
};

/// One metric: its name under /summary (e.g. "liquidated_usd/BTC/long"), and its summary.
struct Metric {
  std::string name;
  std::string label;  // for tables, e.g. "BTC long"
  MetricSummary summary;
};

/// The index of `value` in a summary's levels or thresholds, matched by value (exactly:
/// they are the scenario's TOML numbers, so the same text gives the same double); nullopt
/// when it is not there. Per-level arrays are never indexed by another file's position.
std::optional<std::size_t> find_value(const std::vector<double>& values, double value);

/// A metric's name under /summary, its label, and the per-path column behind it.
struct MetricColumn {
  std::string name, label;
  Column column;
  int index = 0, side = 0;
};

/// Every metric of SPEC.md with its column, in the fixed order below (one list: the summary,
/// `compare`, `reverse` and /tail all name metrics through it).
std::vector<MetricColumn> metric_columns(const std::vector<std::string>& assets,
                                         const std::vector<std::string>& portfolios);

/// Every metric of SPEC.md, in a fixed order: total_liquidated_usd,
/// liquidated_usd/<ASSET>/<long|short>, bad_debt_usd, adl_usd, adl_closed_usd,
/// portfolio_loss_usd/<name>.
std::vector<Metric> compute_metrics(const ColumnSource& columns,
                                    const std::vector<std::string>& assets,
                                    const std::vector<std::string>& portfolios,
                                    const SummaryOptions& options);

}  // namespace liq
