// liqstress tests — liquidations on whole paths (kernels/path.h): gaps through a liquidation
// price give the bad debt computed by hand (MODEL.md §3: "gaps are where bad debt comes
// from"), the insurance fund pays it and ADL takes the rest, and on every path of a random
// run the money is conserved to the cent: fund end = start + fees − bad debt the fund paid.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include "host/backend/backend.h"
#include "host/book/book.h"
#include "host/scenario/config.h"
#include "host/book/ladder.h"
#include "host/model/market_model.h"
#include "host/model/model_inputs.h"
#include "kernels/path.h"

namespace liq {
namespace {

/// One asset, zero volatility, spot 100, a shock of `shock` (simple return) at the end of the
/// first of two steps; a one-position book built by hand.
struct GapCase {
  MarketParams market{};
  std::vector<std::int32_t> shock_step{0};
  std::vector<double> shock_lr;
  LadderGroup group{};
  double trigger = 0, quantity = 0, bankrupt = 0, entry = 100.0;
  Model model;
  GapCase(double shock, Side side, double fund, double fee) : shock_lr{std::log1p(shock)} {
    market.n_assets = 1;
    market.n_steps = 2;
    market.dt_years = 1.0 / (365.0 * 24.0);
    market.sqrt_dt = std::sqrt(market.dt_years);
    market.chol[0] = 1.0;
    market.spot[0] = 100.0;
    market.n_shock_steps = 1;
    market.shock_step = shock_step.data();
    market.shock_log_return = shock_lr.data();
    // q = 1 coin entered at 100 with 10x leverage (M = 10), mm = 0.5%, A = 0.
    Position p;
    p.side = side;
    p.quantity = 1.0;
    p.entry_price = 100.0;
    p.margin_usd = 10.0;
    p.mm_rate = 0.005;
    trigger = liquidation_price(p);
    bankrupt = bankruptcy_price(p);
    quantity = 1.0;
    group.side = position_side(side);
    group.begin = 0;
    group.end = 1;
    model.market = market;
    model.book.n_groups = 1;
    for (int a = 1; a <= kMaxAssets; ++a) model.book.asset_groups[a] = 1;  // group 0: asset 0
    model.book.groups = &group;
    model.book.trigger = &trigger;
    model.book.quantity = &quantity;
    model.book.bankrupt = &bankrupt;
    model.book.entry = &entry;
    model.book.fund_start_usd = fund;
    model.book.liquidation_fee = fee;
  }
  PathRows run() {
    PathRows rows;
    rows.resize(1, 1);
    simulate_path(model, 0, 0, rows.view());
    return rows;
  }
};

TEST(LiquidationPath, GapThroughALongsLiquidationPriceGivesBadDebtByHand) {
  // P_liq = (100 − 10)/(1 − 0.005) = 90.4523 ; P_bk = 90 ; a −20% gap executes at 80:
  // bad debt = q (P_bk − P_x) = 10 ; nothing left for the fee.
  GapCase c(-0.20, Side::long_side, 1000.0, 0.005);
  const PathRows r = c.run();
  EXPECT_NEAR(r.liquidated_usd[0], 90.0 / 0.995, 1e-9);
  EXPECT_EQ(r.liquidated_usd[1], 0.0);
  EXPECT_EQ(r.liquidated_positions[0], 1u);
  EXPECT_NEAR(r.bad_debt_usd[0], 10.0, 1e-9);
  EXPECT_NEAR(r.insurance_fund_usd[0], 990.0, 1e-9);
  EXPECT_EQ(r.adl_usd[0], 0.0);
}

TEST(LiquidationPath, FundTooSmallAutoDeleveragesTheRest) {
  GapCase c(-0.20, Side::long_side, 4.0, 0.005);
  const PathRows r = c.run();
  EXPECT_NEAR(r.bad_debt_usd[0], 10.0, 1e-9);
  EXPECT_EQ(r.insurance_fund_usd[0], 0.0);
  EXPECT_NEAR(r.adl_usd[0], 6.0, 1e-9);
}

TEST(LiquidationPath, GapThroughAShortsLiquidationPrice) {
  // P_liq = 110/1.005 = 109.4527 ; P_bk = 110 ; +20% gap executes at 120: bad debt 10.
  GapCase c(+0.20, Side::short_side, 1000.0, 0.005);
  const PathRows r = c.run();
  EXPECT_NEAR(r.liquidated_usd[1], 110.0 / 1.005, 1e-9);
  EXPECT_EQ(r.liquidated_positions[1], 1u);
  EXPECT_NEAR(r.bad_debt_usd[0], 10.0, 1e-9);
  EXPECT_NEAR(r.insurance_fund_usd[0], 990.0, 1e-9);
}

TEST(LiquidationPath, GapShortOfBankruptcyPaysACappedFeeAndNoBadDebt) {
  // −9.7% lands at 90.3: below P_liq = 90.4523, above P_bk = 90. Margin left = 0.3,
  // fee = min(0.005 · 90.4523, 0.3) = 0.3 (capped by what is left).
  GapCase c(-0.097, Side::long_side, 1000.0, 0.005);
  const PathRows r = c.run();
  EXPECT_EQ(r.liquidated_positions[0], 1u);
  EXPECT_EQ(r.bad_debt_usd[0], 0.0);
  EXPECT_NEAR(r.insurance_fund_usd[0], 1000.3, 1e-9);
}

TEST(LiquidationPath, NoCrossingNoLiquidation) {
  GapCase c(-0.09, Side::long_side, 1000.0, 0.005);  // lands at 91 > P_liq
  const PathRows r = c.run();
  EXPECT_EQ(r.liquidated_positions[0], 0u);
  EXPECT_EQ(r.liquidated_usd[0], 0.0);
  EXPECT_EQ(r.insurance_fund_usd[0], 1000.0);
}

constexpr const char* kRandomRun = R"(
[simulation]
paths = 4000
horizon = "1d"
step = "15m"
seed = 99
[market]
assets = ["BTC", "ETH"]
correlation = [[1.0, 0.8], [0.8, 1.0]]
[asset.BTC]
spot = 100000.0
vol = 0.9
funding_8h = 0.0003
jumps = { rate = 300.0, mean = -0.03, stdev = 0.05 }
[asset.ETH]
spot = 4000.0
vol = 1.1
beta = 1.4
[market_jumps]
rate = 100.0
mean = -0.06
stdev = 0.04
[book]
source = "synthetic"
[book.synthetic]
open_interest = { BTC = 2.0e9, ETH = 1.0e9 }
positions = 3000
leverage = { levels = [5, 20, 50, 100], weights = [0.4, 0.3, 0.2, 0.1] }
[insurance_fund]
balance = 2.0e6
liquidation_fee = FEE
)";

Scenario random_scenario(const std::string& fee) {
  std::string text = kRandomRun;
  text.replace(text.find("FEE"), 3, fee);
  return load_scenario_text(text, "random.toml", std::filesystem::current_path(), "random");
}

PathRows run_all(const Scenario& sc) {
  const ModelInputs inputs(sc);
  const Model m = inputs.model();
  PathRows rows;
  rows.resize(static_cast<std::size_t>(sc.simulation.paths), sc.n_assets());
  StepSums sums;
  sums.reset(StepCells{m.market.n_steps, sc.n_assets()}.total());
  make_cpu_backend(0)->simulate(m, 0, rows, sums);
  return rows;
}

TEST(LiquidationPath, MoneyIsConservedToTheCentOnEveryPath) {
  // With fees: fees = fund end − start + (bad debt − ADL) must lie in [0, fee × notional].
  const Scenario sc = random_scenario("0.005");
  const PathRows r = run_all(sc);
  const double start = sc.insurance_fund.balance_usd, rate = sc.insurance_fund.liquidation_fee;
  std::size_t with_bad_debt = 0, with_adl = 0;
  for (std::size_t i = 0; i < r.n_rows; ++i) {
    double notional = 0.0;
    for (int c = 0; c < 4; ++c) notional += r.liquidated_usd[4 * i + c];
    const double fees = r.insurance_fund_usd[i] - start + (r.bad_debt_usd[i] - r.adl_usd[i]);
    ASSERT_GE(r.insurance_fund_usd[i], 0.0) << i;
    ASSERT_LE(r.adl_usd[i], r.bad_debt_usd[i] + 0.01) << i;
    ASSERT_GE(fees, -0.01) << i;
    ASSERT_LE(fees, rate * notional + 0.01) << i;
    with_bad_debt += r.bad_debt_usd[i] > 0 ? 1 : 0;
    with_adl += r.adl_usd[i] > 0 ? 1 : 0;
  }
  EXPECT_GT(with_bad_debt, 0u) << "the scenario must produce bad debt to test anything";
  EXPECT_GT(with_adl, 0u) << "and exhaust the fund on some paths";
}

TEST(LiquidationPath, WithoutFeesTheFundChangesByExactlyTheBadDebtItPaid) {
  const Scenario sc = random_scenario("0.0");
  const PathRows r = run_all(sc);
  const double start = sc.insurance_fund.balance_usd;
  for (std::size_t i = 0; i < r.n_rows; ++i) {
    ASSERT_NEAR(r.insurance_fund_usd[i], start - (r.bad_debt_usd[i] - r.adl_usd[i]), 0.01) << i;
    if (r.adl_usd[i] > 0) {
      ASSERT_EQ(r.insurance_fund_usd[i], 0.0) << i;
    }
  }
}

}  // namespace
}  // namespace liq
