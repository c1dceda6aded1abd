// liqstress — the command line (SPEC.md "Command line"): parses with CLI11, dispatches to
// host/app/commands.h, and turns errors into messages and exit codes (0 ok, 2 bad input,
// 3 runtime failure, 130/143 interrupted).
#include <CLI/CLI.hpp>
#include <iostream>

#include "host/app/commands.h"
#include "host/io/hdf5_util.h"
#include "host/parallel/mpi.h"
#include "host/util/errors.h"
#include "host/util/version.h"

namespace {

using namespace liq;

/// `validate`'s arguments.
struct ValidateArgs {
  std::vector<std::string> files, sets;
  bool keys = false;
};

/// `merge`'s arguments.
struct MergeArgs {
  std::string output;
  std::vector<std::string> inputs;
  bool force = false, quiet = false, allow_mixed = false;
};

/// `compare`'s arguments.
struct CompareArgs {
  std::vector<std::string> inputs;
  bool json = false;
};

// One function per subcommand: adds it and its options, bound to the given fields.

CLI::App* add_run_command(CLI::App& app, RunOptions& run) {
  CLI::App* cmd = app.add_subcommand("run", "simulate a scenario and write its results (HDF5)");
  cmd->add_option("config", run.config,
                  "scenario file (default: the built-in configs/default.toml)");
  cmd->add_option("-o,--output", run.output, "results file (default: output.path of the scenario)");
  cmd->add_option("--paths", run.paths, "number of paths to run (default: simulation.paths)");
  cmd->add_option("--seed", run.seed, "seed (overrides simulation.seed)");
  cmd->add_option("--backend", run.backend, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--simd", run.simd,
                  "CPU SIMD lanes: auto | off | sse2 | avx2 | avx512 (same results)")
      ->capture_default_str();
  cmd->add_option("--threads", run.threads, "CPU threads (0: all cores)")->capture_default_str();
  cmd->add_option("--first-path", run.first_path,
                  "index of the first path: runs paths [K, K+N), a shard of a larger run")
      ->capture_default_str();
  cmd->add_flag("--force", run.force, "replace an existing results file");
  cmd->add_flag("--quiet", run.quiet, "no progress or notes on stderr");
  cmd->add_option("--set", run.sets, "override a scenario key: KEY=VALUE (value read as TOML)")
      ->take_all();
  cmd->add_option("--summary-json", run.summary_json,
                  "also write the summary (the end-of-run table's numbers and more) as JSON");
  cmd->add_option("--target-rel-ci", run.target_rel_ci,
                  "add batches of --paths (or simulation.paths) paths until the 95% interval "
                  "of the 99% VaR of total liquidations has a half-width below X of its "
                  "value, or simulation.max_paths is reached");
  cmd->add_option("--checkpoint", run.checkpoint,
                  "save completed paths to FILE every --checkpoint-every and on "
                  "SIGTERM/SIGINT, so that `run --resume FILE` can continue the run");
  cmd->add_option("--checkpoint-every", run.checkpoint_every,
                  "how often to save the checkpoint (a duration: 90s, 10m, 1h)")
      ->capture_default_str();
  cmd->add_option("--resume", run.resume,
                  "continue the run saved in checkpoint FILE (same bytes as the run "
                  "uninterrupted)");
  return cmd;
}

CLI::App* add_validate_command(CLI::App& app, ValidateArgs& validate) {
  CLI::App* cmd =
      app.add_subcommand("validate", "check scenario files and print the resolved scenario");
  cmd->add_option("configs", validate.files, "scenario files");
  cmd->add_flag("--keys", validate.keys,
                "print the reference of every scenario key (docs/scenario-keys.md) "
                "instead");
  cmd->add_option("--set", validate.sets, "override a scenario key: KEY=VALUE")->take_all();
  return cmd;
}

CLI::App* add_info_command(CLI::App& app) {
  return app.add_subcommand("info", "version, git commit, backends built, devices seen");
}

CLI::App* add_bench_command(CLI::App& app, BenchOptions& bench) {
  CLI::App* cmd =
      app.add_subcommand("bench", "throughput of the standard workload (README, Bench)");
  cmd->add_option("--backend", bench.backend, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--simd", bench.simd,
                  "CPU SIMD lanes: auto | off | sse2 | avx2 | avx512 (same results)")
      ->capture_default_str();
  cmd->add_option("--threads", bench.threads, "CPU threads (0: all cores)")->capture_default_str();
  cmd->add_option("--paths", bench.paths,
                  "paths per measurement (default: 8192 CPU, 1048576 CUDA)");
  cmd->add_option("--repeats", bench.repeats, "measurements; the median is shown")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  return cmd;
}

CLI::App* add_merge_command(CLI::App& app, MergeArgs& merge) {
  CLI::App* cmd = app.add_subcommand(
      "merge", "join shards of one run (same config and seed, contiguous path ranges)");
  cmd->add_option("output", merge.output, "merged results file")->required();
  cmd->add_option("parts", merge.inputs, "shard results files, in any order")->required();
  cmd->add_flag("--force", merge.force, "replace an existing output file");
  cmd->add_flag("--quiet", merge.quiet, "no notes on stderr");
  cmd->add_flag("--allow-mixed", merge.allow_mixed,
                "merge shards made from other input contents or by another liqstress "
                "binary (refused otherwise); recorded as mixed_inputs = 1 and "
                "shard_inputs in the merged file");
  return cmd;
}

CLI::App* add_compare_command(CLI::App& app, CompareArgs& compare) {
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "tail estimates of several runs side by side, paired differences under common "
      "random numbers");
  cmd->add_option("files", compare.inputs, "results files; the first is the baseline")->required();
  cmd->add_flag("--json", compare.json, "print JSON instead of a table");
  return cmd;
}

CLI::App* add_sweep_command(CLI::App& app, SweepOptions& sweep) {
  CLI::App* cmd = app.add_subcommand(
      "sweep", "one run per point of a parameter grid, common random numbers, and a table");
  cmd->add_option("config", sweep.config, "scenario file")->required();
  cmd->add_option("--vary", sweep.vary,
                  "KEY=FROM:TO:N (N values, both ends included) or KEY=V1,V2,...; several "
                  "--vary make a grid")
      ->required();
  cmd->add_option("-o,--output", sweep.output_dir,
                  "folder for the point files (default results/sweep-<name>/)");
  cmd->add_option("--paths", sweep.paths, "paths per point (default simulation.paths)");
  cmd->add_option("--seed", sweep.seed, "seed of every point");
  cmd->add_option("--set", sweep.sets, "override a scenario key at every point")->take_all();
  cmd->add_option("--backend", sweep.backend, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--simd", sweep.simd,
                  "CPU SIMD lanes: auto | off | sse2 | avx2 | avx512 (same results)")
      ->capture_default_str();
  cmd->add_option("--threads", sweep.threads, "CPU threads (0: all cores)")->capture_default_str();
  cmd->add_flag("--force", sweep.force, "replace existing point files");
  cmd->add_flag("--quiet", sweep.quiet, "no notes on stderr");
  cmd->add_option("--point", sweep.point,
                  "run only point K (0-based; e.g. $SLURM_ARRAY_TASK_ID), no table");
  cmd->add_flag("--collect", sweep.collect, "run nothing: build the table from the point files");
  cmd->add_flag("--list", sweep.list, "print the grid (points, files, settings) and exit");
  cmd->add_flag("--json", sweep.json, "print the table as JSON");
  return cmd;
}

CLI::App* add_reverse_command(CLI::App& app, ReverseOptions& reverse) {
  CLI::App* cmd =
      app.add_subcommand("reverse",
                         "reverse stress test: the smallest scale of a stress at which a statistic "
                         "reaches a target");
  cmd->add_option("config", reverse.config, "scenario file")->required();
  cmd->add_option("--metric", reverse.metric, "a /summary metric")->capture_default_str();
  cmd->add_option("--statistic", reverse.statistic, "mean | var:P | es:P | exceed:USD")
      ->capture_default_str();
  cmd->add_option("--target", reverse.target, "the value the statistic must reach")->required();
  cmd->add_option("--scale", reverse.scale,
                  "the stress direction: shock (every [[shock]]'s returns) or a real-valued key")
      ->capture_default_str();
  cmd->add_option("--paths", reverse.paths, "paths per trial (default simulation.paths)");
  cmd->add_option("--set", reverse.sets, "override a scenario key")->take_all();
  cmd->add_option("--backend", reverse.backend, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--simd", reverse.simd,
                  "CPU SIMD lanes: auto | off | sse2 | avx2 | avx512 (same results)")
      ->capture_default_str();
  cmd->add_option("--threads", reverse.threads, "CPU threads (0: all cores)");
  cmd->add_option("--max-scale", reverse.max_scale, "largest scale tried")->capture_default_str();
  cmd->add_option("--tolerance", reverse.tolerance, "relative tolerance on s*")
      ->capture_default_str();
  cmd->add_option("-o,--output", reverse.output_dir,
                  "folder for the scenario at s* (default results/)");
  cmd->add_flag("--force", reverse.force, "replace an existing scenario file");
  cmd->add_flag("--json", reverse.json, "print the answer and the trials as JSON");
  cmd->add_flag("--quiet", reverse.quiet, "no trial lines on stderr");
  return cmd;
}

/// Every subcommand's options, filled in by the parse.
struct Options {
  RunOptions run;
  ValidateArgs validate;
  BenchOptions bench;
  MergeArgs merge;
  CompareArgs compare;
  SweepOptions sweep;
  ReverseOptions reverse;
};

/// The subcommands; the one the command line chose tests true after the parse.
struct Subcommands {
  CLI::App* run;
  CLI::App* validate;
  CLI::App* info;
  CLI::App* bench;
  CLI::App* merge;
  CLI::App* compare;
  CLI::App* sweep;
  CLI::App* reverse;
};

/// Adds every subcommand to `app`, in the order `--help` lists them.
Subcommands add_commands(CLI::App& app, Options& o) {
  Subcommands cmd{};
  cmd.run = add_run_command(app, o.run);
  cmd.validate = add_validate_command(app, o.validate);
  cmd.info = add_info_command(app);
  cmd.bench = add_bench_command(app, o.bench);
  cmd.merge = add_merge_command(app, o.merge);
  cmd.compare = add_compare_command(app, o.compare);
  cmd.sweep = add_sweep_command(app, o.sweep);
  cmd.reverse = add_reverse_command(app, o.reverse);
  return cmd;
}

/// Runs the subcommand the command line chose; its exit code.
int run_chosen(const Subcommands& cmd, const Options& o) {
  if (*cmd.run) return run_command(o.run, std::cout, std::cerr);
  if (*cmd.sweep) return sweep_command(o.sweep, std::cout, std::cerr);
  // Other commands do not split across ranks: rank 0 runs them, the others wait.
  if (mpi::active() && mpi::rank() != 0) {
    mpi::barrier();
    return 0;
  }
  struct BarrierAtExit {
    ~BarrierAtExit() { mpi::barrier(); }
  } barrier_at_exit;
  if (*cmd.validate) {
    return validate_command(o.validate.files, o.validate.sets, o.validate.keys, std::cout,
                            std::cerr);
  }
  if (*cmd.info) return info_command(std::cout);
  if (*cmd.bench) return bench_command(o.bench, std::cout, std::cerr);
  if (*cmd.merge)
    return merge_command(o.merge.output, o.merge.inputs, o.merge.force, o.merge.quiet,
                         o.merge.allow_mixed, std::cout, std::cerr);
  if (*cmd.compare) return compare_command(o.compare.inputs, o.compare.json, std::cout, std::cerr);
  if (*cmd.reverse) return reverse_command(o.reverse, std::cout, std::cerr);
  return static_cast<int>(ExitCode::usage);
}

}  // namespace

int main(int argc, char** argv) {
  liq::h5::skip_shutdown_at_exit();
  using namespace liq;
  // Under mpirun or srun every rank runs this; without a launcher MPI stays untouched.
  const mpi::Session mpi_session(argc, argv);
  CLI::App app{"liqstress: Monte Carlo stress tester for crypto derivatives liquidation cascades"};
  app.set_version_flag("--version",
                       std::string(liqstress_version()) + " (git " + git_commit() + ")");
  app.require_subcommand(1);
  Options options;
  const Subcommands commands = add_commands(app, options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  }

  try {
    return run_chosen(commands, options);
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return static_cast<int>(ExitCode::usage);
  } catch (const RuntimeFailure& e) {
    std::cerr << "error: " << e.what() << '\n';
    return static_cast<int>(ExitCode::runtime);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return static_cast<int>(ExitCode::runtime);
  }
}
