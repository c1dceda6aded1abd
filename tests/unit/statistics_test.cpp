// liqstress unit tests — host/stats/statistics.h: VaR, ES, exceedance and their intervals, the
// histogram and the summary, on samples small enough to work by hand (exact answers), plus
// large fixed-seed samples from known distributions against their exact values.
//
// Large samples (n = 200 000, fixed seeds): estimate − exact within kSe = 5 asymptotic
// standard errors, each computed from the distribution, not from the sample:
//   VaR_p:  SE = √(p(1−p)/n) / f(VaR_p)  (David & Nagaraja, Order Statistics, 2003, §10.2)
//   ES_p:   SE = √(Var[(X − VaR_p)⁺]/n) / (1 − p)  (Manistre & Hancock, NAAJ 9 (2005) 129)
//   mean:   SE = σ/√n;   P(X > t): SE = √(P(1−P)/n)
// Exact values: exponential(λ) VaR_p = −ln(1−p)/λ, ES_p = VaR_p + 1/λ; Pareto(α, x_m)
// VaR_p = x_m (1−p)^(−1/α), ES_p = α/(α−1)·VaR_p; normal(μ, σ) VaR_p = μ + σΦ⁻¹(p),
// ES_p = μ + σφ(Φ⁻¹(p))/(1−p) (e.g. McNeil, Frey & Embrechts, Quantitative Risk Management,
// 2015, Examples 2.14 and 2.19). A 5-SE miss has probability 6e-7 per check.
//
// Samples come from std::mt19937_64 through our own transforms (std:: distributions are
// implementation-defined): inversion for the exponential and Pareto, Box–Muller for the normal.
#include "host/stats/statistics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

namespace liq {
namespace {

constexpr double kSe = 5.0;
const std::vector<double> kNone;

double uniform01(std::mt19937_64& g) {  // in (0, 1): (k + ½)·2⁻⁵³
  return (static_cast<double>(g() >> 11) + 0.5) * 0x1p-53;
}
double exponential(std::mt19937_64& g, double rate) {
  return -std::log(uniform01(g)) / rate;
}
double pareto(std::mt19937_64& g, double alpha, double xm) {
  return xm * std::pow(uniform01(g), -1.0 / alpha);
}
/// n normal(μ, σ) variates, Box–Muller with both outputs used.
std::vector<double> normals(std::mt19937_64& g, std::size_t n, double mu, double sigma) {
  std::vector<double> v;
  while (v.size() < n) {
    const double r = std::sqrt(-2.0 * std::log(uniform01(g)));
    const double a = 2.0 * std::numbers::pi * uniform01(g);
    v.push_back(mu + sigma * r * std::cos(a));
    if (v.size() < n) v.push_back(mu + sigma * r * std::sin(a));
  }
  return v;
}

SummaryOptions options(std::vector<double> levels, std::vector<double> thresholds = {}) {
  SummaryOptions o;
  o.levels = std::move(levels);
  o.thresholds = std::move(thresholds);
  return o;
}

// ---- Φ⁻¹ and the binomial indices ---------------------------------------------------------

TEST(Statistics, NormalQuantileKnownValues) {
  // Φ⁻¹ to 16 digits (Wichura, Appl. Statist. 37 (1988) 477–484, AS 241).
  const struct {
    double p, z;
  } rows[] = {{0.5, 0.0},
              {0.9, 1.2815515655446004},
              {0.975, 1.959963984540054},
              {0.99, 2.3263478740408408},
              {0.999, 3.090232306167813},
              {0.025, -1.959963984540054},
              {0.3, -0.5244005127080407},
              {1e-10, -6.361340902404056}};
  for (const auto& r : rows) EXPECT_NEAR(normal_quantile(r.p), r.z, 2e-15 * (1 + std::fabs(r.z)));
  EXPECT_THROW(normal_quantile(0.0), std::invalid_argument);
  EXPECT_THROW(normal_quantile(1.0), std::invalid_argument);
}

TEST(Statistics, StudentTQuantileKnownValues) {
  // t_ν(0.975) to 16 digits; exact forms for ν = 1, 2, the Cornish–Fisher series beyond
  // (its stated error: 1.2e-3 relative at ν = 3, 1.1e-4 at ν = 5, < 4e-6 from ν = 10).
  const struct {
    double df, t, rel;
  } rows[] = {{1, 12.706204736174703, 1e-14}, {2, 4.302652729749464, 1e-14},
              {3, 3.182446305284263, 1.3e-3}, {5, 2.570581835636314, 1.2e-4},
              {10, 2.228138851986273, 4e-6},  {19, 2.093024054408309, 2e-7},
              {100, 1.983971518523552, 1e-10}};
  for (const auto& r : rows) {
    EXPECT_NEAR(student_t_quantile(0.975, r.df), r.t, r.rel * r.t) << r.df;
    EXPECT_NEAR(student_t_quantile(0.025, r.df), -r.t, r.rel * r.t) << r.df;
  }
  EXPECT_THROW(student_t_quantile(0.975, 0.5), std::invalid_argument);
}

TEST(Statistics, BinomialOrderIndicesMatchExactTables) {
  // Computed exactly with rational arithmetic: l − 1 = the largest j with P(B ≤ j) ≤ 0.025,
  // u − 1 = the smallest j with P(B ≤ j) ≥ 0.975. (20, ½) → (6, 15) and (100, ½) → (40, 61)
  // are the textbook median intervals (e.g. Conover, Practical Nonparametric Statistics,
  // 3rd ed., Table A3).
  const struct {
    std::int64_t n;
    double p;
    std::int64_t l, u;
  } rows[] = {{20, 0.5, 6, 15},         {100, 0.5, 40, 61},
              {100, 0.99, 97, 101},     {10, 0.5, 2, 9},
              {1, 0.5, 0, 2},           {2000, 0.9, 1773, 1827},
              {2000, 0.99, 1971, 1989}, {2000, 0.999, 1995, 2001},
              {30, 0.1, 0, 8},          {1000, 0.5, 469, 532},
              {5, 0.05, 0, 2}};
  for (const auto& r : rows) {
    const OrderInterval oi = binomial_order_interval(r.n, r.p, 0.95);
    EXPECT_EQ(oi.lower, r.l) << "n " << r.n << " p " << r.p;
    EXPECT_EQ(oi.upper, r.u) << "n " << r.n << " p " << r.p;
  }
  EXPECT_EQ(binomial_order_interval(0, 0.5, 0.95).lower, 0);
  EXPECT_EQ(binomial_order_interval(0, 0.5, 0.95).upper, 1);
}

TEST(Statistics, BinomialNormalApproximationJoinsTheExactSums) {
  // np(1−p) = 1e8 is the last exact case; 4 more trials switch to the normal approximation,
  // which should then sit 2 indices higher (np grows by 2), give or take one.
  const std::int64_t n = 400'000'000;
  const OrderInterval exact = binomial_order_interval(n, 0.5, 0.95);
  const OrderInterval approx = binomial_order_interval(n + 4, 0.5, 0.95);
  EXPECT_NEAR(static_cast<double>(approx.lower - 2 - exact.lower), 0.0, 1.0);
  EXPECT_NEAR(static_cast<double>(approx.upper - 2 - exact.upper), 0.0, 1.0);
  // Symmetric about np and ±1.96 sd wide.
  EXPECT_NEAR(static_cast<double>(exact.lower + exact.upper), 2.0 * 2e8 + 1.0, 1.0);
  EXPECT_NEAR(static_cast<double>(exact.upper - exact.lower), 2.0 * 1.959964 * 1e4, 2.0);
}

// ---- VaR by hand ----------------------------------------------------------------------------

// Sorted: 1 1 2 3 3 4 5 5 6 9.
const std::vector<double> kTen = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};

TEST(Statistics, VarIsTheCeilNpOrderStatistic) {
  const struct {
    double p, var;
  } rows[] = {{0.0001, 1}, {0.1, 1}, {0.11, 1}, {0.2, 1},  {0.21, 2}, {0.3, 2},
              {0.31, 3},   {0.5, 3}, {0.51, 4}, {0.7, 5},  {0.75, 5}, {0.8, 5},
              {0.81, 6},   {0.9, 6}, {0.91, 9}, {0.999, 9}};
  for (const auto& r : rows) EXPECT_EQ(weighted_quantile(kTen, kNone, r.p), r.var) << r.p;
}

TEST(Statistics, VarAtDecimalLevelsThatRoundAboveTheIndex) {
  // 0.07·100 = 7.000000000000001 and 0.55·100 = 55.00000000000001 in doubles; the decimal
  // level means x_(7) and x_(55). 0.29·100 = 28.999999999999996 means x_(29).
  std::vector<double> x(100);
  for (int i = 0; i < 100; ++i) x[static_cast<std::size_t>(i)] = (i * 37) % 100 + 1;  // 1..100
  EXPECT_EQ(weighted_quantile(x, kNone, 0.07), 7);
  EXPECT_EQ(weighted_quantile(x, kNone, 0.55), 55);
  EXPECT_EQ(weighted_quantile(x, kNone, 0.29), 29);
  EXPECT_EQ(weighted_quantile(x, kNone, 0.071), 8);
  EXPECT_EQ(weighted_quantile(x, kNone, 0.01), 1);
  EXPECT_EQ(weighted_quantile(x, kNone, 0.999), 100);
}

TEST(Statistics, WeightedVarByHand) {
  // Cumulative weight, sorted: 1 → 0.5, 2 → 1.5, 3 → 3.0, 4 → 4.0 (W = 4).
  const std::vector<double> x = {3, 1, 4, 2}, w = {1.5, 0.5, 1.0, 1.0};
  EXPECT_EQ(weighted_quantile(x, w, 0.125), 1);  // p·W = 0.5 reached exactly at 1
  EXPECT_EQ(weighted_quantile(x, w, 0.126), 2);
  EXPECT_EQ(weighted_quantile(x, w, 0.375), 2);
  EXPECT_EQ(weighted_quantile(x, w, 0.376), 3);
  EXPECT_EQ(weighted_quantile(x, w, 0.75), 3);
  EXPECT_EQ(weighted_quantile(x, w, 0.751), 4);
  // Effective n of the fraction at or below 2 (F = 1.5/4): Korn–Graubard
  // n* = F(1 − F)W⁴/[(W − C)² Σ_below w² + C² Σ_above w²] = 1.5·2.5·16/(6.25·1.25 + 2.25·3.25),
  // Kish W²/Σw² = 16/4.5 where the fraction is 0 or 1.
  const SortedSample s(x, w);
  EXPECT_NEAR(s.fraction_effective_n(2), 60.0 / 15.125, 1e-14);
  EXPECT_NEAR(s.kish_n(), 16.0 / 4.5, 1e-14);
  EXPECT_EQ(s.fraction_effective_n(0), s.kish_n());
  EXPECT_EQ(s.fraction_effective_n(4), s.kish_n());
  // A zero weight is never the point where the weight is reached.
  const std::vector<double> x0 = {1, 2, 3}, w0 = {1, 0, 1};
  EXPECT_EQ(weighted_quantile(x0, w0, 0.5), 1);
  EXPECT_EQ(weighted_quantile(x0, w0, 0.51), 3);
}

// ---- ES by hand -----------------------------------------------------------------------------

TEST(Statistics, EsCountsTheBoundarySampleFractionally) {
  // p = 0.75: the worst 2.5 samples are 9, 6 and half of the 5: (9 + 6 + 0.5·5)/2.5 = 7.
  EXPECT_DOUBLE_EQ(expected_shortfall(kTen, kNone, 0.75), 7.0);
  // p = 0.85: 9 and half of 6: (9 + 3)/1.5 = 8.
  EXPECT_DOUBLE_EQ(expected_shortfall(kTen, kNone, 0.85), 8.0);
  // Whole samples: p = 0.5 → (9+6+5+5+4)/5; p = 0.7 → (9+6+5)/3; p = 0.9 → 9.
  EXPECT_DOUBLE_EQ(expected_shortfall(kTen, kNone, 0.5), 29.0 / 5.0);
  EXPECT_DOUBLE_EQ(expected_shortfall(kTen, kNone, 0.7), 20.0 / 3.0);
  EXPECT_DOUBLE_EQ(expected_shortfall(kTen, kNone, 0.9), 9.0);
  // p = 0.95: half a sample's weight, all of it the maximum.
  EXPECT_DOUBLE_EQ(expected_shortfall(kTen, kNone, 0.95), 9.0);
}

TEST(Statistics, WeightedEsByHand) {
  // W = 4, p = 0.6: the worst 1.6 of the weight is all of 4 (weight 1) and 0.6 of the 3
  // (weight 1.5): (4·1 + 3·0.6)/1.6 = 3.625.
  const std::vector<double> x = {3, 1, 4, 2}, w = {1.5, 0.5, 1.0, 1.0};
  EXPECT_DOUBLE_EQ(expected_shortfall(x, w, 0.6), 3.625);
  // p = 0.8: 0.8 of the weight of 4: ES = 4.
  EXPECT_DOUBLE_EQ(expected_shortfall(x, w, 0.8), 4.0);
}

// ---- intervals by hand ----------------------------------------------------------------------

TEST(Statistics, VarIntervalIsTheBinomialOrderStatistics) {
  std::vector<double> x(100);
  for (int i = 0; i < 100; ++i) x[static_cast<std::size_t>(i)] = (i * 37) % 100 + 1;  // 1..100
  const Interval med = var_interval(x, kNone, 0.5);
  EXPECT_EQ(med.lo, 40);
  EXPECT_EQ(med.hi, 61);
  const Interval q99 = var_interval(x, kNone, 0.99);  // u = 101 > n: clamped to the maximum
  EXPECT_EQ(q99.lo, 97);
  EXPECT_EQ(q99.hi, 100);
  const std::vector<double> y(x.begin(), x.begin() + 30);  // 30 values; l = 0: the minimum
  std::vector<double> ys = y;
  std::sort(ys.begin(), ys.end());
  const Interval q10 = var_interval(y, kNone, 0.1);
  EXPECT_EQ(q10.lo, ys.front());
  EXPECT_EQ(q10.hi, ys[7]);
  // Always around the point estimate.
  for (double p : {0.01, 0.3, 0.5, 0.9, 0.99}) {
    const Interval ci = var_interval(x, kNone, p);
    const double v = weighted_quantile(x, kNone, p);
    EXPECT_LE(ci.lo, v);
    EXPECT_GE(ci.hi, v);
  }
}

TEST(Statistics, WilsonAtZeroAndFullCounts) {
  const double z = 1.959963984540054, n = 100;
  const Interval zero = wilson_interval(0.0, n, 0.95);
  EXPECT_EQ(zero.lo, 0.0);
  EXPECT_NEAR(zero.hi, z * z / (n + z * z), 1e-15);  // 0.036993498...
  EXPECT_GT(zero.hi, 0.0);
  const Interval full = wilson_interval(1.0, n, 0.95);
  EXPECT_NEAR(full.lo, n / (n + z * z), 1e-15);
  EXPECT_EQ(full.hi, 1.0);
  // 5 of 10: center ½, half-width z/(1 + z²/n)·√(¼/n + z²/(4n²)).
  const double h = z / (1 + z * z / 10) * std::sqrt(0.025 + z * z / 400);
  const Interval mid = wilson_interval(0.5, 10, 0.95);
  EXPECT_NEAR(mid.lo, 0.5 - h, 1e-15);
  EXPECT_NEAR(mid.hi, 0.5 + h, 1e-15);
  EXPECT_EQ(wilson_interval(0.0, 0.0, 0.95).hi, 1.0);
  // Through the summary: a threshold above every sample.
  const MetricSummary s = summarize(kTen, kNone, options({0.5}, {100.0, 0.0}));
  EXPECT_EQ(s.exceedance[0], 0.0);
  EXPECT_EQ(s.exceedance_ci[0].lo, 0.0);
  EXPECT_NEAR(s.exceedance_ci[0].hi, z * z / (10 + z * z), 1e-15);
  EXPECT_EQ(s.exceedance[1], 1.0);
  EXPECT_EQ(s.exceedance_ci[1].hi, 1.0);
}

TEST(Statistics, EsIntervalByHandAndItsSmallTailFallback) {
  // p = 0.5 on kTen: VaR = 3, excesses (x − 3)⁺ = 0×5, 1, 2, 2, 3, 6; mean excess M = 14/10;
  // Σ(y − M)² = 5·1.96 + 0.16 + 2·0.36 + 2.56 + 21.16 = 34.4, SE(M)² = 34.4/(9·10). Five
  // samples above VaR: t with 4 degrees of freedom, on the log scale of M.
  const double se = std::sqrt(34.4 / 90.0), t4 = student_t_quantile(0.975, 4);
  const Interval ci = es_interval(kTen, kNone, 0.5);
  EXPECT_NEAR(ci.lo, 3.0 + 1.4 * std::exp(-t4 * se / 1.4) / 0.5, 1e-13);
  EXPECT_NEAR(ci.hi, 3.0 + 1.4 * std::exp(t4 * se / 1.4) / 0.5, 1e-13);
  EXPECT_LT(ci.lo, 5.8);
  EXPECT_GT(ci.hi, 5.8);
  // p = 0.85: only the 9 lies above VaR = 6: [lower VaR bound, maximum].
  const Interval few = es_interval(kTen, kNone, 0.85);
  EXPECT_EQ(few.lo, var_interval(kTen, kNone, 0.85).lo);
  EXPECT_EQ(few.hi, 9.0);
}

// ---- weights of 2 = every sample twice --------------------------------------------------------

/// Compares the point estimates of two summaries of the same weighted distribution: VaR,
/// exceedance, histogram exactly (integer cumulative weights on both sides), mean and ES
/// within 1e-12 relative (sums in different orders).
void expect_same_point_estimates(const MetricSummary& a, const MetricSummary& b) {
  const auto rel = [](double u, double v) {
    return std::fabs(u - v) / std::max(1.0, std::fabs(v));
  };
  EXPECT_EQ(a.weight_sum, b.weight_sum);
  EXPECT_LE(rel(a.mean, b.mean), 1e-12);
  EXPECT_EQ(a.var, b.var);
  ASSERT_EQ(a.es.size(), b.es.size());
  for (std::size_t i = 0; i < a.es.size(); ++i) EXPECT_LE(rel(a.es[i], b.es[i]), 1e-12) << i;
  EXPECT_EQ(a.exceedance, b.exceedance);
  EXPECT_EQ(a.histogram_edges, b.histogram_edges);
  EXPECT_EQ(a.histogram_counts, b.histogram_counts);
}

const SummaryOptions kAllLevels =
    options({0.5, 0.9, 0.95, 0.975, 0.99, 0.999}, {0.0, 1e6, 3e6, 1e9});

/// n USD-like values: 30% exact zeros, the rest exponential with mean 1e6.
std::vector<double> usd_sample(std::mt19937_64& g, std::size_t n) {
  std::vector<double> x(n);
  for (double& v : x) v = uniform01(g) < 0.3 ? 0.0 : exponential(g, 1e-6);
  return x;
}

TEST(Statistics, WeightTwoEqualsTheDuplicatedSample) {
  // Weights 1 or 2 at random (the general weighted path) against the sample in which every
  // weight-2 value appears twice. Point estimates are the same by definition. What differs,
  // also by definition: n, the Kish effective n, the standard error and every interval
  // (the weighted sample has fewer independent values than the duplicated one claims).
  std::mt19937_64 g(7);
  const std::vector<double> x = usd_sample(g, 1000);
  std::vector<double> w, dup;
  for (double v : x) {
    w.push_back(uniform01(g) < 0.5 ? 1.0 : 2.0);
    dup.insert(dup.end(), static_cast<std::size_t>(w.back()), v);
  }
  const MetricSummary a = summarize(x, w, kAllLevels), b = summarize(dup, kNone, kAllLevels);
  expect_same_point_estimates(a, b);
  EXPECT_EQ(a.n, x.size());
  EXPECT_EQ(b.n, dup.size());
  EXPECT_LT(a.effective_n, static_cast<double>(x.size()));
  EXPECT_EQ(b.effective_n, static_cast<double>(dup.size()));
}

TEST(Statistics, ConstantWeightsTwo) {
  // Every weight 2 against every sample twice: point estimates as above, and the standard
  // error by its definition: Σ(x − x̄)²/(n(n − 1)) against Σ(x − x̄)²/(n(2n − 1)), a ratio
  // of (2n − 1)/(n − 1) in SE².
  std::mt19937_64 g(8);
  const std::size_t n = 1000;
  const std::vector<double> x = usd_sample(g, n), two(n, 2.0);
  std::vector<double> dup;
  for (double v : x) dup.insert(dup.end(), {v, v});
  const MetricSummary a = summarize(x, two, kAllLevels), b = summarize(dup, kNone, kAllLevels),
                      one = summarize(x, kNone, kAllLevels);
  expect_same_point_estimates(a, b);
  EXPECT_EQ(a.effective_n, static_cast<double>(n));
  EXPECT_EQ(b.effective_n, static_cast<double>(2 * n));
  const double nd = static_cast<double>(n);
  const double ratio = a.stderr_mean * a.stderr_mean / (b.stderr_mean * b.stderr_mean);
  EXPECT_NEAR(ratio / ((2 * nd - 1) / (nd - 1)), 1.0, 1e-12);
  // The duplicated sample claims 2n independent values, so its VaR intervals are never wider.
  for (std::size_t i = 0; i < a.var_ci.size(); ++i) {
    EXPECT_LE(b.var_ci[i].hi - b.var_ci[i].lo, a.var_ci[i].hi - a.var_ci[i].lo);
  }
  // Constant weights 2 are the unweighted sample exactly (scaling by 2 is exact): every
  // field but the weight sum and the counts, which double.
  EXPECT_EQ(a.mean, one.mean);
  EXPECT_EQ(a.stderr_mean, one.stderr_mean);
  EXPECT_EQ(a.effective_n, one.effective_n);
  EXPECT_EQ(a.var, one.var);
  EXPECT_EQ(a.es, one.es);
  EXPECT_EQ(a.exceedance, one.exceedance);
  for (std::size_t i = 0; i < a.var_ci.size(); ++i) {
    EXPECT_EQ(a.var_ci[i].lo, one.var_ci[i].lo);
    EXPECT_EQ(a.var_ci[i].hi, one.var_ci[i].hi);
    EXPECT_EQ(a.es_ci[i].lo, one.es_ci[i].lo);
    EXPECT_EQ(a.es_ci[i].hi, one.es_ci[i].hi);
  }
  for (std::size_t i = 0; i < a.exceedance_ci.size(); ++i) {
    EXPECT_EQ(a.exceedance_ci[i].lo, one.exceedance_ci[i].lo);
    EXPECT_EQ(a.exceedance_ci[i].hi, one.exceedance_ci[i].hi);
  }
  for (std::size_t i = 0; i < a.histogram_counts.size(); ++i) {
    EXPECT_EQ(a.histogram_counts[i], 2.0 * one.histogram_counts[i]);
  }
}

TEST(Statistics, WeightedMeanAndStandardErrorByHand) {
  // x̄ = (1·1 + 3·2 + 2·5)/6 = 17/6; SE² = n/(n−1)·Σw²(x − x̄)²/W².
  const std::vector<double> x = {1, 2, 5}, w = {1, 3, 2};
  const double m = 17.0 / 6.0;
  const double ss = 1 * (1 - m) * (1 - m) + 9 * (2 - m) * (2 - m) + 4 * (5 - m) * (5 - m);
  const MetricSummary s = summarize(x, w, options({0.5}));
  EXPECT_NEAR(s.mean, m, 1e-15);
  EXPECT_NEAR(s.stderr_mean, std::sqrt(1.5 * ss) / 6.0, 1e-15);
  EXPECT_NEAR(s.effective_n, 36.0 / 14.0, 1e-15);
  // Unweighted: s/√n with s from n − 1.
  const MetricSummary u = summarize(kTen, kNone, options({0.5}));
  EXPECT_NEAR(u.mean, 3.9, 1e-15);
  double ssu = 0;
  for (double v : kTen) ssu += (v - 3.9) * (v - 3.9);
  EXPECT_NEAR(u.stderr_mean, std::sqrt(ssu / 9.0 / 10.0), 1e-15);
}

// ---- histogram ----------------------------------------------------------------------------

void expect_valid(const Histogram& h, int bins, double weight_sum) {
  ASSERT_EQ(h.edges.size(), static_cast<std::size_t>(bins) + 1);
  ASSERT_EQ(h.counts.size(), static_cast<std::size_t>(bins));
  for (std::size_t i = 1; i < h.edges.size(); ++i) EXPECT_LT(h.edges[i - 1], h.edges[i]) << i;
  double total = 0;
  for (double c : h.counts) {
    EXPECT_GE(c, 0.0);
    total += c;
  }
  EXPECT_NEAR(total, weight_sum, 1e-12 * std::max(1.0, weight_sum));
}

TEST(Statistics, HistogramZerosGoBelowTheLogBins) {
  // 3 zeros, one negative, and 1, 10, 100, 1000: lo = 1, hi = 1000, 3 log bins of a decade
  // after the bin [−5, 1).
  const std::vector<double> x = {0, 10, 0, 1000, -5, 1, 100, 0};
  const Histogram h = log_histogram(x, kNone, 4);
  expect_valid(h, 4, 8);
  EXPECT_EQ(h.edges[0], -5);
  EXPECT_EQ(h.edges[1], 1);
  EXPECT_NEAR(h.edges[2], 10, 1e-12);
  EXPECT_NEAR(h.edges[3], 100, 1e-12);
  EXPECT_EQ(h.edges[4], 1000);
  // 10 and 100 sit on edges: each goes to the bin it opens; the maximum closes the last.
  EXPECT_EQ(h.counts, (std::vector<double>{4, 1, 1, 2}));
}

TEST(Statistics, HistogramWithoutValuesBelowLoHasOnlyLogBins) {
  std::mt19937_64 g(3);
  std::vector<double> x(5000), w(5000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = pareto(g, 1.5, 2.0);
    w[i] = 0.1 + uniform01(g);
  }
  double wsum = 0;
  for (double v : w) wsum += v;
  const Histogram h = log_histogram(x, w, 64);
  expect_valid(h, 64, wsum);
  EXPECT_EQ(h.edges.front(), *std::min_element(x.begin(), x.end()));
  EXPECT_EQ(h.edges.back(), *std::max_element(x.begin(), x.end()));
  // Equal ratios between edges.
  const double r = h.edges[1] / h.edges[0];
  for (std::size_t i = 1; i < h.edges.size(); ++i)
    EXPECT_NEAR(h.edges[i] / h.edges[i - 1], r, 1e-12);
}

TEST(Statistics, HistogramDegenerateInputs) {
  const std::vector<double> zeros(10, 0.0), constant(7, 4.5), negative = {-3.0, -1.0},
                                                              tiny = {1e-12, 1e3, 0.5};
  expect_valid(log_histogram(zeros, kNone, 8), 8, 10);
  EXPECT_EQ(log_histogram(zeros, kNone, 8).counts[0], 10);
  const Histogram c = log_histogram(constant, kNone, 8);
  expect_valid(c, 8, 7);
  EXPECT_EQ(c.edges.back(), 4.5);
  EXPECT_EQ(c.counts.back(), 7);
  const Histogram neg = log_histogram(negative, kNone, 8);
  expect_valid(neg, 8, 2);
  EXPECT_EQ(neg.edges[0], -3.0);
  EXPECT_EQ(neg.counts[0], 2);
  // 1e-12 lies below max·1e-9 = 1e-6: it goes to bin 0 with the zeros.
  const Histogram t = log_histogram(tiny, kNone, 8);
  expect_valid(t, 8, 3);
  EXPECT_DOUBLE_EQ(t.edges[1], 1e-6);
  EXPECT_EQ(t.counts[0], 1);
  const Histogram e = log_histogram(kNone, kNone, 8);
  expect_valid(e, 8, 0);
  EXPECT_EQ(e.edges.front(), 0.0);
  EXPECT_EQ(e.edges.back(), 1.0);
}

// ---- rejected and empty inputs ------------------------------------------------------------

TEST(Statistics, RejectsNaNAndBadArguments) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const SummaryOptions o = options({0.5, 0.99}, {1.0});
  const std::vector<double> x = {1, 2, 3};
  EXPECT_THROW(summarize(std::vector<double>{1, nan, 3}, kNone, o), std::invalid_argument);
  EXPECT_THROW(summarize(std::vector<double>{1, inf, 3}, kNone, o), std::invalid_argument);
  EXPECT_THROW(summarize(x, std::vector<double>{1, nan, 1}, o), std::invalid_argument);
  EXPECT_THROW(summarize(x, std::vector<double>{1, -1, 1}, o), std::invalid_argument);
  EXPECT_THROW(summarize(x, std::vector<double>{0, 0, 0}, o), std::invalid_argument);
  EXPECT_THROW(summarize(x, std::vector<double>{1, 1}, o), std::invalid_argument);
  EXPECT_THROW(summarize(x, kNone, options({0.5, 1.0})), std::invalid_argument);
  EXPECT_THROW(summarize(x, kNone, options({0.0})), std::invalid_argument);
  EXPECT_THROW(summarize(x, kNone, options({nan})), std::invalid_argument);
  EXPECT_THROW(summarize(x, kNone, options({0.5}, {nan})), std::invalid_argument);
  SummaryOptions bad = o;
  bad.histogram_bins = 1;
  EXPECT_THROW(summarize(x, kNone, bad), std::invalid_argument);
  bad = o;
  bad.confidence = 1.0;
  EXPECT_THROW(summarize(x, kNone, bad), std::invalid_argument);
  EXPECT_THROW(weighted_quantile(std::vector<double>{nan}, kNone, 0.5), std::invalid_argument);
  EXPECT_THROW(log_histogram(std::vector<double>{nan}, kNone, 8), std::invalid_argument);
}

TEST(Statistics, EmptyInputGivesNaNsAndValidEdges) {
  const MetricSummary s = summarize(kNone, kNone, options({0.5, 0.99}, {1.0}));
  EXPECT_EQ(s.n, 0u);
  EXPECT_EQ(s.weight_sum, 0.0);
  EXPECT_EQ(s.effective_n, 0.0);
  EXPECT_TRUE(std::isnan(s.mean));
  EXPECT_TRUE(std::isnan(s.stderr_mean));
  ASSERT_EQ(s.var.size(), 2u);
  EXPECT_TRUE(std::isnan(s.var[1]) && std::isnan(s.var_ci[1].lo) && std::isnan(s.var_ci[1].hi));
  EXPECT_TRUE(std::isnan(s.es[1]) && std::isnan(s.es_ci[1].lo) && std::isnan(s.es_ci[1].hi));
  EXPECT_TRUE(std::isnan(s.exceedance[0]));
  EXPECT_EQ(s.exceedance_ci[0].lo, 0.0);
  EXPECT_EQ(s.exceedance_ci[0].hi, 1.0);
  EXPECT_EQ(s.histogram_edges.size(), 65u);
  for (double c : s.histogram_counts) EXPECT_EQ(c, 0.0);
  // One sample: every estimate is that sample, the standard error undefined.
  const MetricSummary one = summarize(std::vector<double>{2.5}, kNone, options({0.5, 0.99}));
  EXPECT_EQ(one.mean, 2.5);
  EXPECT_TRUE(std::isnan(one.stderr_mean));
  EXPECT_EQ(one.var[1], 2.5);
  EXPECT_EQ(one.es[1], 2.5);
  EXPECT_EQ(one.var_ci[1].lo, 2.5);
  EXPECT_EQ(one.var_ci[1].hi, 2.5);
}

// ---- determinism --------------------------------------------------------------------------

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

TEST(Statistics, SameInputsGiveTheSameBytes) {
  std::mt19937_64 g(11);
  std::vector<double> x(100000), w(100000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = uniform01(g) < 0.5 ? 0.0 : exponential(g, 1.0) - 0.2;
    w[i] = std::exp(-0.3 * uniform01(g));
  }
  const SummaryOptions o = options({0.5, 0.9, 0.95, 0.975, 0.99, 0.999}, {0.0, 1.0, 5.0});
  const MetricSummary a = summarize(x, w, o), b = summarize(x, w, o);
  EXPECT_EQ(std::memcmp(&a.mean, &b.mean, sizeof a.mean), 0);
  EXPECT_EQ(std::memcmp(&a.stderr_mean, &b.stderr_mean, sizeof a.mean), 0);
  EXPECT_EQ(std::memcmp(&a.weight_sum, &b.weight_sum, sizeof a.mean), 0);
  EXPECT_EQ(std::memcmp(&a.effective_n, &b.effective_n, sizeof a.mean), 0);
  EXPECT_TRUE(same_bytes(a.var, b.var));
  EXPECT_TRUE(same_bytes(a.var_ci, b.var_ci));
  EXPECT_TRUE(same_bytes(a.es, b.es));
  EXPECT_TRUE(same_bytes(a.es_ci, b.es_ci));
  EXPECT_TRUE(same_bytes(a.exceedance, b.exceedance));
  EXPECT_TRUE(same_bytes(a.exceedance_ci, b.exceedance_ci));
  EXPECT_TRUE(same_bytes(a.histogram_edges, b.histogram_edges));
  EXPECT_TRUE(same_bytes(a.histogram_counts, b.histogram_counts));
}

// ---- known distributions at large n -------------------------------------------------------

struct Exact {
  double var, es, var_se, es_se;  // values and asymptotic standard errors (file comment)
};

void expect_within(double estimate, double exact, double se, const char* what, double p) {
  const double z = (estimate - exact) / se;
  std::printf("  %-6s p=%-6g estimate %.6g  exact %.6g  SE %.3g  z %+.2f\n", what, p, estimate,
              exact, se, z);
  EXPECT_LE(std::fabs(z), kSe) << what << " at " << p << ": estimate " << estimate << ", exact "
                               << exact << ", SE " << se;
}

/// Checks the summary of x against exact values per level, the mean and one exceedance;
/// also that the interval widths agree with the asymptotic SEs (VaR within 20%: the
/// order-statistic spacing is noisy; ES within 15% where `check_es_width`).
void expect_summary(const std::vector<double>& x, const std::vector<double>& levels,
                    const std::vector<Exact>& exact, double mean, double mean_se, double t,
                    double p_exceed, bool check_es_width) {
  const MetricSummary s = summarize(x, kNone, options(levels, {t}));
  const double n = static_cast<double>(x.size()), z = 1.959963984540054;
  expect_within(s.mean, mean, mean_se, "mean", 0);
  EXPECT_NEAR(s.stderr_mean / mean_se, 1.0, 0.15);
  expect_within(s.exceedance[0], p_exceed, std::sqrt(p_exceed * (1 - p_exceed) / n), "P(X>t)",
                p_exceed);
  for (std::size_t i = 0; i < levels.size(); ++i) {
    expect_within(s.var[i], exact[i].var, exact[i].var_se, "VaR", levels[i]);
    expect_within(s.es[i], exact[i].es, exact[i].es_se, "ES", levels[i]);
    const double var_half = 0.5 * (s.var_ci[i].hi - s.var_ci[i].lo) / z;
    EXPECT_NEAR(var_half / exact[i].var_se, 1.0, 0.2) << "VaR interval at " << levels[i];
    if (check_es_width) {
      const double es_half = 0.5 * (s.es_ci[i].hi - s.es_ci[i].lo) / z;
      EXPECT_NEAR(es_half / exact[i].es_se, 1.0, 0.15) << "ES interval at " << levels[i];
    }
  }
}

constexpr std::size_t kLargeN = 200000;
const std::vector<double> kLevels = {0.5, 0.9, 0.99, 0.999};

TEST(Statistics, ExponentialAtLargeN) {
  const double rate = 0.25, n = kLargeN;
  std::mt19937_64 g(101);
  std::vector<double> x(kLargeN);
  for (double& v : x) v = exponential(g, rate);
  std::vector<Exact> ex;
  for (double p : kLevels) {
    const double var = -std::log1p(-p) / rate;
    // (X − VaR)⁺ is 0 w.p. p, else exponential(λ): variance (1 − p)(1 + p)/λ².
    ex.push_back({var, var + 1 / rate, std::sqrt(p * (1 - p) / n) / (rate * (1 - p)),
                  std::sqrt((1 - p) * (1 + p) / n) / rate / (1 - p)});
  }
  expect_summary(x, kLevels, ex, 1 / rate, 1 / rate / std::sqrt(n), 10.0, std::exp(-rate * 10.0),
                 true);
}

TEST(Statistics, ParetoAtLargeN) {
  const double alpha = 3.5, xm = 2.0, n = kLargeN;
  std::mt19937_64 g(102);
  std::vector<double> x(kLargeN);
  for (double& v : x) v = pareto(g, alpha, xm);
  std::vector<Exact> ex;
  for (double p : kLevels) {
    const double var = xm * std::pow(1 - p, -1 / alpha);
    // Given X > VaR, X/VaR is Pareto(α, 1): E[Z − 1] = 1/(α−1),
    // E[(Z − 1)²] = α/(α−2) − 2α/(α−1) + 1.
    const double m1 = (1 - p) * var / (alpha - 1);
    const double m2 = (1 - p) * var * var * (alpha / (alpha - 2) - 2 * alpha / (alpha - 1) + 1);
    ex.push_back({var, alpha / (alpha - 1) * var,
                  std::sqrt(p * (1 - p) / n) / (alpha * (1 - p) / var),
                  std::sqrt((m2 - m1 * m1) / n) / (1 - p)});
  }
  const double sd = xm * std::sqrt(alpha / (alpha - 2)) / (alpha - 1);
  // The ES interval width is not checked: its variance estimate leans on E X⁴ = ∞ (α < 4).
  expect_summary(x, kLevels, ex, alpha * xm / (alpha - 1), sd / std::sqrt(n), 5.0,
                 std::pow(xm / 5.0, alpha), false);
}

TEST(Statistics, NormalAtLargeN) {
  const double mu = -1.0, sigma = 3.0, n = kLargeN;
  std::mt19937_64 g(103);
  const std::vector<double> x = normals(g, kLargeN, mu, sigma);
  std::vector<Exact> ex;
  for (double p : kLevels) {
    const double zp = normal_quantile(p);
    const double phi = std::exp(-0.5 * zp * zp) / std::sqrt(2 * std::numbers::pi);
    // E[(Z − z)⁺] = φ(z) − z(1 − p), E[((Z − z)⁺)²] = (1 + z²)(1 − p) − zφ(z).
    const double m1 = phi - zp * (1 - p), m2 = (1 + zp * zp) * (1 - p) - zp * phi;
    ex.push_back({mu + sigma * zp, mu + sigma * phi / (1 - p),
                  std::sqrt(p * (1 - p) / n) * sigma / phi,
                  sigma * std::sqrt((m2 - m1 * m1) / n) / (1 - p)});
  }
  // P(X > μ + 2σ) = Φ(−2) = 0.022750131948179195.
  expect_summary(x, kLevels, ex, mu, sigma / std::sqrt(n), mu + 2 * sigma, 0.022750131948179195,
                 true);
}

}  // namespace
}  // namespace liq
