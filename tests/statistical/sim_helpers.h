// liqstress tests — helpers shared by the statistical tests (test-local, not part of liqcore).
// Builds liq::MarketParams by hand, runs paths with OpenMP (results do not depend on the
// thread count: every draw is addressed by (seed, path, step, purpose, slot)), and turns
// samples into estimates with standard errors.
//
// Standard errors: batch means. The sample is cut into kBatches equal batches in path
// order, the statistic is computed on each batch, and SE = sd(batch values)/sqrt(kBatches)
// is the standard error of the statistic computed on the whole sample.
// It needs no formula for the variance of a sample cumulant, is honest for heavy tails as
// long as the statistic's variance is finite, and with 20 batches a 4-SE band is a t(19)
// band: P(|t19| > 4) ≈ 8e-4, P(|t19| > 5) ≈ 8e-5.
#pragma once

#include <omp.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

#include "host/model/path_rows.h"
#include "kernels/path.h"

namespace liq::test {

constexpr double kDaysPerYear = 365.0;
constexpr int kBatches = 20;

/// Market with n assets, identity correlation, no jumps, `steps` steps over `horizon_days`.
inline MarketParams make_params(int n_assets, int steps, double horizon_days, std::uint64_t seed) {
  MarketParams p{};
  p.seed = seed;
  p.n_assets = n_assets;
  p.n_steps = steps;
  p.dt_years = horizon_days / kDaysPerYear / steps;
  p.sqrt_dt = std::sqrt(p.dt_years);
  for (int a = 0; a < n_assets; ++a) {
    p.chol[a * kMaxAssets + a] = 1.0;
    p.beta[a] = 1.0;
  }
  return p;
}

inline double horizon_years(const MarketParams& p) {
  return p.dt_years * p.n_steps;
}

/// Lower Cholesky factor of a symmetric positive-definite n×n matrix (row-major, n ≤
/// kMaxAssets), written into p.chol. Done by hand here so the tests do not rely on host/.
inline void set_correlation(MarketParams& p, const std::vector<double>& rho) {
  const int n = p.n_assets;
  for (int i = 0; i < kMaxAssets * kMaxAssets; ++i) p.chol[i] = 0.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j <= i; ++j) {
      double s = rho[static_cast<std::size_t>(i * n + j)];
      for (int k = 0; k < j; ++k) s -= p.chol[i * kMaxAssets + k] * p.chol[j * kMaxAssets + k];
      p.chol[i * kMaxAssets + j] = (i == j) ? std::sqrt(s) : s / p.chol[j * kMaxAssets + j];
    }
  }
}

/// Runs paths [first_path, first_path + n) into fresh rows (row r = path first_path + r).
inline PathRows run_paths(const MarketParams& p, std::uint64_t first_path, std::size_t n) {
  PathRows rows;
  rows.resize(n, p.n_assets);
  const PathOut out = rows.view();
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < count; ++r) {
    simulate_path(p, first_path + static_cast<std::uint64_t>(r), static_cast<std::size_t>(r), out);
  }
  return rows;
}

/// Column `asset` of a row-major [rows × n_assets] array.
inline std::vector<double> column(const std::vector<double>& cells, int n_assets, int asset) {
  std::vector<double> c(cells.size() / static_cast<std::size_t>(n_assets));
  for (std::size_t r = 0; r < c.size(); ++r) c[r] = cells[r * n_assets + asset];
  return c;
}

/// Unbiased sample cumulants (Fisher's k-statistics k1..k4) of x[first, first + n).
struct Cumulants {
  double k1, k2, k3, k4;
};

inline Cumulants k_statistics(const double* x, std::size_t n) {
  double mean = 0.0;
  for (std::size_t i = 0; i < n; ++i) mean += x[i];
  mean /= static_cast<double>(n);
  double m2 = 0.0, m3 = 0.0, m4 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = x[i] - mean;
    const double d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const double dn = static_cast<double>(n);
  m2 /= dn;
  m3 /= dn;
  m4 /= dn;
  const double k2 = dn / (dn - 1.0) * m2;
  const double k3 = dn * dn / ((dn - 1.0) * (dn - 2.0)) * m3;
  const double k4 = dn * dn * ((dn + 1.0) * m4 - 3.0 * (dn - 1.0) * m2 * m2) /
                    ((dn - 1.0) * (dn - 2.0) * (dn - 3.0));
  return Cumulants{mean, k2, k3, k4};
}

/// An estimate with its standard error.
struct Estimate {
  double value;
  double se;
};

/// stat over the whole sample, with the batch-means standard error: the spread of stat over
/// kBatches equal batches of x (path order), divided by sqrt(kBatches). Taking the value
/// from the whole sample avoids the small-batch bias of ratio statistics (kurtosis).
template <class Stat>
Estimate batch_estimate(const std::vector<double>& x, Stat stat) {
  const std::size_t b = x.size() / kBatches;
  double values[kBatches];
  double mean = 0.0;
  for (int i = 0; i < kBatches; ++i) {
    values[i] = stat(x.data() + static_cast<std::size_t>(i) * b, b);
    mean += values[i];
  }
  mean /= kBatches;
  double ss = 0.0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return Estimate{stat(x.data(), x.size()), std::sqrt(ss / (kBatches - 1) / kBatches)};
}

/// Batch-means estimates of all four cumulants of x.
struct CumulantEstimates {
  Estimate k[4];
};

inline CumulantEstimates cumulant_estimates(const std::vector<double>& x) {
  CumulantEstimates e{};
  const auto kth = [](int order) {
    return [order](const double* v, std::size_t n) {
      const Cumulants c = k_statistics(v, n);
      const double all[4] = {c.k1, c.k2, c.k3, c.k4};
      return all[order];
    };
  };
  for (int o = 0; o < 4; ++o) e.k[o] = batch_estimate(x, kth(o));
  return e;
}

inline double sample_mean(const double* v, std::size_t n) {
  return std::accumulate(v, v + n, 0.0) / static_cast<double>(n);
}

/// Standard normal CDF.
inline double norm_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

/// Raw moments E[Y^n], n = 1..4, of a normal jump size Y ~ N(m, s²).
inline double normal_raw_moment(int order, double m, double s) {
  const double s2 = s * s;
  switch (order) {
    case 1:
      return m;
    case 2:
      return m * m + s2;
    case 3:
      return m * m * m + 3.0 * m * s2;
    default:
      return m * m * m * m + 6.0 * m * m * s2 + 3.0 * s2 * s2;
  }
}

/// The 0.999 quantile of χ²_df by the Wilson–Hilferty cube-root approximation
/// (Wilson & Hilferty, "The distribution of chi-square", PNAS 17, 1931):
/// χ²_p ≈ df (1 − 2/(9 df) + z_p sqrt(2/(9 df)))³, z_0.999 = 3.090232. At this quantile it
/// errs on the high (conservative) side: df = 1 gives 11.2 against the exact 10.83, df = 5
/// 20.75 against 20.52 (checked in jumps_test.cpp).
inline double chi_square_q999(int df) {
  const double d = df;
  const double h = 2.0 / (9.0 * d);
  const double c = 1.0 - h + 3.090232306167813 * std::sqrt(h);
  return d * c * c * c;
}

}  // namespace liq::test
