// liqstress — a run's blocks, simulated (see blocks.h).
#include "host/run/blocks.h"

#include <map>

#include "host/parallel/mpi.h"
#include "host/run/schedule.h"
#include "host/run/signals.h"
#include "host/util/errors.h"
#include "host/util/format.h"
#include "host/util/progress.h"

namespace liq {

namespace {

class BlockLoop {
 public:
  BlockLoop(RunPlan& plan, RunSinks& sinks, std::ostream& err)
      : plan_(plan),
        sinks_(sinks),
        err_(err),
        progress_(plan.cap, plan.layout.root() && !plan.options.quiet && stderr_is_terminal()) {
    sums_.reset(step_cells(plan.model.market).total());
  }

  SimulatedBlocks run();

 private:
  void resume(std::uint64_t& done, std::uint64_t& goal);
  int run_increment();
  const PathRows& own_block(const Block& b);
  void keep(std::uint64_t first_row, const PathRows& rows);
  int interrupt(int sig, std::uint64_t done);
  bool next_increment();
  SimulatedBlocks finish();

  RunPlan& plan_;
  RunSinks& sinks_;
  std::ostream& err_;
  Progress progress_;
  StepSums sums_;
  BlockSchedule schedule_;
  PathRows rows_;
  RankTransport transport_;
  std::map<std::uint64_t, std::uint64_t> saved_;  // a resumed rank's blocks: first row → offset
};

SimulatedBlocks BlockLoop::run() {
  std::uint64_t done = 0, goal = plan_.paths;
  // Temporaries of earlier runs into the same target that were killed (SIGKILL leaves them):
  // a resumed run's, or one killed before its first checkpoint mark.
  if (sinks_.results) sinks_.results->remove_stale_temporaries();
  if (plan_.resumed) resume(done, goal);
  sinks_.checkpoint.start_interval();
  schedule_ = BlockSchedule(agreed_block_size(plan_), plan_.layout, done, goal);
  sinks_.open_rank_log(plan_, schedule_.block());
  do {
    if (const int code = run_increment(); code != 0) return {code, 0, {}};
  } while (next_increment());
  return finish();
}

/// Rank 0's stopping rule decides whether the run goes on; every rank learns the next goal.
bool BlockLoop::next_increment() {
  std::uint64_t next = plan_.layout.root() ? sinks_.stopping.next_goal(schedule_.goal()) : 0;
  if (plan_.layout.distributed) mpi::broadcast(next);
  if (next == 0) return false;
  const std::uint64_t reached = schedule_.goal();
  schedule_.extend_to(next);
  if (sinks_.results) sinks_.results->set_paths(next);
  // One process: the new goal must survive a kill (ranks replay their schedule instead).
  if (!plan_.layout.distributed) sinks_.checkpoint.mark(reached, next, sums_);
  return true;
}

/// After the last block: every rank's exact sums to rank 0, which says whether a signal came
/// after the last block (then nothing is committed).
SimulatedBlocks BlockLoop::finish() {
  if (plan_.layout.distributed) {
    if (!plan_.layout.root()) {
      RankTransport::send_sums(sums_);
      return {0, schedule_.goal(), std::move(sums_)};
    }
    RankTransport::add_sums_of_ranks(sums_, plan_.layout.ranks);
  }
  progress_.finish();
  if (const int sig = pending_signal(); sig != 0) {
    err_ << "liqstress: interrupted; no results written to " << plan_.target().string() << '\n';
    return {signal_exit_code(sig), 0, {}};
  }
  return {0, schedule_.goal(), std::move(sums_)};
}

/// A resumed run starts from its checkpoint's exact sums. One process replays the saved rows
/// into the results now and goes on from the mark; ranks replay their blocks in their turn.
void BlockLoop::resume(std::uint64_t& done, std::uint64_t& goal) {
  const CheckpointState& state = *plan_.resumed;
  sums_ = state.sums;
  if (sums_.n_cells != step_cells(plan_.model.market).total())
    throw InputError(*plan_.options.resume + ": damaged checkpoint (step sums)");
  const bool ranks = plan_.layout.distributed;
  if (ranks) {
    for (const auto& [row, offset] : state.row_records) saved_.emplace(row, offset);
  } else {
    goal = state.goal;
    if (plan_.target_rel_ci && goal != plan_.paths) sinks_.results->set_paths(goal);
    for (const auto& record : state.row_records) {
      std::uint64_t row = 0;
      sinks_.checkpoint.replay(record.second, row, rows_);
      keep(row, rows_);
    }
    done = state.done;
  }
  if (!plan_.options.quiet)
    err_ << "liqstress: resumed from " << *plan_.options.resume << " at "
         << format_count(static_cast<double>(ranks ? state.row_records.size() : done))
         << (ranks ? " blocks of rank 0" : " paths") << "\n";
}

/// The blocks of the current increment this rank takes part in; 0, or a signal's exit code.
int BlockLoop::run_increment() {
  const bool root = plan_.layout.root();
  for (std::uint64_t i = 0; i < schedule_.blocks(); ++i) {
    const Block b = schedule_.at(i);
    if (!schedule_.involves(b)) continue;  // another rank's block
    if (const int sig = pending_signal(); sig != 0) return interrupt(sig, b.first);
    const PathRows& rows = schedule_.mine(b) ? own_block(b) : transport_.receive(b);
    if (root) {
      keep(b.first, rows);
      progress_.update(b.end());
    } else {
      RankTransport::send(b, rows);
    }
  }
  return 0;
}

/// A block this rank owns: replayed from its checkpoint when saved there, else simulated;
/// then into this rank's checkpoint log.
const PathRows& BlockLoop::own_block(const Block& b) {
  BlockOrigin origin = BlockOrigin::simulated;
  if (const auto saved = saved_.find(b.first); saved != saved_.end()) {
    std::uint64_t row = 0;
    sinks_.checkpoint.replay(saved->second, row, rows_);
    if (rows_.n_rows != b.n)
      throw InputError(sinks_.checkpoint.path().string() + ": damaged checkpoint (block of " +
                       std::to_string(rows_.n_rows) + " rows where " + std::to_string(b.n) +
                       " were due)");
    origin = BlockOrigin::replayed;
  } else {
    rows_.resize(static_cast<std::size_t>(b.n), plan_.scenario().n_assets(), plan_.n_portfolios());
    plan_.backend->simulate(plan_.model, plan_.options.first_path + b.first, rows_, sums_);
  }
  sinks_.checkpoint.take(b, rows_, origin, schedule_.goal(), sums_);
  return rows_;
}

/// Rank 0: a block's rows, in path order, into the results and the stopping rule.
void BlockLoop::keep(std::uint64_t first_row, const PathRows& rows) {
  sinks_.results->take(first_row, rows);
  sinks_.stopping.take(first_row, rows);
}

/// A signal before the block at `done`: a mark (with --checkpoint) and how to go on, or no
/// results; across ranks the job ends here, once rank 0's temporary file is removed.
int BlockLoop::interrupt(int sig, std::uint64_t done) {
  progress_.finish();
  const RankLayout& layout = plan_.layout;
  const RunOptions& opt = plan_.options;
  if (sinks_.checkpoint.active()) {
    sinks_.checkpoint.mark(done, schedule_.goal(), sums_);
    if (layout.root())
      err_ << "liqstress: interrupted by " << signal_name(sig) << " after "
           << format_count(static_cast<double>(done)) << " paths; checkpoint " << *opt.checkpoint
           << " holds them: continue with `"
           << (layout.distributed ? "mpirun -np " + std::to_string(layout.ranks) + " "
                                  : std::string())
           << "liqstress run --resume " << *opt.checkpoint << "`\n";
  } else if (layout.root()) {
    err_ << "liqstress: interrupted by " << signal_name(sig) << " after "
         << format_count(static_cast<double>(done)) << " paths; no results written to "
         << plan_.target().string() << '\n';
  }
  const int code = signal_exit_code(sig);
  if (layout.distributed) {
    if (sinks_.results) sinks_.results->discard();  // the temporary file, before the job ends
    mpi::abort(code);
  }
  return code;
}

}  // namespace

SimulatedBlocks simulate_blocks(RunPlan& plan, RunSinks& sinks, std::ostream& err) {
  BlockLoop loop(plan, sinks, err);
  return loop.run();
}

}  // namespace liq
