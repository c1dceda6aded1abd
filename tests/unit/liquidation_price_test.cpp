// liqstress — unit tests of the liquidation and bankruptcy prices (MODEL.md §3, F = 0):
// hand-worked cases, agreement with Binance's published isolated-margin formula
// (shared/data/README.md) on real BTC and ETH brackets, and the defining identity
// "maintenance margin at P_liq = what is left of the margin".
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "host/book/book.h"

namespace liq {
namespace {

Position make(Side side, double notional, double entry, double margin, double mm, double amount) {
  Position p;
  p.side = side;
  p.quantity = notional / entry;
  p.entry_price = entry;
  p.margin_usd = margin;
  p.mm_rate = mm;
  p.maint_amount_usd = amount;
  return p;
}

TierTable shipped_table() {
  const std::string file = LIQ_SOURCE_DIR "/configs/binance-usdt-perp-2024-10.toml";
  std::ifstream in(file);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_tier_table(ss.str(), file);
}

// Binance (shared/data/README.md): WB = wallet balance (the isolated margin), cum = the
// bracket's cumulative maintenance amount.
double binance_long(double wb, double cum, double q, double e, double mmr) {
  return (wb + cum - q * e) / (q * mmr - q);
}
double binance_short(double wb, double cum, double q, double e, double mmr) {
  return (wb + cum + q * e) / (q * mmr + q);
}

TEST(LiquidationPrice, LongByHand) {
  // 10,000 USD at 100 USD, 10x: q = 100, M = 1,000, M/q = 10, mm 0.5%, A = 0.
  const Position p = make(Side::long_side, 10'000, 100, 1'000, 0.005, 0.0);
  EXPECT_DOUBLE_EQ(bankruptcy_price(p), 90.0);
  EXPECT_DOUBLE_EQ(liquidation_price(p), 90.0 / 0.995);  // 90.4522613...
  // With a cumulative amount: A/q = 0.5 moves it down: (100 - 10 - 0.5) / 0.99.
  const Position a = make(Side::long_side, 10'000, 100, 1'000, 0.01, 50.0);
  EXPECT_DOUBLE_EQ(liquidation_price(a), 89.5 / 0.99);
  EXPECT_DOUBLE_EQ(bankruptcy_price(a), 90.0);
}

TEST(LiquidationPrice, ShortByHand) {
  const Position p = make(Side::short_side, 10'000, 100, 1'000, 0.005, 0.0);
  EXPECT_DOUBLE_EQ(bankruptcy_price(p), 110.0);
  EXPECT_DOUBLE_EQ(liquidation_price(p), 110.0 / 1.005);  // 109.4527363...
  const Position a = make(Side::short_side, 10'000, 100, 1'000, 0.01, 50.0);
  EXPECT_DOUBLE_EQ(liquidation_price(a), 110.5 / 1.01);
}

TEST(LiquidationPrice, LiquidationBetweenEntryAndBankruptcy) {
  for (double lev : {2.0, 5.0, 10.0, 50.0, 100.0}) {
    const Position l = make(Side::long_side, 50'000, 60'000, 50'000 / lev, 0.004, 0.0);
    EXPECT_LT(liquidation_price(l), l.entry_price);
    EXPECT_GT(liquidation_price(l), bankruptcy_price(l));
    const Position s = make(Side::short_side, 50'000, 60'000, 50'000 / lev, 0.004, 0.0);
    EXPECT_GT(liquidation_price(s), s.entry_price);
    EXPECT_LT(liquidation_price(s), bankruptcy_price(s));
  }
}

// Reproduces the exchange's formula on the real brackets: for BTC and ETH, the 2nd, 4th,
// 6th, 8th and 10th brackets, a position in the middle of the bracket at the bracket's
// maximum leverage and at a quarter of it.
TEST(LiquidationPrice, MatchesBinanceFormulaOnRealBrackets) {
  const TierTable table = shipped_table();
  struct Case {
    const char* asset;
    double entry;
  };
  for (const Case c : {Case{"BTC", 63'250.5}, Case{"ETH", 2'480.25}}) {
    const std::vector<TierRow>& rows = table.by_asset.at(c.asset);
    ASSERT_GE(rows.size(), 10u);
    for (std::size_t n : {1u, 3u, 5u, 7u, 9u}) {
      const TierRow& b = rows[n];
      const double notional = 0.5 * (b.min_notional_usd + b.max_notional_usd);
      ASSERT_EQ(&table.bracket(c.asset, notional), &b);
      for (double lev : {b.max_leverage, std::max(1.0, b.max_leverage / 4)}) {
        SCOPED_TRACE(std::string(c.asset) + " bracket " + std::to_string(n + 1) + " leverage " +
                     std::to_string(lev));
        const double margin = notional / lev;
        const double q = notional / c.entry;
        const Position l = make(Side::long_side, notional, c.entry, margin,
                                b.maintenance_margin_rate, b.maintenance_amount_usd);
        const Position s = make(Side::short_side, notional, c.entry, margin,
                                b.maintenance_margin_rate, b.maintenance_amount_usd);
        const double want_l =
            binance_long(margin, b.maintenance_amount_usd, q, c.entry, b.maintenance_margin_rate);
        const double want_s =
            binance_short(margin, b.maintenance_amount_usd, q, c.entry, b.maintenance_margin_rate);
        // Same algebra, different rounding: a few ulps of the entry price.
        EXPECT_NEAR(liquidation_price(l), want_l, 1e-12 * c.entry);
        EXPECT_NEAR(liquidation_price(s), want_s, 1e-12 * c.entry);
      }
    }
  }
}

// A worked example with round numbers, BTC bracket 2 (50k-600k USD, mmr 0.5%, cum 50 USD):
// 100,000 USD long at 50,000 USD, 20x: q = 2, WB = 5,000,
// P_liq = (5,000 + 50 - 100,000) / (2·0.005 - 2) = 94,950 / 1.99 = 47,713.5678...
TEST(LiquidationPrice, BinanceWorkedExampleBtcBracket2) {
  const TierTable table = shipped_table();
  const TierRow& b = table.bracket("BTC", 100'000);
  EXPECT_EQ(b.maintenance_margin_rate, 0.005);
  EXPECT_EQ(b.maintenance_amount_usd, 50.0);
  const Position l = make(Side::long_side, 100'000, 50'000, 5'000, b.maintenance_margin_rate,
                          b.maintenance_amount_usd);
  EXPECT_NEAR(liquidation_price(l), 94'950.0 / 1.99, 1e-9);
  // Short: (5,000 + 50 + 100,000) / (2·0.005 + 2) = 105,050 / 2.01.
  const Position s = make(Side::short_side, 100'000, 50'000, 5'000, b.maintenance_margin_rate,
                          b.maintenance_amount_usd);
  EXPECT_NEAR(liquidation_price(s), 105'050.0 / 2.01, 1e-9);
}

// At P_liq the maintenance margin mm·q·P − A equals the equity left: q(P − P_bk) for a long,
// q(P_bk − P) for a short. Checked over a grid of sizes, leverages, rates and amounts.
TEST(LiquidationPrice, MaintenanceMarginEqualsRemainingMarginAtLiquidation) {
  for (double notional : {1e3, 7.5e4, 3e6, 2e8}) {
    for (double lev : {1.0, 3.0, 20.0, 125.0}) {
      for (double mm : {0.0, 0.004, 0.05, 0.25}) {
        for (double amount : {0.0, 50.0, 11'450.0}) {
          for (Side side : {Side::long_side, Side::short_side}) {
            const Position p = make(side, notional, 1'234.5, notional / lev, mm, amount);
            const double liq = liquidation_price(p);
            const double bk = bankruptcy_price(p);
            const double maintenance = mm * p.quantity * liq - amount;
            const double left =
                side == Side::long_side ? p.quantity * (liq - bk) : p.quantity * (bk - liq);
            EXPECT_NEAR(maintenance, left, 1e-9 * notional)
                << "notional " << notional << " lev " << lev << " mm " << mm << " A " << amount;
            // The equity M + q(P − E) (long) / M + q(E − P) (short) equals `left` too.
            const double equity = side == Side::long_side
                                      ? p.margin_usd + p.quantity * (liq - p.entry_price)
                                      : p.margin_usd + p.quantity * (p.entry_price - liq);
            EXPECT_NEAR(equity, left, 1e-9 * notional);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace liq
