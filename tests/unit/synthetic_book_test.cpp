// liqstress — unit tests of the synthetic book (host/book/book.cpp, [book.synthetic]): same book
// seed ⇒ same book, whatever simulation.seed, counts and side totals exact, leverages from the
// levels and within the tier maximum, weights, sizes and entries statistically as designed (fixed
// seed, tolerance k·standard error with k written down), a liquidation heatmap around spot.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "host/book/book.h"
#include "host/scenario/config.h"
#include "host/util/errors.h"

namespace liq {
namespace {

const std::string kShipped = LIQ_SOURCE_DIR "/configs/binance-usdt-perp-2024-10.toml";
const std::vector<double> kLevels = {2, 5, 10, 20, 50, 100};
const std::vector<double> kWeights = {0.15, 0.25, 0.3, 0.15, 0.1, 0.05};
constexpr double kOi[3] = {3.5e10, 2.0e10, 6.0e9};  // USD: BTC, ETH, SOL
constexpr double kShare[3] = {0.6, 0.3, 0.5};
constexpr std::int64_t kPositions = 20'000;
// Statistical checks: fixed seed, |estimate − expected| <= k·SE with k = 5 (a two-sided
// miss probability of 6e-7 per check for a correct implementation).
constexpr double kSe = 5.0;

Scenario scenario(const std::vector<std::string>& overrides = {},
                  const std::string& book_extra = "") {
  return load_scenario_text(R"(
[simulation]
paths = 10
horizon = "1h"
step = "1m"
seed = 11
[market]
assets = ["BTC", "ETH", "SOL"]
correlation = [[1.0, 0.8, 0.7], [0.8, 1.0, 0.7], [0.7, 0.7, 1.0]]
[asset.BTC]
spot = 95000.0
vol = 0.5
[asset.ETH]
spot = 2600.0
vol = 0.6
[asset.SOL]
spot = 195.0
vol = 0.9
[book]
source = "synthetic"
)" + book_extra + R"(
[book.synthetic]
open_interest = { BTC = 3.5e10, ETH = 2.0e10, SOL = 6.0e9 }
long_share = { BTC = 0.6, ETH = 0.3, SOL = 0.5 }
leverage = { levels = [2, 5, 10, 20, 50, 100], weights = [0.15, 0.25, 0.3, 0.15, 0.1, 0.05] }
entry_spread = 0.06
positions = 20_000
)",
                            LIQ_SOURCE_DIR "/configs/test.toml", LIQ_SOURCE_DIR "/configs", "test",
                            overrides);
}

Scenario with_table(std::vector<std::string> overrides = {}) {
  return scenario(overrides, "maintenance = \"" + kShipped + "\"\n");
}

/// Whether the shipped table lets a `symbol` position of `notional` USD take every level.
bool tiers_bracket_allows_all(const std::string& symbol, double notional) {
  static const TierTable table = load_tier_table(with_table());
  return table.bracket(symbol, notional).max_leverage >= kLevels.back();
}

bool same(const Position& a, const Position& b) {
  return a.asset == b.asset && a.side == b.side && a.account == b.account &&
         std::memcmp(&a.quantity, &b.quantity, sizeof(double)) == 0 &&
         std::memcmp(&a.entry_price, &b.entry_price, sizeof(double)) == 0 &&
         std::memcmp(&a.margin_usd, &b.margin_usd, sizeof(double)) == 0 &&
         std::memcmp(&a.mm_rate, &b.mm_rate, sizeof(double)) == 0 &&
         std::memcmp(&a.maint_amount_usd, &b.maint_amount_usd, sizeof(double)) == 0;
}

class SyntheticBook : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_ = new Scenario(with_table());
    tiers_ = new TierTable(load_tier_table(*s_));
    book_ = new Book(synthetic_book(*s_, *tiers_));
  }
  static void TearDownTestSuite() {
    delete book_;
    delete tiers_;
    delete s_;
  }
  static Scenario* s_;
  static TierTable* tiers_;
  static Book* book_;
};
Scenario* SyntheticBook::s_ = nullptr;
TierTable* SyntheticBook::tiers_ = nullptr;
Book* SyntheticBook::book_ = nullptr;

// The book has its own seed (book.synthetic.seed, default 1): simulation.seed (--seed)
// varies the paths only, so seed studies simulate one book.
TEST_F(SyntheticBook, BookSeedMakesTheBookSimulationSeedDoesNot) {
  EXPECT_EQ(s_->book.synthetic.seed, 1u);
  auto differing = [&](const Book& b) {
    EXPECT_EQ(b.positions.size(), book_->positions.size());  // counts do not depend on seeds
    std::size_t n = 0;
    for (std::size_t i = 0; i < b.positions.size(); ++i)
      n += same(b.positions[i], book_->positions[i]) ? 0 : 1;
    return n;
  };
  EXPECT_EQ(differing(load_book(*s_)), 0u);
  EXPECT_EQ(differing(synthetic_book(with_table({"simulation.seed=12"}), *tiers_)), 0u);
  EXPECT_EQ(differing(synthetic_book(with_table({"book.synthetic.seed=1"}), *tiers_)), 0u);
  const Book other = synthetic_book(with_table({"book.synthetic.seed=12"}), *tiers_);
  EXPECT_EQ(differing(other), other.positions.size());
  EXPECT_NE(other.description.find("book seed 12"), std::string::npos) << other.description;
}

TEST_F(SyntheticBook, CountsAndSideTotals) {
  EXPECT_EQ(book_->positions.size(), 3u * kPositions);
  EXPECT_EQ(book_->past_liquidation_at_spot, 0);
  EXPECT_TRUE(book_->accounts.empty());
  std::int64_t count[3][2] = {};
  double total[3][2] = {};
  for (const Position& p : book_->positions) {
    const int side = p.side == Side::long_side ? 0 : 1;
    ++count[p.asset][side];
    total[p.asset][side] += p.quantity * p.entry_price;
    EXPECT_EQ(p.account, -1);
  }
  for (int a = 0; a < 3; ++a) {
    SCOPED_TRACE("asset " + std::to_string(a));
    EXPECT_EQ(count[a][0], std::llround(kPositions * kShare[a]));
    EXPECT_EQ(count[a][0] + count[a][1], kPositions);
    EXPECT_NEAR(total[a][0], kOi[a] * kShare[a], 1e-9 * kOi[a]);
    EXPECT_NEAR(total[a][1], kOi[a] * (1 - kShare[a]), 1e-9 * kOi[a]);
  }
}

TEST_F(SyntheticBook, LeverageFromTheLevelsCappedAtTheTierMaximum) {
  std::int64_t capped = 0;
  for (const Position& p : book_->positions) {
    const std::string& sym = s_->assets[static_cast<std::size_t>(p.asset)].symbol;
    const double notional = p.quantity * p.entry_price;
    const TierRow& b = tiers_->bracket(sym, notional);
    EXPECT_EQ(p.mm_rate, b.maintenance_margin_rate);
    EXPECT_EQ(p.maint_amount_usd, b.maintenance_amount_usd);
    const double lev = notional / p.margin_usd;
    EXPECT_LE(lev, b.max_leverage * (1 + 1e-12));
    bool is_level = false;
    for (double l : kLevels) is_level = is_level || std::abs(lev - l) <= 1e-9 * l;
    const bool is_cap = std::abs(lev - b.max_leverage) <= 1e-9 * b.max_leverage;
    EXPECT_TRUE(is_level || is_cap) << sym << " leverage " << lev;
    if (!is_level) ++capped;
    // Margin exceeds the maintenance margin at entry, as a CSV row must.
    EXPECT_GT(p.margin_usd, p.mm_rate * notional - p.maint_amount_usd);
  }
  EXPECT_GT(capped, 0) << "big positions should hit the cap (SOL above 20k USD: 75x)";
}

// Where the bracket allows every level, the drawn level is the leverage: its frequencies
// match the weights. Notional and leverage come from different words of the draw, so the
// selection by bracket does not bias the frequencies.
TEST_F(SyntheticBook, LeverageWeightsRespected) {
  for (int a = 0; a < 3; ++a) {
    const std::string& sym = s_->assets[static_cast<std::size_t>(a)].symbol;
    std::map<double, std::int64_t> hits;
    std::int64_t n = 0;
    for (const Position& p : book_->positions) {
      if (p.asset != a) continue;
      const double notional = p.quantity * p.entry_price;
      if (tiers_->bracket(sym, notional).max_leverage < kLevels.back()) continue;
      ++n;
      ++hits[std::round(notional / p.margin_usd)];
    }
    ASSERT_GT(n, 300) << sym;
    for (std::size_t k = 0; k < kLevels.size(); ++k) {
      const double w = kWeights[k];
      const double freq = static_cast<double>(hits[kLevels[k]]) / static_cast<double>(n);
      EXPECT_NEAR(freq, w, kSe * std::sqrt(w * (1 - w) / static_cast<double>(n)))
          << sym << " level " << kLevels[k] << " n " << n;
    }
  }
}

// Sizes: log-notional within a side has stdev 1.5 (the lognormal σ); SE of a sample stdev
// ≈ σ/sqrt(2n).
TEST_F(SyntheticBook, LognormalSizes) {
  for (int a = 0; a < 3; ++a) {
    for (Side side : {Side::long_side, Side::short_side}) {
      double sum = 0, sum2 = 0;
      std::int64_t n = 0;
      for (const Position& p : book_->positions) {
        if (p.asset != a || p.side != side) continue;
        const double x = std::log(p.quantity * p.entry_price);
        sum += x;
        sum2 += x * x;
        ++n;
      }
      const double mean = sum / static_cast<double>(n);
      const double sd = std::sqrt(sum2 / static_cast<double>(n) - mean * mean);
      EXPECT_NEAR(sd, 1.5, kSe * 1.5 / std::sqrt(2.0 * static_cast<double>(n)))
          << "asset " << a << " side " << static_cast<int>(side);
    }
  }
}

// Entries: ln(E/spot)/entry_spread is standard normal for 2x positions, which are never
// near liquidation at spot (so the survival redraw never touches them): mean 0 (SE 1/√n),
// stdev 1 (SE 1/√(2n)).
TEST_F(SyntheticBook, EntriesLognormalAroundSpot) {
  for (int a = 0; a < 3; ++a) {
    const double spot = s_->assets[static_cast<std::size_t>(a)].spot;
    double sum = 0, sum2 = 0;
    std::int64_t n = 0;
    for (const Position& p : book_->positions) {
      const double lev = p.quantity * p.entry_price / p.margin_usd;
      if (p.asset != a || std::abs(lev - 2) > 1e-9) continue;
      const double z = std::log(p.entry_price / spot) / 0.06;
      sum += z;
      sum2 += z * z;
      ++n;
    }
    ASSERT_GT(n, 1000);
    const double mean = sum / static_cast<double>(n);
    const double sd = std::sqrt(sum2 / static_cast<double>(n) - mean * mean);
    EXPECT_NEAR(mean, 0.0, kSe / std::sqrt(static_cast<double>(n))) << a;
    EXPECT_NEAR(sd, 1.0, kSe / std::sqrt(2.0 * static_cast<double>(n))) << a;
  }
}

// The heatmap: long liquidation prices below spot, shorts above; high leverage close to
// spot. Every position survives at spot (entries are drawn conditional on it).
TEST_F(SyntheticBook, LongsLiquidateBelowSpotShortsAbove) {
  std::int64_t near[2] = {0, 0}, high_lev[2] = {0, 0};
  for (const Position& p : book_->positions) {
    const double spot = s_->assets[static_cast<std::size_t>(p.asset)].spot;
    const double liq = liquidation_price(p);
    const double lev = p.quantity * p.entry_price / p.margin_usd;
    const int s = p.side == Side::long_side ? 0 : 1;
    if (s == 0) {
      EXPECT_LT(liq, spot);
    } else {
      EXPECT_GT(liq, spot);
    }
    // Liquidation comes before bankruptcy when A = 0 (first brackets). With a large
    // cumulative amount at low leverage (A > mm·q·P_bk: e.g. 2x in a 2% bracket) MODEL.md's
    // formula puts P_liq beyond P_bk: the bracket's linear MM piece, fixed at entry,
    // underestimates the MM at the lower notional near bankruptcy.
    if (p.maint_amount_usd == 0) {
      EXPECT_TRUE(s == 0 ? bankruptcy_price(p) < liq : bankruptcy_price(p) > liq);
    }
    if (lev >= 50) {
      ++high_lev[s];
      near[s] += std::abs(liq / spot - 1) < 0.10 ? 1 : 0;
    }
  }
  // 50x-100x positions liquidate within 10% of spot in most cases (|z| < ~1.3 at a 6%
  // entry spread, plus the survival redraw pulling entries towards the safe side).
  for (int s = 0; s < 2; ++s) {
    ASSERT_GT(high_lev[s], 0);
    EXPECT_GT(static_cast<double>(near[s]) / static_cast<double>(high_lev[s]), 0.75) << s;
  }
}

// ---- books in equilibrium: book.synthetic.history = "30d" (docs/MODEL.md §3) -----------------

class HistoryBook : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_ = new Scenario(with_table({"book.synthetic.history=30d"}));
    book_ = new Book(load_book(*s_));
  }
  static void TearDownTestSuite() {
    delete book_;
    delete s_;
  }
  static Scenario* s_;
  static Book* book_;
};
Scenario* HistoryBook::s_ = nullptr;
Book* HistoryBook::book_ = nullptr;

// Counts, side totals and the leverage mix are those configured: the opening time is drawn
// given the position's leverage and size, so survival does not thin out high leverage.
TEST_F(HistoryBook, CountsTotalsAndLeverageMixAsConfigured) {
  EXPECT_EQ(s_->book.synthetic.history_s, 30 * 86400.0);
  EXPECT_NE(book_->description.find("survivors of 30d of history"), std::string::npos)
      << book_->description;
  std::int64_t count[3][2] = {};
  double total[3][2] = {};
  std::map<double, std::int64_t> hits;
  std::int64_t n = 0;
  for (const Position& p : book_->positions) {
    const int side = p.side == Side::long_side ? 0 : 1;
    ++count[p.asset][side];
    const double notional = p.quantity * p.entry_price;
    total[p.asset][side] += notional;
    const std::string& sym = s_->assets[static_cast<std::size_t>(p.asset)].symbol;
    if (tiers_bracket_allows_all(sym, notional)) {
      ++n;
      ++hits[std::round(notional / p.margin_usd)];
    }
  }
  for (int a = 0; a < 3; ++a) {
    EXPECT_EQ(count[a][0], std::llround(kPositions * kShare[a])) << a;
    EXPECT_NEAR(total[a][0], kOi[a] * kShare[a], 1e-9 * kOi[a]) << a;
    EXPECT_NEAR(total[a][1], kOi[a] * (1 - kShare[a]), 1e-9 * kOi[a]) << a;
  }
  ASSERT_GT(n, 1000);
  for (std::size_t k = 0; k < kLevels.size(); ++k) {
    const double w = kWeights[k];
    const double freq = static_cast<double>(hits[kLevels[k]]) / static_cast<double>(n);
    EXPECT_NEAR(freq, w, kSe * std::sqrt(w * (1 - w) / static_cast<double>(n))) << kLevels[k];
  }
}

// Survivors only: no position is at or past its liquidation price at spot.
TEST_F(HistoryBook, NoPositionStartsPastItsLiquidationPrice) {
  EXPECT_EQ(book_->past_liquidation_at_spot, 0);
  for (const Position& p : book_->positions) {
    const double spot = s_->assets[static_cast<std::size_t>(p.asset)].spot;
    const double liq = liquidation_price(p);
    if (p.side == Side::long_side) {
      ASSERT_LT(liq, spot);
    } else {
      ASSERT_GT(liq, spot);
    }
  }
}

// 2x longs (liquidation ~ln 2 below entry, a 4.8σ move over 30 days at σ = 0.5: they all
// survive, to 1e-6) open at a uniform age s ∈ (0, H) at ln(E/spot) ~ Normal(−ν s, σ² s), ν =
// μ − σ²/2 = −σ²/2: mean νH/2·(−1) = σ²H/4, variance σ²H/2 + ν²H²/12 (H in years). The
// mixture's kurtosis is 4, so the sample variance's SE is sqrt(3/n)·variance; k = kSe.
// A 100x long survives only if the price never fell ~0.5% below its entry since it opened, and
// spot is where that path ends: its entry is below spot, or less than ~0.5% above it.
TEST_F(HistoryBook, EntriesSpreadAsTheirAgeAndSurvivalSay) {
  const double h = 30.0 / 365.0;
  for (int a = 0; a < 3; ++a) {
    const AssetSpec& asset = s_->assets[static_cast<std::size_t>(a)];
    const double sigma2 = asset.vol * asset.vol, nu = -0.5 * sigma2;
    std::vector<double> low, high;
    for (const Position& p : book_->positions) {
      const double lev = p.quantity * p.entry_price / p.margin_usd;
      if (p.asset != a || p.side != Side::long_side) continue;
      if (std::abs(lev - 2) < 1e-9) low.push_back(std::log(p.entry_price / asset.spot));
      if (std::abs(lev - 100) < 1e-9) high.push_back(std::log(p.entry_price / asset.spot));
    }
    const auto moments = [](const std::vector<double>& x) {
      double m = 0, v = 0;
      for (double e : x) m += e;
      m /= static_cast<double>(x.size());
      for (double e : x) v += (e - m) * (e - m);
      return std::pair{m, v / static_cast<double>(x.size() - 1)};
    };
    ASSERT_GT(low.size(), 500u);
    ASSERT_GT(high.size(), 50u);
    const auto [mean, var] = moments(low);
    const double n = static_cast<double>(low.size());
    const double want_var = sigma2 * h / 2 + nu * nu * h * h / 12;
    EXPECT_NEAR(mean, -nu * h / 2, kSe * std::sqrt(want_var / n)) << asset.symbol;
    EXPECT_NEAR(var, want_var, kSe * std::sqrt(3.0 / n) * want_var) << asset.symbol;
    for (double e : high) EXPECT_LT(e, 0.01) << asset.symbol << ": a 100x long opened above spot";
  }
}

TEST(SyntheticBookEdges, ZeroOpenInterestAndOneSidedShares) {
  const Scenario s =
      with_table({"book.synthetic.open_interest.ETH=0", "book.synthetic.long_share.BTC=1.0",
                  "book.synthetic.long_share.SOL=0.0"});
  const Book b = load_book(s);
  std::int64_t count[3][2] = {};
  for (const Position& p : b.positions) ++count[p.asset][p.side == Side::long_side ? 0 : 1];
  EXPECT_EQ(count[0][0], kPositions);
  EXPECT_EQ(count[0][1], 0);
  EXPECT_EQ(count[1][0] + count[1][1], 0);
  EXPECT_EQ(count[2][0], 0);
  EXPECT_EQ(count[2][1], kPositions);
}

TEST(SyntheticBookEdges, PositionBeyondTheLargestBracketIsAnError) {
  // One position per side holding 21 billion USD of BTC: beyond BTC's last bracket (1.8e9).
  const Scenario s = with_table({"book.synthetic.positions=2"});
  try {
    (void)load_book(s);
    FAIL() << "accepted a position beyond the largest bracket";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("test.toml: book.synthetic.positions: a drawn BTC position"),
              std::string::npos)
        << msg;
  }
}

TEST(SyntheticBookEdges, AssetWithoutBracketsIsAnError) {
  const Scenario s = scenario({}, R"([[book.tier]]
asset = "BTC"
min_notional_usd = 0
max_notional_usd = inf
maintenance_margin_rate = 0.005
max_leverage = 100
)");
  try {
    (void)load_book(s);
    FAIL() << "accepted ETH without brackets";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("open_interest.ETH: tier table [[book.tier]] has no "
                                         "brackets for ETH"),
              std::string::npos)
        << e.what();
  }
}

TEST(SyntheticBookEdges, DefaultTableFoundByName) {
  // The scenario's folder is configs/, where the shipped table lives.
  const Scenario s = scenario();
  EXPECT_EQ(s.book.maintenance, "binance-usdt-perp-2024-10");
  const Book b = load_book(s);
  EXPECT_EQ(b.positions.size(), 3u * kPositions);
  EXPECT_NE(b.description.find("60,000 positions"), std::string::npos) << b.description;
}

}  // namespace
}  // namespace liq
