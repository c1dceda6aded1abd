// liqstress — unit tests of tier tables (host/book/book.h): the table shipped in configs/ loads
// and matches the Binance snapshot it was made from, its maintenance amounts are the
// cumulative amounts, lookup by name and path, [[book.tier]] rows, and bad tables rejected
// with FILE:LINE: KEY.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "host/book/book.h"
#include "host/scenario/config.h"
#include "host/util/errors.h"
#include "tests/unit/param_names.h"

namespace liq {
namespace {

namespace fs = std::filesystem;

const std::string kShipped = LIQ_SOURCE_DIR "/configs/binance-usdt-perp-2024-10.toml";

std::string read(const std::string& file) {
  std::ifstream in(file);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string scenario_text(const std::string& book) {
  return R"(
[simulation]
paths = 10
horizon = "1h"
step = "1m"
[market]
assets = ["BTC", "ETH"]
correlation = [[1.0, 0.8], [0.8, 1.0]]
[asset.BTC]
spot = 100000.0
vol = 0.5
[asset.ETH]
spot = 2500.0
vol = 0.6
)" + book +
         R"(
[book.synthetic]
open_interest = { BTC = 1.0e9, ETH = 5.0e8 }
positions = 100
)";
}

/// The InputError message of `f`, or "" when it does not throw one.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Tiers, ShippedTableLoads) {
  const TierTable t = parse_tier_table(read(kShipped), kShipped);
  EXPECT_EQ(t.name, "binance-usdt-perp-2024-10");
  EXPECT_NE(t.source.find("freqtrade/freqtrade"), std::string::npos);
  EXPECT_TRUE(t.fallback.empty());
  for (const char* a : {"BTC", "ETH", "SOL", "DOGE", "XRP", "BNB", "ADA", "AVAX", "LINK", "LTC",
                        "DOT", "TRX", "SUI"}) {
    EXPECT_TRUE(t.has_asset(a)) << a;
  }
  EXPECT_FALSE(t.has_asset("1000PEPE"));
  EXPECT_GE(t.by_asset.size(), 18u);
}

// Hard-coded from shared/data/binance-usdt-perp-tiers-2024-10.json, "BTC/USDT:USDT".
TEST(Tiers, BtcBracketsMatchTheSnapshot) {
  const TierTable t = parse_tier_table(read(kShipped), kShipped);
  const std::vector<TierRow>& btc = t.by_asset.at("BTC");
  struct Want {
    double min, max, mmr, lev, cum;
  };
  const Want want[] = {
      {0, 50e3, 0.004, 125, 0},
      {50e3, 600e3, 0.005, 100, 50},
      {600e3, 3e6, 0.0065, 75, 950},
      {3e6, 12e6, 0.01, 50, 11'450},
      {12e6, 70e6, 0.02, 25, 131'450},
      {70e6, 100e6, 0.025, 20, 481'450},
      {100e6, 230e6, 0.05, 10, 2'981'450},
      {230e6, 480e6, 0.1, 5, 14'481'450},
      {480e6, 600e6, 0.125, 4, 26'481'450},
      {600e6, 800e6, 0.15, 3, 41'481'450},
      {800e6, 1.2e9, 0.25, 2, 121'481'450},
      {1.2e9, 1.8e9, 0.5, 1, 421'481'450},
  };
  ASSERT_EQ(btc.size(), std::size(want));
  for (std::size_t i = 0; i < btc.size(); ++i) {
    SCOPED_TRACE("BTC bracket " + std::to_string(i + 1));
    EXPECT_EQ(btc[i].asset, "BTC");
    EXPECT_EQ(btc[i].min_notional_usd, want[i].min);
    EXPECT_EQ(btc[i].max_notional_usd, want[i].max);
    EXPECT_EQ(btc[i].maintenance_margin_rate, want[i].mmr);
    EXPECT_EQ(btc[i].max_leverage, want[i].lev);
    EXPECT_EQ(btc[i].maintenance_amount_usd, want[i].cum);
  }
  // DOGE bracket 4 (750k-800k USD): mmr 2%, 25x, cum 7,670.
  const TierRow& d = t.bracket("DOGE", 760'000);
  EXPECT_EQ(d.maintenance_margin_rate, 0.02);
  EXPECT_EQ(d.max_leverage, 25);
  EXPECT_EQ(d.maintenance_amount_usd, 7'670);
}

// cum_n = cum_{n-1} + min_n·(mmr_n − mmr_{n-1}): the maintenance margin mmr·N − cum is
// continuous at every bracket boundary.
TEST(Tiers, MaintenanceAmountsAreCumulative) {
  const TierTable t = parse_tier_table(read(kShipped), kShipped);
  for (const auto& [asset, rows] : t.by_asset) {
    EXPECT_EQ(rows.front().min_notional_usd, 0) << asset;
    EXPECT_EQ(rows.front().maintenance_amount_usd, 0) << asset;
    for (std::size_t i = 1; i < rows.size(); ++i) {
      const TierRow& p = rows[i - 1];
      const TierRow& r = rows[i];
      const double want =
          p.maintenance_amount_usd +
          r.min_notional_usd * (r.maintenance_margin_rate - p.maintenance_margin_rate);
      EXPECT_NEAR(r.maintenance_amount_usd, want, 1e-9 * std::max(1.0, want)) << asset << " " << i;
      const double n = r.min_notional_usd;
      EXPECT_NEAR(p.maintenance_margin_rate * n - p.maintenance_amount_usd,
                  r.maintenance_margin_rate * n - r.maintenance_amount_usd, 1e-9 * n)
          << asset << " " << i;
    }
  }
}

TEST(Tiers, BracketLookupIsHalfOpen) {
  const TierTable t = parse_tier_table(read(kShipped), kShipped);
  EXPECT_EQ(t.bracket("BTC", 0.0).max_leverage, 125);
  EXPECT_EQ(t.bracket("BTC", 49'999.99).max_leverage, 125);
  EXPECT_EQ(t.bracket("BTC", 50'000).max_leverage, 100);  // [min, max)
  EXPECT_EQ(t.bracket("BTC", 1.7e9).max_leverage, 1);
  const std::string beyond = error_of([&] { (void)t.bracket("BTC", 1.8e9); });
  EXPECT_NE(beyond.find("BTC"), std::string::npos) << beyond;
  EXPECT_NE(beyond.find("1800000000"), std::string::npos) << beyond;
  EXPECT_NE(error_of([&] { (void)t.bracket("NOPE", 10); }).find("no brackets for NOPE"),
            std::string::npos);
  EXPECT_EQ(find_bracket(t.by_asset.at("BTC"), -1.0), nullptr);
  EXPECT_EQ(find_bracket(t.by_asset.at("BTC"), std::nan("")), nullptr);
}

TEST(Tiers, LoadedByNameFromConfigsBesideOrAboveTheScenario) {
  // The scenario in configs/: <folder>/NAME.toml.
  const Scenario in_configs =
      load_scenario_text(scenario_text("[book]\nmaintenance = \"binance-usdt-perp-2024-10\"\n"),
                         LIQ_SOURCE_DIR "/configs/test.toml", LIQ_SOURCE_DIR "/configs", "test");
  const TierTable a = load_tier_table(in_configs);
  EXPECT_EQ(a.name, "binance-usdt-perp-2024-10");
  EXPECT_EQ(fs::path(a.origin), fs::path(kShipped).lexically_normal());
  // A scenario in a sibling folder: <folder>/../configs/NAME.toml.
  const Scenario sibling =
      load_scenario_text(scenario_text("[book]\nmaintenance = \"binance-usdt-perp-2024-10\"\n"),
                         LIQ_SOURCE_DIR "/scenarios/test.toml", LIQ_SOURCE_DIR, "test");
  EXPECT_EQ(load_tier_table(sibling).by_asset.at("BTC").size(), 12u);
  // An unknown name lists where it looked.
  const Scenario unknown =
      load_scenario_text(scenario_text("[book]\nmaintenance = \"no-such-table\"\n"),
                         LIQ_SOURCE_DIR "/configs/test.toml", LIQ_SOURCE_DIR "/configs", "test");
  const std::string msg = error_of([&] { (void)load_tier_table(unknown); });
  EXPECT_NE(msg.find("book.maintenance: unknown tier table \"no-such-table\""), std::string::npos)
      << msg;
}

TEST(Tiers, LoadedByPath) {
  const Scenario s = load_scenario_text(
      scenario_text("[book]\nmaintenance = \"" + kShipped + "\"\n"), "test.toml", "/", "test");
  EXPECT_EQ(load_tier_table(s).name, "binance-usdt-perp-2024-10");
}

TEST(Tiers, BuiltinCopyEqualsTheShippedFile) {
  const std::string_view builtin = builtin_tier_table("binance-usdt-perp-2024-10");
  EXPECT_TRUE(builtin_tier_table("no-such-table").empty());
  if (builtin.empty()) {
    GTEST_SKIP() << "cmake/builtin_tiers.cpp.in is not compiled into liqcore yet "
                    "(LIQ_HAVE_BUILTIN_TIERS undefined)";
  }
  EXPECT_EQ(std::string(builtin), read(kShipped));
  // Found with no file beside the scenario.
  const Scenario s =
      load_scenario_text(scenario_text("[book]\nmaintenance = \"binance-usdt-perp-2024-10\"\n"),
                         "/nonexistent/dir/test.toml", "/nonexistent/dir", "test");
  const TierTable t = load_tier_table(s);
  EXPECT_EQ(t.origin, "<builtin>/binance-usdt-perp-2024-10.toml");
  EXPECT_EQ(t.by_asset.at("BTC").size(), 12u);
}

TEST(Tiers, BookTierRowsFromTheScenario) {
  const Scenario s = load_scenario_text(scenario_text(R"(
[book]
[[book.tier]]
asset = "BTC"
min_notional_usd = 0
max_notional_usd = 1.0e6
maintenance_margin_rate = 0.01
max_leverage = 50
[[book.tier]]
asset = "BTC"
min_notional_usd = 1.0e6
max_notional_usd = inf
maintenance_margin_rate = 0.02
max_leverage = 20
maintenance_amount_usd = 10000
[[book.tier]]
min_notional_usd = 0
max_notional_usd = inf
maintenance_margin_rate = 0.05
max_leverage = 10
)"),
                                        "test.toml", ".", "test");
  const TierTable t = load_tier_table(s);
  EXPECT_EQ(t.name, "[[book.tier]]");
  EXPECT_EQ(t.by_asset.at("BTC").size(), 2u);
  EXPECT_EQ(t.bracket("BTC", 5e9).maintenance_amount_usd, 10'000);
  EXPECT_EQ(t.bracket("ETH", 1e6).maintenance_margin_rate, 0.05);  // the fallback rows
}

TEST(Tiers, BookTierRowsWithAGapAreRejected) {
  // [[book.tier]] rows are checked as the scenario is read, by the check tier table files
  // get (host/scenario/tiers.h): with the line, and before any book is built.
  const std::string msg = error_of([] {
    (void)load_scenario_text(scenario_text(R"(
[book]
[[book.tier]]
asset = "BTC"
min_notional_usd = 0
max_notional_usd = 1.0e6
maintenance_margin_rate = 0.01
max_leverage = 50
[[book.tier]]
asset = "BTC"
min_notional_usd = 2.0e6
max_notional_usd = 3.0e6
maintenance_margin_rate = 0.02
max_leverage = 20
)"),
                             "test.toml", ".", "test");
  });
  EXPECT_NE(msg.find("test.toml:25: book.tier[1].min_notional_usd: 2e6 leaves a gap after the "
                     "previous bracket of BTC (book.tier[0], max_notional_usd 1e6)"),
            std::string::npos)
      << msg;
}

struct BadTable {
  const char* what;
  const char* row_text;  // the second [[tier]] row's body (line 9 onwards)
  const char* want;      // expected in the message
};

class BadTables : public ::testing::TestWithParam<BadTable> {};

TEST_P(BadTables, RejectedWithFileLineAndKey) {
  // Lines: 1 name, 2 blank, 3 [[tier]], 4-8 its keys, 9 blank, 10 [[tier]], 11.. the row.
  const std::string text = std::string("name = \"t\"\n\n[[tier]]\nasset = \"BTC\"\n") +
                           "min_notional_usd = 0\nmax_notional_usd = 1000\n"
                           "maintenance_margin_rate = 0.01\nmax_leverage = 50\n\n[[tier]]\n" +
                           GetParam().row_text;
  const std::string msg = error_of([&] { (void)parse_tier_table(text, "bad.toml"); });
  EXPECT_NE(msg.find(GetParam().want), std::string::npos) << GetParam().what << ": " << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Tiers, BadTables,
    ::testing::Values(
        BadTable{"gap",
                 "asset = \"BTC\"\nmin_notional_usd = 2000\nmax_notional_usd = 3000\n"
                 "maintenance_margin_rate = 0.02\nmax_leverage = 20\n",
                 "bad.toml:12: tier[1].min_notional_usd: 2000 leaves a gap"},
        BadTable{"overlap",
                 "asset = \"BTC\"\nmin_notional_usd = 500\nmax_notional_usd = 3000\n"
                 "maintenance_margin_rate = 0.02\nmax_leverage = 20\n",
                 "bad.toml:12: tier[1].min_notional_usd: 500 overlaps"},
        BadTable{"unknown key", "asset = \"BTC\"\nmin_notional_usd = 1000\nmax_notional = 3000\n",
                 "bad.toml:13: tier[1].max_notional: unknown key"},
        BadTable{"mmr >= 1",
                 "asset = \"BTC\"\nmin_notional_usd = 1000\nmax_notional_usd = 3000\n"
                 "maintenance_margin_rate = 1.0\nmax_leverage = 1\n",
                 "bad.toml:14: tier[1].maintenance_margin_rate: must be in [0, 1), got 1"},
        BadTable{"leverage < 1",
                 "asset = \"BTC\"\nmin_notional_usd = 1000\n"
                 "max_notional_usd = 3000\nmaintenance_margin_rate = 0.02\n"
                 "max_leverage = 0.5\n",
                 "bad.toml:15: tier[1].max_leverage: must be >= 1, got 0.5"},
        BadTable{"born liquidated",
                 "asset = \"BTC\"\nmin_notional_usd = 1000\n"
                 "max_notional_usd = 3000\nmaintenance_margin_rate = 0.02\n"
                 "max_leverage = 50\n",
                 "bad.toml:15: tier[1].max_leverage: 50 times maintenance_margin_rate 0.02"},
        BadTable{"negative amount",
                 "asset = \"BTC\"\nmin_notional_usd = 1000\n"
                 "max_notional_usd = 3000\nmaintenance_margin_rate = 0.02\n"
                 "max_leverage = 20\nmaintenance_amount_usd = -1\n",
                 "bad.toml:16: tier[1].maintenance_amount_usd: must be >= 0, got -1"},
        BadTable{"first min not 0",
                 "asset = \"ETH\"\nmin_notional_usd = 10\n"
                 "max_notional_usd = 3000\nmaintenance_margin_rate = 0.02\n"
                 "max_leverage = 20\n",
                 "bad.toml:12: tier[1].min_notional_usd: the first bracket of ETH must start at 0"},
        BadTable{"missing key",
                 "asset = \"BTC\"\nmin_notional_usd = 1000\n"
                 "max_notional_usd = 3000\nmaintenance_margin_rate = 0.02\n",
                 "bad.toml:10: tier[1].max_leverage: required key missing"},
        BadTable{"not a number", "asset = \"BTC\"\nmin_notional_usd = \"1000\"\n",
                 "bad.toml:12: tier[1].min_notional_usd: must be a number"},
        BadTable{"unknown top-level key",
                 "asset = \"BTC\"\nmin_notional_usd = 1000\n"
                 "max_notional_usd = 3000\n"
                 "maintenance_margin_rate = 0.02\nmax_leverage = 20\n"
                 "[other]\nx = 1\n",
                 "bad.toml:16: other: unknown key"}),
    [](const ::testing::TestParamInfo<BadTable>& param_info) {
      return test::param_name(param_info.param.what);
    });

TEST(Tiers, SyntaxErrorNamesFileLineColumn) {
  const std::string msg =
      error_of([] { (void)parse_tier_table("name = \"t\"\n[[tier]\n", "bad.toml"); });
  EXPECT_EQ(msg.rfind("bad.toml:2:", 0), 0u) << msg;
}

TEST(Tiers, CsvTableLoads) {
  const std::string text =
      "# a small table\n"
      "asset,min_notional_usd,max_notional_usd,maintenance_margin_rate,max_leverage,"
      "maintenance_amount_usd\n"
      "BTC,0,1000,0.01,50,0\n"
      "BTC,1000,inf,0.02,20,10  # open-ended\n"
      ",0,inf,0.05,10,\n";
  const TierTable t = parse_tier_table(text, "t.csv");
  EXPECT_EQ(t.by_asset.at("BTC").size(), 2u);
  EXPECT_EQ(t.fallback.size(), 1u);
  EXPECT_EQ(t.bracket("BTC", 1e12).maintenance_amount_usd, 10);
  const std::string gap =
      "min_notional_usd,max_notional_usd,maintenance_margin_rate,max_leverage\n"
      "0,1000,0.01,50\n1500,2000,0.02,20\n";
  const std::string msg = error_of([&] { (void)parse_tier_table(gap, "g.csv"); });
  EXPECT_NE(msg.find("g.csv:3: row.min_notional_usd: 1500 leaves a gap"), std::string::npos) << msg;
}

}  // namespace
}  // namespace liq
