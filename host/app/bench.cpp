// liqstress — `liqstress bench`: throughput of the fixed workload (README, "Bench").
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "host/app/commands.h"
#include "host/backend/backend.h"
#include "host/book/book.h"
#include "host/book/ladder.h"
#include "host/model/market_model.h"
#include "host/model/model_inputs.h"
#include "host/run/run_setup.h"
#include "host/scenario/config.h"
#include "host/util/errors.h"
#include "host/util/format.h"
#include "host/util/system.h"
#include "host/util/table.h"

namespace liq {

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
      make_backend(parse_backend_choice(opt.backend), opt.threads, why, 0, opt.simd);
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
  sums.reset(step_cells(params).total());
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
