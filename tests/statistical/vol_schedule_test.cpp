// liqstress statistical tests — the scenario's volatility schedule and deterministic shocks
// (MODEL.md §1: σ_a(k) = σ_a v(k); shock_a(k) = ln(1 + r_a) applied at the end of step k).
// Moments: k = 4 batch-means standard errors (sim_helpers.h). Shocks: exact.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "tests/statistical/sim_helpers.h"

namespace {

using namespace liq::test;

constexpr double kSe = 4.0;

TEST(VolSchedule, MultiplierScalesTheVarianceOfItsSteps) {
  // v = 2.5 on the first half of the steps: Var = σ²T(½·2.5² + ½·1), and the Itô drift
  // −½σ(k)² follows: mean = T(μ − ½σ²(½·6.25 + ½)).
  const int steps = 20;
  std::vector<double> v(steps, 1.0);
  for (int k = 0; k < steps / 2; ++k) v[static_cast<std::size_t>(k)] = 2.5;
  liq::MarketParams p = make_params(1, steps, 30.0, 5001u);
  p.vol[0] = 0.6;
  p.drift[0] = 0.1;
  p.vol_multiplier = v.data();
  const liq::PathRows rows = run_paths(p, 0, 200000);
  const double t = horizon_years(p), scale = 0.5 * 6.25 + 0.5;
  const CumulantEstimates e = cumulant_estimates(column(rows.final_log_return, 1, 0));
  std::printf("  variance %.6f model %.6f SE %.1e | mean %.6f model %.6f SE %.1e\n", e.k[1].value,
              0.36 * t * scale, e.k[1].se, e.k[0].value, t * (0.1 - 0.5 * 0.36 * scale), e.k[0].se);
  EXPECT_NEAR(e.k[1].value, 0.36 * t * scale, kSe * e.k[1].se);
  EXPECT_NEAR(e.k[0].value, t * (0.1 - 0.5 * 0.36 * scale), kSe * e.k[0].se);
  // Power: the unscaled variance σ²T is far outside.
  EXPECT_GT(std::fabs(e.k[1].value - 0.36 * t), 50.0 * e.k[1].se);
}

TEST(VolSchedule, MultiplierOnlyOnItsStepsAndPerAsset) {
  // Two assets, v = 3 on the last step only: asset variances σ_a²Δ(steps − 1 + 9).
  const int steps = 10;
  std::vector<double> v(steps, 1.0);
  v[steps - 1] = 3.0;
  liq::MarketParams p = make_params(2, steps, 10.0, 5002u);
  p.vol[0] = 0.4;
  p.vol[1] = 1.3;
  p.vol_multiplier = v.data();
  const liq::PathRows rows = run_paths(p, 0, 200000);
  for (int a = 0; a < 2; ++a) {
    const CumulantEstimates e = cumulant_estimates(column(rows.final_log_return, 2, a));
    const double want = p.vol[a] * p.vol[a] * p.dt_years * (steps - 1 + 9.0);
    EXPECT_NEAR(e.k[1].value, want, kSe * e.k[1].se) << "asset " << a;
  }
}

TEST(Shock, ShiftsTheLogPriceByExactlyLnOnePlusR) {
  // vol = 0, drift 0: the path is the shocks alone, added in step order (exact arithmetic:
  // every other increment is +0.0).
  const int steps = 20;
  const std::vector<std::int32_t> at = {3, 12};
  const std::vector<double> r = {0.05, -0.07, -0.02, -0.25};  // [shock][asset], simple returns
  std::vector<double> log_r(r.size());
  for (std::size_t i = 0; i < r.size(); ++i) log_r[i] = std::log1p(r[i]);
  liq::MarketParams p = make_params(2, steps, 30.0, 5003u);
  p.n_shock_steps = 2;
  p.shock_step = at.data();
  p.shock_log_return = log_r.data();
  const liq::PathRows rows = run_paths(p, 0, 64);
  for (std::size_t row = 0; row < 64; ++row) {
    for (int a = 0; a < 2; ++a) {
      const double first = log_r[static_cast<std::size_t>(a)];
      const double total = first + log_r[static_cast<std::size_t>(2 + a)];
      EXPECT_EQ(rows.final_log_return[row * 2 + a], total);
      EXPECT_EQ(rows.min_log_return[row * 2 + a], std::fmin(0.0, std::fmin(first, total)));
      EXPECT_EQ(rows.max_log_return[row * 2 + a], std::fmax(0.0, std::fmax(first, total)));
    }
  }
}

TEST(Shock, SameSeedPathsDifferByTheShockAlone) {
  // Common random numbers: with diffusion and jumps on, adding a −7% shock at step 5 moves
  // every path's terminal log-return by ln(0.93) (up to rounding of the sum), and so the mean.
  liq::MarketParams p = make_params(1, 20, 30.0, 5004u);
  p.vol[0] = 0.9;
  p.drift[0] = 0.05;
  p.jump_count_mean[0] = 0.1;
  p.jump_mean[0] = -0.03;
  p.jump_stdev[0] = 0.05;
  const std::size_t n = 20000;
  const liq::PathRows base = run_paths(p, 0, n);
  const std::int32_t at = 5;
  const double shock = std::log1p(-0.07);
  p.n_shock_steps = 1;
  p.shock_step = &at;
  p.shock_log_return = &shock;
  const liq::PathRows shocked = run_paths(p, 0, n);
  double diff_mean = 0.0;
  for (std::size_t r = 0; r < n; ++r) {
    const double d = shocked.final_log_return[r] - base.final_log_return[r];
    ASSERT_NEAR(d, shock, 1e-13) << "path " << r;
    diff_mean += d / n;
  }
  EXPECT_NEAR(diff_mean, shock, 1e-13);
}

}  // namespace
