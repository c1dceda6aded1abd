// liqstress tests — funding moves liquidation prices (docs/MODEL.md §3), worked by hand.
// F accrues at each step's start: F ← F + rate_8h·(Δ/8h)·S_k, longs pay when > 0; a long's
// liquidation price is K + F/(1 − mm), a short's K + F/(1 + mm). Zero volatility, 8-hour
// steps, so every price and every step below is arithmetic.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/model/model_inputs.h"
#include "host/scenario/config.h"

namespace liq {
namespace {

namespace fs = std::filesystem;

constexpr const char* kScenario = R"(
[simulation]
paths = 1
horizon = "61d"
step = "8h"
[market]
assets = ["BTC"]
correlation = [[1.0]]
[asset.BTC]
spot = 100.0
vol = 0.0
[book]
source = "csv"
path = "book.csv"
)";

/// The steps in which the BTC longs (side 0) or shorts (1) were liquidated.
std::vector<int> liquidation_steps(const std::string& book, const std::vector<std::string>& sets,
                                   int side) {
  const fs::path dir = fs::temp_directory_path() / ("liq-funding-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "book.csv") << "asset,side,notional_usd,entry_price,leverage,"
                                     "maintenance_rate\n"
                                  << book;
  const Scenario sc = load_scenario_text(kScenario, "f.toml", dir, "f", sets);
  const ModelInputs inputs(sc);
  const Model m = inputs.model();
  PathRows rows;
  rows.resize(1, 1);
  StepSums sums;
  const StepCells cells{m.market.n_steps, 1};
  sums.reset(cells.total());
  make_cpu_backend(1)->simulate(m, 0, rows, sums);
  fs::remove_all(dir);
  std::vector<int> steps;
  for (int k = 0; k < m.market.n_steps; ++k)
    if (sums.mean(cells.liquidated(k, 0, side), 1) > 0.0) steps.push_back(k);
  return steps;
}

// A 22x long entered at 100, mm 0.5%: K = (100 − 100/22)/0.995. At a constant price of 100 it
// is liquidated in step k when K + (k + 1)·r·100/0.995 ≥ 100, i.e. (k + 1)·r·100 ≥ 100/22 − 0.5
// = 4.0454... (no step sits on the boundary, so rounding cannot move it).
constexpr const char* kLong = "BTC,long,1000,100,22,0.005\n";

int long_step(double rate_8h) {
  return static_cast<int>(std::ceil((100.0 / 22.0 - 0.5) / (rate_8h * 100.0))) - 1;
}

TEST(Funding, ConstantFundingBringsALongsLiquidationEarlierByTheComputedSteps) {
  EXPECT_TRUE(liquidation_steps(kLong, {}, 0).empty()) << "without funding: never";
  EXPECT_EQ(liquidation_steps(kLong, {"asset.BTC.funding_8h=0.001"}, 0),
            std::vector<int>{long_step(0.001)});  // 41 accruals: step 40
  EXPECT_EQ(long_step(0.001), 40);
  EXPECT_EQ(liquidation_steps(kLong, {"asset.BTC.funding_8h=0.0005"}, 0),
            std::vector<int>{long_step(0.0005)});
}

TEST(Funding, ConstantFundingBringsAShortsLiquidationLater) {
  // Price drifting up at μ = 2 a year: S_j = 100·e^{2·j·Δ}, Δ = 8 h; a 20x short, K =
  // 105/1.005, is liquidated in the first step whose end S_{k+1} reaches K + F_k/1.005, with
  // F_k = Σ_{j ≤ k} r·S_j (shorts receive: their liquidation price rises).
  const char* book = "BTC,short,1000,100,20,0.005\n";
  const double dt = 8.0 / (24.0 * 365.0), k_liq = 105.0 / 1.005;
  auto expected = [&](double r) {
    double f = 0.0;
    for (int k = 0;; ++k) {
      f += r * 100.0 * std::exp(2.0 * k * dt);
      if (100.0 * std::exp(2.0 * (k + 1) * dt) >= k_liq + f / 1.005) return k;
    }
  };
  const std::vector<std::string> drift{"asset.BTC.drift=2.0"};
  std::vector<std::string> funded = drift;
  funded.push_back("asset.BTC.funding_8h=0.0005");
  const int without = expected(0.0), with = expected(0.0005);
  ASSERT_GT(with, without);
  EXPECT_EQ(liquidation_steps(book, drift, 1), std::vector<int>{without});
  EXPECT_EQ(liquidation_steps(book, funded, 1), std::vector<int>{with});
}

TEST(Funding, EndogenousRateFromTheBooksImbalance) {
  // Long-only book: imbalance +1, no impact, premium P = κ = 0.0015; rate = P + clamp(I − P,
  // ±0.0005) with I = 0.0001: 0.0015 − 0.0005 = 0.001 per 8 h — the constant case above.
  const std::vector<std::string> endo{"asset.BTC.funding=endogenous"};
  EXPECT_EQ(liquidation_steps(kLong, endo, 0), std::vector<int>{long_step(0.001)});
  // Three coins of 20x long against one coin of short (which the constant price never
  // reaches): imbalance (30 − 10)/40 = 0.5, P = 0.00075, rate = 0.00075 − 0.0005 = 0.00025.
  const std::string two_sided = "BTC,long,3000,100,22,0.005\nBTC,short,1000,100,20,0.005\n";
  EXPECT_EQ(liquidation_steps(two_sided, endo, 0), std::vector<int>{long_step(0.00025)});
  EXPECT_EQ(long_step(0.00025), 161);
  // Short-heavy: imbalance −0.5, P = −0.00075, rate = −0.00075 + 0.0005 = −0.00025: the longs
  // receive, and the long is never liquidated; the capped rule keeps |rate| ≤ cap.
  const std::string short_heavy = "BTC,long,1000,100,22,0.005\nBTC,short,3000,100,20,0.005\n";
  EXPECT_TRUE(liquidation_steps(short_heavy, endo, 0).empty());
  std::vector<std::string> capped = endo;
  capped.push_back("asset.BTC.funding_cap_8h=0.0004");  // 0.001 capped at 0.0004
  EXPECT_EQ(liquidation_steps(kLong, capped, 0), std::vector<int>{long_step(0.0004)});
}

}  // namespace
}  // namespace liq
