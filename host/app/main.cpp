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

int main(int argc, char** argv) {
  liq::h5::skip_shutdown_at_exit();
  using namespace liq;
  // Under mpirun or srun every rank runs this; without a launcher MPI stays untouched.
  const mpi::Session mpi_session(argc, argv);
  CLI::App app{"liqstress: Monte Carlo stress tester for crypto derivatives liquidation cascades"};
  app.set_version_flag("--version",
                       std::string(liqstress_version()) + " (git " + git_commit() + ")");
  app.require_subcommand(1);

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "simulate a scenario and write its results (HDF5)");
  run_cmd->add_option("config", run.config,
                      "scenario file (default: the built-in configs/default.toml)");
  run_cmd->add_option("-o,--output", run.output,
                      "results file (default: output.path of the scenario)");
  run_cmd->add_option("--paths", run.paths, "number of paths to run (default: simulation.paths)");
  run_cmd->add_option("--seed", run.seed, "seed (overrides simulation.seed)");
  run_cmd->add_option("--backend", run.backend, "auto | cpu | cuda")->capture_default_str();
  run_cmd->add_option("--threads", run.threads, "CPU threads (0: all cores)")
      ->capture_default_str();
  run_cmd
      ->add_option("--first-path", run.first_path,
                   "index of the first path: runs paths [K, K+N), a shard of a larger run")
      ->capture_default_str();
  run_cmd->add_flag("--force", run.force, "replace an existing results file");
  run_cmd->add_flag("--quiet", run.quiet, "no progress or notes on stderr");
  run_cmd->add_option("--set", run.sets, "override a scenario key: KEY=VALUE (value read as TOML)")
      ->take_all();
  run_cmd->add_option("--summary-json", run.summary_json,
                      "also write the summary (the end-of-run table's numbers and more) as JSON");
  run_cmd->add_option("--target-rel-ci", run.target_rel_ci,
                      "add batches of --paths (or simulation.paths) paths until the 95% interval "
                      "of the 99% VaR of total liquidations has a half-width below X of its "
                      "value, or simulation.max_paths is reached");
  run_cmd->add_option("--checkpoint", run.checkpoint,
                      "save completed paths to FILE every --checkpoint-every and on "
                      "SIGTERM/SIGINT, so that `run --resume FILE` can continue the run");
  run_cmd
      ->add_option("--checkpoint-every", run.checkpoint_every,
                   "how often to save the checkpoint (a duration: 90s, 10m, 1h)")
      ->capture_default_str();
  run_cmd->add_option("--resume", run.resume,
                      "continue the run saved in checkpoint FILE (same bytes as the run "
                      "uninterrupted)");

  std::vector<std::string> validate_files, validate_sets;
  bool validate_keys = false;
  CLI::App* validate_cmd =
      app.add_subcommand("validate", "check scenario files and print the resolved scenario");
  validate_cmd->add_option("configs", validate_files, "scenario files");
  validate_cmd->add_flag("--keys", validate_keys,
                         "print the reference of every scenario key (docs/scenario-keys.md) "
                         "instead");
  validate_cmd->add_option("--set", validate_sets, "override a scenario key: KEY=VALUE")
      ->take_all();

  CLI::App* info_cmd =
      app.add_subcommand("info", "version, git commit, backends built, devices seen");

  BenchOptions bench;
  CLI::App* bench_cmd =
      app.add_subcommand("bench", "throughput of the standard workload (README, Bench)");
  bench_cmd->add_option("--backend", bench.backend, "auto | cpu | cuda")->capture_default_str();
  bench_cmd->add_option("--threads", bench.threads, "CPU threads (0: all cores)")
      ->capture_default_str();
  bench_cmd->add_option("--paths", bench.paths,
                        "paths per measurement (default: 8192 CPU, 1048576 CUDA)");
  bench_cmd->add_option("--repeats", bench.repeats, "measurements; the median is shown")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);

  std::string merge_output;
  std::vector<std::string> merge_inputs;
  bool merge_force = false, merge_quiet = false, merge_allow_mixed = false;
  CLI::App* merge_cmd = app.add_subcommand(
      "merge", "join shards of one run (same config and seed, contiguous path ranges)");
  merge_cmd->add_option("output", merge_output, "merged results file")->required();
  merge_cmd->add_option("parts", merge_inputs, "shard results files, in any order")->required();
  merge_cmd->add_flag("--force", merge_force, "replace an existing output file");
  merge_cmd->add_flag("--quiet", merge_quiet, "no notes on stderr");
  merge_cmd->add_flag("--allow-mixed", merge_allow_mixed,
                      "merge shards made from other input contents or by another liqstress "
                      "binary (refused otherwise); recorded as mixed_inputs = 1 and "
                      "shard_inputs in the merged file");

  std::vector<std::string> compare_inputs;
  bool compare_json = false;
  CLI::App* compare_cmd = app.add_subcommand(
      "compare",
      "tail estimates of several runs side by side, paired differences under common "
      "random numbers");
  compare_cmd->add_option("files", compare_inputs, "results files; the first is the baseline")
      ->required();
  compare_cmd->add_flag("--json", compare_json, "print JSON instead of a table");

  SweepOptions sweep;
  CLI::App* sweep_cmd = app.add_subcommand(
      "sweep", "one run per point of a parameter grid, common random numbers, and a table");
  sweep_cmd->add_option("config", sweep.config, "scenario file")->required();
  sweep_cmd
      ->add_option("--vary", sweep.vary,
                   "KEY=FROM:TO:N (N values, both ends included) or KEY=V1,V2,...; several "
                   "--vary make a grid")
      ->required();
  sweep_cmd->add_option("-o,--output", sweep.output_dir,
                        "folder for the point files (default results/sweep-<name>/)");
  sweep_cmd->add_option("--paths", sweep.paths, "paths per point (default simulation.paths)");
  sweep_cmd->add_option("--seed", sweep.seed, "seed of every point");
  sweep_cmd->add_option("--set", sweep.sets, "override a scenario key at every point")->take_all();
  sweep_cmd->add_option("--backend", sweep.backend, "auto | cpu | cuda")->capture_default_str();
  sweep_cmd->add_option("--threads", sweep.threads, "CPU threads (0: all cores)")
      ->capture_default_str();
  sweep_cmd->add_flag("--force", sweep.force, "replace existing point files");
  sweep_cmd->add_flag("--quiet", sweep.quiet, "no notes on stderr");
  sweep_cmd->add_option("--point", sweep.point,
                        "run only point K (0-based; e.g. $SLURM_ARRAY_TASK_ID), no table");
  sweep_cmd->add_flag("--collect", sweep.collect,
                      "run nothing: build the table from the point files");
  sweep_cmd->add_flag("--list", sweep.list, "print the grid (points, files, settings) and exit");
  sweep_cmd->add_flag("--json", sweep.json, "print the table as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  }

  try {
    if (*run_cmd) return run_command(run, std::cout, std::cerr);
    if (*sweep_cmd) return sweep_command(sweep, std::cout, std::cerr);
    // Other commands do not split across ranks: rank 0 runs them, the others wait.
    if (mpi::active() && mpi::rank() != 0) {
      mpi::barrier();
      return 0;
    }
    struct BarrierAtExit {
      ~BarrierAtExit() { mpi::barrier(); }
    } barrier_at_exit;
    if (*validate_cmd) {
      return validate_command(validate_files, validate_sets, validate_keys, std::cout, std::cerr);
    }
    if (*info_cmd) return info_command(std::cout);
    if (*bench_cmd) return bench_command(bench, std::cout, std::cerr);
    if (*merge_cmd)
      return merge_command(merge_output, merge_inputs, merge_force, merge_quiet, merge_allow_mixed,
                           std::cout, std::cerr);
    if (*compare_cmd) return compare_command(compare_inputs, compare_json, std::cout, std::cerr);
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
  return static_cast<int>(ExitCode::usage);
}
