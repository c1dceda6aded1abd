// liqstress — the HDF5 results file (SPEC.md "Results file", schema in results/README.md).
// Written to a temporary file beside the target and renamed on commit(); an existing
// target is kept unless `force`; a writer destroyed before commit() removes its temporary
// file, so an interrupted or failed run leaves nothing at the target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/io/summary_file.h"
#include "host/model/path_rows.h"
#include "host/model/step_sums.h"
#include "host/stats/metrics.h"

namespace liq {

/// A record field's dataset dimensions for `n` paths: [N], [N, A], [N, A, 2] or [N, P].
std::vector<hsize_t> record_dims(const RecordField& f, hsize_t n, int assets, int portfolios);

constexpr int kFormatVersion = 1;

/// Root attributes of a results file.
struct Provenance {
  std::string liqstress_version;
  std::string git_commit;
  std::string created_utc;  // ISO 8601, e.g. 2026-11-22T05:07:33Z
  std::string config;       // resolved scenario, TOML text
  std::uint64_t seed = 0;
  std::uint64_t first_path = 0;
  std::uint64_t paths = 0;
  std::int32_t steps = 0;
  double step_seconds = 0.0;
  std::string backend;  // "cpu" or "cuda"
  std::string device;   // e.g. "2 OpenMP threads on <cpu model>" or the GPU's name (per rank)
  // MPI ranks that ran it (1: one process). A number, not part of `device`: provenance
  // strings of equal length keep an R-rank file's layout byte for byte the single process's.
  std::int32_t mpi_ranks = 1;
  // Provenance by content (host/io/provenance.h): input file → sha256 as JSON, and the sha256
  // of the resolved book.
  std::string inputs = "{}";
  std::string book_sha256;
  // Set by `merge --allow-mixed` when shards differ in inputs or binary: a JSON array of
  // every shard's provenance, written as `shard_inputs` with `mixed_inputs = 1`.
  std::optional<std::string> shard_inputs;
  // The automatic importance tilt's choice (host/run/autotilt.h), one line of JSON, written as
  // `importance_tilt` when the run's pilot chose it.
  std::optional<std::string> importance_tilt;
};

/// What writing a results file does about a file already at its path.
enum class WriteMode {
  create,     // refuse it (InputError)
  overwrite,  // replace it when the new file is committed (--force)
};

/// The per-path part of a results file.
struct ResultsLayout {
  std::size_t n_paths = 0;  // rows of /paths
  bool per_path = true;     // write /paths at all (output.per_path)
  // The [[portfolio]] accounts: their /paths columns are written only when there is one.
  std::vector<std::string> portfolios = {};
  // The /paths datasets can be resized with set_paths (a run whose length a stopping rule
  // decides).
  bool growable = false;
};

class ResultsWriter {
 public:
  /// Checks the target (InputError: exists and `mode` is create, folder missing or not
  /// writable) and creates the temporary file with root attributes, /assets and, when
  /// `layout.per_path`, the /paths datasets sized for `layout.n_paths` rows (chunked,
  /// shuffled, deflated).
  ResultsWriter(const std::filesystem::path& target, WriteMode mode, const Provenance& provenance,
                const std::vector<std::string>& assets, const ResultsLayout& layout);
  ~ResultsWriter();

  /// The checks the constructor makes on the target (InputError: exists and `mode` is
  /// create, folder missing or not writable), for callers that must fail before creating
  /// anything.
  static void check_target(const std::filesystem::path& target, WriteMode mode);
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  /// Writes rows [first_row, first_row + rows.n_rows) of every /paths dataset.
  /// A no-op when the file has no per-path rows.
  void write_rows(std::size_t first_row, const PathRows& rows);

  /// Writes /timeseries (liquidated notional [steps, A, 2], forced flow and impact
  /// [steps, A]: means, standard deviations and the exact sums behind them) from the exact
  /// per-step sums (StepCells layout) over `n_paths` paths; with volatility regimes (their
  /// names in `regimes`, one per cells.regimes) also /regimes and the regime shares per step.
  /// Written whether or not the file has per-path rows.
  void write_timeseries(const StepSums& sums, std::uint64_t n_paths, const StepCells& cells,
                        const std::vector<std::string>& regimes = {});

  /// Resizes the /paths datasets of a growable file to `n_paths` rows and records the count
  /// in the root attribute `paths`.
  void set_paths(std::size_t n_paths);

  /// The open temporary file (for reading back what was written before commit).
  hid_t file_id() const;

  /// Writes /summary (host/stats/summary.h).
  void write_summary(const std::vector<Metric>& metrics);

  /// Writes /tail (host/io/summary_file.h) for runs of `steps` steps.
  void write_tails(const std::vector<TailSeries>& tails, std::int32_t steps);

  /// Closes the file and renames it onto the target (replacing it only with `force`).
  void commit();

  /// The temporary file's path (for messages and tests).
  const std::filesystem::path& temporary_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace liq
