// liqstress statistical tests — terminal log-return cumulants of the price model against
// MODEL.md §1 ("Checks any implementation must pass"):
//   κ1 = T(μ − ½σ² − c) + Σ_sources λT E[Y],   κn = σ²T·[n = 2] + Σ_sources λT β^n E[Y^n] (n ≥ 2)
// with E[Y^n] the raw moments of one N(m, s²) jump size (sim_helpers.h), β = 1 for
// idiosyncratic jumps: the cumulants of a compound Poisson sum are λT times the raw moments
// of one jump (e.g. Cont & Tankov, Financial Modelling with Jump Processes, Prop. 3.13).
//
// Fixed seeds. Estimates are Fisher's unbiased k-statistics; standard errors by batch means
// over 20 batches (sim_helpers.h). Tolerances, written down:
//   kSeLow  = 4 for κ1, κ2 and means: P(|t19| > 4) ≈ 8e-4 per check;
//   kSeHigh = 5 for κ3, κ4 and ratios of them: their batch SE leans on 6th and 8th moments
//             and is itself noisier, so the t(19) approximation is rougher in the tails.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "tests/statistical/sim_helpers.h"

namespace {

using namespace liq::test;

constexpr double kSeLow = 4.0;
constexpr double kSeHigh = 5.0;
constexpr std::size_t kPaths = 200000;

void expect_within(const Estimate& e, double want, double k, const char* what) {
  const double z = (e.value - want) / e.se;
  std::printf("  %-28s estimate %+.6e  model %+.6e  SE %.2e  z %+.2f (limit %.0f)\n", what, e.value,
              want, e.se, z, k);
  EXPECT_LE(std::fabs(z), k) << what << ": estimate " << e.value << ", model " << want << ", SE "
                             << e.se;
}

/// Checks the four cumulants of asset `a`'s terminal log-return against `want`.
void expect_cumulants(const liq::PathRows& rows, int a, const double want[4]) {
  const CumulantEstimates e = cumulant_estimates(column(rows.final_log_return, rows.n_assets, a));
  const char* names[4] = {"k1 (mean)", "k2 (variance)", "k3", "k4"};
  for (int o = 0; o < 4; ++o) expect_within(e.k[o], want[o], o < 2 ? kSeLow : kSeHigh, names[o]);
}

/// Model cumulants of one asset: diffusion (vol, drift = μ − c) plus jump sources
/// (rate λ per year, β, m, s).
struct JumpSource {
  double rate_per_year, beta, m, s;
};

void model_cumulants(double vol, double drift, double t, const std::vector<JumpSource>& jumps,
                     double out[4]) {
  out[0] = t * (drift - 0.5 * vol * vol);
  out[1] = vol * vol * t;
  out[2] = 0.0;
  out[3] = 0.0;
  for (const JumpSource& j : jumps) {
    for (int n = 1; n <= 4; ++n) {
      out[n - 1] += j.rate_per_year * t * std::pow(j.beta, n) * normal_raw_moment(n, j.m, j.s);
    }
  }
}

TEST(Moments, PureDiffusion) {
  liq::MarketParams p = make_params(2, 30, 30.0, 1001u);
  p.vol[0] = 0.6;
  p.drift[0] = 0.1;
  p.vol[1] = 1.2;
  p.drift[1] = -0.3;
  const liq::PathRows rows = run_paths(p, 0, kPaths);
  for (int a = 0; a < 2; ++a) {
    double want[4];
    model_cumulants(p.vol[a], p.drift[a], horizon_years(p), {}, want);
    std::printf(" asset %d\n", a);
    expect_cumulants(rows, a, want);
  }
}

TEST(Moments, MertonIdiosyncraticJumps) {
  // λ = 50/yr over 30 days: λT ≈ 4.1 jumps per path, m = −5%, s = 8%.
  liq::MarketParams p = make_params(1, 30, 30.0, 1002u);
  const double rate = 50.0;
  p.vol[0] = 0.6;
  p.drift[0] = 0.2;
  p.jump_count_mean[0] = rate * p.dt_years;
  p.jump_mean[0] = -0.05;
  p.jump_stdev[0] = 0.08;
  const liq::PathRows rows = run_paths(p, 0, kPaths);
  double want[4];
  model_cumulants(0.6, 0.2, horizon_years(p), {{rate, 1.0, -0.05, 0.08}}, want);
  expect_cumulants(rows, 0, want);
}

TEST(Moments, MarketWideJumpsWithBetas) {
  // One market jump source shared by three assets with β = 0.5, 1, 2.2; asset 2 also has
  // its own jumps (the cumulants of independent sources add). The common jumps are the
  // only link between the assets (identity correlation), so
  // Cov(X0, X2) = λ_M T β0 β2 E[Y²].
  liq::MarketParams p = make_params(3, 30, 30.0, 1003u);
  const double rate_m = 20.0, m_m = -0.04, s_m = 0.05;
  const double rate_i = 30.0, m_i = 0.02, s_i = 0.06;
  const double beta[3] = {0.5, 1.0, 2.2};
  p.market_jump_count_mean = rate_m * p.dt_years;
  p.market_jump_mean = m_m;
  p.market_jump_stdev = s_m;
  for (int a = 0; a < 3; ++a) {
    p.vol[a] = 0.5;
    p.drift[a] = 0.05;
    p.beta[a] = beta[a];
  }
  p.jump_count_mean[2] = rate_i * p.dt_years;
  p.jump_mean[2] = m_i;
  p.jump_stdev[2] = s_i;
  const liq::PathRows rows = run_paths(p, 0, kPaths);
  const double t = horizon_years(p);
  for (int a = 0; a < 3; ++a) {
    std::vector<JumpSource> sources = {{rate_m, beta[a], m_m, s_m}};
    if (a == 2) sources.push_back({rate_i, 1.0, m_i, s_i});
    double want[4];
    model_cumulants(0.5, 0.05, t, sources, want);
    std::printf(" asset %d (beta %.1f)\n", a, beta[a]);
    expect_cumulants(rows, a, want);
  }
  // Covariance of assets 0 and 2 by batch means: interleave the pair into one sample.
  std::vector<double> pairs(2 * kPaths);
  for (std::size_t r = 0; r < kPaths; ++r) {
    pairs[2 * r] = rows.final_log_return[r * 3 + 0];
    pairs[2 * r + 1] = rows.final_log_return[r * 3 + 2];
  }
  const Estimate cov = batch_estimate(pairs, [](const double* v, std::size_t n) {
    const std::size_t m = n / 2;
    double mx = 0.0, my = 0.0, sxy = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      mx += v[2 * i];
      my += v[2 * i + 1];
    }
    mx /= static_cast<double>(m);
    my /= static_cast<double>(m);
    for (std::size_t i = 0; i < m; ++i) sxy += (v[2 * i] - mx) * (v[2 * i + 1] - my);
    return sxy / static_cast<double>(m - 1);
  });
  expect_within(cov, rate_m * t * beta[0] * beta[2] * normal_raw_moment(2, m_m, s_m), kSeLow,
                "Cov(X0, X2)");
}

TEST(Moments, DriftCompensationMakesThePriceAMartingale) {
  // MODEL.md §1: with c = λ(e^{m+s²/2} − 1) + λ_M(e^{βm_M + β²s_M²/2} − 1) in the drift,
  // E[S_T/S_0] = e^{μT}. Without it, E[S_T/S_0] = e^{(μ + c)T}: the check has power (the
  // two differ by about 30 SE here).
  liq::MarketParams p = make_params(1, 30, 30.0, 1004u);
  const double mu = 0.1, vol = 0.8;
  const double rate = 40.0, m = -0.06, s = 0.1;
  const double rate_m = 15.0, beta = 1.5, m_m = -0.05, s_m = 0.07;
  const double c = rate * (std::exp(m + 0.5 * s * s) - 1.0) +
                   rate_m * (std::exp(beta * m_m + 0.5 * beta * beta * s_m * s_m) - 1.0);
  p.vol[0] = vol;
  p.beta[0] = beta;
  p.jump_count_mean[0] = rate * p.dt_years;
  p.jump_mean[0] = m;
  p.jump_stdev[0] = s;
  p.market_jump_count_mean = rate_m * p.dt_years;
  p.market_jump_mean = m_m;
  p.market_jump_stdev = s_m;
  const double t = horizon_years(p);
  for (bool compensated : {true, false}) {
    p.drift[0] = compensated ? mu - c : mu;
    const liq::PathRows rows = run_paths(p, 0, kPaths);
    std::vector<double> gross(kPaths);
    for (std::size_t r = 0; r < kPaths; ++r) gross[r] = std::exp(rows.final_log_return[r]);
    const Estimate e = batch_estimate(gross, sample_mean);
    const double want = compensated ? std::exp(mu * t) : std::exp((mu + c) * t);
    expect_within(e, want, kSeLow, compensated ? "E[S_T/S_0], compensated" : "E[S_T/S_0], raw");
    if (compensated) {
      EXPECT_GT(std::fabs(std::exp((mu + c) * t) - want), 10.0 * e.se)
          << "the compensator is too small here for the check to have power";
    }
  }
}

TEST(Moments, StudentTVarianceIsSigmaSquaredT) {
  // Conditional on W the step variance is σ²Δ(ν−2)/W, and E[(ν−2)/W] = 1 for W ~ χ²_ν, so the
  // terminal variance is σ²T whatever the step count (ν = 6: 4th moments finite, so the
  // batch SE of the variance is sound).
  for (int steps : {1, 30}) {
    liq::MarketParams p = make_params(1, steps, 30.0, 1005u);
    p.vol[0] = 0.8;
    p.drift[0] = 0.1;
    p.innovations = liq::Innovations::student_t;
    p.dof = 6.0;
    const liq::PathRows rows = run_paths(p, 0, kPaths);
    const CumulantEstimates e = cumulant_estimates(column(rows.final_log_return, 1, 0));
    const double t = horizon_years(p);
    std::printf(" %d step(s)\n", steps);
    expect_within(e.k[0], t * (0.1 - 0.5 * 0.64), kSeLow, "k1 (mean)");
    expect_within(e.k[1], 0.64 * t, kSeLow, "k2 (variance)");
    if (steps == 1) {
      // One step: a standardised t_6, excess kurtosis 6/(ν−4) = 3 > 0 (its batch SE is not
      // meaningful, 8th moment infinite, so only the sign is checked).
      EXPECT_GT(e.k[3].value / (e.k[1].value * e.k[1].value), 1.0);
    }
  }
}

TEST(Moments, StudentTOneStepExcessKurtosis) {
  // ν = 12, one step: X − E X = σ√T · t_ν·sqrt((ν−2)/ν), excess kurtosis 6/(ν − 4) = 0.75.
  // ν = 12 keeps moments up to the 11th finite, so the sample kurtosis (8th moments in its
  // variance) has a well-behaved batch SE; one-step paths are cheap, so 1e6 of them.
  const std::size_t n = 1000000;
  const double dof = 12.0;
  liq::MarketParams p = make_params(1, 1, 30.0, 1006u);
  p.vol[0] = 0.8;
  p.innovations = liq::Innovations::student_t;
  p.dof = dof;
  const liq::PathRows rows = run_paths(p, 0, n);
  const std::vector<double> x = column(rows.final_log_return, 1, 0);
  const Estimate kurt = batch_estimate(x, [](const double* v, std::size_t m) {
    const Cumulants c = k_statistics(v, m);
    return c.k4 / (c.k2 * c.k2);
  });
  expect_within(kurt, 6.0 / (dof - 4.0), kSeHigh, "excess kurtosis");
  const CumulantEstimates e = cumulant_estimates(x);
  expect_within(e.k[1], 0.64 * horizon_years(p), kSeLow, "k2 (variance)");
  expect_within(e.k[2], 0.0, kSeHigh, "k3");
}

}  // namespace
