// liqstress — where the completed blocks of a run go. On the rank that simulated a block: its
// checkpoint log (--checkpoint), then, across ranks, the transport to rank 0. On rank 0, every
// block in path order: the results file with the columns the summaries read and the counts,
// the stopping rule, and progress (host/run/blocks.h hands them over).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "host/io/checkpoint.h"
#include "host/io/results_file.h"
#include "host/model/path_rows.h"
#include "host/model/step_sums.h"
#include "host/run/plan.h"
#include "host/run/schedule.h"
#include "host/run/stopping_rule.h"
#include "host/stats/metrics.h"

namespace liq {

/// Where a block's rows came from.
enum class BlockOrigin {
  simulated,  // by the backend, just now
  replayed,   // from the checkpoint of the run being resumed
};

/// This rank's checkpoint log: the blocks it completes, and the marks that make them count
/// (paths done, the goal, the exact per-step sums; durable once written) — every
/// --checkpoint-every (counted from the last such mark), at each new goal of the stopping rule
/// (one process), and on SIGTERM or SIGINT. Without --checkpoint or --resume it has no log
/// and does nothing.
class CheckpointSink {
 public:
  explicit CheckpointSink(double every_s) : every_s_(every_s) {}

  void open(CheckpointLog&& log) { log_.emplace(std::move(log)); }
  bool active() const { return log_.has_value(); }
  const std::filesystem::path& path() const { return log_->path(); }

  /// Starts the --checkpoint-every interval (before the run's first block).
  void start_interval() { last_mark_ = std::chrono::steady_clock::now(); }

  /// A block this rank completed: appended when simulated (a replayed block is in the log
  /// already), then marked when --checkpoint-every has passed since the last such mark.
  void take(const Block& block, const PathRows& rows, BlockOrigin origin, std::uint64_t goal,
            const StepSums& sums);

  /// The one place a mark is written: paths [0, done) complete, the goal, the sums.
  void mark(std::uint64_t done, std::uint64_t goal, const StepSums& sums);

  /// The rows of a saved block (from CheckpointState::row_records).
  void replay(std::uint64_t offset, std::uint64_t& first_row, PathRows& rows) const;

  /// Deletes the log (the results it protected are committed).
  void remove();

 private:
  std::optional<CheckpointLog> log_;
  double every_s_;
  std::chrono::steady_clock::time_point last_mark_ = std::chrono::steady_clock::now();
};

/// Rank 0's results: the file (rows written in path order), the columns the summaries read
/// when the file has no per-path rows, and the counts.
class ResultsSink {
 public:
  /// Creates the temporary results file: provenance, /assets, /paths sized for the plan.
  explicit ResultsSink(const RunPlan& plan);

  /// Rows [first_row, first_row + rows.n_rows) of the run.
  void take(std::uint64_t first_row, const PathRows& rows);
  /// The stopping rule grew the run to `paths`.
  void set_paths(std::uint64_t paths);

  ResultsWriter& writer() { return *writer_; }
  /// The columns in memory; none when the file's per-path rows hold them.
  const std::optional<PathColumns>& memory_columns() const { return memory_columns_; }
  const PathCounts& counts() const { return counts_; }
  const std::vector<std::string>& assets() const { return assets_; }
  const std::vector<std::string>& portfolios() const { return portfolios_; }

  /// A resumed run: removes the temporary results files (OUT.h5.tmp.PID) that runs killed
  /// with SIGKILL left beside the target, those whose process is gone.
  void remove_stale_temporaries() const;
  /// Removes the temporary file now (an interrupted job is about to end).
  void discard() { writer_.reset(); }

 private:
  std::filesystem::path target_;
  std::vector<std::string> assets_, portfolios_;
  std::optional<ResultsWriter> writer_;
  std::optional<PathColumns> memory_columns_;
  PathCounts counts_;
};

/// Blocks and sums sent to rank 0 across MPI ranks (tagged messages, host/parallel/mpi.h).
class RankTransport {
 public:
  /// A rank's completed block, to rank 0 (returns once rank 0 takes it).
  static void send(const Block& block, const PathRows& rows);
  /// Rank 0: the block from its owner (RuntimeFailure when the owner sent another).
  const PathRows& receive(const Block& block);

  /// A rank's exact per-step sums, to rank 0 after its last block.
  static void send_sums(const StepSums& sums);
  /// Rank 0: the other ranks' sums added to its own (integer addition: any order).
  static void add_sums_of_ranks(StepSums& sums, int ranks);

  /// Rank 0 tells every rank the results are committed (they keep their logs until then);
  /// the other ranks learn it (false: rank 0 did not get there).
  static void announce_commit();
  static bool await_commit();

 private:
  PathRows incoming_;
};

/// The sinks of a run, opened before the ranks agree that setup is done.
struct RunSinks {
  /// This rank's checkpoint log (the resumed one, handed over by the plan, or a new one for
  /// one process; across ranks see open_rank_log), rank 0's results file (under MPI also
  /// removed by the signal handler), and the stopping rule.
  explicit RunSinks(RunPlan& plan);

  /// Across ranks with --checkpoint: every rank creates its own log of its own blocks, once
  /// the ranks have agreed on them.
  void open_rank_log(const RunPlan& plan, std::uint64_t block);

  CheckpointSink checkpoint;
  std::optional<ResultsSink> results;  // rank 0
  StoppingRule stopping;               // rank 0 decides
};

}  // namespace liq
