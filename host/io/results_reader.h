// liqstress — reading results files back (merge, compare): the root attributes checked
// against this version's format, per-path rows in blocks, the exact per-step sums, and the
// per-path columns a summary is computed from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "host/io/hdf5_util.h"
#include "host/model/path_rows.h"
#include "host/model/step_sums.h"
#include "host/stats/metrics.h"

namespace liq {

/// An open results file and its root attributes.
struct ResultsFile {
  std::filesystem::path path;
  h5::Handle file;
  std::string config;  // resolved scenario, TOML text
  std::string liqstress_version, git_commit, backend, device;
  std::uint64_t seed = 0, first_path = 0, paths = 0;
  std::int32_t steps = 0;
  std::int32_t mpi_ranks = 1;  // 1 in files written before the attribute existed
  // Provenance by content; empty in files written before these attributes existed.
  std::string inputs, book_sha256;
  std::string importance_tilt;  // the automatic tilt's JSON; empty when the run had none
  double step_seconds = 0.0;
  std::vector<std::string> assets, portfolios;
  std::vector<std::string> regimes;  // /regimes: the volatility regimes, when the run had them
  bool per_path = false;             // has /paths

  /// Opens `path` read-only. InputError (exit 2) when it is not an HDF5 file, not a
  /// liqstress results file, or of another format_version, naming the file and the reason;
  /// also when it is damaged: root attributes out of range, a /paths or /timeseries/exact_sums
  /// dataset missing, of another type or shape than the attributes give, or declaring more
  /// values than the file stores (naming the dataset).
  explicit ResultsFile(const std::filesystem::path& path);

  /// Reads rows [first_row, first_row + n) of /paths into `rows` (resized).
  void read_rows(std::size_t first_row, std::size_t n, PathRows& rows) const;
  /// /timeseries/exact_sums and the cells beside it (ADL; regimes when the file has them).
  StepSums read_exact_sums() const;
  /// /summary (InputError when missing).
  std::vector<Metric> read_metrics() const;

 private:
  void check_format() const;  // the format and format_version attributes
  void read_root();           // the other root attributes, /assets, /portfolios, /regimes
};

}  // namespace liq
