// liqstress — `liqstress run`, as its steps: the plan, resolved once (host/run/plan.h); the
// sinks opened (host/run/sinks.h); the schedule's blocks simulated into them
// (host/run/blocks.h); then the summaries, the commit and the report (host/run/summaries.h,
// host/run/report.h). One process or MPI ranks, fresh or resumed, take the same steps.
#include "host/run/run.h"

#include <omp.h>

#include <chrono>
#include <iomanip>
#include <sstream>

#include "host/book/ladder.h"
#include "host/parallel/mpi.h"
#include "host/run/blocks.h"
#include "host/run/plan.h"
#include "host/run/report.h"
#include "host/run/signals.h"
#include "host/run/sinks.h"
#include "host/run/summaries.h"
#include "host/stats/metrics.h"
#include "host/util/errors.h"
#include "host/util/format.h"
#include "host/util/system.h"

namespace liq {

namespace {

/// Rank 0: the results file renamed onto its target; then the checkpoint, which has done its
/// job, is removed (the other ranks remove theirs once told).
void commit(const RunPlan& plan, RunSinks& sinks) {
  keep_on_signal();
  sinks.results->writer().commit();
  sinks.checkpoint.remove();
  if (plan.layout.distributed) RankTransport::announce_commit();
}

/// Bytes of memory a run needs beyond the book: what it keeps per path (with per-path rows in
/// the file, only what the stopping rule reads; without, every summary column), the column
/// being summarised at the end with its sorted copy and the weights, one batch of rows, and
/// the per-thread step sums.
std::size_t run_memory_bytes(std::uint64_t paths, std::uint64_t batch, int assets, int portfolios,
                             const StepCells& cells, int threads, bool per_path,
                             bool stopping_rule) {
  const std::size_t row = record_bytes_per_path(assets, portfolios);  // kernels/record.h
  const std::size_t kept = per_path ? (stopping_rule ? 2 * sizeof(double) : 0)
                                    : PathColumns::bytes_per_path(assets, portfolios);
  return static_cast<std::size_t>(paths) * (kept + 3 * sizeof(double)) +
         static_cast<std::size_t>(batch) * row * 2 +
         static_cast<std::size_t>(threads + 1) * static_cast<std::size_t>(cells.total()) * 4 *
             sizeof(std::uint64_t);
}

std::string gib(std::size_t bytes) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(2) << static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0)
    << " GiB";
  return o.str();
}

/// InputError when this machine has less memory available than the run needs.
void require_memory(const RunPlan& plan) {
  const Scenario& sc = plan.scenario();
  const bool stopping_rule = plan.target_rel_ci.has_value();
  const std::size_t need =
      run_memory_bytes(plan.cap, plan.backend->preferred_batch(), sc.n_assets(),
                       plan.n_portfolios(), step_cells(plan.model.market), omp_get_max_threads(),
                       sc.output.per_path, stopping_rule) +
      plan.setup.model->ladders().bytes();
  const std::size_t have = available_memory_bytes();
  if (have > 0 && need > have) {
    throw InputError("this run needs about " + gib(need) + " of memory for " +
                     format_count(static_cast<double>(plan.cap)) +
                     " paths (the summaries' columns and the book), but " + gib(have) +
                     " is available; run fewer paths per process (--paths, and --first-path for "
                     "shards that together make the run" +
                     (stopping_rule ? ", or a lower simulation.max_paths" : "") + ")");
  }
}

/// Under MPI: the point where every rank has finished its setup (scenario, model, backend;
/// rank 0 its results file). Errors before it are agreed on (one message, every rank exits
/// with the same code); after it a failing rank aborts the job.
struct SetupGate {
  bool passed = false;
};

/// The run: plan, sinks, blocks, summaries, commit, report. Rank 0 commits the results file;
/// the other ranks keep their checkpoint logs until it has.
int run_steps(const RunOptions& cli, const RankLayout& layout, std::ostream& out, std::ostream& err,
              SetupGate* gate) {
  RunPlan plan = resolve_plan(cli, layout, err);
  require_memory(plan);
  require_new_summary_json(plan);
  SignalGuard signals;
  RunSinks sinks(plan);
  if (gate != nullptr) {
    gate->passed = true;
    if (const int rc = mpi::agree(0, "", err); rc != 0) return rc;
  }
  const auto start = std::chrono::steady_clock::now();
  const SimulatedBlocks blocks = simulate_blocks(plan, sinks, err);
  if (blocks.exit_code != 0) return blocks.exit_code;
  if (!layout.root()) {
    if (RankTransport::await_commit()) sinks.checkpoint.remove();
    return 0;
  }
  RunOutcome outcome = summarise(plan, *sinks.results, blocks.sums, blocks.paths);
  commit(plan, sinks);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.stopped_by = sinks.stopping.stopped_by();
  if (plan.options.summary_json) write_summary_json(plan, outcome);
  print_report(plan, outcome, out, err);
  return 0;
}

}  // namespace

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  if (!mpi::active() || options.single_process)
    return run_steps(options, RankLayout{}, out, err, nullptr);
  const RankLayout layout{true, mpi::rank(), mpi::size()};
  SetupGate gate;
  int code = 0;
  std::string message;
  try {
    return run_steps(options, layout, out, err, &gate);
  } catch (const InputError& e) {
    code = static_cast<int>(ExitCode::usage), message = e.what();
  } catch (const RuntimeFailure& e) {
    code = static_cast<int>(ExitCode::runtime), message = e.what();
  } catch (const std::exception& e) {
    code = static_cast<int>(ExitCode::runtime), message = e.what();
  }
  if (!gate.passed) return mpi::agree(code, message, err);
  // After setup, ranks wait on each other: one failing rank ends the job.
  err << "error: ";
  if (mpi::rank() != 0) err << "[rank " << mpi::rank() << "] ";
  err << message << '\n';
  err.flush();
  mpi::abort(code);
  return code;
}

}  // namespace liq
