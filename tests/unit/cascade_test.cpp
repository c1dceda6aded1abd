// liqstress tests — the cascade (MODEL.md §4): forced flow moves prices within a step and
// across assets. A fixed book under a fixed shock with zero volatility against the fixed
// point computed here by a plain loop; η = 0 gives the run without feedback byte for byte;
// more strength or thinner depth never liquidates less on any path where the model
// guarantees it (long-only book, linear, permanent impact, no funding); cross-impact and
// cross-margin accounts carry a shock to an asset that was not shocked, and only then.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/book/book.h"
#include "host/scenario/config.h"
#include "host/model/model_inputs.h"
#include "kernels/path.h"

namespace liq {
namespace {

namespace fs = std::filesystem;

/// A scratch folder for a test's book file, removed afterwards.
class Scratch {
 public:
  Scratch() {
    dir_ = fs::temp_directory_path() /
           ("liq-cascade-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
  }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

struct SimRun {
  PathRows rows;
  StepSums sums;
};

SimRun run_all(const Scenario& sc, int threads = 0) {
  const ModelInputs inputs(sc);
  const Model m = inputs.model();
  SimRun r;
  r.rows.resize(static_cast<std::size_t>(sc.simulation.paths), sc.n_assets(),
                static_cast<int>(sc.portfolios.size()));
  r.sums.reset(StepCells{m.market.n_steps, sc.n_assets()}.total());
  make_cpu_backend(threads)->simulate(m, 0, r.rows, r.sums);
  return r;
}

// ---- a deterministic cascade -------------------------------------------------------------

// Longs entered at 100 with mm = 0.5% and leverage L: P_liq = 100 (1 − 1/L) / 0.995,
// P_bk = 100 (1 − 1/L). A −5% gap at the end of the first hour reaches only the 50x
// position; its forced sale moves the price, which reaches the 16x, whose sale reaches the
// 14x; the 12x survives.
constexpr const char* kBook = R"(asset,side,notional_usd,entry_price,leverage,maintenance_rate
BTC,long,1200000,100,50,0.005
BTC,long,800000,100,16,0.005
BTC,long,800000,100,14,0.005
BTC,long,900000,100,12,0.005
BTC,long,900000,100,5,0.005
BTC,short,900000,100,10,0.005
)";

constexpr const char* kFixedCase = R"(
[simulation]
paths = 4
horizon = "2h"
step = "1h"
seed = 11
[market]
assets = ["BTC"]
correlation = [[1.0]]
[asset.BTC]
spot = 100.0
vol = 1e-9
depth = 1.0e6
[[shock]]
at = "0h"
returns = { BTC = -0.05 }
[impact]
model = "linear"
strength = 1.0
half_life = "inf"
[book]
source = "csv"
path = "book.csv"
)";

struct FixedPoint {
  double flow = 0.0;  // USD liquidated (all longs: the net flow is −flow)
  double shift = 0.0;
  int rounds = 0;
  double bad_debt = 0.0;
};

/// The cascade by hand (docs/MODEL.md §4): price = 95·e^{Δm}, Δm = −η·0.01·g(F/D); liquidate
/// every long whose P_liq the price reaches, repeat; then settle (§3) at the final Δm: the
/// 50x, reached by the gap, executes at 95·e^{Δm}, the others, reached only by impact, at
/// P_liq·e^{Δm}.
FixedPoint fixed_point(const std::vector<Position>& book, double eta, double depth, bool sqrt_law,
                       int max_rounds) {
  FixedPoint fp;
  std::vector<bool> done(book.size(), false);
  for (int round = 0; round < max_rounds; ++round) {
    const double price = 95.0 * std::exp(fp.shift);
    bool any = false;
    for (std::size_t i = 0; i < book.size(); ++i) {
      const Position& p = book[i];
      if (done[i] || p.side != Side::long_side || liquidation_price(p) < price) continue;
      done[i] = true;
      any = true;
      fp.flow += p.quantity * liquidation_price(p);
    }
    if (!any) break;
    ++fp.rounds;
    const double r = fp.flow / depth;
    fp.shift = -eta * 0.01 * (sqrt_law ? std::sqrt(r) : r);
  }
  const double f = std::exp(fp.shift);
  for (std::size_t i = 0; i < book.size(); ++i) {
    if (!done[i]) continue;
    const Position& p = book[i];
    const double base = liquidation_price(p) >= 95.0 ? 95.0 : liquidation_price(p);
    fp.bad_debt += p.quantity * std::max(bankruptcy_price(p) - base * f, 0.0);
  }
  return fp;
}

Scenario fixed_scenario(const Scratch& s, const std::vector<std::string>& overrides = {}) {
  s.write("book.csv", kBook);
  return load_scenario_text(kFixedCase, "fixed.toml", s.dir(), "fixed", overrides);
}

TEST(Cascade, FixedBookReachesTheFixedPointComputedByHand) {
  Scratch s;
  const Scenario sc = fixed_scenario(s);
  const std::vector<Position> book = load_book(sc).positions;
  const FixedPoint fp = fixed_point(book, 1.0, 1.0e6, false, 64);
  ASSERT_EQ(fp.rounds, 3) << "the case is built for three rounds (50x, 16x, 14x)";
  const SimRun r = run_all(sc);
  for (std::size_t i = 0; i < r.rows.n_rows; ++i) {
    EXPECT_NEAR(r.rows.liquidated_usd[2 * i], fp.flow, 1e-6) << i;
    EXPECT_EQ(r.rows.liquidated_usd[2 * i + 1], 0.0) << i;
    EXPECT_EQ(r.rows.liquidated_positions[2 * i], 3u) << i;
    EXPECT_EQ(r.rows.cascade_rounds[i], 3) << i;
    // Volatility 1e-9 moves the 50x position's execution by about 1e-8 USD per coin.
    EXPECT_NEAR(r.rows.bad_debt_usd[i], fp.bad_debt, 1e-3) << i;
    // The 50x alone, executed at the post-gap 95 without impact, would leave 12,000·(98 − 95).
    EXPECT_GT(r.rows.bad_debt_usd[i], 12000.0 * 3.0 + 1.0e4) << "impact creates bad debt";
    // Permanent impact: the price stays where the cascade left it.
    EXPECT_NEAR(r.rows.min_log_return[i], std::log(0.95) + fp.shift, 1e-7) << i;
    EXPECT_NEAR(r.rows.final_log_return[i], std::log(0.95) + fp.shift, 1e-7) << i;
  }
  // The timeline: all of the flow in step 0, and the impact it left.
  const StepCells cells{2, 1};
  EXPECT_NEAR(r.sums.mean(cells.flow(0, 0), r.rows.n_rows), -fp.flow, 0.01);
  EXPECT_EQ(r.sums.mean(cells.flow(1, 0), r.rows.n_rows), 0.0);
  EXPECT_NEAR(r.sums.mean(cells.impact(0, 0), r.rows.n_rows, kImpactScale), fp.shift, 1e-11);
  EXPECT_NEAR(r.sums.mean(cells.impact(1, 0), r.rows.n_rows, kImpactScale), fp.shift, 1e-11);
}

TEST(Cascade, SquareRootLawReachesItsOwnFixedPoint) {
  Scratch s;
  const Scenario sc = fixed_scenario(s, {"impact.model=sqrt"});
  const FixedPoint fp = fixed_point(load_book(sc).positions, 1.0, 1.0e6, true, 64);
  ASSERT_GE(fp.rounds, 2);
  const SimRun r = run_all(sc);
  EXPECT_NEAR(r.rows.liquidated_usd[0], fp.flow, 1e-6);
  EXPECT_EQ(r.rows.cascade_rounds[0], fp.rounds);
  EXPECT_NEAR(r.rows.final_log_return[0], std::log(0.95) + fp.shift, 1e-7);
}

TEST(Cascade, RoundCapStopsTheCascadeAndIsRecorded) {
  Scratch s;
  // One step: a capped cascade would otherwise go on at the next step's start.
  const Scenario sc =
      fixed_scenario(s, {"impact.max_cascade_rounds=2", "simulation.horizon=\"1h\""});
  const FixedPoint fp = fixed_point(load_book(sc).positions, 1.0, 1.0e6, false, 2);
  const SimRun r = run_all(sc);
  EXPECT_EQ(r.rows.cascade_rounds[0], 2);
  EXPECT_EQ(r.rows.liquidated_positions[0], 2u);
  EXPECT_NEAR(r.rows.liquidated_usd[0], fp.flow, 1e-6);
  // The impact of the second round's flow still moves the price.
  EXPECT_NEAR(r.rows.final_log_return[0], std::log(0.95) + fp.shift, 1e-7);
}

TEST(Cascade, ImpactDecaysWithItsHalfLife) {
  // Half-life one step: by the end of the second hour half of the impact is gone.
  Scratch s;
  const Scenario sc = fixed_scenario(s, {"impact.half_life=\"1h\""});
  const FixedPoint fp = fixed_point(load_book(sc).positions, 1.0, 1.0e6, false, 64);
  const SimRun r = run_all(sc);
  EXPECT_NEAR(r.rows.min_log_return[0], std::log(0.95) + fp.shift, 1e-7);
  EXPECT_NEAR(r.rows.final_log_return[0], std::log(0.95) + 0.5 * fp.shift, 1e-7);
  const StepCells cells{2, 1};
  EXPECT_NEAR(r.sums.mean(cells.impact(1, 0), 4, kImpactScale), 0.5 * fp.shift, 1e-11);
}

TEST(Cascade, WithoutImpactOneRoundLiquidatesWhatTheGapReached) {
  Scratch s;
  const SimRun r = run_all(fixed_scenario(s, {"impact.model=none"}));
  EXPECT_EQ(r.rows.liquidated_positions[0], 1u);
  EXPECT_EQ(r.rows.cascade_rounds[0], 1);
  EXPECT_NEAR(r.rows.final_log_return[0], std::log(0.95), 1e-7);
}

// ---- known answers from the model document ----------------------------------------------

constexpr const char* kOneStep = R"(
[simulation]
paths = 2
horizon = "1h"
step = "1h"
[market]
assets = ["BTC"]
correlation = [[1.0]]
[asset.BTC]
spot = 100.0
vol = 0.0
depth = 1.0e6
[[shock]]
at = "0h"
returns = { BTC = -0.04 }
[impact]
model = "linear"
strength = 1.0
[book]
source = "csv"
path = "book.csv"
[insurance_fund]
balance = 10000.0
liquidation_fee = 0.005
)";

constexpr const char* kOneStepBook =
    R"(asset,side,notional_usd,entry_price,leverage,maintenance_rate
BTC,long,1000000,100,25,0.005
BTC,long,600000,100,20,0.005
BTC,long,500000,100,10,0.05
BTC,short,300000,100,10,0.005
)";

TEST(Cascade, OneStepKnownAnswerToTheCent) {
  // Every number from tests/known_answers/one_step_cascade.py, an independent script written
  // from docs/MODEL.md §3–§4: the gap liquidates the 25x long at the post-gap 96, its sale
  // reaches the 20x, whose sale reaches the 10x (mm 5%); all three execute at prices moved by
  // the final Δm; the fund pays what it can, and ADL closes the short, which is in profit.
  Scratch s;
  s.write("book.csv", kOneStepBook);
  const SimRun r = run_all(load_scenario_text(kOneStep, "one.toml", s.dir(), "one"));
  for (std::size_t i = 0; i < r.rows.n_rows; ++i) {
    EXPECT_EQ(r.rows.cascade_rounds[i], 3);
    EXPECT_EQ(r.rows.liquidated_positions[2 * i], 3u);
    EXPECT_EQ(r.rows.liquidated_positions[2 * i + 1], 0u);
    EXPECT_NEAR(r.rows.liquidated_usd[2 * i], 2011372.652737, 0.005);
    EXPECT_NEAR(r.rows.bad_debt_usd[i], 27659.291308, 0.005);
    EXPECT_NEAR(r.rows.insurance_fund_usd[i], 0.0, 0.005);
    EXPECT_NEAR(r.rows.adl_usd[i], 15290.870255, 0.005);
    EXPECT_NEAR(r.rows.adl_closed_usd[i], 286875.0, 0.005);
    EXPECT_NEAR(r.rows.min_log_return[i], -0.060935721048, 1e-11);
    EXPECT_NEAR(r.rows.final_log_return[i], -0.060935721048, 1e-11);
  }
  // Fees: fund = 10,000 + fees − what it paid (all of it); the script's fees are 2,368.42.
  const StepCells cells{1, 1};
  EXPECT_NEAR(r.sums.mean(cells.adl(0), r.rows.n_rows), 15290.870255, 0.005);
  EXPECT_NEAR(r.sums.mean(cells.adl_closed(0), r.rows.n_rows), 286875.0, 0.005);
  EXPECT_NEAR(r.sums.mean(cells.impact(0, 0), r.rows.n_rows, kImpactScale), -0.020113726527, 1e-11);
}

TEST(Cascade, OneStepFeesWithoutBankruptcies) {
  // The same book and gap with a fund large enough: nothing is deleveraged, and the fund ends
  // at 1e6 + fees − bad debt = 1e6 + 2,368.421053 − 27,659.291308 (the script's figures).
  Scratch s;
  s.write("book.csv", kOneStepBook);
  const SimRun r = run_all(
      load_scenario_text(kOneStep, "one.toml", s.dir(), "one", {"insurance_fund.balance=1e6"}));
  EXPECT_NEAR(r.rows.insurance_fund_usd[0], 1.0e6 + 2368.421053 - 27659.291308, 0.005);
  EXPECT_EQ(r.rows.adl_usd[0], 0.0);
  EXPECT_EQ(r.rows.adl_closed_usd[0], 0.0);
}

TEST(Cascade, AdlClosesTheCounterpartySoALaterSqueezeCannotLiquidateIt) {
  // Two steps: the crash of OneStep, then a +30% shock at the end of the second hour that
  // would liquidate the short (P_liq = 110/1.005 = 109.45 against 96·e^{Δm}·1.3 ≈ 122).
  // Pro rata, ADL closed the whole short in step 0 (3,000 coins in profit against 8,845
  // uncovered): nothing of it is left to liquidate. With adl = "none" it is still there.
  Scratch s;
  s.write("book.csv", kOneStepBook);
  const std::vector<std::string> two_steps{"simulation.horizon=\"2h\"",
                                           "shock=[{at = \"0h\", returns = {BTC = -0.04}}, "
                                           "{at = \"1h\", returns = {BTC = 0.3}}]"};
  std::vector<std::string> none = two_steps;
  none.push_back("insurance_fund.adl=none");
  const SimRun adl = run_all(load_scenario_text(kOneStep, "one.toml", s.dir(), "one", two_steps));
  const SimRun off = run_all(load_scenario_text(kOneStep, "one.toml", s.dir(), "one", none));
  EXPECT_NEAR(adl.rows.adl_closed_usd[0], 286875.0, 0.005);
  EXPECT_EQ(adl.rows.liquidated_positions[1], 0u);
  EXPECT_EQ(adl.rows.liquidated_usd[1], 0.0);
  EXPECT_EQ(off.rows.adl_closed_usd[0], 0.0);
  EXPECT_EQ(off.rows.liquidated_positions[1], 1u);
  EXPECT_NEAR(off.rows.liquidated_usd[1], 3000.0 * 110.0 / 1.005, 1e-6);
  // Step 0's deficit is the same; in step 1 the +30% gap takes the short past bankruptcy.
  const StepCells cells{2, 1};
  EXPECT_NEAR(adl.sums.mean(cells.adl(0), 2), off.sums.mean(cells.adl(0), 2), 0.005);
  EXPECT_EQ(adl.sums.mean(cells.adl(1), 2), 0.0);
  EXPECT_GT(off.sums.mean(cells.adl(1), 2), 0.0);
}

TEST(Cascade, AdlReducesCounterpartiesProRata) {
  // A fund that covers all but 2,000 USD of a bad debt B leaves u = 2,000/B of the bankrupt
  // coins, Q = u·16,000 (the 25x and 20x longs; the 10x pays its fee), to be matched; the
  // short holds 3,000 coins in profit, so it keeps 1 − Q/3,000 of itself, and the +30% shock
  // then liquidates that fraction: keep · 3,000 · 110/1.005.
  Scratch s;
  s.write("book.csv", kOneStepBook);
  const double bad = 27659.291308, fees = 2368.421053;
  const double balance = bad - fees - 2000.0;
  const SimRun r = run_all(load_scenario_text(
      kOneStep, "one.toml", s.dir(), "one",
      {"simulation.horizon=\"2h\"", "insurance_fund.balance=" + std::to_string(balance),
       "shock=[{at = \"0h\", returns = {BTC = -0.04}}, {at = \"1h\", returns = {BTC = 0.3}}]"}));
  const double u = 2000.0 / bad;
  const double keep = 1.0 - u * 16000.0 / 3000.0;
  const StepCells cells{2, 1};
  EXPECT_NEAR(r.sums.mean(cells.adl(0), 2), 2000.0, 0.005);
  EXPECT_NEAR(r.sums.mean(cells.adl_closed(0), 2), u * (10000.0 * 96.0 + 6000.0 * 95.0), 0.005);
  EXPECT_EQ(r.rows.liquidated_positions[1], 1u);
  EXPECT_NEAR(r.rows.liquidated_usd[1], keep * 3000.0 * 110.0 / 1.005, 1e-3);
}

TEST(Cascade, ExtremesIncludeEveryRoundEvenWhenTheShiftReverses) {
  // BTC: a −4% gap liquidates a 25x long (P_liq 96.482412, 10,000 coins): own impact
  // −0.01·964,824.12/1e6. DOGE: a +10% gap liquidates a 10x short (P_liq 1.1/1.005 =
  // 1.094527, 2e6 coins), whose buying lifts DOGE and, through cross-impact 0.3, BTC.
  // Round 1: BTC's shift is −0.009648241 + 0.3·0.021890547 = −0.003081077: BTC's low is
  // 96·e^{−0.003081077} = 95.704686. DOGE at 1.1·e^{0.021890547} = 1.124344 reaches an 8x short
  // (P_liq 1.125/1.005 = 1.119403, 5e6 coins): DOGE's flow memory 2,189,054.73 + 5,597,014.93,
  // so BTC's shift becomes −0.009648241 + 0.3·0.077860697 = +0.013709968 and BTC's low
  // 96·e^{+0.013709968} = 97.325... The path's minimum is round 1's 95.704686, not the last.
  Scratch s;
  s.write("book.csv", R"(asset,side,notional_usd,entry_price,leverage,maintenance_rate
BTC,long,1000000,100,25,0.005
DOGE,short,2000000,1,10,0.005
DOGE,short,5000000,1,8,0.005
)");
  const SimRun r = run_all(load_scenario_text(R"(
[simulation]
paths = 1
horizon = "1h"
step = "1h"
[market]
assets = ["BTC", "DOGE"]
correlation = [[1.0, 0.0], [0.0, 1.0]]
[asset.BTC]
spot = 100.0
vol = 0.0
depth = 1.0e6
[asset.DOGE]
spot = 1.0
vol = 0.0
depth = 1.0e6
[[shock]]
at = "0h"
returns = { BTC = -0.04, DOGE = 0.10 }
[impact]
model = "linear"
cross = { DOGE = { BTC = 0.3 } }
[book]
source = "csv"
path = "book.csv"
)",
                                              "x.toml", s.dir(), "x"));
  const double round1_shift = -0.01 * 964824.120603 / 1e6 + 0.3 * 0.01 * 2189054.726368 / 1e6;
  const double final_shift =
      -0.01 * 964824.120603 / 1e6 + 0.3 * 0.01 * (2189054.726368 + 5597014.925373) / 1e6;
  ASSERT_LT(round1_shift, 0.0);
  ASSERT_GT(final_shift, 0.0);
  EXPECT_EQ(r.rows.liquidated_positions[0 * 2 + 0], 1u);  // BTC long
  EXPECT_EQ(r.rows.liquidated_positions[1 * 2 + 1], 2u);  // both DOGE shorts
  EXPECT_NEAR(r.rows.min_log_return[0], std::log(0.96) + round1_shift, 1e-9);
  EXPECT_NEAR(r.rows.final_log_return[0], std::log(0.96) + final_shift, 1e-9);
}

// ---- random books: η = 0, monotonicity, determinism ---------------------------------------

constexpr const char* kRandomRun = R"(
[simulation]
paths = 400
horizon = "12h"
step = "15m"
seed = 20240805
[market]
assets = ["BTC", "ETH"]
correlation = [[1.0, 0.8], [0.8, 1.0]]
[asset.BTC]
spot = 60000.0
vol = 0.9
depth = 2.0e8
[asset.ETH]
spot = 3000.0
vol = 1.1
depth = 1.0e8
[market_jumps]
rate = 200.0
mean = -0.03
stdev = 0.03
[impact]
model = "linear"
strength = 1.0
half_life = "inf"
[book]
source = "synthetic"
[book.synthetic]
open_interest = { BTC = 3.0e9, ETH = 1.5e9 }
long_share = 1.0
positions = 4000
leverage = { levels = [5, 10, 20, 50], weights = [0.4, 0.3, 0.2, 0.1] }
[insurance_fund]
balance = 1.0e7
liquidation_fee = 0.005
)";

// A cross-margin desk, long BTC and short ETH: its liquidation buys ETH back.
constexpr const char* kDesk = R"(
[[portfolio]]
name = "desk"
collateral = 5.0e6
positions = [ { asset = "BTC", side = "long", notional = 2.0e7, entry = 60000.0 },
              { asset = "ETH", side = "short", notional = 1.0e7, entry = 3000.0 } ]
)";

Scenario random_scenario(const std::vector<std::string>& overrides, bool desk = true) {
  return load_scenario_text(std::string(kRandomRun) + (desk ? kDesk : ""), "random.toml",
                            fs::current_path(), "random", overrides);
}

bool same_bytes(const PathRows& a, const PathRows& b) {
  auto eq = [](const auto& x, const auto& y) {
    return x.size() == y.size() &&
           (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(x[0])) == 0);
  };
  return eq(a.final_log_return, b.final_log_return) && eq(a.min_log_return, b.min_log_return) &&
         eq(a.max_log_return, b.max_log_return) && eq(a.liquidated_usd, b.liquidated_usd) &&
         eq(a.liquidated_positions, b.liquidated_positions) && eq(a.bad_debt_usd, b.bad_debt_usd) &&
         eq(a.adl_usd, b.adl_usd) && eq(a.insurance_fund_usd, b.insurance_fund_usd) &&
         eq(a.portfolio_pnl_usd, b.portfolio_pnl_usd) &&
         eq(a.portfolio_liquidated, b.portfolio_liquidated) &&
         eq(a.cascade_rounds, b.cascade_rounds);
}

TEST(Cascade, ZeroStrengthIsTheRunWithoutFeedbackByteForByte) {
  for (const char* law : {"linear", "sqrt"}) {
    const SimRun off =
        run_all(random_scenario({"impact.model=none", "book.synthetic.long_share=0.6"}));
    const SimRun zero =
        run_all(random_scenario({std::string("impact.model=") + law, "impact.strength=0",
                                 "impact.half_life=\"30m\"", "book.synthetic.long_share=0.6"}));
    EXPECT_TRUE(same_bytes(off.rows, zero.rows)) << law;
    EXPECT_EQ(off.sums.words, zero.sums.words) << law;
    double liquidated = 0.0;
    for (double v : off.rows.liquidated_usd) liquidated += v;
    EXPECT_GT(liquidated, 0.0) << "the comparison must involve liquidations";
  }
}

TEST(Cascade, VanishingStrengthIsContinuous) {
  // η → 0 (docs/MODEL.md §3): every execution moves by e^{Δm}, and a step's impact is at most
  // |Δm| ≤ η·0.01·max(F/D, √(F/D)) for its flow F ≤ L, the path's liquidated notional, D the
  // smaller depth. So bad debt and the fund move by at most L·|Δm|: a bound linear in η,
  // checked per path at η = 1e-6 and 1e-9 (+1 cent of rounding); the differences must also
  // shrink with η (not be a constant offset).
  for (const char* law : {"linear", "sqrt"}) {
    const SimRun off = run_all(random_scenario({"impact.model=none"}));
    double diff[2] = {0.0, 0.0}, total = 0.0;
    const std::pair<const char*, double> etas[] = {{"1e-6", 1e-6}, {"1e-9", 1e-9}};
    for (int k = 0; k < 2; ++k) {
      const SimRun tiny = run_all(random_scenario({std::string("impact.model=") + law,
                                                   std::string("impact.strength=") + etas[k].first,
                                                   "impact.half_life=\"30m\""}));
      for (std::size_t i = 0; i < off.rows.n_rows; ++i) {
        double liquidated = 0.0;
        for (int c = 0; c < 4; ++c) liquidated += off.rows.liquidated_usd[4 * i + c];
        const double r = liquidated / 1.0e8;  // ETH's depth, the smaller
        const double bound = liquidated * etas[k].second * 0.01 * std::max(r, std::sqrt(r)) + 0.01;
        const double a = off.rows.bad_debt_usd[i], b = tiny.rows.bad_debt_usd[i];
        EXPECT_NEAR(b, a, bound) << law << " η " << etas[k].first << " path " << i;
        EXPECT_NEAR(tiny.rows.insurance_fund_usd[i], off.rows.insurance_fund_usd[i], bound)
            << law << " η " << etas[k].first << " path " << i;
        diff[k] += std::fabs(b - a);
        total += a;
      }
    }
    EXPECT_GT(total, 0.0) << "the comparison must involve bad debt";
    EXPECT_LT(diff[1], 1e-2 * diff[0] + 0.01 * off.rows.n_rows) << law;
  }
}

TEST(Cascade, MoreStrengthOrThinnerDepthNeverLiquidatesLessOnAnyPath) {
  // Long-only book (and no cross-margin desk, whose short leg buys), linear and permanent
  // impact, no funding: every price of every path can only fall further with more strength
  // (MODEL.md §4: the least fixed point grows with g), so each path's liquidated notional is
  // non-decreasing (common random numbers).
  std::vector<SimRun> runs;
  for (const std::vector<std::string>& o : std::vector<std::vector<std::string>>{
           {"impact.strength=0"},
           {"impact.strength=0.5"},
           {"impact.strength=1"},
           {"impact.strength=1", "asset.BTC.depth=1e8", "asset.ETH.depth=5e7"},
           {"impact.strength=1", "asset.BTC.depth=1e8", "asset.ETH.depth=5e7",
            "impact.thinning.flow=2.0", "impact.thinning.drawdown=0.2"}}) {
    runs.push_back(run_all(random_scenario(o, false)));
  }
  std::size_t grew = 0;
  for (std::size_t k = 1; k < runs.size(); ++k) {
    for (std::size_t i = 0; i < runs[k].rows.liquidated_usd.size(); ++i) {
      const double before = runs[k - 1].rows.liquidated_usd[i];
      const double after = runs[k].rows.liquidated_usd[i];
      ASSERT_GE(after, before * (1.0 - 1e-12)) << "run " << k << " cell " << i;
      grew += after > before ? 1 : 0;
    }
  }
  EXPECT_GT(grew, runs[0].rows.n_rows) << "feedback must matter on many paths";
}

TEST(Cascade, TwoSidedBookWithDecayRaisesMeanLiquidationsBeyondItsInterval) {
  // Elsewhere the model guarantees no path-wise order (a squeeze can lift longs off their
  // liquidation prices); the mean must not fall: paired difference over common random
  // numbers, mean(Δ) > −3 SE(Δ) (k = 3, one-sided, normal approximation).
  const std::vector<std::string> base{"book.synthetic.long_share=0.6", "impact.model=sqrt",
                                      "impact.half_life=\"1h\""};
  std::vector<std::string> weak = base, strong = base;
  weak.push_back("impact.strength=0");
  strong.push_back("impact.strength=1");
  const SimRun a = run_all(random_scenario(weak));
  const SimRun b = run_all(random_scenario(strong));
  const std::size_t n = a.rows.n_rows;
  double sum = 0, sumsq = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double d = 0;
    for (int c = 0; c < 4; ++c)
      d += b.rows.liquidated_usd[4 * i + c] - a.rows.liquidated_usd[4 * i + c];
    sum += d;
    sumsq += d * d;
  }
  const double mean = sum / n;
  const double se = std::sqrt((sumsq - sum * sum / n) / (n - 1) / n);
  EXPECT_GT(mean, -3.0 * se);
  EXPECT_GT(mean, 0.0) << "feedback adds liquidations on this book";
}

TEST(Cascade, SameBytesWhateverTheThreadCount) {
  const Scenario sc = random_scenario({"book.synthetic.long_share=0.6", "impact.model=sqrt",
                                       "impact.thinning.flow=1.0", "impact.half_life=\"2h\"",
                                       "impact.cross.BTC.ETH=0.5"});
  const SimRun one = run_all(sc, 1);
  const SimRun two = run_all(sc, 2);
  EXPECT_TRUE(same_bytes(one.rows, two.rows));
  EXPECT_EQ(one.sums.words, two.sums.words);
  std::size_t multi = 0;
  for (std::uint16_t r : one.rows.cascade_rounds) multi += r >= 2 ? 1 : 0;
  EXPECT_GT(multi, 0u) << "the run must contain cascades";
}

// ---- contagion across assets ------------------------------------------------------------

constexpr const char* kContagion = R"(
[simulation]
paths = 2
horizon = "2h"
step = "1h"
[market]
assets = ["BTC", "DOGE"]
correlation = [[1.0, 0.0], [0.0, 1.0]]
[asset.BTC]
spot = 100.0
vol = 1e-9
depth = 1.0e6
[asset.DOGE]
spot = 1.0
vol = 1e-9
depth = 1.0e5
[[shock]]
at = "0h"
returns = { DOGE = -0.30 }
[impact]
model = "linear"
[book]
source = "csv"
path = "book.csv"
)";

// A large DOGE long is liquidated by the shock; BTC longs sit 2–3% below spot.
constexpr const char* kContagionBook =
    R"(asset,side,notional_usd,entry_price,leverage,maintenance_rate
DOGE,long,3000000,1,5,0.005
BTC,long,500000,100,40,0.005
BTC,long,500000,100,30,0.005
)";

double btc_liquidated(const SimRun& r) {
  return r.rows.liquidated_usd[0 * 4 + 0];  // path 0, BTC, long
}

TEST(Cascade, CrossImpactCarriesAShockToAnotherAssetOnlyWhenCoupled) {
  Scratch s;
  s.write("book.csv", kContagionBook);
  const SimRun uncoupled = run_all(load_scenario_text(kContagion, "c.toml", s.dir(), "c"));
  const SimRun coupled = run_all(
      load_scenario_text(kContagion, "c.toml", s.dir(), "c", {"impact.cross.DOGE.BTC=0.8"}));
  EXPECT_GT(uncoupled.rows.liquidated_usd[2], 0.0) << "the shock liquidates the DOGE long";
  EXPECT_EQ(btc_liquidated(uncoupled), 0.0);
  EXPECT_GT(btc_liquidated(coupled), 0.0);
  EXPECT_LT(coupled.rows.final_log_return[0], -0.01) << "BTC fell with DOGE's forced selling";
  EXPECT_NEAR(uncoupled.rows.final_log_return[0], 0.0, 1e-6);
}

TEST(Cascade, CrossMarginAccountSellsEveryAssetItHolds) {
  // The account is long DOGE and BTC on one collateral pool: the DOGE shock liquidates it, and
  // its BTC sale moves BTC through the BTC longs. Without the BTC leg, or without impact,
  // BTC is untouched.
  constexpr const char* kAccount = R"(
[[portfolio]]
name = "whale"
collateral = 1.5e6
positions = [ { asset = "DOGE", side = "long", notional = 5.0e6, entry = 1.0 },
              { asset = "BTC", side = "long", notional = 4.0e6, entry = 100.0 } ]
)";
  constexpr const char* kAltOnly = R"(
[[portfolio]]
name = "whale"
collateral = 1.5e6
positions = [ { asset = "DOGE", side = "long", notional = 5.0e6, entry = 1.0 } ]
)";
  Scratch s;
  s.write("book.csv", R"(asset,side,notional_usd,entry_price,leverage,maintenance_rate
BTC,long,500000,100,40,0.005
BTC,long,500000,100,30,0.005
)");
  const std::string base = kContagion;
  const SimRun both = run_all(load_scenario_text(base + kAccount, "c.toml", s.dir(), "c"));
  const SimRun alt = run_all(load_scenario_text(base + kAltOnly, "c.toml", s.dir(), "c"));
  const SimRun off =
      run_all(load_scenario_text(base + kAccount, "c.toml", s.dir(), "c", {"impact.model=none"}));
  for (const SimRun* r : {&both, &alt, &off})
    ASSERT_EQ(r->rows.portfolio_liquidated[0], 1) << "the DOGE shock liquidates the account";
  EXPECT_GT(btc_liquidated(both), 0.0);
  EXPECT_EQ(btc_liquidated(alt), 0.0);
  EXPECT_EQ(btc_liquidated(off), 0.0);
}

}  // namespace
}  // namespace liq
