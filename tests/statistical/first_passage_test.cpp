// liqstress tests — continuous monitoring of liquidations (MODEL.md §3): with one asset, no
// jumps and a one-position book, the fraction of paths on which the position is liquidated
// matches the closed-form first-passage probability of geometric Brownian motion,
//   P(min S ≤ L) = N((ln(L/S0) − νT)/(σ√T)) + (L/S0)^{2ν/σ²} N((ln(L/S0) + νT)/(σ√T)),
// ν = μ − σ²/2 (e.g. Shreve, Stochastic Calculus for Finance II, §7.2.2), for several
// distances, volatilities and horizons, at 1-hour and 1-day steps alike — the Brownian
// bridge makes it independent of the step. Shorts mirror it with the maximum.
// Tolerance: k = 4 binomial standard errors sqrt(p(1−p)/n).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "host/book/book.h"
#include "host/model/path_rows.h"
#include "kernels/path.h"

namespace liq {
namespace {

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

/// P(the minimum of GBM over [0, T] reaches L), L < S0 (long side), or, with `above`, the
/// maximum reaching L > S0 (short side: the same formula for −log price).
double crossing_probability(double s0, double level, double mu, double sigma, double t,
                            bool above) {
  double b = std::log(level / s0);
  double nu = mu - 0.5 * sigma * sigma;
  if (above) {
    b = -b;
    nu = -nu;
  }
  const double st = sigma * std::sqrt(t);
  return normal_cdf((b - nu * t) / st) +
         std::exp(2.0 * nu * b / (sigma * sigma)) * normal_cdf((b + nu * t) / st);
}

struct Case {
  double distance;  // |ln(P_liq / S0)|
  double vol;       // annualised
  double drift;     // annualised
  double days;
};

TEST(FirstPassage, LiquidationFrequencyMatchesContinuousMonitoringAtAnyStep) {
  const Case cases[] = {
      {0.02, 0.6, 0.0, 1.0}, {0.05, 0.8, 0.3, 1.0}, {0.10, 0.6, -0.5, 7.0}, {0.03, 1.2, 0.0, 2.0}};
  const std::size_t n = 40000;
  const double k = 4.0;
  for (const Case& c : cases) {
    for (double step_hours : {1.0, 24.0}) {
      for (Side side : {Side::long_side, Side::short_side}) {
        const int steps = static_cast<int>(std::lround(c.days * 24.0 / step_hours));
        MarketParams p{};
        p.seed = 4242;
        p.n_assets = 1;
        p.n_steps = steps;
        p.dt_years = step_hours / (24.0 * 365.0);
        p.sqrt_dt = std::sqrt(p.dt_years);
        p.chol[0] = 1.0;
        p.vol[0] = c.vol;
        p.drift[0] = c.drift;
        p.spot[0] = 100.0;
        // One position whose liquidation price is S0·e^{∓distance}: mm = 0, A = 0, so
        // P_liq = E ∓ M/q; q = 1 coin entered at spot.
        const bool is_long = side == Side::long_side;
        const double level = 100.0 * std::exp(is_long ? -c.distance : c.distance);
        Position pos;
        pos.side = side;
        pos.quantity = 1.0;
        pos.entry_price = 100.0;
        pos.margin_usd = is_long ? 100.0 - level : level - 100.0;
        LadderGroup g;
        g.side = position_side(side);
        g.end = 1;
        g.funding_scale = 0.0;
        const double trigger = liquidation_price(pos), quantity = 1.0,
                     bankrupt = bankruptcy_price(pos), entry = 100.0;
        ASSERT_NEAR(trigger, level, 1e-9);
        Model m;
        m.market = p;
        m.book.n_groups = 1;
        for (int a = 1; a <= kMaxAssets; ++a) m.book.asset_groups[a] = 1;
        m.book.groups = &g;
        m.book.trigger = &trigger;
        m.book.quantity = &quantity;
        m.book.bankrupt = &bankrupt;
        m.book.entry = &entry;
        PathRows rows;
        rows.resize(n, 1);
        const PathOut out = rows.view();
#pragma omp parallel for schedule(static)
        for (std::int64_t r = 0; r < static_cast<std::int64_t>(n); ++r)
          simulate_path(m, static_cast<std::uint64_t>(r), static_cast<std::size_t>(r), out);
        std::size_t hit = 0;
        for (std::size_t r = 0; r < n; ++r)
          hit += rows.liquidated_positions[2 * r + (is_long ? 0 : 1)];
        const double expected =
            crossing_probability(100.0, level, c.drift, c.vol, c.days / 365.0, !is_long);
        const double se = std::sqrt(expected * (1.0 - expected) / static_cast<double>(n));
        const double got = static_cast<double>(hit) / static_cast<double>(n);
        EXPECT_NEAR(got, expected, k * se)
            << (is_long ? "long" : "short") << " distance " << c.distance << " vol " << c.vol
            << " drift " << c.drift << " days " << c.days << " step " << step_hours << "h";
      }
    }
  }
}

}  // namespace
}  // namespace liq
