// liqstress — the command line (SPEC.md "Command line"): parses with CLI11, dispatches to
// host/commands.h, and turns errors into messages and exit codes (0 ok, 2 bad input,
// 3 runtime failure, 130/143 interrupted).
#include <CLI/CLI.hpp>
#include <iostream>

#include "host/commands.h"
#include "host/errors.h"
#include "host/version.h"

int main(int argc, char** argv) {
  using namespace liq;
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

  std::vector<std::string> validate_files, validate_sets;
  CLI::App* validate_cmd =
      app.add_subcommand("validate", "check scenario files and print the resolved scenario");
  validate_cmd->add_option("configs", validate_files, "scenario files")->required();
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  }

  try {
    if (*run_cmd) return run_command(run, std::cout, std::cerr);
    if (*validate_cmd) return validate_command(validate_files, validate_sets, std::cout, std::cerr);
    if (*info_cmd) return info_command(std::cout);
    if (*bench_cmd) return bench_command(bench, std::cout, std::cerr);
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
