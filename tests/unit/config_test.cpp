// liqstress — unit tests of host/config: a full scenario read into every field, defaults,
// every validation rule with its exact message ("FILE:LINE: KEY.PATH: PROBLEM, got VALUE"),
// `--set` overrides, the resolved-TOML round trip, and duration parsing.
#include "host/scenario/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "host/scenario/scenario.h"
#include "host/util/errors.h"

namespace liq {
namespace {

namespace fs = std::filesystem;

// SPEC.md's example, completed with the asset tables it leaves out.
constexpr std::string_view kFull = R"toml([simulation]
paths = 200_000
horizon = "24h"            # durations: "90s", "15m", "6h", "3d"
step = "1m"
seed = 20251010
max_paths = 10_000_000     # cap for --target-rel-ci
drift_compensation = false
innovations = "gaussian"   # or "student-t"
dof = 4.0                  # with student-t

[market]
assets = ["BTC", "ETH", "SOL", "DOGE"]
correlation = [[1.0, 0.85, 0.75, 0.7], [0.85, 1.0, 0.8, 0.7], [0.75, 0.8, 1.0, 0.7], [0.7, 0.7, 0.7, 1.0]]

[asset.BTC]
spot = 121_000.0
vol = 0.55                 # annualised
drift = 0.0                # annualised
beta = 1.0                 # loading on market-wide jumps
depth = 4.0e8              # USD of market orders that move the price 1%
jumps = { rate = 6.0, mean = -0.02, stdev = 0.04 }   # per year; log sizes
funding_8h = 0.0001        # funding rate per 8 hours, longs pay when > 0

[asset.ETH]
spot = 4_300.0
vol = 0.7
drift = 0.05
depth = 2.0e8

[asset.SOL]
spot = 220.0
vol = 0.9
beta = 1.5
depth = 5.0e7

[asset.DOGE]
spot = 0.25
vol = 1.1
beta = 2.0
depth = 1.0e7
funding_8h = -0.0002

[market_jumps]
rate = 1.0
mean = -0.08
stdev = 0.05

[[shock]]                  # deterministic scenario events
at = "0h"
returns = { BTC = -0.07, ETH = -0.11, SOL = -0.14, DOGE = -0.15 }   # simple returns
vol_multiplier = 2.5
duration = "6h"            # how long the multiplier lasts

[[shock]]
at = "1.5h"
returns = { SOL = 0.1 }

[impact]
model = "sqrt"             # none | linear | sqrt
strength = 1.0             # η
half_life = "30m"          # or "inf"
max_cascade_rounds = 64
cross = { BTC = { ETH = 0.6, SOL = 0.5, DOGE = 0.5 } }

[book]
source = "synthetic"       # or "csv" with path = "books/x.csv"
maintenance = "binance-usdt-perp-2024-10"

[book.synthetic]
open_interest = { BTC = 3.5e10, ETH = 2.0e10, SOL = 6.0e9, DOGE = 2.0e9 }
long_share = 0.6           # or per asset
leverage = { levels = [2, 5, 10, 20, 50, 100], weights = [0.15, 0.25, 0.3, 0.15, 0.1, 0.05] }
entry_spread = 0.06        # lognormal stdev of entry prices around spot
positions = 100_000        # per asset

[insurance_fund]
balance = 1.0e9
liquidation_fee = 0.005

[[portfolio]]              # cross-margin accounts whose tail loss is reported
name = "fund-a"
collateral = 5.0e7
positions = [ { asset = "BTC", side = "long", notional = 1.5e8, entry = 118_000.0 },
              { asset = "ETH", side = "short", notional = 5.0e7, entry = 4_300.0 } ]

[output]
path = "results/{name}.h5" # {name} = the config file's stem
per_path = true
quantiles = [0.5, 0.9, 0.95, 0.975, 0.99, 0.999]
thresholds = [1.0e8, 1.0e9, 1.0e10]
)toml";

// The smallest valid scenario; error tests edit one line of it (line numbers stay put).
constexpr std::string_view kBase = R"toml([simulation]
paths = 1000
horizon = "24h"
step = "1m"

[market]
assets = ["BTC", "ETH"]
correlation = [[1.0, 0.8], [0.8, 1.0]]

[asset.BTC]
spot = 121000.0
vol = 0.55

[asset.ETH]
spot = 4300.0
vol = 0.7

[book]
source = "synthetic"

[book.synthetic]
open_interest = { BTC = 3.5e10, ETH = 2.0e10 }
)toml";

Scenario load(std::string_view text, const std::vector<std::string>& overrides = {}) {
  return load_scenario_text(text, "x.toml", fs::path("/nonexistent-base"), "x", overrides);
}

/// The InputError message `text` produces (a test failure when it loads).
std::string error_of(std::string_view text, const std::vector<std::string>& overrides = {},
                     const fs::path& base_dir = "/nonexistent-base") {
  try {
    load_scenario_text(text, "x.toml", base_dir, "x", overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError for:\n" << text;
  return {};
}

/// `text` with its one occurrence of `from` replaced by `to`.
std::string edit(std::string_view text, std::string_view from, std::string_view to) {
  std::string s(text);
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "no \"" << from << "\" in the test config";
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

std::string base_with(std::string_view from, std::string_view to) {
  return edit(kBase, from, to);
}
std::string base_plus(std::string_view more) {
  return std::string(kBase) + std::string(more);
}

constexpr int kBaseLines = 22;  // lines of kBase; appended text starts at line 23

/// Field-by-field equality of two scenarios (everything but warnings and the TOML text).
void expect_same(const Scenario& a, const Scenario& b) {
  EXPECT_EQ(a.source_file, b.source_file);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.simulation.paths, b.simulation.paths);
  EXPECT_EQ(a.simulation.horizon_s, b.simulation.horizon_s);
  EXPECT_EQ(a.simulation.step_s, b.simulation.step_s);
  EXPECT_EQ(a.simulation.seed, b.simulation.seed);
  EXPECT_EQ(a.simulation.max_paths, b.simulation.max_paths);
  EXPECT_EQ(a.simulation.drift_compensation, b.simulation.drift_compensation);
  EXPECT_EQ(a.simulation.innovations, b.simulation.innovations);
  EXPECT_EQ(a.simulation.dof, b.simulation.dof);
  ASSERT_EQ(a.assets.size(), b.assets.size());
  for (std::size_t i = 0; i < a.assets.size(); ++i) {
    const AssetSpec& x = a.assets[i];
    const AssetSpec& y = b.assets[i];
    EXPECT_EQ(x.symbol, y.symbol);
    EXPECT_EQ(x.spot, y.spot);
    EXPECT_EQ(x.vol, y.vol);
    EXPECT_EQ(x.drift, y.drift);
    EXPECT_EQ(x.beta, y.beta);
    EXPECT_EQ(x.depth_usd, y.depth_usd);
    EXPECT_EQ(x.jumps.rate, y.jumps.rate);
    EXPECT_EQ(x.jumps.mean, y.jumps.mean);
    EXPECT_EQ(x.jumps.stdev, y.jumps.stdev);
    EXPECT_EQ(x.funding_8h, y.funding_8h);
  }
  EXPECT_EQ(a.correlation, b.correlation);
  EXPECT_EQ(a.repair_correlation, b.repair_correlation);
  EXPECT_EQ(a.market_jumps.rate, b.market_jumps.rate);
  EXPECT_EQ(a.market_jumps.mean, b.market_jumps.mean);
  EXPECT_EQ(a.market_jumps.stdev, b.market_jumps.stdev);
  ASSERT_EQ(a.shocks.size(), b.shocks.size());
  for (std::size_t i = 0; i < a.shocks.size(); ++i) {
    EXPECT_EQ(a.shocks[i].at_s, b.shocks[i].at_s);
    EXPECT_EQ(a.shocks[i].returns, b.shocks[i].returns);
    EXPECT_EQ(a.shocks[i].vol_multiplier, b.shocks[i].vol_multiplier);
    EXPECT_EQ(a.shocks[i].duration_s, b.shocks[i].duration_s);
  }
  EXPECT_EQ(a.impact.model, b.impact.model);
  EXPECT_EQ(a.impact.strength, b.impact.strength);
  EXPECT_EQ(a.impact.half_life_s, b.impact.half_life_s);
  EXPECT_EQ(a.impact.max_cascade_rounds, b.impact.max_cascade_rounds);
  EXPECT_EQ(a.impact.cross, b.impact.cross);
  EXPECT_EQ(a.impact.thin_drawdown, b.impact.thin_drawdown);
  EXPECT_EQ(a.impact.thin_flow, b.impact.thin_flow);
  EXPECT_EQ(a.impact.thin_floor, b.impact.thin_floor);
  EXPECT_EQ(a.book.source, b.book.source);
  EXPECT_EQ(a.book.csv_path, b.book.csv_path);
  EXPECT_EQ(a.book.maintenance, b.book.maintenance);
  ASSERT_EQ(a.book.tiers.size(), b.book.tiers.size());
  for (std::size_t i = 0; i < a.book.tiers.size(); ++i) {
    const TierRow& x = a.book.tiers[i];
    const TierRow& y = b.book.tiers[i];
    EXPECT_EQ(x.asset, y.asset);
    EXPECT_EQ(x.min_notional_usd, y.min_notional_usd);
    EXPECT_EQ(x.max_notional_usd, y.max_notional_usd);
    EXPECT_EQ(x.maintenance_margin_rate, y.maintenance_margin_rate);
    EXPECT_EQ(x.max_leverage, y.max_leverage);
    EXPECT_EQ(x.maintenance_amount_usd, y.maintenance_amount_usd);
  }
  const SyntheticBookSpec& sa = a.book.synthetic;
  const SyntheticBookSpec& sb = b.book.synthetic;
  EXPECT_EQ(sa.open_interest_usd, sb.open_interest_usd);
  EXPECT_EQ(sa.long_share, sb.long_share);
  EXPECT_EQ(sa.leverage_levels, sb.leverage_levels);
  EXPECT_EQ(sa.leverage_weights, sb.leverage_weights);
  EXPECT_EQ(sa.entry_spread, sb.entry_spread);
  EXPECT_EQ(sa.positions, sb.positions);
  EXPECT_EQ(sa.seed, sb.seed);
  EXPECT_EQ(a.insurance_fund.balance_usd, b.insurance_fund.balance_usd);
  EXPECT_EQ(a.insurance_fund.liquidation_fee, b.insurance_fund.liquidation_fee);
  EXPECT_EQ(a.insurance_fund.adl, b.insurance_fund.adl);
  ASSERT_EQ(a.portfolios.size(), b.portfolios.size());
  for (std::size_t i = 0; i < a.portfolios.size(); ++i) {
    EXPECT_EQ(a.portfolios[i].name, b.portfolios[i].name);
    EXPECT_EQ(a.portfolios[i].collateral_usd, b.portfolios[i].collateral_usd);
    ASSERT_EQ(a.portfolios[i].positions.size(), b.portfolios[i].positions.size());
    for (std::size_t k = 0; k < a.portfolios[i].positions.size(); ++k) {
      const PortfolioPosition& x = a.portfolios[i].positions[k];
      const PortfolioPosition& y = b.portfolios[i].positions[k];
      EXPECT_EQ(x.asset, y.asset);
      EXPECT_EQ(x.side, y.side);
      EXPECT_EQ(x.notional_usd, y.notional_usd);
      EXPECT_EQ(x.entry_price, y.entry_price);
    }
  }
  EXPECT_EQ(a.output.path, b.output.path);
  EXPECT_EQ(a.output.per_path, b.output.per_path);
  EXPECT_EQ(a.output.quantiles, b.output.quantiles);
  EXPECT_EQ(a.output.thresholds, b.output.thresholds);
}

/// The resolved TOML must load back to the same scenario and print the same text again.
void expect_round_trip(const Scenario& s, const fs::path& base_dir = "/nonexistent-base") {
  SCOPED_TRACE(s.resolved_toml);
  const Scenario back =
      load_scenario_text(s.resolved_toml, s.source_file.string(), base_dir, s.name);
  expect_same(s, back);
  EXPECT_EQ(back.resolved_toml, s.resolved_toml);
}

/// A temporary folder owned by one test, removed after it.
class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("liqstress_config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& relative, std::string_view text) const {
    const fs::path p = dir_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }

  fs::path dir_;
};

// ---- a full scenario ---------------------------------------------------------------------

TEST(ConfigLoad, FullScenarioFillsEveryField) {
  const Scenario s = load(kFull);
  EXPECT_EQ(s.source_file, fs::path("x.toml"));
  EXPECT_EQ(s.name, "x");
  EXPECT_EQ(s.simulation.paths, 200000);
  EXPECT_EQ(s.simulation.horizon_s, 86400.0);
  EXPECT_EQ(s.simulation.step_s, 60.0);
  EXPECT_EQ(s.simulation.steps(), 1440);
  EXPECT_EQ(s.simulation.seed, 20251010u);
  EXPECT_EQ(s.simulation.max_paths, 10000000);
  EXPECT_FALSE(s.simulation.drift_compensation);
  EXPECT_EQ(s.simulation.innovations, InnovationKind::gaussian);
  EXPECT_EQ(s.simulation.dof, 4.0);

  ASSERT_EQ(s.n_assets(), 4);
  EXPECT_EQ(s.assets[0].symbol, "BTC");
  EXPECT_EQ(s.assets[3].symbol, "DOGE");
  EXPECT_EQ(s.assets[0].spot, 121000.0);
  EXPECT_EQ(s.assets[0].vol, 0.55);
  EXPECT_EQ(s.assets[0].drift, 0.0);
  EXPECT_EQ(s.assets[0].beta, 1.0);
  EXPECT_EQ(s.assets[0].depth_usd, 4.0e8);
  EXPECT_EQ(s.assets[0].jumps.rate, 6.0);
  EXPECT_EQ(s.assets[0].jumps.mean, -0.02);
  EXPECT_EQ(s.assets[0].jumps.stdev, 0.04);
  EXPECT_EQ(s.assets[0].funding_8h, 0.0001);
  EXPECT_EQ(s.assets[1].drift, 0.05);
  EXPECT_EQ(s.assets[1].beta, 1.0);  // default
  EXPECT_EQ(s.assets[1].jumps.rate, 0.0);
  EXPECT_EQ(s.assets[2].beta, 1.5);
  EXPECT_EQ(s.assets[3].spot, 0.25);
  EXPECT_EQ(s.assets[3].funding_8h, -0.0002);

  ASSERT_EQ(s.correlation.size(), 16u);
  EXPECT_EQ(s.correlation[0 * 4 + 1], 0.85);
  EXPECT_EQ(s.correlation[2 * 4 + 1], 0.8);
  EXPECT_EQ(s.correlation[3 * 4 + 3], 1.0);
  EXPECT_FALSE(s.repair_correlation);

  EXPECT_EQ(s.market_jumps.rate, 1.0);
  EXPECT_EQ(s.market_jumps.mean, -0.08);
  EXPECT_EQ(s.market_jumps.stdev, 0.05);

  ASSERT_EQ(s.shocks.size(), 2u);
  EXPECT_EQ(s.shocks[0].at_s, 0.0);
  EXPECT_EQ(s.shocks[0].returns, (std::vector<double>{-0.07, -0.11, -0.14, -0.15}));
  EXPECT_EQ(s.shocks[0].vol_multiplier, 2.5);
  EXPECT_EQ(s.shocks[0].duration_s, 6 * 3600.0);
  EXPECT_EQ(s.shocks[1].at_s, 5400.0);
  EXPECT_EQ(s.shocks[1].returns, (std::vector<double>{0.0, 0.0, 0.1, 0.0}));
  EXPECT_EQ(s.shocks[1].vol_multiplier, 1.0);
  EXPECT_EQ(s.shocks[1].duration_s, 0.0);

  EXPECT_EQ(s.impact.model, ImpactModel::sqrt);
  EXPECT_EQ(s.impact.strength, 1.0);
  EXPECT_EQ(s.impact.half_life_s, 1800.0);
  EXPECT_EQ(s.impact.max_cascade_rounds, 64);
  // Γ row-major [to * A + from]: BTC's flow moves ETH, SOL and DOGE.
  const std::vector<double> gamma = {1.0, 0.0, 0.0, 0.0,  //
                                     0.6, 1.0, 0.0, 0.0,  //
                                     0.5, 0.0, 1.0, 0.0,  //
                                     0.5, 0.0, 0.0, 1.0};
  EXPECT_EQ(s.impact.cross, gamma);

  EXPECT_EQ(s.book.source, BookSource::synthetic);
  EXPECT_TRUE(s.book.csv_path.empty());
  EXPECT_EQ(s.book.maintenance, "binance-usdt-perp-2024-10");
  EXPECT_TRUE(s.book.tiers.empty());
  EXPECT_EQ(s.book.synthetic.open_interest_usd,
            (std::vector<double>{3.5e10, 2.0e10, 6.0e9, 2.0e9}));
  EXPECT_EQ(s.book.synthetic.long_share, (std::vector<double>{0.6, 0.6, 0.6, 0.6}));
  EXPECT_EQ(s.book.synthetic.leverage_levels, (std::vector<double>{2, 5, 10, 20, 50, 100}));
  EXPECT_EQ(s.book.synthetic.leverage_weights,
            (std::vector<double>{0.15, 0.25, 0.3, 0.15, 0.1, 0.05}));
  EXPECT_EQ(s.book.synthetic.entry_spread, 0.06);
  EXPECT_EQ(s.book.synthetic.positions, 100000);

  EXPECT_EQ(s.insurance_fund.balance_usd, 1.0e9);
  EXPECT_EQ(s.insurance_fund.liquidation_fee, 0.005);

  ASSERT_EQ(s.portfolios.size(), 1u);
  EXPECT_EQ(s.portfolios[0].name, "fund-a");
  EXPECT_EQ(s.portfolios[0].collateral_usd, 5.0e7);
  ASSERT_EQ(s.portfolios[0].positions.size(), 2u);
  EXPECT_EQ(s.portfolios[0].positions[0].asset, 0);
  EXPECT_EQ(s.portfolios[0].positions[0].side, Side::long_side);
  EXPECT_EQ(s.portfolios[0].positions[0].notional_usd, 1.5e8);
  EXPECT_EQ(s.portfolios[0].positions[0].entry_price, 118000.0);
  EXPECT_EQ(s.portfolios[0].positions[1].asset, 1);
  EXPECT_EQ(s.portfolios[0].positions[1].side, Side::short_side);

  EXPECT_EQ(s.output.path, "results/{name}.h5");
  EXPECT_TRUE(s.output.per_path);
  EXPECT_EQ(s.output.quantiles, (std::vector<double>{0.5, 0.9, 0.95, 0.975, 0.99, 0.999}));
  EXPECT_EQ(s.output.thresholds, (std::vector<double>{1e8, 1e9, 1e10}));
  EXPECT_TRUE(s.warnings.empty());
  EXPECT_FALSE(s.resolved_toml.empty());
}

TEST(ConfigLoad, DefaultsOfAMinimalScenario) {
  const Scenario s = load(kBase);
  EXPECT_EQ(s.simulation.seed, 1u);
  EXPECT_EQ(s.simulation.max_paths, 10000000);
  EXPECT_FALSE(s.simulation.drift_compensation);
  EXPECT_EQ(s.simulation.innovations, InnovationKind::gaussian);
  EXPECT_EQ(s.simulation.dof, 4.0);
  for (const AssetSpec& a : s.assets) {
    EXPECT_EQ(a.drift, 0.0);
    EXPECT_EQ(a.beta, 1.0);
    EXPECT_FALSE(a.depth_usd.has_value());
    EXPECT_EQ(a.jumps.rate, 0.0);
    EXPECT_EQ(a.funding_8h, 0.0);
  }
  EXPECT_FALSE(s.repair_correlation);
  EXPECT_EQ(s.market_jumps.rate, 0.0);
  EXPECT_TRUE(s.shocks.empty());
  EXPECT_EQ(s.impact.model, ImpactModel::none);
  EXPECT_EQ(s.impact.strength, 1.0);
  EXPECT_TRUE(std::isinf(s.impact.half_life_s));
  EXPECT_EQ(s.impact.max_cascade_rounds, 64);
  EXPECT_EQ(s.impact.cross, (std::vector<double>{1, 0, 0, 1}));
  EXPECT_EQ(s.book.maintenance, "binance-usdt-perp-2024-10");
  EXPECT_EQ(s.book.synthetic.long_share, (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(s.book.synthetic.leverage_levels, (std::vector<double>{2, 5, 10, 20, 50, 100}));
  EXPECT_EQ(s.book.synthetic.entry_spread, 0.06);
  EXPECT_EQ(s.book.synthetic.positions, 100000);
  EXPECT_EQ(s.book.synthetic.seed, 1u);  // a constant, not simulation.seed
  EXPECT_EQ(s.insurance_fund.balance_usd, 0.0);
  EXPECT_EQ(s.insurance_fund.liquidation_fee, 0.0);
  EXPECT_EQ(s.insurance_fund.adl, AdlRuleSpec::pro_rata);
  EXPECT_TRUE(s.portfolios.empty());
  EXPECT_EQ(s.output.path, "results/{name}.h5");
  EXPECT_TRUE(s.output.per_path);
  EXPECT_EQ(s.output.quantiles, (std::vector<double>{0.5, 0.9, 0.95, 0.975, 0.99, 0.999}));
  EXPECT_TRUE(s.output.thresholds.empty());
}

TEST(ConfigLoad, StudentTAndSeeds) {
  std::string text =
      base_with("step = \"1m\"", "step = \"1m\"\ninnovations = \"student-t\"\ndof = 3.5\nseed = 0");
  Scenario s = load(text);
  EXPECT_EQ(s.simulation.innovations, InnovationKind::student_t);
  EXPECT_EQ(s.simulation.dof, 3.5);
  EXPECT_EQ(s.simulation.seed, 0u);
  s = load(base_with("paths = 1000", "paths = 1000\nseed = 9223372036854775807"));
  EXPECT_EQ(s.simulation.seed, 9223372036854775807u);
}

// book.synthetic.seed is the book's own: simulation.seed (and --seed) never set it.
TEST(ConfigLoad, BookSeedIsItsOwnKey) {
  Scenario s = load(base_plus("seed = 0\n"), {"simulation.seed=5"});
  EXPECT_EQ(s.book.synthetic.seed, 0u);
  EXPECT_EQ(s.simulation.seed, 5u);
  s = load(kBase, {"book.synthetic.seed=9223372036854775807"});
  EXPECT_EQ(s.book.synthetic.seed, 9223372036854775807u);
  EXPECT_NE(s.resolved_toml.find("seed = 9223372036854775807"), std::string::npos);
  s = load(kBase, {"simulation.seed=77"});
  EXPECT_EQ(s.book.synthetic.seed, 1u);
  const std::string book = s.resolved_toml.substr(s.resolved_toml.find("[book.synthetic]"));
  EXPECT_NE(book.find("seed = 1\n"), std::string::npos) << book;
  expect_round_trip(load(base_plus("seed = 42\n")));
}

TEST(ConfigLoad, PerAssetLongShareAndExplicitTiers) {
  const Scenario s = load(base_plus(R"toml(long_share = { BTC = 0.6, ETH = 0.4 }

[[book.tier]]
asset = "BTC"
min_notional_usd = 0
max_notional_usd = 5.0e4
maintenance_margin_rate = 0.004
max_leverage = 125

[[book.tier]]
min_notional_usd = 0.0
max_notional_usd = inf
maintenance_margin_rate = 0.01
max_leverage = 50
maintenance_amount_usd = 100
)toml"));
  EXPECT_EQ(s.book.synthetic.long_share, (std::vector<double>{0.6, 0.4}));
  EXPECT_EQ(s.book.maintenance, "");
  ASSERT_EQ(s.book.tiers.size(), 2u);
  EXPECT_EQ(s.book.tiers[0].asset, "BTC");
  EXPECT_EQ(s.book.tiers[0].max_notional_usd, 5.0e4);
  EXPECT_EQ(s.book.tiers[0].maintenance_margin_rate, 0.004);
  EXPECT_EQ(s.book.tiers[0].max_leverage, 125.0);
  EXPECT_EQ(s.book.tiers[0].maintenance_amount_usd, 0.0);
  EXPECT_EQ(s.book.tiers[1].asset, "");
  EXPECT_TRUE(std::isinf(s.book.tiers[1].max_notional_usd));
  EXPECT_EQ(s.book.tiers[1].maintenance_amount_usd, 100.0);
}

TEST(ConfigLoad, PerfectCorrelationIsAccepted) {
  const Scenario s = load(base_with("[[1.0, 0.8], [0.8, 1.0]]", "[[1.0, 1.0], [1.0, 1.0]]"));
  EXPECT_EQ(s.correlation, (std::vector<double>{1, 1, 1, 1}));
  EXPECT_TRUE(s.warnings.empty());
}

// ---- syntax, files, unknown keys ---------------------------------------------------------

TEST(ConfigErrors, TomlSyntaxError) {
  EXPECT_EQ(
      error_of(base_with("vol = 0.55", "vol = 0.55 0.6")),
      "x.toml:12:12: TOML syntax error: Error while parsing key-value pair: expected a comment or "
      "whitespace, saw '0'");
}

TEST(ConfigErrors, UnknownKeyInSection) {
  EXPECT_EQ(error_of(base_with("paths = 1000", "pathz = 1000")),
            "x.toml:2: simulation.pathz: unknown key (known keys here: paths, horizon, step, "
            "seed, max_paths, drift_compensation, innovations, dof, dof_block, initial_regime)");
}

TEST(ConfigErrors, UnknownKeyIsReportedBeforeMissingKeys) {
  // "volatility" is the typo; without the unknown-key check the error would be a missing vol.
  EXPECT_EQ(error_of(base_with("vol = 0.7", "volatility = 0.7")),
            "x.toml:16: asset.ETH.volatility: unknown key (known keys here: spot, vol, drift, "
            "beta, depth, jumps, funding_8h, funding, funding_premium_8h, funding_interest_8h, "
            "funding_cap_8h)");
}

TEST(ConfigErrors, UnknownSectionAndNestedKeys) {
  EXPECT_EQ(error_of(base_plus("[simulaton]\npaths = 5\n")),
            "x.toml:23: simulaton: unknown key (known keys here: simulation, market, asset, "
            "market_jumps, shock, regime, impact, book, insurance_fund, portfolio, output, "
            "importance)");
  EXPECT_EQ(error_of(base_with("vol = 0.55", "vol = 0.55\njumps = { rate = 1.0, sdev = 0.1 }")),
            "x.toml:13: asset.BTC.jumps.sdev: unknown key (known keys here: rate, mean, stdev)");
  EXPECT_EQ(error_of(base_plus("[[shock]]\nat = \"1h\"\nretruns = { BTC = -0.1 }\n")),
            "x.toml:25: shock[0].retruns: unknown key (known keys here: at, returns, "
            "vol_multiplier, duration)");
  EXPECT_EQ(
      error_of(base_plus("[[portfolio]]\nname = \"a\"\ncollateral = 1.0\npositions = "
                         "[{ asset = \"BTC\", side = \"long\", notional = 1.0, price = 2.0 }]\n")),
      "x.toml:26: portfolio[0].positions[0].price: unknown key (known keys here: asset, "
      "side, notional, entry)");
}

TEST(ConfigErrors, FirstUnknownKeyByLine) {
  std::string text = base_with("paths = 1000", "paths = 1000\nzzz = 1");
  text = edit(text, "vol = 0.7", "vol = 0.7\naaa = 2");
  EXPECT_EQ(error_of(text).substr(0, 29), "x.toml:3: simulation.zzz: unk");
}

TEST(ConfigErrors, UnknownKeyIsReportedBeforeProblemsElsewhere) {
  // Reading goes on past a problem, so every table is still visited and its unused keys found.
  std::string text = base_with("paths = 1000", "paths = -5");
  text = edit(text, "vol = 0.7", "volatility = 0.7");
  EXPECT_EQ(error_of(text),
            "x.toml:16: asset.ETH.volatility: unknown key (known keys here: spot, vol, drift, "
            "beta, depth, jumps, funding_8h, funding, funding_premium_8h, funding_interest_8h, "
            "funding_cap_8h)");
  EXPECT_EQ(error_of(base_plus("[output]\nquantiles = [2.0]\n[insurance_fund]\nbalanse = 1.0\n")),
            "x.toml:26: insurance_fund.balanse: unknown key (known keys here: balance, "
            "liquidation_fee, adl)");
  // Without an unknown key, the first problem in reading order.
  EXPECT_EQ(error_of(base_plus("[output]\nquantiles = [2.0]\n[insurance_fund]\nbalance = -1.0\n")),
            "x.toml:26: insurance_fund.balance: must be >= 0, got -1");
}

TEST(ConfigErrors, NothingUnderARefusedValueIsUnknown) {
  EXPECT_EQ(error_of(base_with("spot = 4300.0", "spot = { usd = 4300.0 }")),
            "x.toml:15: asset.ETH.spot: must be a number, got a table");
  EXPECT_EQ(error_of(base_plus("[[shock]]\nat = \"1h\"\nreturns = 3\n")),
            "x.toml:25: shock[0].returns: must be a table, got 3");
}

// ---- required keys -----------------------------------------------------------------------

TEST(ConfigErrors, RequiredKeysMissing) {
  EXPECT_EQ(error_of(base_with("paths = 1000\n", "")),
            "x.toml:1: simulation.paths: required key missing");
  EXPECT_EQ(error_of(base_with("horizon = \"24h\"\n", "")),
            "x.toml:1: simulation.horizon: required key missing");
  EXPECT_EQ(error_of(base_with("step = \"1m\"\n", "")),
            "x.toml:1: simulation.step: required key missing");
  EXPECT_EQ(
      error_of(base_with("[simulation]\npaths = 1000\nhorizon = \"24h\"\nstep = \"1m\"\n", "")),
      "x.toml: simulation.paths: required key missing");
  EXPECT_EQ(error_of(base_with("assets = [\"BTC\", \"ETH\"]\n", "")),
            "x.toml:6: market.assets: required key missing");
  EXPECT_EQ(error_of(base_with("correlation = [[1.0, 0.8], [0.8, 1.0]]\n", "")),
            "x.toml:6: market.correlation: required key missing");
  EXPECT_EQ(error_of(base_with("spot = 4300.0\n", "")),
            "x.toml:14: asset.ETH.spot: required key missing");
  EXPECT_EQ(error_of(base_with("vol = 0.55\n", "")),
            "x.toml:10: asset.BTC.vol: required key missing");
  EXPECT_EQ(error_of(base_with("[book]\nsource = \"synthetic\"\n\n[book.synthetic]\n"
                               "open_interest = { BTC = 3.5e10, ETH = 2.0e10 }\n",
                               "")),
            "x.toml: book: required table missing");
}

TEST(ConfigErrors, AssetTablesMatchMarketAssets) {
  EXPECT_EQ(error_of(base_with("[asset.ETH]\nspot = 4300.0\nvol = 0.7\n", "")),
            "x.toml:10: asset.ETH: required table missing (every market.assets entry needs "
            "[asset.ETH])");
  EXPECT_EQ(error_of(base_plus("[asset.XRP]\nspot = 1.0\nvol = 1.0\n")),
            "x.toml:23: asset.XRP: not in market.assets [BTC, ETH]");
}

// ---- simulation --------------------------------------------------------------------------

TEST(ConfigErrors, Paths) {
  EXPECT_EQ(error_of(base_with("paths = 1000", "paths = -5")),
            "x.toml:2: simulation.paths: must be > 0, got -5");
  EXPECT_EQ(error_of(base_with("paths = 1000", "paths = 0")),
            "x.toml:2: simulation.paths: must be > 0, got 0");
  EXPECT_EQ(error_of(base_with("paths = 1000", "paths = 2.5")),
            "x.toml:2: simulation.paths: must be an integer, got 2.5");
  EXPECT_EQ(error_of(base_with("paths = 1000", "paths = \"many\"")),
            "x.toml:2: simulation.paths: must be an integer, got \"many\"");
  EXPECT_EQ(load(base_with("paths = 1000", "paths = 2e6")).simulation.paths, 2000000);
}

TEST(ConfigErrors, HorizonAndStep) {
  EXPECT_EQ(error_of(base_with("horizon = \"24h\"", "horizon = \"25m30s\"")),
            "x.toml:3: simulation.horizon: invalid duration: not a number before the unit: "
            "\"25m30\", got \"25m30s\"");
  EXPECT_EQ(error_of(base_with("horizon = \"24h\"", "horizon = \"90\"")),
            "x.toml:3: simulation.horizon: invalid duration: no unit (write e.g. \"90s\", "
            "\"15m\", \"6h\", \"3d\"), got \"90\"");
  EXPECT_EQ(error_of(base_with("horizon = \"24h\"", "horizon = 24")),
            "x.toml:3: simulation.horizon: must be a duration such as \"90s\", \"15m\", \"6h\", "
            "\"3d\", got 24");
  EXPECT_EQ(error_of(base_with("horizon = \"24h\"", "horizon = \"0s\"")),
            "x.toml:3: simulation.horizon: must be > 0, got \"0s\"");
  EXPECT_EQ(error_of(base_with("horizon = \"24h\"", "horizon = \"inf\"")),
            "x.toml:3: simulation.horizon: invalid duration: \"inf\" is not allowed here, a "
            "finite duration is required, got \"inf\"");
  EXPECT_EQ(error_of(base_with("step = \"1m\"", "step = \"0m\"")),
            "x.toml:4: simulation.step: must be > 0, got \"0m\"");
  EXPECT_EQ(error_of(base_with("step = \"1m\"", "step = \"7m\"")),
            "x.toml:3: simulation.horizon: must be a whole multiple of simulation.step (7m), "
            "got \"24h\"");
  EXPECT_EQ(error_of(base_with("step = \"1m\"", "step = \"2d\"")),
            "x.toml:3: simulation.horizon: must be a whole multiple of simulation.step (2d), "
            "got \"24h\"");
  EXPECT_EQ(error_of(base_with("step = \"1m\"", "step = \"0.001s\"")),
            "x.toml:4: simulation.step: gives 86400000 steps over the horizon, more than "
            "10000000; use a longer step, got \"0.001s\"");
  // Exactly the cap is fine.
  EXPECT_EQ(
      load(base_with("horizon = \"24h\"\nstep = \"1m\"", "horizon = \"10000s\"\nstep = \"0.001s\""))
          .simulation.steps(),
      10000000);
}

TEST(ConfigErrors, BookSeed) {
  EXPECT_EQ(error_of(base_plus("seed = -1\n")),
            "x.toml:23: book.synthetic.seed: must be >= 0, got -1");
  EXPECT_EQ(error_of(base_plus("seed = 1.5\n")),
            "x.toml:23: book.synthetic.seed: must be an integer, got 1.5");
  EXPECT_EQ(error_of(base_plus("seed = \"7\"\n")),
            "x.toml:23: book.synthetic.seed: must be an integer, got \"7\"");
  EXPECT_EQ(error_of(kBase, {"book.synthetic.seed=-3"}),
            "--set book.synthetic.seed: must be >= 0, got -3");
}

TEST(ConfigErrors, SeedInnovationsDof) {
  EXPECT_EQ(error_of(base_with("paths = 1000", "paths = 1000\nseed = -1")),
            "x.toml:3: simulation.seed: must be >= 0, got -1");
  EXPECT_EQ(error_of(base_with("paths = 1000", "paths = 1000\nseed = 1e19")),
            "x.toml:3: simulation.seed: must be an integer, got 1e19");
  EXPECT_EQ(error_of(base_with("paths = 1000", "paths = 1000\nmax_paths = 0")),
            "x.toml:3: simulation.max_paths: must be > 0, got 0");
  EXPECT_EQ(error_of(base_with("paths = 1000", "paths = 1000\ninnovations = \"cauchy\"")),
            "x.toml:3: simulation.innovations: must be one of \"gaussian\", \"student-t\", got "
            "\"cauchy\"");
  EXPECT_EQ(
      error_of(base_with("paths = 1000", "paths = 1000\ninnovations = \"student-t\"\ndof = 2")),
      "x.toml:4: simulation.dof: must be > 2 (Student-t innovations need a finite "
      "variance), got 2");
  EXPECT_EQ(error_of(base_with("paths = 1000", "paths = 1000\ndrift_compensation = 1")),
            "x.toml:3: simulation.drift_compensation: must be true or false, got 1");
}

// ---- market ------------------------------------------------------------------------------

TEST(ConfigErrors, Assets) {
  EXPECT_EQ(error_of(base_with("assets = [\"BTC\", \"ETH\"]", "assets = []")),
            "x.toml:7: market.assets: must list between 1 and 16 symbols, got []");
  std::string many = "assets = [";
  for (int i = 0; i < 17; ++i) many += (i ? ", \"A" : "\"A") + std::to_string(i) + "\"";
  many += "]";
  EXPECT_EQ(error_of(base_with("assets = [\"BTC\", \"ETH\"]", many)).substr(0, 55),
            "x.toml:7: market.assets: must list between 1 and 16 sym");
  EXPECT_EQ(error_of(base_with("assets = [\"BTC\", \"ETH\"]", "assets = [\"BTC\", \"BTC\"]")),
            "x.toml:7: market.assets[1]: duplicate symbol, got \"BTC\"");
  EXPECT_EQ(error_of(base_with("assets = [\"BTC\", \"ETH\"]", "assets = [\"BTC\", \"\"]")),
            "x.toml:7: market.assets[1]: must be a non-empty symbol of letters, digits, '_' or "
            "'-', got \"\"");
  EXPECT_EQ(error_of(base_with("assets = [\"BTC\", \"ETH\"]", "assets = [\"BTC\", \"ETH/USD\"]")),
            "x.toml:7: market.assets[1]: must be a non-empty symbol of letters, digits, '_' or "
            "'-', got \"ETH/USD\"");
  EXPECT_EQ(error_of(base_with("assets = [\"BTC\", \"ETH\"]", "assets = [\"BTC\", 3]")),
            "x.toml:7: market.assets[1]: must be a string, got 3");
  EXPECT_EQ(error_of(base_with("assets = [\"BTC\", \"ETH\"]", "assets = \"BTC\"")),
            "x.toml:7: market.assets: must be an array, got \"BTC\"");
}

TEST(ConfigErrors, CorrelationShapeAndEntries) {
  const std::string_view c = "correlation = [[1.0, 0.8], [0.8, 1.0]]";
  EXPECT_EQ(error_of(base_with(c, "correlation = [[1.0, 0.8]]")),
            "x.toml:8: market.correlation: must have 2 rows (one per market.assets entry), got 1");
  EXPECT_EQ(error_of(base_with(c, "correlation = [[1.0, 0.8], [0.8]]")),
            "x.toml:8: market.correlation[1]: must have 2 entries, got 1");
  EXPECT_EQ(error_of(base_with(c, "correlation = [[1.0, 1.2], [1.2, 1.0]]")),
            "x.toml:8: market.correlation[0][1]: must be in [-1, 1], got 1.2");
  EXPECT_EQ(error_of(base_with(c, "correlation = [[1.0, 0.8], [0.7, 1.0]]")),
            "x.toml:8: market.correlation[1][0]: must equal market.correlation[0][1] = 0.8 (the "
            "matrix must be symmetric), got 0.7");
  EXPECT_EQ(error_of(base_with(c, "correlation = [[0.9, 0.8], [0.8, 1.0]]")),
            "x.toml:8: market.correlation[0][0]: must be 1 (unit diagonal), got 0.9");
  EXPECT_EQ(error_of(base_with(c, "correlation = [[1.0, \"high\"], [0.8, 1.0]]")),
            "x.toml:8: market.correlation[0][1]: must be a number, got \"high\"");
  EXPECT_EQ(error_of(base_with(c, "correlation = [[1.0, nan], [0.8, 1.0]]")),
            "x.toml:8: market.correlation[0][1]: must be finite, got nan");
  // Symmetric within 1e-12 is accepted and made exactly symmetric.
  const Scenario s = load(base_with(c, "correlation = [[1.0, 0.8], [0.8000000000001, 1.0]]"));
  EXPECT_EQ(s.correlation[1 * 2 + 0], s.correlation[0 * 2 + 1]);
}

constexpr std::string_view kThreeAssets = R"toml([simulation]
paths = 10
horizon = "1h"
step = "1m"

[market]
assets = ["A", "B", "C"]
correlation = [[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]

[asset.A]
spot = 1.0
vol = 0.5

[asset.B]
spot = 1.0
vol = 0.5

[asset.C]
spot = 1.0
vol = 0.5

[book]
[book.synthetic]
open_interest = { A = 1.0, B = 1.0, C = 1.0 }
)toml";

TEST(ConfigErrors, CorrelationNotPsd) {
  EXPECT_EQ(error_of(kThreeAssets),
            "x.toml:8: market.correlation: not positive semi-definite (smallest eigenvalue "
            "-0.414); fix the matrix or set market.repair_correlation = true");
}

TEST(ConfigLoad, CorrelationRepairedOnRequest) {
  const Scenario s = load(edit(kThreeAssets, "[market]", "[market]\nrepair_correlation = true"));
  EXPECT_TRUE(s.repair_correlation);
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_EQ(s.warnings[0],
            "x.toml:9: market.correlation: not positive semi-definite (smallest eigenvalue "
            "-0.414); repaired to the nearest correlation matrix (largest entry change 0.239 at "
            "[0][1], A-B: 1 -> 0.761)");
  // Higham (2002)'s published answer.
  const std::vector<double> expected = {1, 0.7607, 0.1573, 0.7607, 1, 0.7607, 0.1573, 0.7607, 1};
  for (int k = 0; k < 9; ++k) EXPECT_NEAR(s.correlation[k], expected[k], 1e-4) << k;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.correlation[i * 3 + i], 1.0);
  expect_round_trip(s);
}

// ---- assets, jumps, shocks, impact ---------------------------------------------------------

TEST(ConfigErrors, AssetValues) {
  EXPECT_EQ(error_of(base_with("spot = 4300.0", "spot = 0")),
            "x.toml:15: asset.ETH.spot: must be > 0, got 0");
  EXPECT_EQ(error_of(base_with("vol = 0.7", "vol = -0.3")),
            "x.toml:16: asset.ETH.vol: must be >= 0, got -0.3");
  EXPECT_EQ(error_of(base_with("vol = 0.7", "vol = 0.7\ndepth = 0.0")),
            "x.toml:17: asset.ETH.depth: must be > 0, got 0");
  EXPECT_EQ(error_of(base_with("vol = 0.7", "vol = 0.7\ndrift = inf")),
            "x.toml:17: asset.ETH.drift: must be finite, got inf");
  EXPECT_EQ(error_of(base_with("vol = 0.7", "vol = 0.7\njumps = 3")),
            "x.toml:17: asset.ETH.jumps: must be a table, got 3");
  EXPECT_EQ(error_of(base_with("vol = 0.7", "vol = 0.7\nbeta = true")),
            "x.toml:17: asset.ETH.beta: must be a number, got true");
}

TEST(ConfigErrors, Jumps) {
  EXPECT_EQ(error_of(base_with("vol = 0.55", "vol = 0.55\njumps = { rate = -1.0 }")),
            "x.toml:13: asset.BTC.jumps.rate: must be >= 0, got -1");
  EXPECT_EQ(error_of(base_with("vol = 0.55", "vol = 0.55\njumps = { stdev = -0.1 }")),
            "x.toml:13: asset.BTC.jumps.stdev: must be >= 0, got -0.1");
  // 1 minute = 1/525600 year: 3e7 jumps per year expects 57 per step.
  EXPECT_EQ(error_of(base_with("vol = 0.55", "vol = 0.55\njumps = { rate = 3.0e7 }")),
            "x.toml:13: asset.BTC.jumps.rate: expects 57.1 jumps per step (rate is per year), "
            "more than 50; lower the rate or shorten the step, got 3e7");
  EXPECT_EQ(error_of(base_plus("[market_jumps]\nrate = 1.0\nstdev = -0.05\n")),
            "x.toml:25: market_jumps.stdev: must be >= 0, got -0.05");
  EXPECT_EQ(load(base_plus("[market_jumps]\nrate = 2.0e7\n")).market_jumps.rate, 2.0e7);
}

TEST(ConfigErrors, Shocks) {
  EXPECT_EQ(error_of(base_plus("[[shock]]\nat = \"24h\"\n")),
            "x.toml:24: shock[0].at: must be before the horizon (1d), got \"24h\"");
  EXPECT_EQ(error_of(base_plus("[[shock]]\nreturns = { BTC = -0.1 }\n")),
            "x.toml:23: shock[0].at: required key missing");
  EXPECT_EQ(error_of(base_plus("[[shock]]\nat = \"1h\"\n[[shock]]\nat = \"2h\"\n"
                               "returns = { BTC = -1.0 }\n")),
            "x.toml:27: shock[1].returns.BTC: must be > -1 (a simple return; -1 is a total loss), "
            "got -1");
  EXPECT_EQ(error_of(base_plus("[[shock]]\nat = \"1h\"\nreturns = { XRP = -0.1 }\n")),
            "x.toml:25: shock[0].returns.XRP: not in market.assets [BTC, ETH]");
  EXPECT_EQ(error_of(base_plus("[[shock]]\nat = \"1h\"\nvol_multiplier = 0\n")),
            "x.toml:25: shock[0].vol_multiplier: must be > 0, got 0");
  EXPECT_EQ(error_of(base_plus("[[shock]]\nat = \"1h\"\nduration = \"-1h\"\n")),
            "x.toml:25: shock[0].duration: invalid duration: negative duration, got \"-1h\"");
  EXPECT_EQ(error_of(base_plus("[shock]\nat = \"1h\"\n")),
            "x.toml:23: shock: must be an array of tables, written [[shock]], got a table");
}

TEST(ConfigErrors, Impact) {
  EXPECT_EQ(
      error_of(base_plus("[impact]\nmodel = \"cubic\"\n")),
      "x.toml:24: impact.model: must be one of \"none\", \"linear\", \"sqrt\", got \"cubic\"");
  EXPECT_EQ(error_of(base_plus("[impact]\nmodel = \"sqrt\"\n")),
            "x.toml:10: asset.BTC.depth: required key missing (impact.model is \"sqrt\")");
  EXPECT_EQ(error_of(base_plus("[impact]\nhalf_life = \"0s\"\n")),
            "x.toml:24: impact.half_life: must be > 0 (or \"inf\" for permanent impact), got "
            "\"0s\"");
  EXPECT_EQ(error_of(base_plus("[impact]\nstrength = -1\n")),
            "x.toml:24: impact.strength: must be >= 0, got -1");
  EXPECT_EQ(error_of(base_plus("[impact]\nmax_cascade_rounds = 0\n")),
            "x.toml:24: impact.max_cascade_rounds: must be in [1, 65535], got 0");
  EXPECT_EQ(error_of(base_plus("[impact]\nmax_cascade_rounds = 65536\n")),
            "x.toml:24: impact.max_cascade_rounds: must be in [1, 65535], got 65536");
  EXPECT_EQ(error_of(base_plus("[impact]\ncross = { BTC = { XRP = 0.5 } }\n")),
            "x.toml:24: impact.cross.BTC.XRP: not in market.assets [BTC, ETH]");
  EXPECT_EQ(error_of(base_plus("[impact]\ncross = { XRP = { BTC = 0.5 } }\n")),
            "x.toml:24: impact.cross.XRP: not in market.assets [BTC, ETH]");
  EXPECT_EQ(error_of(base_plus("[impact]\nthinning = { floor = 0 }\n")),
            "x.toml:24: impact.thinning.floor: must be in (0, 1], got 0");
  EXPECT_EQ(error_of(base_plus("[impact]\nthinning = { flow = -2 }\n")),
            "x.toml:24: impact.thinning.flow: must be >= 0 (0 turns flow thinning off), got -2");
  EXPECT_EQ(error_of(base_plus("[impact.thinning]\ndepth = 2\n")),
            "x.toml:24: impact.thinning.depth: unknown key (known keys here: drawdown, flow, "
            "floor)");
  EXPECT_EQ(error_of(base_plus("[impact]\ncross = { BTC = { BTC = 0.5 } }\n")),
            "x.toml:24: impact.cross.BTC.BTC: the diagonal of the cross-impact matrix is fixed "
            "at 1");
  const Scenario s =
      load(base_plus("[impact]\nhalf_life = \"inf\"\nmax_cascade_rounds = 65535\n"
                     "cross = { ETH = { BTC = 0.25 } }\n"));
  EXPECT_TRUE(std::isinf(s.impact.half_life_s));
  EXPECT_EQ(s.impact.max_cascade_rounds, 65535);
  EXPECT_EQ(s.impact.cross, (std::vector<double>{1.0, 0.25, 0.0, 1.0}));  // [to=BTC, from=ETH]
}

// ---- book, fund, portfolios, output --------------------------------------------------------

TEST(ConfigErrors, Book) {
  EXPECT_EQ(error_of(base_with("source = \"synthetic\"", "source = \"exchange\"")),
            "x.toml:19: book.source: must be one of \"synthetic\", \"csv\", got \"exchange\"");
  EXPECT_EQ(error_of(base_with("source = \"synthetic\"", "source = \"csv\"")),
            "x.toml:18: book.path: required key missing");
  EXPECT_EQ(error_of(base_with("source = \"synthetic\"", "path = \"b.csv\"")),
            "x.toml:19: book.path: only used with book.source = \"csv\"");
  EXPECT_EQ(
      error_of(base_with("source = \"synthetic\"", "source = \"csv\"\npath = \"books/b.csv\"")),
      "x.toml:20: book.path: book file not found (resolved to "
      "/nonexistent-base/books/b.csv), got \"books/b.csv\"");
  EXPECT_EQ(error_of(base_with("open_interest = { BTC = 3.5e10, ETH = 2.0e10 }", "positions = 10")),
            "x.toml:21: book.synthetic.open_interest: required key missing");
  EXPECT_EQ(
      error_of(base_with("[book.synthetic]\nopen_interest = { BTC = 3.5e10, ETH = 2.0e10 }\n", "")),
      "x.toml:18: book.synthetic: required table missing");
  EXPECT_EQ(error_of(base_with("open_interest = { BTC = 3.5e10, ETH = 2.0e10 }",
                               "open_interest = { BTC = 3.5e10 }")),
            "x.toml:22: book.synthetic.open_interest.ETH: required key missing");
  EXPECT_EQ(error_of(base_with("{ BTC = 3.5e10, ETH = 2.0e10 }",
                               "{ BTC = 3.5e10, ETH = 2.0e10, XRP = 1.0 }")),
            "x.toml:22: book.synthetic.open_interest.XRP: not in market.assets [BTC, ETH]");
  EXPECT_EQ(error_of(base_with("{ BTC = 3.5e10, ETH = 2.0e10 }", "{ BTC = -1.0, ETH = 2.0e10 }")),
            "x.toml:22: book.synthetic.open_interest.BTC: must be >= 0, got -1");
  EXPECT_EQ(error_of(base_plus("long_share = 1.5\n")),
            "x.toml:23: book.synthetic.long_share: must be in [0, 1], got 1.5");
  EXPECT_EQ(error_of(base_plus("long_share = { BTC = 0.5 }\n")),
            "x.toml:23: book.synthetic.long_share.ETH: required key missing");
  EXPECT_EQ(error_of(base_plus("leverage = { levels = [2, 5], weights = [0.5, 0.4] }\n")),
            "x.toml:23: book.synthetic.leverage.weights: must sum to 1 (they sum to 0.9), got [ "
            "0.5, 0.4 ]");
  EXPECT_EQ(error_of(base_plus("leverage = { levels = [2, 5], weights = [1.0] }\n")),
            "x.toml:23: book.synthetic.leverage.weights: must have as many entries as "
            "leverage.levels (2), got [ 1.0 ]");
  EXPECT_EQ(error_of(base_plus("leverage = { levels = [0.5, 5], weights = [0.5, 0.5] }\n")),
            "x.toml:23: book.synthetic.leverage.levels[0]: must be >= 1, got 0.5");
  EXPECT_EQ(error_of(base_plus("leverage = { levels = [2, 5], weights = [1.5, -0.5] }\n")),
            "x.toml:23: book.synthetic.leverage.weights[1]: must be >= 0, got -0.5");
  EXPECT_EQ(error_of(base_plus("leverage = { levels = [2, 5] }\n")),
            "x.toml:23: book.synthetic.leverage.weights: required key missing");
  EXPECT_EQ(error_of(base_plus("entry_spread = -0.1\n")),
            "x.toml:23: book.synthetic.entry_spread: must be >= 0, got -0.1");
  EXPECT_EQ(error_of(base_plus("positions = 0\n")),
            "x.toml:23: book.synthetic.positions: must be > 0, got 0");
  // Weights summing to 1 within 1e-9 are accepted.
  EXPECT_NO_THROW(
      load(base_plus("leverage = { levels = [1, 3, 7], weights = [0.1, 0.2, 0.7] }\n")));
}

TEST(ConfigErrors, MaintenanceTiers) {
  EXPECT_EQ(error_of(base_with("source = \"synthetic\"",
                               "source = \"synthetic\"\nmaintenance = \"x\"\n"
                               "[[book.tier]]\nmin_notional_usd = 0\nmax_notional_usd = 1\n"
                               "maintenance_margin_rate = 0.01\nmax_leverage = 10")),
            "x.toml:20: book.maintenance: give either book.maintenance or [[book.tier]] rows, not "
            "both");
  const std::string tier =
      "[[book.tier]]\nmin_notional_usd = 0\nmax_notional_usd = 100\n"
      "maintenance_margin_rate = 0.01\nmax_leverage = 10\n";
  EXPECT_EQ(error_of(base_with("source = \"synthetic\"",
                               "source = \"synthetic\"\n" +
                                   edit(tier, "min_notional_usd = 0", "min_notional_usd = 100"))),
            "x.toml:22: book.tier[0].max_notional_usd: must be > min_notional_usd (100), got 100");
  EXPECT_EQ(error_of(base_with("source = \"synthetic\"",
                               "source = \"synthetic\"\n" +
                                   edit(tier, "max_leverage = 10", "max_leverage = 0.5"))),
            "x.toml:24: book.tier[0].max_leverage: must be >= 1, got 0.5");
  EXPECT_EQ(
      error_of(base_with("source = \"synthetic\"",
                         "source = \"synthetic\"\n" + edit(tier, "max_leverage = 10",
                                                           "max_leverage = 10\nasset = \"XRP\""))),
      "x.toml:25: book.tier[0].asset: not in market.assets [BTC, ETH], got \"XRP\"");
  EXPECT_EQ(error_of(base_with("source = \"synthetic\"",
                               "source = \"synthetic\"\n" + edit(tier, "0.01", "1.0"))),
            "x.toml:23: book.tier[0].maintenance_margin_rate: must be in [0, 1), got 1");
  EXPECT_EQ(error_of(base_with("source = \"synthetic\"",
                               "source = \"synthetic\"\nmaintenance = \"tiers/none.csv\"")),
            "x.toml:20: book.maintenance: tier table file not found (resolved to "
            "/nonexistent-base/tiers/none.csv), got \"tiers/none.csv\"");
}

TEST(ConfigErrors, TierRowsAreCheckedAsTheScenarioIsRead) {
  // The brackets' check (host/scenario/tiers.h, also that of tier table files), with lines.
  const std::string rows =
      "[[book.tier]]\nmin_notional_usd = 0\nmax_notional_usd = 100\n"
      "maintenance_margin_rate = 0.01\nmax_leverage = 10\n"
      "[[book.tier]]\nmin_notional_usd = 200\nmax_notional_usd = inf\n"
      "maintenance_margin_rate = 0.02\nmax_leverage = 5\n";
  EXPECT_EQ(error_of(base_with("source = \"synthetic\"", "source = \"synthetic\"\n" + rows)),
            "x.toml:26: book.tier[1].min_notional_usd: 200 leaves a gap after the previous "
            "bracket of rows without asset (book.tier[0], max_notional_usd 100); brackets must "
            "be contiguous and in increasing order");
  EXPECT_EQ(error_of(base_with("source = \"synthetic\"",
                               "source = \"synthetic\"\n" +
                                   edit(rows, "max_leverage = 10", "max_leverage = 100"))),
            "x.toml:24: book.tier[0].max_leverage: 100 times maintenance_margin_rate 0.01 is >= "
            "1: a position at the maximum leverage would be liquidated as soon as it opened");
}

TEST(ConfigErrors, InsuranceFund) {
  EXPECT_EQ(error_of(base_plus("[insurance_fund]\nbalance = -1.0\n")),
            "x.toml:24: insurance_fund.balance: must be >= 0, got -1");
  EXPECT_EQ(error_of(base_plus("[insurance_fund]\nliquidation_fee = 1.0\n")),
            "x.toml:24: insurance_fund.liquidation_fee: must be in [0, 1), got 1");
  EXPECT_EQ(error_of(base_plus("[insurance_fund]\nliquidation_fee = -0.01\n")),
            "x.toml:24: insurance_fund.liquidation_fee: must be in [0, 1), got -0.01");
  const std::string adl = error_of(base_plus("[insurance_fund]\nadl = \"ranking\"\n"));
  EXPECT_NE(adl.find("x.toml:24: insurance_fund.adl:"), std::string::npos) << adl;
  EXPECT_NE(adl.find("pro-rata"), std::string::npos) << adl;
}

TEST(ConfigLoad, AdlRuleNone) {
  const Scenario s = load_scenario_text(std::string(kFull) + "\n", "x.toml", fs::current_path(),
                                        "x", {"insurance_fund.adl=none"});
  EXPECT_EQ(s.insurance_fund.adl, AdlRuleSpec::none);
  EXPECT_NE(s.resolved_toml.find("adl = \"none\""), std::string::npos);
}

TEST(ConfigErrors, Portfolios) {
  const std::string ok =
      "[[portfolio]]\nname = \"a\"\ncollateral = 1.0e6\n"
      "positions = [{ asset = \"BTC\", side = \"long\", notional = 1.0e6, "
      "entry = 1.0e5 }]\n";
  EXPECT_NO_THROW(load(base_plus(ok)));
  EXPECT_EQ(error_of(base_plus(edit(ok, "\"long\"", "\"flat\""))),
            "x.toml:26: portfolio[0].positions[0].side: must be one of \"long\", \"short\", got "
            "\"flat\"");
  EXPECT_EQ(error_of(base_plus(edit(ok, "asset = \"BTC\"", "asset = \"XRP\""))),
            "x.toml:26: portfolio[0].positions[0].asset: not in market.assets [BTC, ETH], got "
            "\"XRP\"");
  EXPECT_EQ(error_of(base_plus(edit(ok, "notional = 1.0e6", "notional = 0.0"))),
            "x.toml:26: portfolio[0].positions[0].notional: must be > 0, got 0");
  EXPECT_EQ(error_of(base_plus(edit(ok, "entry = 1.0e5", "entry = -1.0"))),
            "x.toml:26: portfolio[0].positions[0].entry: must be > 0, got -1");
  EXPECT_EQ(error_of(base_plus(edit(ok, "collateral = 1.0e6", "collateral = -1.0"))),
            "x.toml:25: portfolio[0].collateral: must be >= 0, got -1");
  EXPECT_EQ(error_of(base_plus(ok + ok)),
            "x.toml:28: portfolio[1].name: duplicate portfolio name, got \"a\"");
  EXPECT_EQ(error_of(base_plus(edit(ok, "name = \"a\"\n", ""))),
            "x.toml:23: portfolio[0].name: required key missing");
}

TEST(ConfigErrors, Output) {
  EXPECT_EQ(error_of(base_plus("[output]\nquantiles = [0.5, 0.5]\n")),
            "x.toml:24: output.quantiles[1]: must be greater than the previous entry (0.5): "
            "strictly increasing, got 0.5");
  EXPECT_EQ(error_of(base_plus("[output]\nquantiles = [0.5, 1.0]\n")),
            "x.toml:24: output.quantiles[1]: must be in (0, 1), got 1");
  EXPECT_EQ(error_of(base_plus("[output]\nquantiles = [0.0]\n")),
            "x.toml:24: output.quantiles[0]: must be in (0, 1), got 0");
  EXPECT_EQ(error_of(base_plus("[output]\nquantiles = []\n")),
            "x.toml:24: output.quantiles: must list at least one level, got []");
  EXPECT_EQ(error_of(base_plus("[output]\nthresholds = [1.0e9, 1.0e8]\n")),
            "x.toml:24: output.thresholds[1]: must be greater than the previous entry (1e9): "
            "strictly increasing, got 1e8");
  EXPECT_EQ(error_of(base_plus("[output]\nthresholds = [0.0]\n")),
            "x.toml:24: output.thresholds[0]: must be > 0, got 0");
  EXPECT_EQ(error_of(base_plus("[output]\npath = \"\"\n")),
            "x.toml:24: output.path: must not be empty, got \"\"");
  EXPECT_EQ(error_of(base_plus("[output]\nper_path = \"yes\"\n")),
            "x.toml:24: output.per_path: must be true or false, got \"yes\"");
}

// ---- --set overrides ---------------------------------------------------------------------

TEST(ConfigOverrides, IntegralFloatAndNestedKeys) {
  const Scenario s =
      load(kBase, {"simulation.paths=2e6", "asset.BTC.vol=0.8", "impact.model=\"linear\"",
                   "asset.BTC.depth = 1e9", "asset.ETH.depth=5e8"});
  EXPECT_EQ(s.simulation.paths, 2000000);
  EXPECT_EQ(s.assets[0].vol, 0.8);
  EXPECT_EQ(s.impact.model, ImpactModel::linear);
  EXPECT_EQ(s.assets[0].depth_usd, 1e9);
}

TEST(ConfigOverrides, BareWordIsAString) {
  const Scenario s = load(kBase, {"impact.model=sqrt", "asset.BTC.depth=1e9", "asset.ETH.depth=1e9",
                                  "simulation.innovations=student-t"});
  EXPECT_EQ(s.impact.model, ImpactModel::sqrt);
  EXPECT_EQ(s.simulation.innovations, InnovationKind::student_t);
}

TEST(ConfigOverrides, ArraysTablesAndElements) {
  const std::string one_asset = edit(kBase, "[asset.ETH]\nspot = 4300.0\nvol = 0.7\n", "");
  const Scenario s = load(one_asset, {"market.assets=[\"BTC\"]", "market.correlation=[[1.0]]",
                                      "book.synthetic.open_interest={BTC=1e9}"});
  EXPECT_EQ(s.n_assets(), 1);
  EXPECT_EQ(s.book.synthetic.open_interest_usd, (std::vector<double>{1e9}));
  const Scenario t = load(base_plus("[[shock]]\nat = \"1h\"\n"), {"shock[0].at=\"2h\""});
  EXPECT_EQ(t.shocks[0].at_s, 7200.0);
  const Scenario u = load(kBase, {"insurance_fund.balance=5e8", "output.thresholds=[1e8]"});
  EXPECT_EQ(u.insurance_fund.balance_usd, 5e8);
  EXPECT_EQ(u.output.thresholds, (std::vector<double>{1e8}));
}

TEST(ConfigOverrides, ErrorsNameTheOverride) {
  EXPECT_EQ(error_of(kBase, {"simulation.paths=-5"}),
            "--set simulation.paths: must be > 0, got -5");
  EXPECT_EQ(error_of(kBase, {"simulation.paths=2.5"}),
            "--set simulation.paths: must be an integer, got 2.5");
  EXPECT_EQ(error_of(kBase, {"asset.BTC.volatility=0.8"}),
            "--set asset.BTC.volatility: unknown key (known keys here: spot, vol, drift, beta, "
            "depth, jumps, funding_8h, funding, funding_premium_8h, funding_interest_8h, "
            "funding_cap_8h)");
  EXPECT_EQ(error_of(kBase, {"simulaton.paths=5"}),
            "--set simulaton: unknown key (known keys here: simulation, market, asset, "
            "market_jumps, shock, regime, impact, book, insurance_fund, portfolio, output, "
            "importance)");
  EXPECT_EQ(error_of(kBase, {"asset.BTC.jumps={rate=1.0, size=2.0}"}),
            "--set asset.BTC.jumps.size: unknown key (known keys here: rate, mean, stdev)");
  EXPECT_EQ(error_of(kBase, {"market.correlation=[[1.0, 2.0], [2.0, 1.0]]"}),
            "--set market.correlation[0][1]: must be in [-1, 1], got 2");
  EXPECT_EQ(error_of(kBase, {"impact.model=cubic"}),
            "--set impact.model: must be one of \"none\", \"linear\", \"sqrt\", got \"cubic\"");
  EXPECT_EQ(error_of(kBase, {"asset.XRP.spot=1"}),
            "--set asset.XRP: not in market.assets [BTC, ETH]");
  EXPECT_EQ(error_of(kBase, {"simulation.paths"}),
            "--set simulation.paths: expected KEY=VALUE (e.g. --set simulation.paths=2e6)");
  EXPECT_EQ(error_of(kBase, {"=5"}), "--set =5: expected KEY=VALUE, the key is empty");
  EXPECT_EQ(error_of(kBase, {"simulation.paths="}),
            "--set simulation.paths: expected KEY=VALUE, the value is empty");
  EXPECT_EQ(error_of(kBase, {"simulation..paths=5"}),
            "--set simulation..paths=5: malformed key \"simulation..paths\" (expected a dotted "
            "path such as simulation.paths)");
  EXPECT_EQ(error_of(kBase, {"simulation.paths.x=5"}),
            "--set simulation.paths.x: simulation.paths is not a table");
  EXPECT_EQ(error_of(kBase, {"shock[0].at=\"1h\""}), "--set shock[0].at: shock has no element 0");
  // File errors keep their line when an override touches another key.
  EXPECT_EQ(error_of(base_with("vol = 0.7", "vol = -0.3"), {"simulation.paths=10"}),
            "x.toml:16: asset.ETH.vol: must be >= 0, got -0.3");
}

// ---- resolved TOML -----------------------------------------------------------------------

TEST(ConfigResolved, FullScenarioRoundTrips) {
  const Scenario s = load(kFull);
  expect_round_trip(s);
  // Durations in the largest exact unit, floats in their shortest exact form.
  EXPECT_NE(s.resolved_toml.find("horizon = \"1d\"\nstep = \"1m\"\n"), std::string::npos);
  EXPECT_NE(s.resolved_toml.find("at = \"90m\"\n"), std::string::npos);
  EXPECT_NE(s.resolved_toml.find("half_life = \"30m\"\n"), std::string::npos);
  EXPECT_NE(s.resolved_toml.find("vol = 0.55\n"), std::string::npos);
  EXPECT_NE(s.resolved_toml.find("depth = 4e8\n"), std::string::npos);
  EXPECT_NE(s.resolved_toml.find("cross = { BTC = { DOGE = 0.5, ETH = 0.6, SOL = 0.5 } }\n"),
            std::string::npos);
  // Sections in SPEC.md order.
  const auto pos = [&](std::string_view h) { return s.resolved_toml.find(h); };
  EXPECT_LT(pos("[simulation]"), pos("[market]"));
  EXPECT_LT(pos("[market]"), pos("[asset.BTC]"));
  EXPECT_LT(pos("[asset.BTC]"), pos("[asset.ETH]"));
  EXPECT_LT(pos("[asset.DOGE]"), pos("[market_jumps]"));
  EXPECT_LT(pos("[market_jumps]"), pos("[[shock]]"));
  EXPECT_LT(pos("[[shock]]"), pos("[impact]"));
  EXPECT_LT(pos("[impact]"), pos("[book]"));
  EXPECT_LT(pos("[book]"), pos("[insurance_fund]"));
  EXPECT_LT(pos("[insurance_fund]"), pos("[[portfolio]]"));
  EXPECT_LT(pos("[[portfolio]]"), pos("[output]"));
}

TEST(ConfigResolved, DefaultsAreWrittenOut) {
  const Scenario s = load(kBase);
  expect_round_trip(s);
  for (std::string_view line :
       {"seed = 1\n", "max_paths = 10000000\n", "innovations = \"gaussian\"\n", "dof = 4.0\n",
        "beta = 1.0\n", "model = \"none\"\n", "half_life = \"inf\"\n", "max_cascade_rounds = 64\n",
        "cross = {}\n", "entry_spread = 0.06\n", "long_share = 0.5\n", "balance = 0.0\n",
        "per_path = true\n", "thresholds = []\n", "path = \"results/{name}.h5\"\n"}) {
    EXPECT_NE(s.resolved_toml.find(line), std::string::npos) << line;
  }
}

TEST(ConfigResolved, UnusualValuesRoundTrip) {
  const Scenario s = load(
      base_plus(
          "long_share = { BTC = 0.1, ETH = 0.9 }\n\n"
          "[[book.tier]]\nmin_notional_usd = 0\nmax_notional_usd = inf\n"
          "maintenance_margin_rate = 0.004\nmax_leverage = 125\n"
          "[[book.tier]]\nasset = \"ETH\"\nmin_notional_usd = 0\nmax_notional_usd = 1e6\n"
          "maintenance_margin_rate = 0.005\nmax_leverage = 100\nmaintenance_amount_usd = 50\n"
          "[[shock]]\nat = \"0.1h\"\nduration = \"1.5s\"\nreturns = { ETH = 0.3333333333333333 }\n"
          "[impact]\nhalf_life = \"2.5m\"\nstrength = 1e-300\n"),
      {"simulation.seed=9223372036854775807", "simulation.step=\"0.5s\"",
       "asset.BTC.vol=0.1234567890123456789"});
  expect_round_trip(s);
}

// ---- files -------------------------------------------------------------------------------

TEST_F(ConfigFileTest, LineNumbersAndNames) {
  // SPEC.md's example message: asset.ETH.vol on line 14.
  const fs::path p = write("configs/x.toml", R"toml([simulation]
paths = 1000
horizon = "24h"
step = "1m"
[market]
assets = ["BTC", "ETH"]
correlation = [[1.0, 0.8], [0.8, 1.0]]
[asset.BTC]
spot = 121000.0
vol = 0.55
[asset.ETH]
spot = 4300.0
# annualised
vol = -0.3
[book]
[book.synthetic]
open_interest = { BTC = 3.5e10, ETH = 2.0e10 }
)toml");
  try {
    load_scenario(p);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), p.string() + ":14: asset.ETH.vol: must be >= 0, got -0.3");
  }
}

TEST_F(ConfigFileTest, NameBaseDirAndCsvBook) {
  write("configs/books/b.csv", "asset,side,notional_usd,entry_price,leverage\n");
  const std::string text = base_with(
      "source = \"synthetic\"\n\n[book.synthetic]\n"
      "open_interest = { BTC = 3.5e10, ETH = 2.0e10 }\n",
      "source = \"csv\"\npath = \"books/b.csv\"\n");
  const fs::path p = write("configs/stress-1.toml", text);
  const Scenario s = load_scenario(p, {"simulation.paths=7"});
  EXPECT_EQ(s.name, "stress-1");
  EXPECT_EQ(s.source_file, p);
  EXPECT_EQ(s.simulation.paths, 7);
  EXPECT_EQ(s.book.source, BookSource::csv);
  EXPECT_EQ(s.book.csv_path, (dir_ / "configs/books/b.csv").lexically_normal());
  expect_round_trip(s, dir_ / "configs");
  // The same book from a relative scenario path: resolved against the file's own folder.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  const Scenario r = load_scenario("configs/stress-1.toml");
  fs::current_path(cwd);
  EXPECT_EQ(r.source_file, fs::path("configs/stress-1.toml"));
  EXPECT_EQ(r.book.csv_path, (dir_ / "configs/books/b.csv").lexically_normal());
}

TEST_F(ConfigFileTest, MaintenanceTablePathResolves) {
  write("configs/tiers/t.csv", "x\n");
  const fs::path p =
      write("configs/m.toml", base_with("source = \"synthetic\"", "maintenance = \"tiers/t.csv\""));
  const Scenario s = load_scenario(p);
  EXPECT_EQ(s.book.maintenance, (dir_ / "configs/tiers/t.csv").lexically_normal().string());
}

TEST_F(ConfigFileTest, SyntaxErrorInFile) {
  const fs::path p = write("bad.toml", "[simulation]\npaths = \n");
  try {
    load_scenario(p);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(p.string() + ":2:9: TOML syntax error: ", 0), 0u)
        << e.what();
  }
}

TEST_F(ConfigFileTest, MissingFile) {
  const fs::path p = dir_ / "missing.toml";
  try {
    load_scenario(p);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              p.string() + ": cannot read scenario file (No such file or directory)");
  }
  try {
    load_scenario(dir_);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              dir_.string() + ": cannot read scenario file (Is a directory)");
  }
}

TEST(ConfigBuiltin, DefaultScenarioLoadsAndRoundTrips) {
  // What `liqstress run` runs with no CONFIG must always be valid.
  const Scenario s = load_scenario_text(builtin_default_config(), "<builtin>/default.toml",
                                        "/nonexistent-base", "default");
  EXPECT_TRUE(s.warnings.empty());
  expect_round_trip(s);
}

// ---- durations ---------------------------------------------------------------------------

TEST(ConfigDuration, Table) {
  struct Row {
    std::string_view text;
    double seconds;
  };
  const Row rows[] = {
      {"90s", 90}, {"15m", 900},      {"6h", 21600},     {"3d", 259200},     {"1.5h", 5400},
      {"0s", 0},   {"0.5s", 0.5},     {".5m", 30},       {"1e3s", 1000},     {"24h", 86400},
      {"1m", 60},  {"2.25d", 194400}, {"0.001s", 0.001}, {"10000000s", 1e7},
  };
  for (const Row& r : rows) EXPECT_EQ(parse_duration(r.text), r.seconds) << r.text;
  EXPECT_TRUE(std::isinf(parse_duration("inf", true)));
  EXPECT_EQ(parse_duration("30m", true), 1800.0);
}

TEST(ConfigDuration, Errors) {
  auto reason = [](std::string_view text, bool allow_inf = false) -> std::string {
    try {
      parse_duration(text, allow_inf);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(reason(""), "empty duration");
  EXPECT_EQ(reason("90"), "no unit (write e.g. \"90s\", \"15m\", \"6h\", \"3d\")");
  EXPECT_EQ(reason("1.5"), "no unit (write e.g. \"90s\", \"15m\", \"6h\", \"3d\")");
  EXPECT_EQ(reason("5ms"), "unknown unit \"ms\" (use s, m, h or d)");
  EXPECT_EQ(reason("2w"), "unknown unit \"w\" (use s, m, h or d)");
  EXPECT_EQ(reason("6H"), "unknown unit \"H\" (use s, m, h or d)");
  EXPECT_EQ(reason("-1h"), "negative duration");
  EXPECT_EQ(reason("h"), "not a number before the unit: \"\"");
  EXPECT_EQ(reason("5 m"), "not a number before the unit: \"5 \"");
  EXPECT_EQ(reason(" 5m"), "not a number before the unit: \" 5\"");
  EXPECT_EQ(reason("+5m"), "not a number before the unit: \"+5\"");
  EXPECT_EQ(reason("1..5h"), "not a number before the unit: \"1..5\"");
  EXPECT_EQ(reason("inf"), "\"inf\" is not allowed here, a finite duration is required");
  EXPECT_EQ(reason("-inf", true), "negative duration");
  EXPECT_EQ(reason("1e400s"), "not a number before the unit: \"1e400\"");
  EXPECT_EQ(reason("1e306d"), "duration too large");
}

}  // namespace
}  // namespace liq
