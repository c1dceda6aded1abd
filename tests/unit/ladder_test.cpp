// liqstress tests — the liquidation ladder (kernels/book.h, host/ladder.h) against a brute-force
// scan of every position every step (MODEL.md §3: "identical to a brute-force scan"), over
// random books, random price paths (bridge extremes and gaps in both directions) and
// funding that moves liquidation prices. Counts must be equal exactly; notionals, fees and
// bad debt equal up to the rounding of prefix-sum differences (1e-6 USD on books whose
// totals are about 1e8 USD: double precision of the prefix sums, not an approximation).
#include "host/ladder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "host/book.h"
#include "kernels/book.h"

namespace liq {
namespace {

struct Money {
  double notional = 0.0, fees = 0.0, bad = 0.0;
  std::uint32_t count = 0;
};

/// A random book over two assets: BTC with funding and ETH without. `bracketed`: mm and A
/// come from four exchange-like brackets, so ladders are uniform and diffusion crossings take
/// the prefix-sum shortcut; otherwise A is random per position, the book needs more ladders
/// than kMaxLadderGroups and falls back to per-position liquidation.
Book random_book(std::mt19937_64& gen, const double spot[2], std::size_t n, bool bracketed) {
  std::normal_distribution<double> z;
  std::uniform_real_distribution<double> u;
  const double levels[] = {2, 3, 5, 10, 20, 50, 100};
  const double mms[] = {0.004, 0.005, 0.01, 0.025};
  Book b;
  for (std::size_t i = 0; i < n; ++i) {
    Position p;
    p.asset = static_cast<std::int32_t>(i % 2);
    p.side = u(gen) < 0.6 ? Side::long_side : Side::short_side;
    p.entry_price = spot[p.asset] * std::exp(0.05 * z(gen));
    const double notional = 1e3 * std::exp(2.0 * z(gen));
    const double lev = levels[gen() % 7];
    p.quantity = notional / p.entry_price;
    p.margin_usd = notional / lev;
    const std::size_t bracket = gen() % 4;
    p.mm_rate = mms[bracket];
    const double amounts[] = {0.0, 5.0, 60.0, 1500.0};
    p.maint_amount_usd =
        bracketed ? amounts[bracket] : (u(gen) < 0.5 ? 0.0 : 0.3 * p.mm_rate * notional * u(gen));
    b.positions.push_back(p);
  }
  b.description = "random test book";
  return b;
}

/// MODEL.md §3 liquidation and bankruptcy prices with funding F, written out independently.
double p_liq(const Position& p, double f) {
  const double q = p.quantity, e = p.entry_price, m = p.margin_usd, a = p.maint_amount_usd;
  return p.side == Side::long_side ? (e - m / q - a / q + f) / (1.0 - p.mm_rate)
                                   : (e + m / q + a / q + f) / (1.0 + p.mm_rate);
}
double p_bk(const Position& p, double f) {
  const double q = p.quantity;
  return p.side == Side::long_side ? p.entry_price - p.margin_usd / q + f
                                   : p.entry_price + p.margin_usd / q + f;
}

void expect_close(double a, double b, const char* what, int step) {
  EXPECT_NEAR(a, b, 1e-6 + 1e-12 * std::fabs(b)) << what << " at step " << step;
}

class LadderVsBruteForce : public ::testing::TestWithParam<bool> {};

TEST_P(LadderVsBruteForce, EqualsBruteForceScanOverRandomBooksPathsAndFunding) {
  const bool bracketed = GetParam();
  const double spot[2] = {100000.0, 4000.0};
  const double fee = 0.005;
  Scenario sc;
  sc.assets.resize(2);
  sc.assets[0].symbol = "BTC";
  sc.assets[0].funding_8h = 1e-4;
  sc.assets[1].symbol = "ETH";
  sc.insurance_fund.liquidation_fee = fee;
  for (std::uint64_t trial = 0; trial < 20; ++trial) {
    std::mt19937_64 gen(1000 + trial);
    const Book book = random_book(gen, spot, 3000, bracketed);
    const Ladders ladders(sc, book, TierTable{});
    const BookView view = ladders.book_view();
    ASSERT_EQ(ladders.positions(), book.positions.size());
    for (int g = 0; g < view.n_groups; ++g) ASSERT_EQ(view.groups[g].uniform, bracketed ? 1 : 0);
    std::vector<std::int32_t> next(static_cast<std::size_t>(view.n_groups));
    for (int g = 0; g < view.n_groups; ++g) next[g] = view.groups[g].begin;
    std::vector<bool> gone(book.positions.size(), false);
    std::normal_distribution<double> z;
    std::uniform_real_distribution<double> u;
    double price[2] = {spot[0], spot[1]};
    double funding[2] = {0.0, 0.0};
    Tally tally;
    for (int step = 0; step < 200; ++step) {
      StepPrices sp[2];
      for (int a = 0; a < 2; ++a) {
        const double vol = 0.01;
        StepPrices& s = sp[a];
        s.start = price[a];
        s.diffusion_low = s.start * std::exp(-vol * std::fabs(z(gen)));
        s.diffusion_high = s.start * std::exp(vol * std::fabs(z(gen)));
        double end = s.diffusion_low + (s.diffusion_high - s.diffusion_low) * u(gen);
        if (u(gen) < 0.05) end *= std::exp(0.08 * z(gen));  // a gap, either way
        s.end = end;
        s.low = std::min(s.diffusion_low, s.end);
        s.high = std::max(s.diffusion_high, s.end);
        price[a] = end;
        // Funding that matters: 0.2% of the price per step on BTC, either sign.
        if (a == 0) funding[a] += 2e-3 * (u(gen) < 0.7 ? 1.0 : -1.0) * s.start;
      }
      Money ladder[2][2], brute[2][2];
      Tally t_ladder, t_brute;
      for (int g = 0; g < view.n_groups; ++g) {
        const LadderGroup& grp = view.groups[g];
        Money& m = ladder[grp.asset][grp.side];
        next[g] = liquidate_group(view, grp, next[g], funding[grp.asset], sp[grp.asset], m.notional,
                                  m.count, t_ladder);
      }
      for (std::size_t i = 0; i < book.positions.size(); ++i) {
        if (gone[i]) continue;
        const Position& p = book.positions[i];
        const int side = static_cast<int>(p.side);
        const StepPrices& s = sp[p.asset];
        const double pl = p_liq(p, funding[p.asset]);
        const bool hit = side == 0 ? pl >= s.low : pl <= s.high;
        if (!hit) continue;
        gone[i] = true;
        const double px = execution_price(side, pl, s);
        const double pb = p_bk(p, funding[p.asset]);
        const double left = side == 0 ? p.quantity * (px - pb) : p.quantity * (pb - px);
        Money& m = brute[p.asset][side];
        m.notional += p.quantity * pl;
        ++m.count;
        t_brute.step_fees += std::min(fee * p.quantity * pl, std::max(left, 0.0));
        t_brute.step_bad += std::max(-left, 0.0);
      }
      for (int a = 0; a < 2; ++a)
        for (int side = 0; side < 2; ++side) {
          ASSERT_EQ(ladder[a][side].count, brute[a][side].count)
              << "trial " << trial << " step " << step << " asset " << a << " side " << side;
          expect_close(ladder[a][side].notional, brute[a][side].notional, "notional", step);
        }
      expect_close(t_ladder.step_fees, t_brute.step_fees, "fees", step);
      expect_close(t_ladder.step_bad, t_brute.step_bad, "bad debt", step);
    }
    // Every position the brute force liquidated is behind its ladder's index and vice versa.
    std::size_t liquidated = 0;
    for (int g = 0; g < view.n_groups; ++g) liquidated += next[g] - view.groups[g].begin;
    std::size_t brute_liquidated = 0;
    for (bool b : gone) brute_liquidated += b ? 1 : 0;
    EXPECT_EQ(liquidated, brute_liquidated);
    EXPECT_GT(liquidated, book.positions.size() / 10) << "the test must liquidate something";
    EXPECT_LT(liquidated, book.positions.size()) << "and leave something";
  }
}

INSTANTIATE_TEST_SUITE_P(Ladder, LadderVsBruteForce, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? std::string("UniformLaddersPrefixSums")
                                                   : std::string("MixedLaddersPerPosition");
                         });

TEST(Ladder, SettlementPaysFeesInThenBadDebtThenAutoDeleverages) {
  Tally t;
  t.fund = 100.0;
  t.step_fees = 5.0;
  t.step_bad = 30.0;
  settle_step(t);
  EXPECT_DOUBLE_EQ(t.fund, 75.0);
  EXPECT_DOUBLE_EQ(t.adl, 0.0);
  t.step_fees = 1.0;
  t.step_bad = 100.0;
  settle_step(t);  // 76 available: 24 auto-deleveraged, fund empty
  EXPECT_DOUBLE_EQ(t.fund, 0.0);
  EXPECT_DOUBLE_EQ(t.adl, 24.0);
  EXPECT_DOUBLE_EQ(t.bad_debt, 130.0);
  t.step_fees = 2.0;  // fees keep arriving after the fund was exhausted
  settle_step(t);
  EXPECT_DOUBLE_EQ(t.fund, 2.0);
}

TEST(Ladder, ExecutionPriceByHowThePriceGotThere) {
  StepPrices s{100.0, 95.0, 103.0, 90.0, 90.0, 103.0};
  EXPECT_EQ(execution_price(0, 101.0, s), 100.0);  // already past at the start
  EXPECT_EQ(execution_price(0, 96.0, s), 96.0);    // the diffusion reached it
  EXPECT_EQ(execution_price(0, 92.0, s), 90.0);    // only the gap: post-gap price
  EXPECT_EQ(execution_price(1, 99.0, s), 100.0);
  EXPECT_EQ(execution_price(1, 102.0, s), 102.0);
}

}  // namespace
}  // namespace liq
