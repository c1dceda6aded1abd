// liqstress statistical tests — jump counts and jump sizes (MODEL.md §1).
// Counts are not visible in simulate_path's output, so the count law is tested on the
// kernel's own recipe: liq::poisson_inverse(mean, u01(word 0 of draw4(·, asset_jump, slot)))
// over many addresses, with a chi-square goodness-of-fit test. The sizes are tested on
// simulate_path itself with vol = 0 and one step, where the final log-return is the jump sum.
//
// Chi-square: cells merged left to right until each expects ≥ 5 (the last cell is the
// upper tail, merged into its neighbour if it expects < 5); reject above the 0.999 quantile
// of χ²_{cells−1} (Wilson–Hilferty approximation, sim_helpers.h).
// Other checks: k = 4 standard errors (binomial SE for proportions, s/√n for means), and a
// Kolmogorov–Smirnov test at level 0.001: reject if sqrt(n)·D > 1.9495 (the asymptotic
// Kolmogorov distribution's 0.999 quantile).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "tests/statistical/sim_helpers.h"

namespace {

using namespace liq::test;

constexpr double kSe = 4.0;
constexpr double kKolmogorov999 = 1.9495;

/// Chi-square statistic and degrees of freedom of integer draws against a pmf on 0..K
/// (the cell K also takes everything above K).
struct ChiSquare {
  double stat;
  int df;
};

ChiSquare chi_square(const std::vector<std::uint32_t>& draws, const std::vector<double>& pmf) {
  const std::size_t k_max = pmf.size() - 1;
  std::vector<double> observed(pmf.size(), 0.0);
  for (std::uint32_t d : draws) observed[std::min<std::size_t>(d, k_max)] += 1.0;
  const double n = static_cast<double>(draws.size());
  std::vector<double> cell_obs, cell_exp;
  double o = 0.0, e = 0.0;
  for (std::size_t k = 0; k <= k_max; ++k) {
    o += observed[k];
    e += pmf[k] * n;
    if (e >= 5.0 && k < k_max) {
      cell_obs.push_back(o);
      cell_exp.push_back(e);
      o = e = 0.0;
    }
  }
  if (e >= 5.0 || cell_exp.empty()) {
    cell_obs.push_back(o);
    cell_exp.push_back(e);
  } else {
    cell_obs.back() += o;
    cell_exp.back() += e;
  }
  double stat = 0.0;
  for (std::size_t i = 0; i < cell_obs.size(); ++i) {
    stat += (cell_obs[i] - cell_exp[i]) * (cell_obs[i] - cell_exp[i]) / cell_exp[i];
  }
  return ChiSquare{stat, static_cast<int>(cell_obs.size()) - 1};
}

/// Poisson pmf on 0..k_max, the last entry being P(N ≥ k_max).
std::vector<double> poisson_pmf(double mean, std::size_t k_max) {
  std::vector<double> pmf(k_max + 1);
  double p = std::exp(-mean), cdf = 0.0;
  for (std::size_t k = 0; k < k_max; ++k) {
    pmf[k] = p;
    cdf += p;
    p *= mean / static_cast<double>(k + 1);
  }
  pmf[k_max] = std::max(0.0, 1.0 - cdf);
  return pmf;
}

TEST(Jumps, PoissonCountsFollowThePoissonLaw) {
  const std::size_t n = 200000;
  for (double mean : {0.01, 0.5, 3.0, 20.0}) {
    std::vector<std::uint32_t> counts(n);
    for (std::size_t i = 0; i < n; ++i) {
      // Spread the draws over paths, steps and slots as the kernel addresses them.
      const liq::RngAddress at{3001u, i / 8, static_cast<std::uint32_t>(i % 8)};
      const liq::U32x4 w =
          liq::draw4(at, liq::Purpose::asset_jump, static_cast<std::uint32_t>(i % 3));
      counts[i] = liq::poisson_inverse(mean, liq::u01(w.v[0]));
    }
    const ChiSquare c = chi_square(counts, poisson_pmf(mean, 200));
    const double limit = chi_square_q999(c.df);
    std::printf("  mean %5.2f: chi2 %.2f on %d df, 0.999 quantile %.2f\n", mean, c.stat, c.df,
                limit);
    EXPECT_GE(c.df, 1);
    EXPECT_LT(c.stat, limit) << "mean " << mean;
  }
}

TEST(Jumps, ChiSquareHasPower) {
  // The same draws judged against a mean 3% off must fail: the test is not vacuous.
  const std::size_t n = 200000;
  std::vector<std::uint32_t> counts(n);
  for (std::size_t i = 0; i < n; ++i) {
    const liq::U32x4 w = liq::draw4(liq::RngAddress{3002u, i, 0u}, liq::Purpose::asset_jump, 0u);
    counts[i] = liq::poisson_inverse(3.0, liq::u01(w.v[0]));
  }
  const ChiSquare c = chi_square(counts, poisson_pmf(3.09, 200));
  EXPECT_GT(c.stat, chi_square_q999(c.df));
}

TEST(Jumps, WilsonHilfertyQuantiles) {
  // Against tabulated 0.999 quantiles of χ² (Abramowitz & Stegun, Table 26.8): at this far
  // tail the approximation errs high, by 3% at df = 1 and under 1.5% from df = 5 on, so the
  // goodness-of-fit tests above are slightly conservative, never liberal.
  const struct {
    int df;
    double exact;
  } rows[] = {{1, 10.828}, {2, 13.816}, {5, 20.515}, {10, 29.588}, {30, 59.703}, {50, 86.661}};
  for (const auto& r : rows) {
    EXPECT_GE(chi_square_q999(r.df), r.exact) << "df " << r.df;
    EXPECT_LT(chi_square_q999(r.df), r.exact * (r.df < 5 ? 1.035 : 1.015)) << "df " << r.df;
  }
}

/// CDF of the compound-normal jump sum given at least one jump: Σ_{n≥1} P(n | n ≥ 1) Φ((x − nm)/(√n
/// s)).
double compound_cdf_given_jump(double x, double mean, double m, double s) {
  double p = std::exp(-mean), f = 0.0;
  const double p0 = p;
  for (int k = 1; k < 200; ++k) {
    p *= mean / k;
    f += p * norm_cdf((x - k * m) / (std::sqrt(static_cast<double>(k)) * s));
  }
  return f / (1.0 - p0);
}

TEST(Jumps, OneStepGapIsCompoundNormal) {
  // vol = 0, drift 0, one step: final log-return = J exactly (0 when no jump).
  const std::size_t n = 200000;
  const double count_mean = 0.7, m = -0.05, s = 0.08;
  liq::MarketParams p = make_params(1, 1, 1.0, 3003u);
  p.jump_count_mean[0] = count_mean;
  p.jump_mean[0] = m;
  p.jump_stdev[0] = s;
  const liq::PathRows rows = run_paths(p, 0, n);
  std::vector<double> jumps;
  for (double x : rows.final_log_return) {
    if (x != 0.0) jumps.push_back(x);
  }
  // P(no jump) = e^{−λΔ}.
  const double p0 = std::exp(-count_mean);
  const double frac0 = 1.0 - static_cast<double>(jumps.size()) / n;
  EXPECT_NEAR(frac0, p0, kSe * std::sqrt(p0 * (1.0 - p0) / n));
  // Mean given a jump: m E[N | N ≥ 1] = m λΔ / (1 − e^{−λΔ}).
  const Cumulants c = k_statistics(jumps.data(), jumps.size());
  EXPECT_NEAR(c.k1, m * count_mean / (1.0 - p0), kSe * std::sqrt(c.k2 / jumps.size()));
  // Whole law given a jump, Kolmogorov–Smirnov.
  std::sort(jumps.begin(), jumps.end());
  double d = 0.0;
  const double nj = static_cast<double>(jumps.size());
  for (std::size_t i = 0; i < jumps.size(); ++i) {
    const double f = compound_cdf_given_jump(jumps[i], count_mean, m, s);
    d = std::max({d, f - i / nj, (i + 1) / nj - f});
  }
  std::printf("  P(0) %.5f (model %.5f), KS sqrt(n) D = %.3f (limit %.4f)\n", frac0, p0,
              std::sqrt(nj) * d, kKolmogorov999);
  EXPECT_LT(std::sqrt(nj) * d, kKolmogorov999);
}

TEST(Jumps, MarketJumpIsOneDrawSharedByAllAssets) {
  // vol = 0, one step, market-wide jumps only: asset a's return is β_a J_M with the same J_M.
  const std::size_t n = 100000;
  const double count_mean = 0.4, m = -0.06, s = 0.05;
  liq::MarketParams p = make_params(3, 1, 1.0, 3004u);
  const double beta[3] = {1.0, 2.5, 0.4};
  for (int a = 0; a < 3; ++a) p.beta[a] = beta[a];
  p.market_jump_count_mean = count_mean;
  p.market_jump_mean = m;
  p.market_jump_stdev = s;
  const liq::PathRows rows = run_paths(p, 0, n);
  std::size_t zero = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const double j = rows.final_log_return[r * 3];
    if (j == 0.0) ++zero;
    for (int a = 1; a < 3; ++a) {
      ASSERT_NEAR(rows.final_log_return[r * 3 + a], beta[a] * j, 1e-15) << "path " << r;
    }
  }
  const double p0 = std::exp(-count_mean);
  EXPECT_NEAR(static_cast<double>(zero) / n, p0, kSe * std::sqrt(p0 * (1.0 - p0) / n));
}

}  // namespace
