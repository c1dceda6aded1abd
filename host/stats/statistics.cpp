// liqstress — statistics across paths; the methods and their references are in statistics.h.
#include "host/stats/statistics.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

namespace liq {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Neumaier's compensated sum (Neumaier, ZAMM 54 (1974) 39–51): the error does not grow
/// with the number of terms; the order of the terms is the caller's, and fixed.
class CompensatedSum {
 public:
  void add(double v) {
    const double t = s_ + v;
    if (std::fabs(s_) >= std::fabs(v)) {
      c_ += (s_ - t) + v;
    } else {
      c_ += (v - t) + s_;
    }
    s_ = t;
  }
  double value() const { return s_ + c_; }

 private:
  double s_ = 0.0, c_ = 0.0;
};

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("statistics: " + what);
}

void check_level(double p, const char* what) {
  if (!(p > 0.0 && p < 1.0)) {
    require(false, std::string(what) + " must lie in (0, 1), got " + std::to_string(p));
  }
}

/// z = Φ⁻¹(1 − α/2) for a two-sided interval of the given confidence.
double two_sided_z(double confidence) {
  check_level(confidence, "confidence");
  return normal_quantile(1.0 - 0.5 * (1.0 - confidence));
}

/// Rejects what the file comment lists (NaN, ±∞, negative or all-zero weights, sizes).
void validate(std::span<const double> x, std::span<const double> w) {
  require(w.empty() || w.size() == x.size(), "weights must be empty or one per sample (" +
                                                 std::to_string(w.size()) + " weights for " +
                                                 std::to_string(x.size()) + " samples)");
  // Messages are built only on failure: these loops run over every path.
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      require(false, "sample " + std::to_string(i) + " is not finite (" + std::to_string(x[i]) +
                         "); NaN or infinity upstream");
    }
  }
  if (w.empty()) return;
  bool any_positive = false;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (!(std::isfinite(w[i]) && w[i] >= 0.0)) {
      require(false, "weight " + std::to_string(i) + " must be finite and >= 0, got " +
                         std::to_string(w[i]));
    }
    any_positive = any_positive || w[i] > 0.0;
  }
  require(x.empty() || any_positive, "the weights sum to zero");
}

/// −0.0 → +0.0, so that the sorted order (and the bytes of a VaR) cannot depend on the sign
/// of a zero.
double plus_zero(double v) {
  return v == 0.0 ? 0.0 : v;
}

}  // namespace

// ---- Φ⁻¹ ----------------------------------------------------------------------------------------

double normal_quantile(double p) {
  check_level(p, "normal_quantile: p");
  // P. J. Acklam's rational approximation (relative error < 1.15e-9), then one Halley step
  // on Φ(x) − p with Φ from std::erfc, which brings it to the accuracy of erfc.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  double x;
  if (p < p_low || p > 1.0 - p_low) {
    const double q = std::sqrt(-2.0 * std::log(p < p_low ? p : 1.0 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    if (p > 1.0 - p_low) x = -x;
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  // Halley: e = Φ(x) − p, u = e/φ(x), x ← x − u/(1 + x u/2). For p > ½ the error is taken
  // on the upper tail, Q(x) = 1 − Φ(x), to keep its relative precision.
  const double e = p > 0.5 ? (1.0 - p) - 0.5 * std::erfc(x / std::sqrt(2.0))
                           : 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

double student_t_quantile(double p, double df) {
  check_level(p, "student_t_quantile: p");
  require(df >= 1.0 && df == std::floor(df), "student_t_quantile: df must be an integer >= 1");
  if (df == 1.0) return std::tan(std::numbers::pi * (p - 0.5));  // Cauchy
  if (df == 2.0) return (2.0 * p - 1.0) / std::sqrt(2.0 * p * (1.0 - p));
  // Cornish–Fisher expansion in 1/ν (Abramowitz & Stegun 26.7.5), four terms.
  const double z = normal_quantile(p), z2 = z * z;
  const double g1 = (z2 + 1.0) * z / 4.0;
  const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
  const double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
  const double g4 =
      ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

// ---- order-statistic and Wilson intervals ------------------------------------------------------

OrderInterval binomial_order_interval(std::int64_t n, double p, double confidence) {
  check_level(p, "level");
  check_level(confidence, "confidence");
  require(n >= 0, "binomial_order_interval: n must be >= 0");
  if (n == 0) return {0, 1};
  const double half = 0.5 * (1.0 - confidence);
  const double nd = static_cast<double>(n), q = 1.0 - p;
  const double npq = nd * p * q;
  if (npq > 1e8) {
    // Normal approximation with continuity correction: P(B ≤ j) ≈ Φ((j + ½ − np)/√npq).
    const double z = normal_quantile(1.0 - half), sd = std::sqrt(npq);
    const auto lower = static_cast<std::int64_t>(std::floor(nd * p - z * sd + 0.5));
    const auto upper = static_cast<std::int64_t>(std::ceil(nd * p + z * sd + 0.5));
    return {std::clamp<std::int64_t>(lower, 0, n), std::clamp<std::int64_t>(upper, 1, n + 1)};
  }
  // Exact: pmf ratios relative to the mode, walked out until they fall below 1e-17 (the mass
  // beyond is then < 1e-15 of the total, far below any α/2 in use), normalised by their sum.
  constexpr double kCut = 1e-17;
  const auto mode =
      std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((nd + 1.0) * p)), 0, n);
  std::vector<double> down;  // pmf(mode − 1 − i) / pmf(mode)
  double r = 1.0;
  for (std::int64_t k = mode; k > 0; --k) {
    r *= static_cast<double>(k) / static_cast<double>(n - k + 1) * (q / p);
    if (r < kCut) break;
    down.push_back(r);
  }
  std::vector<double> pmf(down.rbegin(), down.rend());
  pmf.push_back(1.0);
  r = 1.0;
  for (std::int64_t k = mode; k < n; ++k) {
    r *= static_cast<double>(n - k) / static_cast<double>(k + 1) * (p / q);
    if (r < kCut) break;
    pmf.push_back(r);
  }
  const std::int64_t k_first = mode - static_cast<std::int64_t>(down.size());
  CompensatedSum total;
  for (double v : pmf) total.add(v);
  const double norm = total.value();
  // lower = 1 + the largest j with P(B ≤ j) ≤ α/2 (j = k_first − 1 qualifies: its CDF is
  // below 1e-15); upper = 1 + the smallest j with P(B ≤ j) ≥ 1 − α/2.
  std::int64_t lower = k_first, upper = n + 1;
  CompensatedSum cdf;
  for (std::size_t i = 0; i < pmf.size(); ++i) {
    cdf.add(pmf[i]);
    const double c = cdf.value() / norm;
    const std::int64_t j = k_first + static_cast<std::int64_t>(i);
    if (c <= half) lower = j + 1;
    if (c >= 1.0 - half) {
      upper = j + 1;
      break;
    }
  }
  return {lower, upper};
}

Interval wilson_interval(double p_hat, double n, double confidence) {
  const double z = two_sided_z(confidence);
  require(p_hat >= 0.0 && p_hat <= 1.0, "wilson_interval: fraction must lie in [0, 1]");
  if (!(n > 0.0)) return {0.0, 1.0};
  const double z2 = z * z;
  const double denom = 1.0 + z2 / n;
  const double center = (p_hat + z2 / (2.0 * n)) / denom;
  const double half = z / denom * std::sqrt(p_hat * (1.0 - p_hat) / n + z2 / (4.0 * n * n));
  // At p̂ = 0 the lower end is 0 in exact arithmetic (and the upper z²/(n + z²)); say so
  // exactly rather than leave a rounding residue.
  return {p_hat <= 0.0 ? 0.0 : std::max(0.0, center - half),
          p_hat >= 1.0 ? 1.0 : std::min(1.0, center + half)};
}

// ---- SortedSample ------------------------------------------------------------------------------

SortedSample::SortedSample(std::span<const double> x, std::span<const double> w) {
  validate(x, w);
  const std::size_t n = x.size();
  equal_weights_ = true;
  unit_weight_ = w.empty() ? 1.0 : (n > 0 ? w[0] : 1.0);
  for (std::size_t i = 1; i < w.size() && equal_weights_; ++i) equal_weights_ = w[i] == w[0];

  x_.resize(n);
  if (equal_weights_) {
    for (std::size_t i = 0; i < n; ++i) x_[i] = plus_zero(x[i]);
    std::sort(x_.begin(), x_.end());
  } else {
    // Ties in x ordered by weight: the sorted sequence, and so every cumulative sum, is a
    // function of the multiset of (x, w) pairs.
    std::vector<std::pair<double, double>> xw(n);
    for (std::size_t i = 0; i < n; ++i) xw[i] = {plus_zero(x[i]), w[i]};
    std::sort(xw.begin(), xw.end());
    w_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      x_[i] = xw[i].first;
      w_[i] = xw[i].second;
    }
  }

  // Cumulative sums, kept non-decreasing (a compensated partial sum can step back by an ulp
  // when a term is below the ulp) so that binary search and W − C_k ≥ 0 hold exactly.
  cum_w_.resize(n);
  CompensatedSum s, s2;
  double prev = 0.0, prev2 = 0.0;
  if (equal_weights_) {
    for (std::size_t i = 0; i < n; ++i) {
      s.add(unit_weight_);
      cum_w_[i] = prev = std::max(prev, s.value());
    }
    total_w2_ = static_cast<double>(n) * unit_weight_ * unit_weight_;
    kish_n_ = static_cast<double>(n);
  } else {
    cum_w2_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      s.add(w_[i]);
      s2.add(w_[i] * w_[i]);
      cum_w_[i] = prev = std::max(prev, s.value());
      cum_w2_[i] = prev2 = std::max(prev2, s2.value());
    }
    total_w2_ = prev2;
  }
  total_ = prev;
  if (!equal_weights_) kish_n_ = total_ * total_ / total_w2_;
}

std::size_t SortedSample::quantile_index(double p) const {
  check_level(p, "level");
  const double target = p * total_ - 4.0 * DBL_EPSILON * total_;
  const auto it = std::lower_bound(cum_w_.begin(), cum_w_.end(), target);
  return std::min(static_cast<std::size_t>(it - cum_w_.begin()), x_.size() - 1);
}

double SortedSample::quantile(double p) const {
  if (x_.empty()) {
    check_level(p, "level");
    return kNaN;
  }
  return x_[quantile_index(p)];
}

double SortedSample::fraction_effective_n(std::size_t k) const {
  const double n = static_cast<double>(x_.size());
  if (equal_weights_) return n;
  if (k == 0 || k >= x_.size()) return kish_n_;
  const double below = cum_w_[k - 1], above = total_ - below;
  const double below2 = cum_w2_[k - 1], above2 = total_w2_ - below2;
  // n* = F(1 − F)/V̂(F), V̂(F) = [(1 − F)² Σ_below w² + F² Σ_above w²]/W², F = below/W;
  // written with the weights below and above directly (no 1 − F to cancel in the tail).
  const double num = below * above * total_ * total_;
  const double den = above * above * below2 + below * below * above2;
  const double n_star = num / den;
  return (std::isfinite(n_star) && n_star > 0.0) ? n_star : kish_n_;
}

Interval SortedSample::quantile_interval(double p, double confidence) const {
  check_level(p, "level");
  check_level(confidence, "confidence");
  if (x_.empty()) return {kNaN, kNaN};
  const std::size_t k = quantile_index(p);
  const auto k_end = static_cast<std::size_t>(std::upper_bound(x_.begin(), x_.end(), x_[k]) -
                                              x_.begin());  // samples ≤ VaR
  const double n_star = fraction_effective_n(k_end);
  const std::int64_t m = std::max<std::int64_t>(1, std::llround(n_star));
  const OrderInterval oi = binomial_order_interval(m, p, confidence);
  const double md = static_cast<double>(m);
  const auto at = [&](std::int64_t j) {
    if (j < 1) return x_.front();  // beyond the sample: clamped (see statistics.h)
    if (j > m) return x_.back();
    if (equal_weights_) return x_[static_cast<std::size_t>(j - 1)];
    return j == m ? x_.back() : x_[quantile_index(static_cast<double>(j) / md)];
  };
  return {at(oi.lower), at(oi.upper)};
}

double SortedSample::expected_shortfall(double p) const {
  check_level(p, "level");
  if (x_.empty()) return kNaN;
  const double v = quantile(p);
  CompensatedSum excess;  // Σ w (x − v)⁺, from the top down
  for (std::size_t i = x_.size(); i-- > 0 && x_[i] > v;) {
    excess.add((equal_weights_ ? unit_weight_ : w_[i]) * (x_[i] - v));
  }
  return v + excess.value() / ((1.0 - p) * total_);
}

Interval SortedSample::expected_shortfall_interval(double p, double confidence) const {
  check_level(p, "level");
  check_level(confidence, "confidence");
  if (x_.empty()) return {kNaN, kNaN};
  const double v = quantile(p);
  const auto k_end = static_cast<std::size_t>(std::upper_bound(x_.begin(), x_.end(), v) -
                                              x_.begin());  // samples ≤ VaR
  const std::size_t n = x_.size();
  const auto weight = [&](std::size_t i) { return equal_weights_ ? unit_weight_ : w_[i]; };
  CompensatedSum excess, tail_w, tail_w2;
  for (std::size_t i = n; i-- > k_end;) {
    excess.add(weight(i) * (x_[i] - v));
    tail_w.add(weight(i));
    tail_w2.add(weight(i) * weight(i));
  }
  const double mean_excess = excess.value() / total_;  // M = Σ w (x − v)⁺ / W
  if (n - k_end < 2 || !(mean_excess > 0.0)) {
    return {quantile_interval(p, confidence).lo, x_.back()};  // too few tail samples
  }
  // Σ w² (y − M)² over all samples: the tail term by term, the rest (y = 0) as M² Σ w².
  const double below2 = equal_weights_ ? static_cast<double>(k_end) * unit_weight_ * unit_weight_
                                       : cum_w2_[k_end - 1];
  CompensatedSum ss;
  ss.add(mean_excess * mean_excess * below2);
  for (std::size_t i = n; i-- > k_end;) {
    const double d = (x_[i] - v) - mean_excess;
    ss.add(weight(i) * weight(i) * d * d);
  }
  const double nd = static_cast<double>(n);
  const double se_excess = std::sqrt(nd / (nd - 1.0) * ss.value()) / total_;
  // Student t with (Kish n of the tail samples) − 1 degrees of freedom, on the log scale
  // of M: M̂ exp(±t·SE/M̂), then ES = VaR + M/(1 − p) at both ends.
  const double tail_n = equal_weights_ ? static_cast<double>(n - k_end)
                                       : tail_w.value() * tail_w.value() / tail_w2.value();
  const double df = std::max(1.0, std::floor(tail_n - 1.0));
  const double t = student_t_quantile(1.0 - 0.5 * (1.0 - confidence), df);
  const double spread = std::exp(t * se_excess / mean_excess);
  return {v + mean_excess / spread / (1.0 - p), v + mean_excess * spread / (1.0 - p)};
}

double SortedSample::exceedance(double t) const {
  require(std::isfinite(t), "threshold must be finite");
  if (x_.empty()) return kNaN;
  const auto k = static_cast<std::size_t>(std::upper_bound(x_.begin(), x_.end(), t) - x_.begin());
  if (k == 0) return 1.0;
  return (total_ - cum_w_[k - 1]) / total_;
}

Interval SortedSample::exceedance_interval(double t, double confidence) const {
  require(std::isfinite(t), "threshold must be finite");
  check_level(confidence, "confidence");
  if (x_.empty()) return {0.0, 1.0};
  const auto k = static_cast<std::size_t>(std::upper_bound(x_.begin(), x_.end(), t) - x_.begin());
  return wilson_interval(exceedance(t), fraction_effective_n(k), confidence);
}

// ---- free functions ----------------------------------------------------------------------------

double weighted_quantile(std::span<const double> x, std::span<const double> w, double p) {
  return SortedSample(x, w).quantile(p);
}

Interval var_interval(std::span<const double> x, std::span<const double> w, double p,
                      double confidence) {
  return SortedSample(x, w).quantile_interval(p, confidence);
}

double expected_shortfall(std::span<const double> x, std::span<const double> w, double p) {
  return SortedSample(x, w).expected_shortfall(p);
}

Interval es_interval(std::span<const double> x, std::span<const double> w, double p,
                     double confidence) {
  return SortedSample(x, w).expected_shortfall_interval(p, confidence);
}

Histogram log_histogram(std::span<const double> x, std::span<const double> w, int bins) {
  validate(x, w);
  require(bins >= 2, "histogram bins must be >= 2, got " + std::to_string(bins));
  // "Positive" means a normal double ≥ DBL_MIN, so that lo and hi/10 below stay > 0.
  double min_x = x.empty() ? 0.0 : x[0], hi = 0.0, min_pos = 0.0;
  for (double v : x) {
    min_x = std::min(min_x, v);
    if (v >= DBL_MIN) {
      hi = std::max(hi, v);
      min_pos = min_pos == 0.0 ? v : std::min(min_pos, v);
    }
  }
  double lo;
  if (hi == 0.0) {  // nothing positive: a unit scale nobody lands on
    hi = 1.0;
    lo = 1e-9;
  } else {
    lo = std::max(min_pos, hi * 1e-9);
    if (lo >= hi) lo = hi / 10.0;  // one distinct positive value
  }
  const bool under = min_x < lo;
  const int n_log = under ? bins - 1 : bins;
  const std::size_t off = under ? 1 : 0;

  Histogram h;
  h.edges.resize(static_cast<std::size_t>(bins) + 1);
  if (under) h.edges[0] = min_x;
  const double log_span = std::log(hi / lo);
  for (int j = 0; j <= n_log; ++j) {
    h.edges[off + static_cast<std::size_t>(j)] =
        j == 0 ? lo : (j == n_log ? hi : lo * std::exp(log_span * j / n_log));
  }

  std::vector<CompensatedSum> sums(static_cast<std::size_t>(bins));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    std::size_t b = 0;
    if (v >= lo) {
      auto j = static_cast<std::ptrdiff_t>(std::floor(n_log * (std::log(v / lo) / log_span)));
      j = std::clamp<std::ptrdiff_t>(j, 0, n_log - 1);
      // The edges, not the logarithm, decide: [e_j, e_{j+1}), the last bin closed.
      while (j + 1 < n_log && v >= h.edges[off + static_cast<std::size_t>(j) + 1]) ++j;
      while (j > 0 && v < h.edges[off + static_cast<std::size_t>(j)]) --j;
      b = off + static_cast<std::size_t>(j);
    }
    sums[b].add(w.empty() ? 1.0 : w[i]);
  }
  h.counts.resize(static_cast<std::size_t>(bins));
  for (std::size_t b = 0; b < sums.size(); ++b) h.counts[b] = sums[b].value();
  return h;
}

MetricSummary summarize(std::span<const double> x, std::span<const double> w,
                        const SummaryOptions& opt) {
  for (double p : opt.levels) check_level(p, "quantile level");
  for (double t : opt.thresholds) require(std::isfinite(t), "thresholds must be finite");
  check_level(opt.confidence, "confidence");
  const SortedSample s(x, w);  // validates x and w
  MetricSummary m;
  m.n = x.size();
  m.levels = opt.levels;
  m.thresholds = opt.thresholds;
  Histogram h = log_histogram(x, w, opt.histogram_bins);
  m.histogram_edges = std::move(h.edges);
  m.histogram_counts = std::move(h.counts);

  m.weight_sum = s.weight_sum();
  m.effective_n = s.kish_n();
  if (x.empty()) {
    m.mean = m.stderr_mean = kNaN;
  } else {
    // Ratio estimator and its linearised variance, in input order.
    const auto weight = [&](std::size_t i) { return w.empty() ? 1.0 : w[i]; };
    CompensatedSum wx;
    for (std::size_t i = 0; i < x.size(); ++i) wx.add(weight(i) * x[i]);
    m.mean = wx.value() / m.weight_sum;
    if (x.size() < 2) {
      m.stderr_mean = kNaN;
    } else {
      CompensatedSum ss;
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double d = weight(i) * (x[i] - m.mean);
        ss.add(d * d);
      }
      const double nd = static_cast<double>(x.size());
      m.stderr_mean = std::sqrt(nd / (nd - 1.0) * ss.value()) / m.weight_sum;
    }
  }
  for (double p : opt.levels) {
    m.var.push_back(s.quantile(p));
    m.var_ci.push_back(s.quantile_interval(p, opt.confidence));
    m.es.push_back(s.expected_shortfall(p));
    m.es_ci.push_back(s.expected_shortfall_interval(p, opt.confidence));
  }
  for (double t : opt.thresholds) {
    m.exceedance.push_back(s.exceedance(t));
    m.exceedance_ci.push_back(s.exceedance_interval(t, opt.confidence));
  }
  return m;
}

}  // namespace liq
