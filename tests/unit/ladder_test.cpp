// liqstress tests — the liquidation ladder (kernels/book.h, host/book/ladder.h) against a brute-force
// scan of every position every step (docs/MODEL.md §3: "identical to a brute-force scan"),
// over random books, random price paths (bridge extremes and gaps in both directions), a
// random impact of the step's own flow (two cascade rounds, executions moved by e^{Δm}),
// funding that moves liquidation prices, and ADL events that reduce positions in profit.
// The brute force is written from the model document, position by position. Counts must be
// equal exactly; notionals, fees and bad debt equal up to the rounding of prefix-sum
// differences (1e-6 USD on books whose totals are about 1e8 USD: double precision of the
// prefix sums, not an approximation).
#include "host/book/ladder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "host/book/book.h"
#include "kernels/book.h"

namespace liq {
namespace {

struct Money {
  double notional = 0.0, coins = 0.0, fees = 0.0, bad = 0.0, bad_q = 0.0, bad_qbk = 0.0;
  std::uint32_t count = 0;
};

/// A random book over two assets: BTC with funding and ETH without. `bracketed`: mm and A
/// come from four exchange-like brackets, so ladders are uniform and settlements at P_liq
/// take the prefix-sum shortcut; otherwise A is random per position, the book needs more
/// ladders than kMaxLadderGroups and falls back to per-position liquidation.
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
    // Exchange-like brackets by entry notional, A the cumulative amount, so that groups span
    // a bounded range of N (as real books do) and every settlement regime occurs.
    const double floors[] = {0.0, 5e3, 5e4, 2.5e5};
    const double amounts[] = {0.0, 5.0, 255.0, 4005.0};
    std::size_t bracket = 0;
    while (bracket < 3 && notional >= floors[bracket + 1]) ++bracket;
    p.mm_rate = mms[bracket];
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

enum class Variant { uniform, mixed, uniform_with_adl };

class LadderVsBruteForce : public ::testing::TestWithParam<Variant> {};

/// One position by the model document: liquidated when the step's reach (impact included)
/// touches P_liq; P = the start price when already past there, P_liq when the diffusion or
/// only the impact reached it, the post-gap end price when only the gap did; P_x = P·f.
void brute_position(const Position& p, double funding, double open, const StepPrices& s,
                    double reach, double f, double fee, Money& m) {
  const bool is_long = p.side == Side::long_side;
  const double pl = p_liq(p, funding);
  double base = pl;
  if (is_long ? pl >= s.start : pl <= s.start) {
    base = s.start;
  } else if (is_long ? (pl < s.diffusion_low && pl >= s.end)
                     : (pl > s.diffusion_high && pl <= s.end)) {
    base = s.end;
  }
  (void)reach;
  const double q = open * p.quantity;
  const double px = base * f, pb = p_bk(p, funding);
  const double left = is_long ? q * (px - pb) : q * (pb - px);
  m.notional += q * pl;
  m.coins += q;
  ++m.count;
  m.fees += std::min(fee * q * pl, std::max(left, 0.0));
  const double bad = std::max(-left, 0.0);
  m.bad += bad;
  if (bad > 0.0) {
    m.bad_q += q;
    m.bad_qbk += q * pb;
  }
}

TEST_P(LadderVsBruteForce, EqualsBruteForceScanOverRandomBooksPathsImpactAndFunding) {
  const Variant variant = GetParam();
  const bool bracketed = variant != Variant::mixed;
  const double spot[2] = {100000.0, 4000.0};
  const double fee = 0.005;
  Scenario sc;
  sc.assets.resize(2);
  sc.assets[0].symbol = "BTC";
  sc.assets[0].funding_8h = 1e-4;
  sc.assets[1].symbol = "ETH";
  sc.insurance_fund.liquidation_fee = fee;
  std::size_t bad_steps = 0;
  for (std::uint64_t trial = 0; trial < 20; ++trial) {
    std::mt19937_64 gen(1000 + trial);
    const Book book = random_book(gen, spot, 3000, bracketed);
    const Ladders ladders(sc, book, TierTable{});
    const BookView view = ladders.book_view();
    ASSERT_EQ(ladders.positions(), book.positions.size());
    for (int g = 0; g < view.n_groups; ++g) ASSERT_EQ(view.groups[g].uniform, bracketed ? 1 : 0);
    AdlLedger adl;
    if (variant == Variant::uniform_with_adl) {
      // Shorts of BTC in profit at 97,000 keep 60%; longs of ETH in profit at 4,100 keep 30%,
      // then those in profit at 4,050 keep half of that.
      adl.record(0, PositionSide::short_side, 97000.0, 0.0, 0.6);
      adl.record(1, PositionSide::long_side, 4100.0, 0.0, 0.3);
      adl.record(1, PositionSide::long_side, 4050.0, 0.0, 0.5);
    }
    auto open_of = [&](const Position& p) {
      double keep = 1.0;
      for (int e = 0; e < adl.n; ++e) {
        const AdlEvent& ev = adl.events[e];
        const bool same = ev.asset == p.asset && side_index(ev.side) == static_cast<int>(p.side);
        const bool profit = p.side == Side::long_side ? ev.price > p.entry_price + ev.funding
                                                      : p.entry_price + ev.funding > ev.price;
        if (same && profit) keep *= ev.keep;
      }
      return keep;
    };
    std::vector<std::int32_t> next(static_cast<std::size_t>(view.n_groups));
    for (int g = 0; g < view.n_groups; ++g) next[g] = view.groups[g].begin;
    std::vector<bool> gone(book.positions.size(), false);
    std::normal_distribution<double> z;
    std::uniform_real_distribution<double> u;
    double price[2] = {spot[0], spot[1]};
    double funding[2] = {0.0, 0.0};
    for (int step = 0; step < 200; ++step) {
      StepPrices sp[2];
      double shift[2], reach_lo[2][2], reach_hi[2][2];  // [asset][round]
      for (int a = 0; a < 2; ++a) {
        const double vol = 0.01;
        StepPrices& s = sp[a];
        s.start = price[a];
        s.diffusion_low = s.start * std::exp(-vol * std::fabs(z(gen)));
        s.diffusion_high = s.start * std::exp(vol * std::fabs(z(gen)));
        double end = s.diffusion_low + (s.diffusion_high - s.diffusion_low) * u(gen);
        if (u(gen) < 0.05) end *= std::exp(0.08 * z(gen));  // a gap, either way
        s.end = end;
        // The step's own impact: mostly small, sometimes a crash of several percent either way.
        shift[a] = u(gen) < 0.5 ? 0.0 : (u(gen) < 0.8 ? 0.003 : 0.04) * z(gen);
        reach_lo[a][0] = std::min(s.diffusion_low, s.end);
        reach_hi[a][0] = std::max(s.diffusion_high, s.end);
        reach_lo[a][1] = std::min(s.diffusion_low * std::exp(std::min(shift[a], 0.0)),
                                  s.end * std::exp(shift[a]));
        reach_hi[a][1] = std::max(s.diffusion_high * std::exp(std::max(shift[a], 0.0)),
                                  s.end * std::exp(shift[a]));
        price[a] = end * std::exp(shift[a]);
        // Funding that matters: 0.2% of the price per step on BTC, either sign.
        if (a == 0) funding[a] += 2e-3 * (u(gen) < 0.7 ? 1.0 : -1.0) * s.start;
      }
      Money ladder[2][2], brute[2][2];
      StepMoney money;
      money.clear(2);
      for (int g = 0; g < view.n_groups; ++g) {
        const LadderGroup& grp = view.groups[g];
        const int a = grp.asset, side = side_index(grp.side);
        Money& m = ladder[a][side];
        const std::int32_t begin = next[g];
        for (int round = 0; round < 2; ++round) {
          next[g] = advance_group(view, grp, next[g], funding[a],
                                  side == 0 ? reach_lo[a][round] : reach_hi[a][round], adl,
                                  m.notional, m.coins, m.count);
        }
        settle_group(view, grp, begin, next[g], funding[a], sp[a], std::exp(shift[a]), adl, money);
      }
      for (std::size_t i = 0; i < book.positions.size(); ++i) {
        if (gone[i]) continue;
        const Position& p = book.positions[i];
        const int side = static_cast<int>(p.side), a = p.asset;
        const double pl = p_liq(p, funding[a]);
        const double lo = std::min(reach_lo[a][0], reach_lo[a][1]);
        const double hi = std::max(reach_hi[a][0], reach_hi[a][1]);
        if (!(side == 0 ? pl >= lo : pl <= hi)) continue;
        gone[i] = true;
        const double open = open_of(p);
        if (open <= 0.0) continue;
        brute_position(p, funding[a], open, sp[a], side == 0 ? lo : hi, std::exp(shift[a]), fee,
                       brute[a][side]);
      }
      Money total;
      for (int a = 0; a < 2; ++a)
        for (int side = 0; side < 2; ++side) {
          ASSERT_EQ(ladder[a][side].count, brute[a][side].count)
              << "trial " << trial << " step " << step << " asset " << a << " side " << side;
          expect_close(ladder[a][side].notional, brute[a][side].notional, "notional", step);
          expect_close(ladder[a][side].coins, brute[a][side].coins, "coins", step);
          expect_close(money.bad_q[a][side], brute[a][side].bad_q, "bankrupt coins", step);
          expect_close(money.bad_qbk[a][side], brute[a][side].bad_qbk, "bankruptcy value", step);
          total.fees += brute[a][side].fees;
          total.bad += brute[a][side].bad;
        }
      expect_close(money.fees, total.fees, "fees", step);
      expect_close(money.bad, total.bad, "bad debt", step);
      bad_steps += total.bad > 0.0 ? 1 : 0;
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
  EXPECT_GT(bad_steps, 100u) << "impact and gaps must create bad debt in many steps";
}

INSTANTIATE_TEST_SUITE_P(Ladder, LadderVsBruteForce,
                         ::testing::Values(Variant::uniform, Variant::mixed,
                                           Variant::uniform_with_adl),
                         [](const ::testing::TestParamInfo<Variant>& param_info) {
                           switch (param_info.param) {
                             case Variant::uniform:
                               return std::string("UniformLaddersPrefixSums");
                             case Variant::mixed:
                               return std::string("MixedLaddersPerPosition");
                             case Variant::uniform_with_adl:
                               return std::string("UniformLaddersWithAdlEvents");
                           }
                           return std::string("unknown");
                         });

TEST(Ladder, PayoutByTheModelDocument) {
  // A long of 2 coins, P_bk = 90, notional q·P_liq = 2·92 = 184, fee 1%.
  const double n = 184.0;
  Payout p = liquidation_payout(PositionSide::long_side, 2.0, 95.0, 90.0, n, 0.01);
  EXPECT_DOUBLE_EQ(p.fee, 1.84);  // 10 left, fee capped at 1.84
  EXPECT_DOUBLE_EQ(p.bad, 0.0);
  p = liquidation_payout(PositionSide::long_side, 2.0, 90.5, 90.0, n, 0.01);
  EXPECT_DOUBLE_EQ(p.fee, 1.0);  // only 1 left: the fee takes it
  p = liquidation_payout(PositionSide::long_side, 2.0, 88.0, 90.0, n, 0.01);
  EXPECT_DOUBLE_EQ(p.fee, 0.0);
  EXPECT_DOUBLE_EQ(p.bad, 4.0);  // 2 coins × 2 below bankruptcy
  p = liquidation_payout(PositionSide::short_side, 2.0, 112.0, 110.0, 2.0 * 108.0, 0.01);
  EXPECT_DOUBLE_EQ(p.bad, 4.0);
}

}  // namespace
}  // namespace liq
