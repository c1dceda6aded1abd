// liqstress — `validate`, `info` and `bench` (see commands.h; `run` is in run.cpp).
#include "host/app/commands.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "host/backend/backend.h"
#include "host/book/book.h"
#include "host/scenario/config.h"
#include "host/backend/cuda_backend.h"
#include "host/util/errors.h"
#include "host/book/ladder.h"
#include "host/model/market_model.h"
#include "host/model/model_inputs.h"
#include "host/parallel/mpi.h"
#include "host/io/results_file.h"
#include "host/run/run_setup.h"
#include "host/util/table.h"
#include "host/util/version.h"

#ifndef LIQ_CUDA_ARCHITECTURES
#define LIQ_CUDA_ARCHITECTURES ""
#endif

namespace liq {

int validate_command(const std::vector<std::string>& configs, const std::vector<std::string>& sets,
                     std::ostream& out, std::ostream& err) {
  int failed = 0;
  for (const std::string& file : configs) {
    try {
      // What `run FILE` builds before it simulates, with its checks and messages.
      SetupRequest request;
      request.config = file;
      request.sets = sets;
      request.target_check = TargetCheck::validate;
      const RunSetup setup = set_up_run(request);
      const Scenario& sc = setup.scenario;
      for (const std::string& w : sc.warnings) err << "warning: " << w << '\n';
      out << "# " << file << ": ok (" << sc.n_assets() << " assets, "
          << format_count(sc.simulation.steps()) << " steps of "
          << format_seconds(sc.simulation.step_s) << ", "
          << format_count(static_cast<double>(sc.simulation.paths)) << " paths)\n"
          << "# book: " << setup.model->book().description << " in "
          << setup.model->ladders().groups() << " ladders, book_sha256 " << setup.book_sha256
          << "\n"
          << "# results: " << setup.target.string()
          << (setup.target_exists ? " (exists: `run` needs --force, or another path with -o)" : "")
          << "\n# resolved scenario, defaults included:\n"
          << sc.resolved_toml << "\n";
    } catch (const InputError& e) {
      err << "error: " << e.what() << '\n';
      ++failed;
    }
  }
  return failed > 0 ? static_cast<int>(ExitCode::usage) : 0;
}

int info_command(std::ostream& out) {
  out << "liqstress " << liqstress_version() << " (git " << git_commit() << ")\n";
  out << "results format: liqstress-results version " << kFormatVersion << ", rng philox4x32-10\n";
  out << "backends built:\n";
  out << "  cpu   OpenMP, " << omp_get_max_threads() << " threads available on " << cpu_model_name()
      << '\n';
  if (cuda_built()) {
    out << "  cuda  CUDA architectures " << LIQ_CUDA_ARCHITECTURES
        << " (real = machine code, virtual = PTX)\n";
  } else {
    out << "  cuda  not built (nvcc was not found at configure time)\n";
  }
  if (mpi::built()) {
    out << "MPI: built";
    if (mpi::active())
      out << " (" << mpi::library_version() << "), this job has " << mpi::size() << " ranks";
    else
      out << ": run across ranks with mpirun -np R liqstress run ... (the same bytes as one "
             "process)";
    out << '\n';
  } else {
    out << "MPI: not built (no MPI found at configure time; Debian: libopenmpi-dev)\n";
  }
  std::string why;
  const std::vector<CudaDeviceInfo> devices = cuda_devices(why);
  if (devices.empty()) {
    out << "CUDA devices: none usable (" << why << ")\n";
  } else {
    out << "CUDA devices:\n";
    for (const CudaDeviceInfo& d : devices) {
      out << "  " << d.index << ": " << d.name << ", compute capability " << d.compute_major << '.'
          << d.compute_minor << ", " << format_si(static_cast<double>(d.memory_bytes), 3)
          << "B memory\n";
    }
  }
  return 0;
}

namespace {

/// The benchmark's fixed workload (README, "Bench"): four assets as in the default
/// scenario, one day in one-minute steps, idiosyncratic and market-wide jumps on,
/// Gaussian innovations. Fixed here so that figures stay comparable across versions.
constexpr const char* kBenchScenario = R"(
[simulation]
paths = 8192
horizon = "24h"
step = "1m"
seed = 1
[market]
assets = ["BTC", "ETH", "SOL", "DOGE"]
correlation = [[1.0, 0.85, 0.75, 0.7], [0.85, 1.0, 0.8, 0.7], [0.75, 0.8, 1.0, 0.7], [0.7, 0.7, 0.7, 1.0]]
[asset.BTC]
spot = 121000.0
depth = 4.0e8
vol = 0.55
funding_8h = 0.0001
jumps = { rate = 6.0, mean = -0.02, stdev = 0.04 }
[asset.ETH]
spot = 4300.0
depth = 2.3e8
vol = 0.75
funding_8h = 0.0001
beta = 1.2
jumps = { rate = 8.0, mean = -0.03, stdev = 0.05 }
[asset.SOL]
spot = 220.0
depth = 6.9e7
vol = 0.95
funding_8h = 0.0001
beta = 1.5
jumps = { rate = 10.0, mean = -0.04, stdev = 0.06 }
[asset.DOGE]
spot = 0.25
depth = 2.3e7
vol = 1.1
funding_8h = 0.0001
beta = 1.6
jumps = { rate = 10.0, mean = -0.04, stdev = 0.07 }
[market_jumps]
rate = 1.0
mean = -0.08
stdev = 0.05
[book]
source = "synthetic"
[book.synthetic]
open_interest = { BTC = 3.5e10, ETH = 2.0e10, SOL = 6.0e9, DOGE = 2.0e9 }
positions = 100000
[insurance_fund]
balance = 1.0e9
liquidation_fee = 0.005
)";

template <typename F>
double median_seconds(int repeats, F&& work) {
  std::vector<double> t;
  for (int i = 0; i < std::max(repeats, 1); ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int bench_command(const BenchOptions& opt, std::ostream& out, std::ostream& err) {
  const Scenario sc = load_scenario_text(kBenchScenario, "bench workload",
                                         std::filesystem::current_path(), "bench");
  const ModelInputs inputs(sc);
  const Model price_only = inputs.prices_only();
  const Model full = inputs.model();
  // The same workload with forced flow moving prices (MODEL.md §4).
  const Scenario sc_impact =
      load_scenario_text(kBenchScenario, "bench workload", std::filesystem::current_path(), "bench",
                         {"impact.model=sqrt", "impact.half_life=\"30m\""});
  Model cascade = full;
  cascade.impact = impact_params(sc_impact);
  const MarketParams& params = full.market;
  const Ladders& ladders = inputs.ladders();
  std::string why;
  std::unique_ptr<Backend> backend =
      make_backend(parse_backend_choice(opt.backend), opt.threads, why);
  if (opt.paths && *opt.paths <= 0) throw InputError("--paths: must be > 0");
  const std::uint64_t n = opt.paths                   ? static_cast<std::uint64_t>(*opt.paths)
                          : backend->name() == "cuda" ? (std::uint64_t{1} << 20)
                                                      : std::uint64_t{8192};
  std::string device = backend->device();
  if (backend->name() == "cpu") device += " on " + cpu_model_name();
  err << "liqstress bench: backend " << backend->name() << " (" << device << "; " << why << ")\n";

  // Warm up (first-touch memory, device context, clocks), then the median of `repeats`.
  const std::uint64_t warm = std::min<std::uint64_t>(n, 1024);
  PathRows rows;
  StepSums sums;
  sums.reset(StepCells{params.n_steps, sc.n_assets()}.total());
  rows.resize(static_cast<std::size_t>(warm), sc.n_assets());
  backend->simulate(full, 0, rows, sums);
  rows.resize(static_cast<std::size_t>(n), sc.n_assets());
  const double t_model =
      median_seconds(opt.repeats, [&] { backend->simulate(price_only, 0, rows, sums); });
  const double t_full =
      median_seconds(opt.repeats, [&] { backend->simulate(full, 0, rows, sums); });
  const double t_cascade =
      median_seconds(opt.repeats, [&] { backend->simulate(cascade, 0, rows, sums); });
  double cascade_rounds = 0.0;
  for (std::uint16_t r : rows.cascade_rounds) cascade_rounds += r;
  double checksum = 0.0;
  const double t_rng = median_seconds(opt.repeats, [&] {
    checksum += backend->draw_randoms(params, 0, static_cast<std::size_t>(n));
  });

  const double pas = static_cast<double>(n) * sc.n_assets() * params.n_steps;
  out << "workload: " << format_count(static_cast<double>(n)) << " paths x " << sc.n_assets()
      << " assets (BTC, ETH, SOL, DOGE) x " << format_count(params.n_steps)
      << " one-minute steps, idiosyncratic + market-wide jumps, Gaussian innovations;\n"
      << "          book: synthetic, " << format_count(static_cast<double>(ladders.positions()))
      << " positions (100,000 per asset) in " << ladders.groups()
      << " ladders, Binance tiers, funding 0.01%/8h\n";
  out << "backend:  " << backend->name() << ", " << device << "\n\n";
  TextTable t({"measure", "path-asset-steps/s", "paths/s", "median time"});
  auto secs = [](double s) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(3) << s << " s";
    return o.str();
  };
  const double nd = static_cast<double>(n);
  t.add_row(
      {"full model: prices + book", format_si(pas / t_full), format_si(nd / t_full), secs(t_full)});
  t.add_row({"full model + cascades (sqrt impact)", format_si(pas / t_cascade),
             format_si(nd / t_cascade), secs(t_cascade)});
  t.add_row(
      {"price model alone", format_si(pas / t_model), format_si(nd / t_model), secs(t_model)});
  t.add_row({"random numbers alone", format_si(pas / t_rng), format_si(nd / t_rng), secs(t_rng)});
  t.print(out);
  out << "\nfull model / price model alone: " << std::fixed << std::setprecision(2)
      << t_model / t_full << "  (1.00 = the book costs nothing)\n";
  out << "cascades on / off:              " << std::fixed << std::setprecision(2)
      << t_full / t_cascade << "  (impact sqrt, strength 1, half-life 30m, SPEC depths; "
      << std::setprecision(1) << cascade_rounds / nd << " rounds in the worst step of a path)\n";
  out << "price model / RNG bound:        " << std::fixed << std::setprecision(2) << t_rng / t_model
      << "  (1.00 = the simulation runs at the speed of its own random numbers)\n";
  if (!std::isfinite(checksum)) out << "(checksum not finite)\n";
  return 0;
}

}  // namespace liq
