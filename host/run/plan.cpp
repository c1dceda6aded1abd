// liqstress — the plan of a run, resolved once (see plan.h).
#include "host/run/plan.h"

#include <omp.h>

#include <algorithm>
#include <utility>

#include "host/book/book.h"
#include "host/book/ladder.h"
#include "host/io/provenance.h"
#include "host/parallel/mpi.h"
#include "host/scenario/config.h"
#include "host/scenario/spelling.h"
#include "host/util/errors.h"
#include "host/util/system.h"
#include "host/util/version.h"

namespace liq {

namespace {

/// A resumed run must be the run its checkpoint started: the same binary (paths computed by
/// two builds must not be mixed in one file) ...
void require_same_binary(const CheckpointHeader& h, const std::string& checkpoint) {
  if (h.liqstress_version == liqstress_version() && h.git_commit == git_commit()) return;
  throw InputError(checkpoint + ": written by " + binary_name(h.liqstress_version, h.git_commit) +
                   ", but this is " + binary_name() +
                   "; resume it with the binary that started the run, or start the run again");
}

/// ... and the same inputs, by content (named by the first that changed).
void require_same_inputs(const CheckpointHeader& h, const InputDigests& now,
                         const std::string& checkpoint) {
  for (const auto& [name, hex] : h.inputs) {
    const auto it = now.find(name);
    if (it != now.end() && it->second != hex)
      throw InputError(name + ": changed since the checkpoint " + checkpoint +
                       " was written (sha256 " + hash_prefix(hex) + " then, " +
                       hash_prefix(it->second) +
                       " now); a resumed run must simulate the same inputs: restore it, or "
                       "start the run again");
  }
  const std::vector<std::string> d =
      input_differences(h.inputs, now, "when the checkpoint was written", "now");
  if (!d.empty())
    throw InputError(checkpoint + ": its run read other inputs: " + d.front() +
                     "; a resumed run must simulate the same inputs");
}

/// This rank's log of the checkpoint `base`; InputError when there is none (saying how many
/// ranks wrote it, when another number of ranks did).
std::filesystem::path existing_rank_log(const std::filesystem::path& base,
                                        const RankLayout& layout) {
  const std::filesystem::path mine = rank_log_path(base, layout.me, layout.ranks);
  if (std::filesystem::exists(mine)) return mine;
  std::string hint;
  for (int r = 2; r <= 1024 && hint.empty(); ++r)
    if (std::filesystem::exists(rank_log_path(base, 0, r)))
      hint = "; it was written by " + std::to_string(r) + " MPI ranks: resume with mpirun -np " +
             std::to_string(r) + " liqstress run --resume " + base.string();
  throw InputError(mine.string() + ": no such checkpoint" + hint);
}

/// --resume FILE: the scenario and every option that shapes the results come from the
/// checkpoint; only how to compute (threads, backend) and --quiet come from this command.
void take_checkpoint(const RunOptions& cli, RunPlan& plan) {
  if (cli.config || cli.output || cli.paths || cli.seed || !cli.sets.empty() ||
      cli.first_path != 0 || cli.target_rel_ci || cli.summary_json || cli.checkpoint)
    throw InputError(
        "--resume takes the scenario and its options from the checkpoint: give only --resume "
        "FILE (with --threads, --backend, --quiet or --checkpoint-every if wanted)");
  plan.resumed.emplace();
  // One log per rank under MPI; a single process reads the file itself.
  const std::filesystem::path mine = existing_rank_log(*cli.resume, plan.layout);
  plan.resumed_log.emplace(CheckpointLog::resume(mine, *plan.resumed));
  const CheckpointHeader& h = plan.resumed->header;
  require_same_binary(h, mine.string());
  if (h.ranks != plan.layout.ranks)
    throw InputError(mine.string() + ": written by " + std::to_string(h.ranks) +
                     " rank(s); resume it with the same number of MPI ranks");
  RunOptions& opt = plan.options;
  opt.config = h.config_path.empty() ? std::nullopt : std::optional<std::string>(h.config_path);
  opt.sets = h.sets;
  opt.seed.reset();
  opt.output = h.output;
  opt.paths = static_cast<std::int64_t>(h.paths);
  opt.first_path = h.first_path;
  opt.target_rel_ci = h.target_rel_ci;
  opt.summary_json = h.summary_json;
  opt.force = h.force;
  opt.checkpoint = cli.resume;
}

/// --checkpoint-every, in seconds.
double checkpoint_interval(const std::string& text) {
  double seconds = 600.0;
  try {
    seconds = parse_duration(text);
  } catch (const std::invalid_argument& e) {
    throw InputError("--checkpoint-every: " + std::string(e.what()) + ", got \"" + text + "\"");
  }
  if (!(seconds > 0.0)) throw InputError("--checkpoint-every: must be > 0");
  return seconds;
}

/// The CPU threads of this process: --threads, else every core (ranks sharing a node share
/// its cores).
int backend_threads(const RunOptions& opt) {
  return opt.threads > 0 ? opt.threads
         : mpi::active() ? std::max(1, omp_get_num_procs() / mpi::local_size())
                         : 0;
}

/// Scenario, tiers, book, ladders, accounts and the results target: built and checked as
/// `validate` and `sweep` check them (host/run/run_setup.h). Rank 0 alone writes the results.
/// A resumed run must simulate the inputs, book and scenario its checkpoint started with.
void set_up(RunPlan& plan, std::ostream& err) {
  const RunOptions& opt = plan.options;
  plan.sets = opt.sets;
  if (opt.seed) plan.sets.push_back("simulation.seed=" + std::to_string(*opt.seed));
  SetupRequest request;
  request.config = opt.config;
  request.sets = plan.sets;
  request.output = opt.output;
  request.force = opt.force;
  request.target_check = plan.layout.root() ? TargetCheck::run : TargetCheck::none;
  request.threads = backend_threads(opt);
  if (plan.layout.root() && !opt.quiet) request.progress = &err;
  if (plan.resumed)
    request.before_book = [&plan](const InputDigests& now) {
      require_same_inputs(plan.resumed->header, now, plan.resumed_log->path().string());
    };
  plan.setup = set_up_run(request);
  const std::optional<CheckpointState>& resumed = plan.resumed;
  if (resumed && !resumed->header.book_sha256.empty() &&
      resumed->header.book_sha256 != plan.setup.book_sha256)
    throw InputError(
        plan.resumed_log->path().string() + ": the book (sha256 " +
        hash_prefix(resumed->header.book_sha256) + ") is not the one this run resolves now (" +
        hash_prefix(plan.setup.book_sha256) + "); a resumed run must simulate the same book");
  const Scenario& sc = plan.scenario();
  for (const std::string& w : sc.warnings) err << "warning: " << w << '\n';
  if (resumed && sc.resolved_toml != resumed->header.resolved_config)
    throw InputError((opt.config ? *opt.config : std::string("the built-in default scenario")) +
                     ": changed since the checkpoint " + *opt.resume +
                     " was written; a resumed run must simulate the same scenario");
  plan.paths = static_cast<std::uint64_t>(opt.paths ? *opt.paths : sc.simulation.paths);
  plan.model = plan.setup.model->model();
}

/// The backend, and the notes that say which (and the book) on `err` unless quiet. Ranks
/// sharing a node share its cores (and take different GPUs).
void choose_backend(RunPlan& plan, std::ostream& err) {
  RunOptions& opt = plan.options;
  const int threads = backend_threads(opt);
  std::string why;
  plan.backend =
      make_backend(parse_backend_choice(opt.backend), threads, why, mpi::local_rank(), opt.simd);
  plan.device = plan.backend->device();
  if (plan.backend->name() == "cpu") plan.device += " on " + cpu_model_name();
  if (!plan.layout.root()) opt.quiet = true;
  if (opt.quiet) return;
  if (!plan.setup.created_folder.empty())
    err << "liqstress: created folder '" << plan.setup.created_folder.string()
        << "' for the results\n";
  err << "liqstress: backend " << plan.backend->name() << " (" << plan.device
      << (plan.layout.distributed ? "; " + std::to_string(plan.layout.ranks) + " MPI ranks"
                                  : std::string())
      << "; " << why << ")\n";
  const Scenario& sc = plan.scenario();
  err << "liqstress: book " << plan.setup.model->book().description << " in "
      << plan.setup.model->ladders().groups() << " ladders";
  if (sc.impact.model != ImpactModel::none)
    err << "; impact " << name_of(sc.impact.model) << " (strength " << sc.impact.strength
        << ", up to " << sc.impact.max_cascade_rounds << " cascade rounds a step)";
  err << '\n';
}

/// With --target-rel-ci the run grows in increments of `paths` up to simulation.max_paths
/// (host/run/stopping_rule.h).
void resolve_stopping_rule(RunPlan& plan) {
  const std::optional<double> target = plan.options.target_rel_ci;
  if (target && !(*target > 0.0 && *target < 1.0))
    throw InputError("--target-rel-ci: must be in (0, 1), got " + std::to_string(*target));
  plan.target_rel_ci = target;
  plan.max_paths = static_cast<std::uint64_t>(plan.scenario().simulation.max_paths);
  if (target && plan.max_paths < plan.paths)
    throw InputError("--target-rel-ci: simulation.max_paths (" + std::to_string(plan.max_paths) +
                     ") is below the first increment of " + std::to_string(plan.paths) + " paths");
  plan.cap = target ? plan.max_paths : plan.paths;
}

}  // namespace

RunPlan resolve_plan(const RunOptions& cli, const RankLayout& layout, std::ostream& err) {
  RunPlan plan;
  plan.layout = layout;
  plan.options = cli;
  if (cli.resume) take_checkpoint(cli, plan);
  plan.checkpoint_every_s = checkpoint_interval(cli.checkpoint_every);
  const RunOptions& opt = plan.options;
  if (opt.paths && *opt.paths <= 0)
    throw InputError("--paths: must be > 0, got " + std::to_string(*opt.paths));
  if (opt.threads < 0)
    throw InputError("--threads: must be >= 0, got " + std::to_string(opt.threads));
  set_up(plan, err);
  choose_backend(plan, err);
  resolve_stopping_rule(plan);
  return plan;
}

void require_new_summary_json(const RunPlan& plan) {
  const RunOptions& opt = plan.options;
  if (opt.summary_json && !opt.force && std::filesystem::exists(*opt.summary_json))
    throw InputError(*opt.summary_json + ": exists; pass --force to replace it");
}

CheckpointHeader checkpoint_header(const RunPlan& plan) {
  const RunOptions& opt = plan.options;
  CheckpointHeader h;
  if (opt.config) h.config_path = std::filesystem::absolute(*opt.config).string();
  h.sets = plan.sets;
  h.resolved_config = plan.scenario().resolved_toml;
  h.output = std::filesystem::absolute(plan.target()).string();
  h.first_path = opt.first_path;
  h.paths = plan.paths;
  h.target_rel_ci = plan.target_rel_ci;
  if (opt.summary_json) h.summary_json = std::filesystem::absolute(*opt.summary_json).string();
  h.force = opt.force;
  h.inputs = plan.setup.inputs;
  h.book_sha256 = plan.setup.book_sha256;
  h.liqstress_version = liqstress_version();
  h.git_commit = git_commit();
  return h;
}

}  // namespace liq
