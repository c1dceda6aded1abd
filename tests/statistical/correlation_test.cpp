// liqstress statistical tests — correlation of the diffusion increments equals the input ρ
// (MODEL.md §1, "Checks any implementation must pass"). One step, no jumps, zero drift:
// the final log-return of a one-step path is the increment −½σ²Δ + σ√Δ ε, ε = L z.
//
// Tolerance: k = 4 standard errors per matrix entry. Gaussian case: the sample correlation's
// SE is (1 − ρ²)/sqrt(n) (its large-sample variance for bivariate normal data, Fisher 1915;
// e.g. Kendall & Stuart, Advanced Theory of Statistics, vol. 1, §16.24). Student-t case:
// the normal-theory SE does not apply (fat tails), so the SE is by batch means over 20
// batches (sim_helpers.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "tests/statistical/sim_helpers.h"

namespace {

using namespace liq::test;

constexpr double kSe = 4.0;

// BTC, ETH, SOL, DOGE, XRP, BNB-like daily-return correlations: realistic and far from
// diagonal, positive definite. Six assets exercise the second diffusion block (slot 1).
const std::vector<double> kRho6 = {
    1.00, 0.85, 0.75, 0.60, 0.55, 0.70,  //
    0.85, 1.00, 0.80, 0.60, 0.55, 0.72,  //
    0.75, 0.80, 1.00, 0.55, 0.50, 0.65,  //
    0.60, 0.60, 0.55, 1.00, 0.50, 0.50,  //
    0.55, 0.55, 0.50, 0.50, 1.00, 0.45,  //
    0.70, 0.72, 0.65, 0.50, 0.45, 1.00,
};
const double kVol6[] = {0.55, 0.75, 1.0, 1.2, 0.9, 0.65};

std::vector<double> leading_block(const std::vector<double>& rho, int full, int n) {
  std::vector<double> out(static_cast<std::size_t>(n * n));
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j)
      out[static_cast<std::size_t>(i * n + j)] = rho[static_cast<std::size_t>(i * full + j)];
  }
  return out;
}

/// Sample correlation of columns i and j of rows [from, from + count).
double sample_correlation(const std::vector<double>& cells, int n_assets, std::size_t from,
                          std::size_t count, int i, int j) {
  double mi = 0.0, mj = 0.0;
  for (std::size_t r = from; r < from + count; ++r) {
    mi += cells[r * n_assets + i];
    mj += cells[r * n_assets + j];
  }
  mi /= static_cast<double>(count);
  mj /= static_cast<double>(count);
  double sij = 0.0, sii = 0.0, sjj = 0.0;
  for (std::size_t r = from; r < from + count; ++r) {
    const double di = cells[r * n_assets + i] - mi, dj = cells[r * n_assets + j] - mj;
    sij += di * dj;
    sii += di * di;
    sjj += dj * dj;
  }
  return sij / std::sqrt(sii * sjj);
}

liq::MarketParams correlated_market(int n, std::uint64_t seed) {
  liq::MarketParams p = make_params(n, 1, 1.0, seed);
  const std::vector<double> rho = leading_block(kRho6, 6, n);
  set_correlation(p, rho);
  for (int a = 0; a < n; ++a) {
    EXPECT_TRUE(std::isfinite(p.chol[a * liq::kMaxAssets + a]) &&
                p.chol[a * liq::kMaxAssets + a] > 0.0)
        << "ρ is not positive definite";
    p.vol[a] = kVol6[a];
  }
  // L Lᵀ reproduces ρ: the hand-made factor is right before the simulation is judged.
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      double s = 0.0;
      for (int k = 0; k < n; ++k)
        s += p.chol[i * liq::kMaxAssets + k] * p.chol[j * liq::kMaxAssets + k];
      EXPECT_NEAR(s, rho[static_cast<std::size_t>(i * n + j)], 1e-14);
    }
  }
  return p;
}

void check_gaussian(int n_assets, std::uint64_t seed) {
  const std::size_t n = 400000;
  const liq::MarketParams p = correlated_market(n_assets, seed);
  const liq::PathRows rows = run_paths(p, 0, n);
  for (int i = 0; i < n_assets; ++i) {
    for (int j = i + 1; j < n_assets; ++j) {
      const double rho = kRho6[static_cast<std::size_t>(i * 6 + j)];
      const double r = sample_correlation(rows.final_log_return, n_assets, 0, n, i, j);
      const double se = (1.0 - rho * rho) / std::sqrt(static_cast<double>(n));
      std::printf("  rho[%d][%d] = %.2f  sample %.5f  z %+.2f\n", i, j, rho, r, (r - rho) / se);
      EXPECT_NEAR(r, rho, kSe * se) << "pair " << i << "," << j;
    }
    // Variance σ²Δ, SE σ²Δ·sqrt(2/(n − 1)) for normal data.
    const double var = kVol6[i] * kVol6[i] * p.dt_years;
    const CumulantEstimates e = cumulant_estimates(column(rows.final_log_return, n_assets, i));
    EXPECT_NEAR(e.k[1].value, var, kSe * var * std::sqrt(2.0 / (n - 1.0))) << "asset " << i;
    EXPECT_NEAR(e.k[0].value, -0.5 * var, kSe * std::sqrt(var / n)) << "asset " << i;
  }
}

TEST(Correlation, FourAssetsGaussian) {
  check_gaussian(4, 2001u);
}

TEST(Correlation, SixAssetsGaussianAcrossTwoDiffusionBlocks) {
  check_gaussian(6, 2002u);
}

TEST(Correlation, StudentTKeepsTheCorrelation) {
  // One χ² per step shared by all assets scales every ε alike: the correlation is still ρ.
  const std::size_t n = 400000;
  const int n_assets = 6;
  liq::MarketParams p = correlated_market(n_assets, 2003u);
  p.innovations = liq::Innovations::student_t;
  p.dof = 5.0;
  const liq::PathRows rows = run_paths(p, 0, n);
  const std::size_t b = n / kBatches;
  for (int i = 0; i < n_assets; ++i) {
    for (int j = i + 1; j < n_assets; ++j) {
      double values[kBatches], mean = 0.0;
      for (int k = 0; k < kBatches; ++k) {
        values[k] = sample_correlation(rows.final_log_return, n_assets, k * b, b, i, j);
        mean += values[k] / kBatches;
      }
      double ss = 0.0;
      for (double v : values) ss += (v - mean) * (v - mean);
      const double se = std::sqrt(ss / (kBatches - 1) / kBatches);
      const double r = sample_correlation(rows.final_log_return, n_assets, 0, n, i, j);
      const double rho = kRho6[static_cast<std::size_t>(i * 6 + j)];
      EXPECT_NEAR(r, rho, kSe * se) << "pair " << i << "," << j << " (batch SE " << se << ")";
    }
  }
}

}  // namespace
