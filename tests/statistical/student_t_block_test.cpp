// liqstress tests — Student-t innovations keep their horizon tails at any step size
// (docs/MODEL.md §1): the mixing variable W ~ χ²_ν is drawn per block (here the whole day)
// and shared by the block's steps, so the day's log-return is
//   X = T(μ − ½σ²) + σ√T · sqrt((ν − 2)/ν) · t_ν
// whether the day is one step or 1,440. Reference: the t_3 quantile t_{0.01} = −4.540702858698
// (closed form for ν = 3: tables, e.g. Abramowitz & Stegun 26.7). The 1% quantile of each
// run must lie within its distribution-free order-statistic interval at k = 3 standard
// deviations of the binomial rank (normal approximation of the binomial, n = 20,000, p = 0.01:
// ranks 200 ± 3·√198). Drawing W per step instead (blocks of one step) makes the 1-minute
// day Gaussian (1% quantile −2.326 instead of −2.622 in units of σ√T) and fails the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tests/statistical/sim_helpers.h"

namespace liq::test {
namespace {

constexpr std::size_t kPaths = 20000;
constexpr double kT3Quantile01 = -4.540702858698;

/// Sorted day log-returns of kPaths paths: one day in `steps` steps, W per `block` steps.
std::vector<double> day_returns(int steps, int block) {
  MarketParams p = make_params(1, steps, 1.0, 2024u);
  p.vol[0] = 0.8;
  p.innovations = Innovations::student_t;
  p.dof = 3.0;
  p.tail_block_steps = block;
  const PathRows rows = run_paths(p, 0, kPaths);
  std::vector<double> x = column(rows.final_log_return, 1, 0);
  std::sort(x.begin(), x.end());
  return x;
}

void expect_one_percent_quantile(const std::vector<double>& sorted, const char* what) {
  const double t = 1.0 / kDaysPerYear, sigma = 0.8, nu = 3.0;
  const double expected = t * (-0.5 * sigma * sigma) +
                          sigma * std::sqrt(t) * std::sqrt((nu - 2.0) / nu) * kT3Quantile01;
  const double n = static_cast<double>(sorted.size()), p = 0.01;
  const double spread = 3.0 * std::sqrt(n * p * (1.0 - p));
  const auto lo = static_cast<std::size_t>(std::floor(n * p - spread)) - 1;
  const auto hi = static_cast<std::size_t>(std::ceil(n * p + spread)) - 1;
  std::printf("%s: 1%% quantile %.5f, interval [%.5f, %.5f], closed form %.5f\n", what,
              sorted[static_cast<std::size_t>(n * p) - 1], sorted[lo], sorted[hi], expected);
  EXPECT_LE(sorted[lo], expected) << what;
  EXPECT_GE(sorted[hi], expected) << what;
}

TEST(StudentTBlocks, DayTailIsTheSameInOneStepAndIn1440) {
  expect_one_percent_quantile(day_returns(1, 1), "one 24h step");
  expect_one_percent_quantile(day_returns(1440, 1440), "1,440 one-minute steps, one block");
}

TEST(StudentTBlocks, MixingPerStepWouldLoseTheTail) {
  // The check above can fail: with W per one-minute step the day is nearly Gaussian, and its
  // 1% quantile falls outside the t_3 interval.
  const std::vector<double> x = day_returns(1440, 1);
  const double n = static_cast<double>(x.size());
  const double spread = 3.0 * std::sqrt(n * 0.01 * 0.99);
  const auto hi = static_cast<std::size_t>(std::ceil(n * 0.01 + spread)) - 1;
  const double t = 1.0 / kDaysPerYear;
  const double expected = t * -0.32 + 0.8 * std::sqrt(t) * std::sqrt(1.0 / 3.0) * kT3Quantile01;
  EXPECT_GT(x[hi], expected) << "per-step mixing is close to Gaussian: its interval excludes t_3";
}

}  // namespace
}  // namespace liq::test
