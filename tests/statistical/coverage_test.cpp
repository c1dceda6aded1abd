// liqstress statistical tests — coverage of the 95% intervals of host/stats/statistics.h (MODEL.md
// §5: "over repeated small runs a 95% interval must cover the true value about 95% of the
// time"). Each case draws R = 1000 independent samples of n = 2000 (fixed seeds), summarises
// each, and counts how often each interval contains the exact value:
//   mean ± z·stderr, VaR_p interval, ES_p interval (p = 0.9, 0.99; 0.999 when weighted),
//   Wilson interval of P(X > t) at thresholds with P = 0.05 and 0.005 (0.01, 0.001 weighted).
// A rate c passes within c₀ ± kCover·√(c₀(1 − c₀)/R) (≈ ±0.021), kCover = 3. c₀ = 0.95, except
// for the unweighted VaR intervals, whose coverage is known exactly: P(l ≤ B ≤ u − 1) for
// B ~ Binomial(n, p) (≥ 0.95 by construction, 0.956 and 0.958 here, summed independently
// below), so that the test would notice over-coverage as well. With about 30 rates checked a
// false alarm somewhere has probability ≈ 30·0.0027 ≈ 8% for new seeds; the seeds here are
// fixed, so the outcome is reproducible.
// Exact values: exponential(λ) VaR_p = −ln(1−p)/λ, ES_p = VaR_p + 1/λ; Pareto(α, x_m)
// VaR_p = x_m (1−p)^(−1/α), ES_p = α/(α−1)·VaR_p; normal(μ, σ) VaR_p = μ + σΦ⁻¹(p),
// ES_p = μ + σφ(Φ⁻¹(p))/(1−p) (McNeil, Frey & Embrechts, Quantitative Risk Management, 2015,
// Examples 2.14 and 2.19).
// What does not hold is tested as such and said where it is (Coverage.Pareto: ES of a heavy
// tail covers about 0.93).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "host/stats/statistics.h"

namespace liq {
namespace {

constexpr int kReps = 1000;
constexpr std::size_t kN = 2000;
constexpr double kCover = 3.0;
constexpr double kNominal = 0.95;

double uniform01(std::mt19937_64& g) {  // in (0, 1): (k + ½)·2⁻⁵³
  return (static_cast<double>(g() >> 11) + 0.5) * 0x1p-53;
}

struct Truth {
  double mean;
  std::vector<double> levels, var, es;
  std::vector<double> thresholds, exceedance;
};

/// Fills x (and w, left empty when unweighted) with one sample of size kN.
using Sampler = std::function<void(std::mt19937_64&, std::vector<double>&, std::vector<double>&)>;

struct Rate {
  std::string name;
  double rate;
  double expected = kNominal;  // c₀
};

double band(double expected) {
  return kCover * std::sqrt(expected * (1 - expected) / kReps);
}

bool covers(const Interval& ci, double v) {
  return ci.lo <= v && v <= ci.hi;
}

/// Exact coverage of the order-statistic interval for the p-quantile from n samples of a
/// continuous distribution: P(l ≤ B ≤ u − 1), B ~ Binomial(n, p), the pmf from lgamma
/// (independent of the library's pmf-ratio walk).
double exact_order_coverage(std::int64_t n, double p) {
  const OrderInterval oi = binomial_order_interval(n, p, kNominal);
  const double nd = static_cast<double>(n);
  double c = 0;
  for (std::int64_t k = std::max<std::int64_t>(oi.lower, 0); k <= std::min(oi.upper - 1, n); ++k) {
    const double kd = static_cast<double>(k);
    c += std::exp(std::lgamma(nd + 1) - std::lgamma(kd + 1) - std::lgamma(nd - kd + 1) +
                  kd * std::log(p) + (nd - kd) * std::log1p(-p));
  }
  return c;
}

/// Coverage rate of each interval over kReps samples; seeds seed0, seed0 + 1, ...
std::vector<Rate> coverage(const char* label, const Sampler& sample, const Truth& t,
                           std::uint64_t seed0, bool weighted) {
  SummaryOptions o;
  o.levels = t.levels;
  o.thresholds = t.thresholds;
  std::vector<int> hits(1 + 2 * t.levels.size() + t.thresholds.size(), 0);
  std::vector<double> x, w;
  for (int r = 0; r < kReps; ++r) {
    std::mt19937_64 g(seed0 + static_cast<std::uint64_t>(r));
    x.clear();
    w.clear();
    sample(g, x, w);
    const MetricSummary s = summarize(x, w, o);
    const double z = 1.959963984540054;
    std::size_t k = 0;
    hits[k++] += covers({s.mean - z * s.stderr_mean, s.mean + z * s.stderr_mean}, t.mean);
    for (std::size_t i = 0; i < t.levels.size(); ++i) {
      hits[k++] += covers(s.var_ci[i], t.var[i]);
      hits[k++] += covers(s.es_ci[i], t.es[i]);
    }
    for (std::size_t i = 0; i < t.thresholds.size(); ++i) {
      hits[k++] += covers(s.exceedance_ci[i], t.exceedance[i]);
    }
  }
  std::vector<Rate> rates;
  std::size_t k = 0;
  const auto add = [&](std::string name, double expected) {
    rates.push_back({std::move(name), static_cast<double>(hits[k++]) / kReps, expected});
  };
  add("mean", kNominal);
  for (double p : t.levels) {
    const double exact = weighted ? kNominal : exact_order_coverage(kN, p);
    EXPECT_GE(exact, kNominal) << "order-statistic indices at " << p;
    add("VaR " + std::to_string(p).substr(0, 5), exact);
    add("ES " + std::to_string(p).substr(0, 5), kNominal);
  }
  for (double e : t.exceedance) add("P(X>t)=" + std::to_string(e).substr(0, 5), kNominal);
  std::printf(" %s, n = %zu, %d replications\n", label, kN, kReps);
  for (const Rate& r : rates) {
    std::printf("  %-14s coverage %.4f  (expected %.4f, band %.4f .. %.4f)\n", r.name.c_str(),
                r.rate, r.expected, r.expected - band(r.expected), r.expected + band(r.expected));
  }
  return rates;
}

void expect_nominal(const Rate& r) {
  EXPECT_NEAR(r.rate, r.expected, band(r.expected)) << r.name;
}

Truth exponential_truth(double rate, std::vector<double> levels, std::vector<double> exceed) {
  Truth t{1 / rate, std::move(levels), {}, {}, {}, std::move(exceed)};
  for (double p : t.levels) {
    t.var.push_back(-std::log1p(-p) / rate);
    t.es.push_back(t.var.back() + 1 / rate);
  }
  for (double e : t.exceedance) t.thresholds.push_back(-std::log(e) / rate);
  return t;
}

TEST(Coverage, Normal) {
  const double mu = 2.0, sigma = 1.5;
  Truth t{mu, {0.9, 0.99}, {}, {}, {}, {0.05, 0.005}};
  for (double p : t.levels) {
    const double zp = normal_quantile(p);
    t.var.push_back(mu + sigma * zp);
    t.es.push_back(mu +
                   sigma * std::exp(-0.5 * zp * zp) / std::sqrt(2 * std::numbers::pi) / (1 - p));
  }
  for (double e : t.exceedance) t.thresholds.push_back(mu + sigma * normal_quantile(1 - e));
  const auto rates = coverage(
      "normal(2, 1.5)",
      [&](std::mt19937_64& g, std::vector<double>& x, std::vector<double>&) {
        while (x.size() < kN) {  // Box–Muller, both outputs
          const double r = std::sqrt(-2.0 * std::log(uniform01(g)));
          const double a = 2.0 * std::numbers::pi * uniform01(g);
          x.push_back(mu + sigma * r * std::cos(a));
          x.push_back(mu + sigma * r * std::sin(a));
        }
      },
      t, 1'000'000, false);
  for (const Rate& r : rates) expect_nominal(r);
}

TEST(Coverage, Exponential) {
  const double rate = 0.5;
  const auto rates = coverage(
      "exponential(0.5)",
      [&](std::mt19937_64& g, std::vector<double>& x, std::vector<double>&) {
        for (std::size_t i = 0; i < kN; ++i) x.push_back(-std::log(uniform01(g)) / rate);
      },
      exponential_truth(rate, {0.9, 0.99}, {0.05, 0.005}), 2'000'000, false);
  for (const Rate& r : rates) expect_nominal(r);
}

// Pareto(3.5): mean, VaR and exceedance at nominal; ES does not quite get there. Measured
// with 4000 replications: ES_0.9 covers 0.932, ES_0.99 0.929 (the symmetric ES ± z·SE
// interval: 0.923 and 0.863). For α < 4 the tail excess has no fourth moment, so the
// variance estimate behind any asymptotic ES interval is itself heavy-tailed and usually
// too small. Tested: ES coverage ≥ kHeavyTailEs = 0.90 (0.93 measured − 3σ of the 1000
// replications, 0.024), and not above the band.
constexpr double kHeavyTailEs = 0.90;

TEST(Coverage, Pareto) {
  const double alpha = 3.5, xm = 1.0;
  Truth t{alpha * xm / (alpha - 1), {0.9, 0.99}, {}, {}, {}, {0.05, 0.005}};
  for (double p : t.levels) {
    t.var.push_back(xm * std::pow(1 - p, -1 / alpha));
    t.es.push_back(alpha / (alpha - 1) * t.var.back());
  }
  for (double e : t.exceedance) t.thresholds.push_back(xm * std::pow(e, -1 / alpha));
  const auto rates = coverage(
      "Pareto(3.5, 1)",
      [&](std::mt19937_64& g, std::vector<double>& x, std::vector<double>&) {
        for (std::size_t i = 0; i < kN; ++i) x.push_back(xm * std::pow(uniform01(g), -1 / alpha));
      },
      t, 3'000'000, false);
  for (const Rate& r : rates) {
    if (r.name.starts_with("ES")) {
      EXPECT_GE(r.rate, kHeavyTailEs) << r.name;
      EXPECT_LE(r.rate, r.expected + band(r.expected)) << r.name;
    } else {
      expect_nominal(r);
    }
  }
}

TEST(Coverage, ImportanceWeightedExponential) {
  // Target exponential(1) sampled from exponential(λ' = 0.5) and weighted by the likelihood
  // ratio w = e^{−x}/(λ' e^{−λ' x}) = 2 e^{−x/2}: the tail is oversampled and down-weighted,
  // as importance sampling of a stress scenario does (≈ 6% of the samples lie beyond
  // VaR_0.999 of the target, instead of 0.1%).
  const double lambda_q = 0.5;
  const Sampler sample = [&](std::mt19937_64& g, std::vector<double>& x, std::vector<double>& w) {
    for (std::size_t i = 0; i < kN; ++i) {
      const double v = -std::log(uniform01(g)) / lambda_q;
      x.push_back(v);
      w.push_back(std::exp(-(1.0 - lambda_q) * v) / lambda_q);
    }
  };
  const Truth t = exponential_truth(1.0, {0.9, 0.99, 0.999}, {0.01, 0.001});
  const std::uint64_t seed0 = 4'000'000;
  for (const Rate& r : coverage("exponential(1) by importance sampling", sample, t, seed0, true)) {
    expect_nominal(r);
  }

  // For the record, the same intervals with Kish's n_K = W²/Σw² in place of the
  // per-statistic n* (statistics.h): far too wide here, as n_K ignores that the weights are
  // small where the tail samples are. Printed, not asserted (not what the library does).
  std::vector<int> var_hits(t.levels.size(), 0), exc_hits(t.thresholds.size(), 0);
  std::vector<double> x, w;
  for (int r = 0; r < kReps; ++r) {
    std::mt19937_64 g(seed0 + static_cast<std::uint64_t>(r));
    x.clear();
    w.clear();
    sample(g, x, w);
    const SortedSample s(x, w);
    const std::int64_t m = std::llround(s.kish_n());
    for (std::size_t i = 0; i < t.levels.size(); ++i) {
      const OrderInterval oi = binomial_order_interval(m, t.levels[i], kNominal);
      const auto at = [&](std::int64_t j) {
        if (j < 1) return s.sorted_values().front();
        if (j >= m) return s.sorted_values().back();
        return s.quantile(static_cast<double>(j) / static_cast<double>(m));
      };
      var_hits[i] += covers({at(oi.lower), at(oi.upper)}, t.var[i]);
    }
    for (std::size_t i = 0; i < t.thresholds.size(); ++i) {
      exc_hits[i] += covers(wilson_interval(s.exceedance(t.thresholds[i]), s.kish_n(), kNominal),
                            t.exceedance[i]);
    }
  }
  for (std::size_t i = 0; i < t.levels.size(); ++i) {
    std::printf("  with Kish n: VaR %.3f coverage %.4f\n", t.levels[i],
                static_cast<double>(var_hits[i]) / kReps);
  }
  for (std::size_t i = 0; i < t.thresholds.size(); ++i) {
    std::printf("  with Kish n: P(X>t)=%.3f coverage %.4f\n", t.exceedance[i],
                static_cast<double>(exc_hits[i]) / kReps);
  }
}

}  // namespace
}  // namespace liq
