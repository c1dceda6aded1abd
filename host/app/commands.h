// liqstress — the subcommands behind the CLI (host/app/main.cpp parses, these do the work).
// Each returns the process exit code (SPEC.md) and throws InputError / RuntimeFailure for
// main to report.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "host/run/run.h"

namespace liq {

/// liqstress validate FILE...: what `run` builds, and the resolved scenario; with `keys`, the
/// reference of every scenario key instead (docs/scenario-keys.md is its output).
int validate_command(const std::vector<std::string>& configs, const std::vector<std::string>& sets,
                     bool keys, std::ostream& out, std::ostream& err);
int info_command(std::ostream& out);

struct BenchOptions {
  std::string backend = "auto";
  std::string simd = "auto";  // --simd: the CPU backend's SIMD lanes
  int threads = 0;
  std::optional<std::int64_t> paths;  // default: per backend (README, "Bench")
  int repeats = 3;
};
int bench_command(const BenchOptions& options, std::ostream& out, std::ostream& err);

/// liqstress merge OUT.h5 PART.h5...: joins shards of one run (host/app/merge.cpp). Shards made
/// from other inputs (by content) or by another binary are refused unless `allow_mixed`.
int merge_command(const std::string& output, const std::vector<std::string>& inputs, bool force,
                  bool quiet, bool allow_mixed, std::ostream& out, std::ostream& err);

/// liqstress reverse CONFIG: the smallest scale of a stress direction at which a statistic of a
/// metric reaches a target (host/app/reverse.cpp).
struct ReverseOptions {
  std::string config;
  std::string metric = "bad_debt_usd";  // a /summary metric
  std::string statistic = "mean";       // mean | var:P | es:P | exceed:USD
  double target = 0.0;
  std::string scale = "shock";  // shock | a real-valued scenario key
  std::optional<std::int64_t> paths;
  std::vector<std::string> sets;
  std::string backend = "auto";
  std::string simd = "auto";  // --simd: the CPU backend's SIMD lanes
  int threads = 0;
  double max_scale = 64.0;
  double tolerance = 1e-3;  // relative, on s*
  std::optional<std::string> output_dir;
  bool force = false;
  bool json = false;
  bool quiet = false;
};
int reverse_command(const ReverseOptions& options, std::ostream& out, std::ostream& err);

struct SweepOptions {
  std::string config;
  std::vector<std::string> vary;          // --vary KEY=FROM:TO:N or KEY=V1,V2,...
  std::optional<std::string> output_dir;  // -o DIR, else results/sweep-<name>/
  std::optional<std::int64_t> paths;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> sets;
  std::string backend = "auto";
  std::string simd = "auto";  // --simd: the CPU backend's SIMD lanes
  int threads = 0;
  bool force = false;
  bool quiet = false;
  std::optional<std::int64_t> point;  // run only this point (a Slurm array task)
  bool collect = false;               // only build the table from existing files
  bool list = false;                  // print the grid
  bool json = false;
};
/// liqstress sweep CONFIG --vary ...: one run per grid point (host/app/sweep.cpp).
int sweep_command(const SweepOptions& options, std::ostream& out, std::ostream& err);

/// liqstress compare A.h5 B.h5...: scenarios side by side (host/app/compare.cpp).
int compare_command(const std::vector<std::string>& inputs, bool json, std::ostream& out,
                    std::ostream& err);

}  // namespace liq
