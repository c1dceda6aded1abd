// liqstress unit tests — SIMD lanes of paths (host/backend/lanes.h) against the scalar
// kernels, byte for byte: every instruction set this processor runs, paths in every lane and
// in a partly filled last group, and every feature the draws have (Student-t blocks, volatility
// regimes, importance sampling, shocks, a book with cascades and a portfolio). The scalar
// path (SimdLevel::off, simulate_path one path at a time) is the oracle.
#include "host/backend/lanes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/model/model_inputs.h"
#include "host/scenario/config.h"
#include "host/util/errors.h"
#include "tests/unit/same_bytes.h"

namespace liq {
namespace {

constexpr const char* kScenario = R"(
[simulation]
paths = 203
horizon = "12h"
step = "5m"
seed = 11
[market]
assets = ["BTC", "ETH", "SOL"]
correlation = [[1.0, 0.8, 0.7], [0.8, 1.0, 0.75], [0.7, 0.75, 1.0]]
[asset.BTC]
spot = 100000.0
vol = 0.9
funding_8h = 0.0003
depth = 2.0e8
jumps = { rate = 200.0, mean = -0.03, stdev = 0.05 }
[asset.ETH]
spot = 4000.0
vol = 1.1
beta = 1.4
depth = 1.0e8
jumps = { rate = 100.0, mean = -0.02, stdev = 0.04 }
[asset.SOL]
spot = 200.0
vol = 1.3
beta = -0.5
depth = 5.0e7
[market_jumps]
rate = 80.0
mean = -0.06
stdev = 0.04
[[shock]]
at = "3h"
returns = { BTC = -0.06, ETH = -0.09, SOL = -0.1 }
[book]
source = "synthetic"
[book.synthetic]
open_interest = { BTC = 2.0e9, ETH = 1.0e9, SOL = 3.0e8 }
positions = 5000
[insurance_fund]
balance = 2.0e6
liquidation_fee = 0.005
[[portfolio]]
name = "fund-a"
collateral = 2.0e6
positions = [ { asset = "BTC", side = "long", notional = 1.5e7, entry = 99000.0 } ]
)";

struct Simulated {
  PathRows rows;
  StepSums sums;
};

Simulated simulate(const Model& model, std::size_t n, std::uint64_t first, SimdLevel simd,
                   int threads) {
  Simulated r;
  r.rows.resize(n, model.market.n_assets, model.portfolios.n_accounts);
  r.sums.reset(step_cells(model.market).total());
  make_cpu_backend(threads, simd)->simulate(model, first, r.rows, r.sums);
  return r;
}

void expect_same(const Simulated& a, const Simulated& b, const std::string& what) {
  EXPECT_EQ(first_difference(a.rows.final_log_return, b.rows.final_log_return), -1) << what;
  EXPECT_EQ(first_difference(a.rows.min_log_return, b.rows.min_log_return), -1) << what;
  EXPECT_EQ(first_difference(a.rows.max_log_return, b.rows.max_log_return), -1) << what;
  EXPECT_EQ(first_difference(a.rows.weight, b.rows.weight), -1) << what;
  EXPECT_EQ(first_difference(a.rows.liquidated_usd, b.rows.liquidated_usd), -1) << what;
  EXPECT_EQ(first_difference(a.rows.liquidated_positions, b.rows.liquidated_positions), -1) << what;
  EXPECT_EQ(first_difference(a.rows.bad_debt_usd, b.rows.bad_debt_usd), -1) << what;
  EXPECT_EQ(first_difference(a.rows.insurance_fund_usd, b.rows.insurance_fund_usd), -1) << what;
  EXPECT_EQ(first_difference(a.rows.portfolio_pnl_usd, b.rows.portfolio_pnl_usd), -1) << what;
  EXPECT_EQ(first_difference(a.rows.cascade_rounds, b.rows.cascade_rounds), -1) << what;
  EXPECT_EQ(first_difference(a.sums.words, b.sums.words), -1) << what;
}

std::vector<SimdLevel> levels_here() {
  std::vector<SimdLevel> out;
  for (SimdLevel l : {SimdLevel::sse2, SimdLevel::avx2, SimdLevel::avx512})
    if (static_cast<int>(l) <= static_cast<int>(best_simd_level())) out.push_back(l);
  return out;
}

void check_lanes(const std::vector<std::string>& overrides, const std::string& what) {
  const Scenario sc = load_scenario_text(kScenario, "lanes.toml", std::filesystem::current_path(),
                                         "lanes", overrides);
  const ModelInputs inputs(sc);
  for (const Model& model : {inputs.model(), inputs.prices_only()}) {
    // 203 paths from path 1001: every lane of 25 full groups and a group of 3.
    const Simulated oracle = simulate(model, 203, 1001, SimdLevel::off, 1);
    for (SimdLevel level : levels_here()) {
      expect_same(oracle, simulate(model, 203, 1001, level, 1),
                  what + ", " + simd_level_name(level));
      expect_same(oracle, simulate(model, 203, 1001, level, 2),
                  what + ", " + simd_level_name(level) + ", 2 threads");
    }
  }
}

TEST(Lanes, SameBytesAsTheScalarKernels) {
  check_lanes({}, "jumps, shock, book, portfolio");
}

TEST(Lanes, SameBytesWithCascades) {
  check_lanes({"impact.model=sqrt", "impact.half_life=\"30m\"", "impact.cross.BTC.ETH=0.6"},
              "cascades");
}

TEST(Lanes, SameBytesWithStudentTBlocks) {
  check_lanes(
      {"simulation.innovations=\"student-t\"", "simulation.dof=3.5", "simulation.dof_block=\"1h\""},
      "Student-t");
}

TEST(Lanes, SameBytesWithImportanceSampling) {
  check_lanes({"importance.jump_rate_multiplier=3.0",
               "importance.jump_mean_shift={BTC=-0.02, ETH=-0.01, SOL=0.0}",
               "importance.market_jump_rate_multiplier=2.0",
               "importance.market_jump_mean_shift=-0.01", "importance.diffusion_shift=-0.5"},
              "importance sampling");
}

TEST(Lanes, SameBytesWithRegimes) {
  check_lanes({"regime=[{name=\"calm\", to={stressed=0.5}}, {name=\"stressed\", "
               "vol_multiplier=2.0, to={calm=2.0}}]"},
              "regimes");
}

TEST(Lanes, AShorterGroupDrawsWhatAFullOneDraws) {
  // A path's bytes do not depend on the lane it runs in: path 1005 alone, as the first lane
  // of a group of one, equals its row in a run where it is the fifth lane.
  const Scenario sc =
      load_scenario_text(kScenario, "lanes.toml", std::filesystem::current_path(), "lanes");
  const ModelInputs inputs(sc);
  const Model model = inputs.model();
  const Simulated all = simulate(model, 16, 1001, best_simd_level(), 1);
  const Simulated one = simulate(model, 1, 1005, best_simd_level(), 1);
  EXPECT_EQ(std::memcmp(&all.rows.final_log_return[4 * 3], one.rows.final_log_return.data(),
                        3 * sizeof(double)),
            0);
  EXPECT_EQ(std::memcmp(&all.rows.bad_debt_usd[4], one.rows.bad_debt_usd.data(), sizeof(double)),
            0);
}

TEST(Lanes, SimdLevelsParseAndRefuseWhatThisProcessorLacks) {
  EXPECT_EQ(parse_simd_level("off"), SimdLevel::off);
  EXPECT_EQ(parse_simd_level("auto"), best_simd_level());
  EXPECT_THROW(parse_simd_level("avx1024"), InputError);
  if (best_simd_level() != SimdLevel::avx512) {
    EXPECT_THROW(parse_simd_level("avx512"), InputError);
  }
}

}  // namespace
}  // namespace liq
