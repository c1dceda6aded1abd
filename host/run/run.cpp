// liqstress — `liqstress run`: scenario in, paths simulated in batches on the chosen
// backend, rows streamed into the results file, the tables at the end (host/run/report.h).
#include "host/run/run.h"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "host/backend/backend.h"
#include "host/book/book.h"
#include "host/book/ladder.h"
#include "host/io/atomic_file.h"
#include "host/io/checkpoint.h"
#include "host/io/json.h"
#include "host/io/provenance.h"
#include "host/io/results_file.h"
#include "host/io/summary_file.h"
#include "host/model/market_model.h"
#include "host/model/model_inputs.h"
#include "host/parallel/mpi.h"
#include "host/run/plan.h"
#include "host/run/report.h"
#include "host/run/run_setup.h"
#include "host/run/signals.h"
#include "host/run/stopping_rule.h"
#include "host/scenario/config.h"
#include "host/stats/metrics.h"
#include "host/stats/metrics_table.h"
#include "host/util/errors.h"
#include "host/util/format.h"
#include "host/util/progress.h"
#include "host/util/system.h"
#include "host/util/table.h"
#include "host/util/version.h"

namespace liq {

namespace {

/// Bytes of memory a run needs beyond the book: what it keeps per path (with per-path rows in
/// the file, only what the stopping rule reads; without, every summary column), the column
/// being summarised at the end with its sorted copy and the weights, one batch of rows, and
/// the per-thread step sums.
std::size_t run_memory_bytes(std::uint64_t paths, std::uint64_t batch, int assets, int portfolios,
                             std::int32_t steps, int threads, bool per_path, bool stopping_rule) {
  const std::size_t row = sizeof(double) * (3 * assets + 2 * assets + 5 + portfolios) +
                          sizeof(std::uint32_t) * 2 * assets + portfolios + 2;
  const std::size_t kept = per_path ? (stopping_rule ? 2 * sizeof(double) : 0)
                                    : PathColumns::bytes_per_path(assets, portfolios);
  return static_cast<std::size_t>(paths) * (kept + 3 * sizeof(double)) +
         static_cast<std::size_t>(batch) * row * 2 +
         static_cast<std::size_t>(threads + 1) * static_cast<std::size_t>(steps) *
             (assets * 4 + 2) * 32;
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
                       plan.n_portfolios(), plan.model.market.n_steps, omp_get_max_threads(),
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

}  // namespace

namespace {

/// Under MPI: the point where every rank has finished its setup (scenario, model, backend;
/// rank 0 its results file). Errors before it are agreed on (one message, every rank exits
/// with the same code); after it a failing rank aborts the job.
struct SetupGate {
  bool passed = false;
};

int run_impl(const RunOptions& cli, std::ostream& out, std::ostream& err, SetupGate* gate) {
  const bool dist = gate != nullptr;
  const RankLayout layout = dist ? RankLayout{true, mpi::rank(), mpi::size()} : RankLayout{};
  const int me = layout.me, n_ranks = layout.ranks;
  RunPlan plan = resolve_plan(cli, layout, err);
  require_memory(plan);
  require_new_summary_json(plan);
  const RunOptions& opt = plan.options;
  const RunSetup& setup = plan.setup;
  const Scenario& sc = plan.scenario();
  const std::uint64_t n_paths = plan.paths;
  const std::filesystem::path& target = plan.target();
  const Model& model = plan.model;
  const MarketParams& params = model.market;
  const int n_portfolios = plan.n_portfolios();
  const std::unique_ptr<Backend>& backend = plan.backend;
  const std::string& device = plan.device;
  const std::optional<double> target_rel = plan.target_rel_ci;
  const std::uint64_t max_paths = plan.max_paths, cap = plan.cap;
  const double checkpoint_every_s = plan.checkpoint_every_s;
  std::optional<CheckpointState>& resumed = plan.resumed;
  std::optional<CheckpointLog>& log = plan.resumed_log;

  Provenance prov;
  prov.liqstress_version = liqstress_version();
  prov.git_commit = git_commit();
  prov.created_utc = utc_now_iso8601();
  prov.config = sc.resolved_toml;
  prov.seed = sc.simulation.seed;
  prov.first_path = opt.first_path;
  prov.paths = n_paths;
  prov.steps = params.n_steps;
  prov.step_seconds = sc.simulation.step_s;
  prov.backend = backend->name();
  prov.device = device;
  prov.mpi_ranks = n_ranks;
  prov.inputs = inputs_json(setup.inputs);
  prov.book_sha256 = setup.book_sha256;
  std::vector<std::string> symbols;
  for (const AssetSpec& a : sc.assets) symbols.push_back(a.symbol);

  SignalGuard signals;
  std::vector<std::string> portfolio_names;
  for (const PortfolioSpec& ps : sc.portfolios) portfolio_names.push_back(ps.name);
  CheckpointHeader checkpoint_header;
  if (opt.checkpoint && !resumed) {
    checkpoint_header = liq::checkpoint_header(plan);
    // set_up_run checked the results target: a run that cannot write its results leaves no
    // checkpoint behind. Under MPI every rank keeps its own log, created once the ranks have
    // agreed on their blocks (below).
    if (!dist) log.emplace(CheckpointLog::create(*opt.checkpoint, checkpoint_header, opt.force));
  }
  std::optional<ResultsWriter> writer;
  if (me == 0)
    writer.emplace(target, opt.force, prov, symbols, n_paths, sc.output.per_path, portfolio_names,
                   target_rel.has_value());
  if (dist && writer) {
    const std::string temp = writer->temporary_path().string();
    unlink_on_signal(temp);
  }
  if (gate != nullptr) {
    gate->passed = true;
    if (const int rc = mpi::agree(0, "", err); rc != 0) return rc;
  }

  const auto start = std::chrono::steady_clock::now();
  Progress progress(cap, me == 0 && !opt.quiet && stderr_is_terminal());
  // Summaries read their columns back from the file's rows at the end; without per-path rows
  // they are kept in memory. The stopping rule keeps the total and the weight.
  std::optional<PathColumns> memory_columns;
  if (!sc.output.per_path) memory_columns.emplace(sc.n_assets(), n_portfolios);
  StoppingRule stopping(target_rel, n_paths, max_paths, sc.n_assets());
  PathCounts counts;
  StepSums step_sums;
  step_sums.reset(StepCells{params.n_steps, sc.n_assets()}.total());
  PathRows rows;
  const std::uint64_t batch = backend->preferred_batch();
  std::uint64_t done = 0, goal = n_paths;
  // Completed rows go to the file, to the in-memory columns when there are no per-path rows,
  // to the stopping rule's columns and to the counts.
  auto keep = [&](std::uint64_t row, const PathRows& r) {
    writer->write_rows(static_cast<std::size_t>(row), r);
    if (memory_columns) memory_columns->put(static_cast<std::size_t>(row), r);
    stopping.take(row, r);
    counts.add(r);
  };
  if (resumed && me == 0) {
    // A run killed with SIGKILL left its temporary results file (OUT.h5.tmp.PID): remove the
    // ones whose process is gone.
    const std::filesystem::path folder =
        target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
    const std::string stem = target.filename().string() + ".tmp.";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(stem, 0) != 0 || entry.path() == writer->temporary_path()) continue;
      const std::string pid = name.substr(stem.size());
      if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (::kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH)
        std::filesystem::remove(entry.path(), ec);
    }
  }
  // Under MPI a resumed rank replays its saved blocks in the loop below, in their turn.
  std::map<std::uint64_t, std::uint64_t> saved;  // first row → record offset
  if (resumed) {
    step_sums = resumed->sums;
    if (step_sums.n_cells != StepCells{params.n_steps, sc.n_assets()}.total())
      throw InputError(cli.resume->c_str() + std::string(": damaged checkpoint (step sums)"));
    if (dist) {
      for (const auto& [row, offset] : resumed->row_records) saved.emplace(row, offset);
    } else {
      // Replay the checkpoint: its rows into the new file, its exact sums as they were.
      goal = resumed->goal;
      if (target_rel && goal != n_paths) writer->set_paths(static_cast<std::size_t>(goal));
      for (const auto& record : resumed->row_records) {
        std::uint64_t row = 0;
        log->read_rows(record.second, row, rows);
        keep(row, rows);
      }
      done = resumed->done;
    }
    if (!opt.quiet)
      err << "liqstress: resumed from " << *cli.resume << " at "
          << format_count(static_cast<double>(dist ? resumed->row_records.size() : done))
          << (dist ? " blocks of rank 0" : " paths") << "\n";
  }
  auto last_mark = std::chrono::steady_clock::now();
  // Under MPI every increment [done, goal) is cut into blocks of `block` paths dealt to the
  // ranks in turn (block i to rank i mod R). Rank 0 writes the blocks in path order — its own
  // as it simulates them, the others' as it receives them, one at a time (a rank waits in its
  // send until rank 0 takes the block: memory stays bounded) — so the file is written in the
  // order of the single-process run.
  std::uint64_t block = batch;
  if (dist && resumed) {
    block = resumed->header.block;  // the blocks of the run being resumed
  } else if (dist) {
    double widest = static_cast<double>(batch);
    mpi::max_over_ranks(widest);
    block = static_cast<std::uint64_t>(widest);
    if (opt.checkpoint) {  // every rank its own log, of its own blocks
      checkpoint_header.ranks = n_ranks;
      checkpoint_header.block = block;
      log.emplace(CheckpointLog::create(rank_log_path(*opt.checkpoint, me, n_ranks),
                                        checkpoint_header, opt.force));
    }
  }
  PathRows incoming;
  for (;;) {
    const std::uint64_t blocks = (goal - done + block - 1) / block;
    for (std::uint64_t b = 0; b < blocks; ++b) {
      const std::uint64_t cur = done + b * block, n = std::min(block, goal - cur);
      const int owner = dist ? static_cast<int>(b % static_cast<std::uint64_t>(n_ranks)) : 0;
      if (owner != me && me != 0) continue;  // another rank's block
      if (const int sig = pending_signal(); sig != 0) {
        progress.finish();
        if (log) {
          log->mark(cur, goal, step_sums);
          if (me == 0)
            err << "liqstress: interrupted by " << signal_name(sig) << " after "
                << format_count(static_cast<double>(cur)) << " paths; checkpoint "
                << *opt.checkpoint << " holds them: continue with `"
                << (dist ? "mpirun -np " + std::to_string(n_ranks) + " " : std::string())
                << "liqstress run --resume " << *opt.checkpoint << "`\n";
        } else if (me == 0) {
          err << "liqstress: interrupted by " << signal_name(sig) << " after "
              << format_count(static_cast<double>(cur)) << " paths; no results written to "
              << target.string() << '\n';
        }
        const int code = signal_exit_code(sig);
        if (dist) {
          writer.reset();  // remove the temporary file before the job ends
          mpi::abort(code);
        }
        return code;
      }
      if (owner == me) {
        const auto was_saved = saved.find(cur);
        if (was_saved != saved.end()) {  // a resumed rank's block: from its log
          std::uint64_t row = 0;
          log->read_rows(was_saved->second, row, rows);
          if (rows.n_rows != n)
            throw InputError(log->path().string() + ": damaged checkpoint (block of " +
                             std::to_string(rows.n_rows) + " rows where " + std::to_string(n) +
                             " were due)");
        } else {
          rows.resize(static_cast<std::size_t>(n), sc.n_assets(), n_portfolios);
          backend->simulate(model, opt.first_path + cur, rows, step_sums);
          if (log) log->append_rows(cur, rows);
        }
        if (log && dist &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - last_mark).count() >=
                checkpoint_every_s) {
          log->mark(cur + n, goal, step_sums);
          last_mark = std::chrono::steady_clock::now();
        }
        if (me != 0) {
          mpi::send(0, mpi::rows_tag, encode_rows(cur, rows));
          continue;
        }
        keep(cur, rows);
      } else {  // rank 0 takes the next block from its owner
        std::uint64_t row = 0;
        decode_rows(mpi::receive(owner, mpi::rows_tag), row, incoming);
        if (row != cur || incoming.n_rows != n)
          throw RuntimeFailure("rank " + std::to_string(owner) + " sent rows [" +
                               std::to_string(row) + ", ...) where [" + std::to_string(cur) +
                               ", ...) was due (internal error)");
        keep(cur, incoming);
      }
      progress.update(cur + n);
      if (log && !dist &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - last_mark).count() >=
              checkpoint_every_s) {
        log->mark(cur + n, goal, step_sums);
        last_mark = std::chrono::steady_clock::now();
      }
    }
    done = goal;
    // Rank 0 decides whether the run goes on; every rank learns the next goal (0: stop).
    std::uint64_t next = 0;
    if (me == 0) next = stopping.next_goal(done);
    if (dist) mpi::broadcast(next);
    if (next == 0) break;
    goal = next;
    if (me == 0) writer->set_paths(static_cast<std::size_t>(goal));
    if (log && !dist) log->mark(done, goal, step_sums);  // the new goal must survive a kill
  }
  // The exact per-step sums of every rank, added on rank 0 (integer addition: any order).
  if (dist) {
    if (me != 0) {
      std::string bytes(step_sums.words.size() * sizeof(std::uint64_t), '\0');
      std::memcpy(bytes.data(), step_sums.words.data(), bytes.size());
      mpi::send(0, mpi::totals_tag, bytes);
      // Keep this rank's checkpoint until rank 0 has committed the results.
      std::uint64_t committed = 0;
      mpi::broadcast(committed);
      if (committed == 1 && log) log->remove();
      return 0;
    }
    for (int r = 1; r < n_ranks; ++r) {
      const std::string bytes = mpi::receive(r, mpi::totals_tag);
      StepSums part;
      part.n_cells = step_sums.n_cells;
      part.words.resize(step_sums.words.size());
      if (bytes.size() != part.words.size() * sizeof(std::uint64_t))
        throw RuntimeFailure("rank " + std::to_string(r) + " sent step sums of another shape");
      std::memcpy(part.words.data(), bytes.data(), bytes.size());
      step_sums.add(part);
    }
  }
  progress.finish();
  if (const int sig = pending_signal(); sig != 0) {
    err << "liqstress: interrupted; no results written to " << target.string() << '\n';
    return signal_exit_code(sig);
  }
  const std::uint64_t total_paths = done;
  SummaryOptions summary_options;
  summary_options.levels = sc.output.quantiles;
  summary_options.thresholds = sc.output.thresholds;
  std::optional<FileColumns> file_columns;
  if (!memory_columns)
    file_columns.emplace(writer->file_id(), sc.n_assets(), n_portfolios,
                         static_cast<std::size_t>(total_paths));
  const ColumnSource& columns =
      memory_columns ? static_cast<const ColumnSource&>(*memory_columns) : *file_columns;
  const std::vector<Metric> metrics =
      compute_metrics(columns, symbols, portfolio_names, summary_options);
  // The tables read the columns too: render them before the file is closed.
  const std::string tables = render_tables(sc, columns, counts, metrics);
  writer->write_timeseries(step_sums, total_paths, params.n_steps);
  writer->write_summary(metrics);
  file_columns.reset();
  keep_on_signal();
  writer->commit();
  if (log) log->remove();  // the results are safe: the checkpoint has done its job
  if (dist) {
    std::uint64_t committed = 1;
    mpi::broadcast(committed);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (opt.summary_json) {
    std::ostringstream header;
    header << "  \"format\": \"liqstress-summary\",\n  \"format_version\": 1,\n"
           << "  \"results\": " << json_string(target.string())
           << ",\n  \"seed\": " << sc.simulation.seed << ",\n  \"first_path\": " << opt.first_path
           << ",\n  \"paths\": " << total_paths;
    if (target_rel) header << ",\n  \"stopped_by\": " << json_string(stopping.stopped_by());
    header << ",\n  \"cascade\": {\"most_rounds_in_a_step\": " << counts.most_rounds
           << ", \"max_cascade_rounds\": " << sc.impact.max_cascade_rounds
           << ", \"paths_at_the_cap\": "
           << counts.paths_with_at_least(static_cast<std::size_t>(sc.impact.max_cascade_rounds))
           << "}";
    write_text_file_atomically(*opt.summary_json, metrics_json(metrics, header.str()), opt.force);
  }

  const double pas = static_cast<double>(total_paths) * sc.n_assets() * params.n_steps;
  out << "results: " << target.string() << "\n  " << format_count(static_cast<double>(total_paths))
      << " paths [" << opt.first_path << ", " << opt.first_path + total_paths << ") x "
      << sc.n_assets() << " assets x " << format_count(params.n_steps) << " steps, seed "
      << sc.simulation.seed << ", " << backend->name() << ", " << format_seconds(seconds) << " ("
      << format_si(pas / std::max(seconds, 1e-9)) << " path-asset-steps/s)\n";
  if (target_rel) out << "  stopped: " << stopping.stopped_by() << "\n";
  out << '\n';
  out << tables;
  if (sc.impact.model != ImpactModel::none) print_cascade_lines(sc, counts, total_paths, out, err);
  return 0;
}

}  // namespace

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  if (!mpi::active() || options.single_process) return run_impl(options, out, err, nullptr);
  SetupGate gate;
  int code = 0;
  std::string message;
  try {
    return run_impl(options, out, err, &gate);
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
