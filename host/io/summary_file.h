// liqstress — `/summary` in a results file (one group per metric, results/README.md), and the
// per-path columns of a results file's `/paths`, read one column at a time.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "host/stats/metrics.h"

namespace liq {

/// The same columns read from the /paths datasets of an open results file (one column in
/// memory at a time).
class FileColumns final : public ColumnSource {
 public:
  /// `origin` names the file in messages: a value that is not a finite number is an
  /// InputError "ORIGIN: /paths/NAME row R: not a finite number".
  FileColumns(hid_t file, int assets, int portfolios, std::size_t paths, std::string origin = {})
      : file_(file),
        n_assets_(assets),
        n_portfolios_(portfolios),
        paths_(paths),
        origin_(std::move(origin)) {}
  int n_assets() const override { return n_assets_; }
  int n_portfolios() const override { return n_portfolios_; }
  std::size_t size() const override { return paths_; }
  std::vector<double> column(Column c, int index = 0, int side = 0) const override;

 private:
  hid_t file_;
  int n_assets_, n_portfolios_;
  std::size_t paths_;
  std::string origin_;
};

/// Writes `/summary` (one group per metric, nested by its name's parts) into an open file.
void write_summary(hid_t file, const std::vector<Metric>& metrics);

/// The typical path into one metric's tail (/tail/<metric>, results/README.md): per level p,
/// the paths of its worst (1 − p) tail, their weight, and the weighted mean over them per
/// step of the traded log-return [steps, A], the liquidated notional [steps, A, 2] and the
/// forced flow [steps, A].
struct TailSeries {
  std::string metric;
  std::vector<double> levels, weight;                // [L]
  std::vector<std::uint64_t> paths;                  // [L]
  std::vector<double> log_return, liquidated, flow;  // [L, steps, A(, 2)]
};

/// Writes `/tail` (one group per metric, nested by its name's parts) into an open file.
void write_tails(hid_t file, const std::vector<TailSeries>& tails, std::int32_t steps, int assets);

/// Reads `/summary` back (the metrics in the order they were written). Throws
/// RuntimeFailure when the file has no /summary.
std::vector<Metric> read_summary(hid_t file);

}  // namespace liq
