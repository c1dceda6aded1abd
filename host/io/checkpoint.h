// liqstress — checkpoints of long runs (`run --checkpoint FILE`, `run --resume FILE`).
// A checkpoint is an append-only log: a header (what the run is: scenario, options), then
// records of completed per-path rows and, every --checkpoint-every and on SIGTERM/SIGINT,
// a mark holding the path count reached and the exact per-step sums; a mark is flushed and
// fsync'ed before the run goes on. Every record carries a CRC-32, so a log cut short by
// SIGKILL or a full disk is read up to its last complete mark and resumed from there: a
// killed run loses at most the paths simulated since its last mark. Rows are a function of
// their path index, so a resumed run writes the same bytes as the uninterrupted one.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "host/model/path_rows.h"
#include "host/model/step_sums.h"

namespace liq {

/// What a run is, as a resume needs it.
struct CheckpointHeader {
  std::string config_path;        // absolute; empty: the built-in default scenario
  std::vector<std::string> sets;  // --set overrides (and --seed as simulation.seed=)
  std::string resolved_config;    // the resolved scenario, to check the file did not change
  std::string output;             // absolute target path
  std::uint64_t first_path = 0;
  std::uint64_t paths = 0;  // the run's size, or the stopping rule's increment
  std::optional<double> target_rel_ci;
  std::optional<std::string> summary_json;  // absolute
  bool force = false;
  std::int32_t ranks = 1;   // MPI ranks of the run (one log per rank when > 1)
  std::uint64_t block = 0;  // paths per block dealt to the ranks (when ranks > 1)
  // Provenance by content (host/io/provenance.h): a resume refuses other inputs, another book
  // or another binary. Empty in checkpoints written before they were recorded.
  std::map<std::string, std::string> inputs;  // input file → sha256 (InputDigests)
  std::string book_sha256;
  std::string liqstress_version, git_commit;  // of the binary that started the run
};

/// The log of rank `rank` of `ranks` for the checkpoint named `base`: `base` itself for one
/// rank, else `base.rank<r>-of-<R>`.
std::filesystem::path rank_log_path(const std::filesystem::path& base, int rank, int ranks);

/// The state a log holds at its last complete mark.
struct CheckpointState {
  CheckpointHeader header;
  std::uint64_t done = 0;  // paths [first_path, first_path + done) are complete
  std::uint64_t goal = 0;  // the stopping rule's current goal
  StepSums sums;
  /// (first row, file offset) of every row record before the mark, in file order.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> row_records;
  std::uint64_t end_offset = 0;  // where the last mark ends
};

/// Per-path rows as bytes (checkpoint records, MPI messages) and back; decode throws
/// std::runtime_error on a malformed payload.
std::string encode_rows(std::uint64_t first_row, const PathRows& rows);
void decode_rows(const std::string& payload, std::uint64_t& first_row, PathRows& rows);

class CheckpointLog {
 public:
  /// Starts a new log at `path` (InputError when it exists and !force).
  static CheckpointLog create(const std::filesystem::path& path, const CheckpointHeader& header,
                              bool force);
  /// Reads a log up to its last complete mark (InputError when it is not a liqstress
  /// checkpoint or holds no mark), cuts anything after that mark, and opens it to go on.
  static CheckpointLog resume(const std::filesystem::path& path, CheckpointState& state);

  CheckpointLog(CheckpointLog&& other) noexcept;
  CheckpointLog& operator=(CheckpointLog&&) = delete;
  CheckpointLog(const CheckpointLog&) = delete;
  ~CheckpointLog();

  /// Appends the rows of paths [first_path + first_row, ... + rows.n_rows).
  void append_rows(std::uint64_t first_row, const PathRows& rows);
  /// Appends a mark and makes the log durable (fflush + fsync).
  void mark(std::uint64_t done, std::uint64_t goal, const StepSums& sums);
  /// Reads the row record at `offset` (from CheckpointState::row_records).
  void read_rows(std::uint64_t offset, std::uint64_t& first_row, PathRows& rows) const;
  /// Closes and deletes the log (after the results were committed).
  void remove();
  const std::filesystem::path& path() const { return path_; }

 private:
  CheckpointLog(std::filesystem::path path, std::FILE* file)
      : path_(std::move(path)), file_(file) {}
  void append(char type, const std::string& payload);
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

}  // namespace liq
