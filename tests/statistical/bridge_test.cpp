// liqstress statistical tests — first passage (MODEL.md §3 known answer). With the
// Brownian-bridge extremes, the fraction of paths whose minimum reaches a barrier matches
// continuous monitoring at any step size:
//   P(min_{t≤T} X_t ≤ b) = N((b − νT)/(σ√T)) + e^{2νb/σ²} N((b + νT)/(σ√T)),  b = ln(L/S0) < 0,
//   P(max_{t≤T} X_t ≥ b) = N((−b + νT)/(σ√T)) + e^{2νb/σ²} N((−b − νT)/(σ√T)), b > 0,
// ν = μ − ½σ² (the second is the first applied to −X; e.g. Borodin & Salminen, Handbook of
// Brownian Motion, 2.1.1.4, or Shreve, Stochastic Calculus for Finance II, 7.2.1).
//
// Tolerance: k = 4 binomial standard errors sqrt(p(1 − p)/n) of the model probability.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "tests/statistical/sim_helpers.h"

namespace {

using namespace liq::test;

constexpr double kSe = 4.0;
constexpr std::size_t kPaths = 100000;

double p_min_below(double b, double nu, double sigma, double t) {
  const double sd = sigma * std::sqrt(t);
  return norm_cdf((b - nu * t) / sd) +
         std::exp(2.0 * nu * b / (sigma * sigma)) * norm_cdf((b + nu * t) / sd);
}

double p_max_above(double b, double nu, double sigma, double t) {
  const double sd = sigma * std::sqrt(t);
  return norm_cdf((-b + nu * t) / sd) +
         std::exp(2.0 * nu * b / (sigma * sigma)) * norm_cdf((-b - nu * t) / sd);
}

struct Case {
  double vol, drift, horizon_days, barrier_down, barrier_up;
};

// Barriers ln(L/S0): a long at 10x (≈ −9%), 5x, 3x; shorts alike above.
const Case kCases[] = {
    {0.8, 0.1, 30.0, -0.09, 0.09},
    {0.5, -0.4, 7.0, -0.05, 0.04},
    {1.5, 0.5, 90.0, -0.35, 0.30},
    {0.3, 0.0, 1.0, -0.01, 0.012},
};

double fraction(const std::vector<double>& x, bool below, double b) {
  std::size_t hits = 0;
  for (double v : x) hits += below ? (v <= b) : (v >= b);
  return static_cast<double>(hits) / static_cast<double>(x.size());
}

TEST(Bridge, FirstPassageMatchesContinuousMonitoringAtAnyStepSize) {
  std::uint64_t seed = 4001;
  for (const Case& c : kCases) {
    for (int steps : {1, 24, 120}) {
      liq::MarketParams p = make_params(1, steps, c.horizon_days, seed++);
      p.vol[0] = c.vol;
      p.drift[0] = c.drift;
      const liq::PathRows rows = run_paths(p, 0, kPaths);
      const double t = horizon_years(p), nu = c.drift - 0.5 * c.vol * c.vol;
      const double want_lo = p_min_below(c.barrier_down, nu, c.vol, t);
      const double want_hi = p_max_above(c.barrier_up, nu, c.vol, t);
      const double got_lo = fraction(rows.min_log_return, true, c.barrier_down);
      const double got_hi = fraction(rows.max_log_return, false, c.barrier_up);
      const double se_lo = std::sqrt(want_lo * (1.0 - want_lo) / kPaths);
      const double se_hi = std::sqrt(want_hi * (1.0 - want_hi) / kPaths);
      std::printf(
          "  vol %.1f T %3.0fd steps %3d: P(min<=%.3f) %.4f model %.4f z %+.2f | "
          "P(max>=%.3f) %.4f model %.4f z %+.2f\n",
          c.vol, c.horizon_days, steps, c.barrier_down, got_lo, want_lo, (got_lo - want_lo) / se_lo,
          c.barrier_up, got_hi, want_hi, (got_hi - want_hi) / se_hi);
      EXPECT_NEAR(got_lo, want_lo, kSe * se_lo) << "vol " << c.vol << ", steps " << steps;
      EXPECT_NEAR(got_hi, want_hi, kSe * se_hi) << "vol " << c.vol << ", steps " << steps;
    }
  }
}

TEST(Bridge, WithoutTheBridgeOneStepWouldMissMostCrossings) {
  // Power check: monitoring only the step's end (final log-return) gives the terminal law
  // N((b − νT)/(σ√T)), far below the first-passage probability the bridge reproduces.
  const Case& c = kCases[0];
  liq::MarketParams p = make_params(1, 1, c.horizon_days, 4100u);
  p.vol[0] = c.vol;
  p.drift[0] = c.drift;
  const liq::PathRows rows = run_paths(p, 0, kPaths);
  const double t = horizon_years(p), nu = c.drift - 0.5 * c.vol * c.vol;
  const double terminal = norm_cdf((c.barrier_down - nu * t) / (c.vol * std::sqrt(t)));
  const double got_end = fraction(rows.final_log_return, true, c.barrier_down);
  EXPECT_NEAR(got_end, terminal, kSe * std::sqrt(terminal * (1.0 - terminal) / kPaths));
  const double passage = p_min_below(c.barrier_down, nu, c.vol, t);
  EXPECT_GT(passage - terminal, 20.0 * std::sqrt(passage * (1.0 - passage) / kPaths));
}

TEST(Bridge, ExtremesBracketThePath) {
  liq::MarketParams p = make_params(2, 12, 10.0, 4200u);
  p.vol[0] = 0.7;
  p.vol[1] = 1.1;
  p.jump_count_mean[1] = 0.3;
  p.jump_mean[1] = -0.04;
  p.jump_stdev[1] = 0.05;
  const liq::PathRows rows = run_paths(p, 0, 20000);
  for (std::size_t i = 0; i < rows.final_log_return.size(); ++i) {
    ASSERT_LE(rows.min_log_return[i], std::fmin(0.0, rows.final_log_return[i]));
    ASSERT_GE(rows.max_log_return[i], std::fmax(0.0, rows.final_log_return[i]));
  }
}

}  // namespace
