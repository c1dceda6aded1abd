// liqstress — estimates and paired differences (see paired.h).
#include "host/stats/paired.h"

#include <algorithm>
#include <span>

#include "host/util/format.h"

namespace liq {

namespace {

double statistic(std::span<const double> x, std::span<const double> w, const Stat& st) {
  const SortedSample s(x, w);
  switch (st.kind) {
    case Stat::var:
      return s.quantile(st.param);
    case Stat::es:
      return s.expected_shortfall(st.param);
    case Stat::mean: {
      double sum = 0.0, weight = 0.0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double wi = w.empty() ? 1.0 : w[i];
        sum += wi * x[i];
        weight += wi;
      }
      return sum / weight;
    }
    case Stat::exceedance:
      return s.exceedance(st.param);
  }
  return NAN;
}

}  // namespace

std::optional<Estimate> estimate_of(const MetricSummary& s, const Stat& st) {
  if (st.kind == Stat::mean) {
    const double z = normal_quantile(0.975);
    return Estimate{s.mean, {s.mean - z * s.stderr_mean, s.mean + z * s.stderr_mean}};
  }
  const bool level = st.kind != Stat::exceedance;
  const std::optional<std::size_t> i = find_value(level ? s.levels : s.thresholds, st.param);
  if (!i) return std::nullopt;
  switch (st.kind) {
    case Stat::var:
      return Estimate{s.var.at(*i), s.var_ci.at(*i)};
    case Stat::es:
      return Estimate{s.es.at(*i), s.es_ci.at(*i)};
    default:
      return Estimate{s.exceedance.at(*i), s.exceedance_ci.at(*i)};
  }
}

namespace {

/// The distinct values of `member` over the summaries of `metric` in every file, ascending.
std::vector<double> values_of(const std::vector<std::vector<Metric>>& files,
                              const std::string& metric,
                              std::vector<double> MetricSummary::*member) {
  std::vector<double> out;
  for (const std::vector<Metric>& ms : files)
    for (const Metric& m : ms)
      if (m.name == metric)
        out.insert(out.end(), (m.summary.*member).begin(), (m.summary.*member).end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::vector<Stat> union_of_stats(const std::vector<std::vector<Metric>>& files) {
  std::vector<std::string> names;
  for (const std::vector<Metric>& ms : files)
    for (const Metric& m : ms)
      if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
  std::vector<Stat> stats;
  for (const std::string& name : names) {
    stats.push_back(Stat{name, "mean", Stat::mean, 0.0});
    for (double p : values_of(files, name, &MetricSummary::levels)) {
      stats.push_back(Stat{name, "VaR " + level_percent(p), Stat::var, p});
      stats.push_back(Stat{name, "ES " + level_percent(p), Stat::es, p});
    }
    for (double t : values_of(files, name, &MetricSummary::thresholds))
      stats.push_back(Stat{name, "P(> " + millions(t) + "M)", Stat::exceedance, t});
  }
  return stats;
}

/// The per-path column behind a metric's name (empty when the name is not known).
std::optional<std::vector<double>> column_of(const ColumnSource& c,
                                             const std::vector<std::string>& assets,
                                             const std::vector<std::string>& portfolios,
                                             const std::string& metric) {
  for (const MetricColumn& m : metric_columns(assets, portfolios))
    if (m.name == metric) return c.column(m.column, m.index, m.side);
  return std::nullopt;
}

/// Paired difference B − A over common random numbers (see the file comment).
std::vector<double> unless_all_ones(std::vector<double> w) {
  for (double x : w)
    if (x != 1.0) return w;
  return {};
}

namespace {

/// The value of `st`'s per-path function: x itself (mean) or the indicator x > t (exceedance).
double per_path(const Stat& st, double x) {
  return st.kind == Stat::mean ? x : (x > st.param ? 1.0 : 0.0);
}

/// Mean and exceedance with unequal weights: the difference of two self-normalized means
/// over the same paths, its variance by the delta method (Owen 2013, §9.2): the influence of
/// path i is w_b,i (f(b_i) − μ_b)/w̄_b − w_a,i (f(a_i) − μ_a)/w̄_a.
Difference weighted_mean_difference(const std::vector<double>& a, const std::vector<double>& b,
                                    const Stat& st, const std::vector<double>& wa,
                                    const std::vector<double>& wb) {
  const std::size_t n = a.size();
  const auto wt = [](const std::vector<double>& w, std::size_t i) {
    return w.empty() ? 1.0 : w[i];
  };
  double sa = 0.0, sb = 0.0, wsa = 0.0, wsb = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    sa += wt(wa, i) * per_path(st, a[i]), wsa += wt(wa, i);
    sb += wt(wb, i) * per_path(st, b[i]), wsb += wt(wb, i);
  }
  const double ma = sa / wsa, mb = sb / wsb;
  const double wbar_a = wsa / static_cast<double>(n), wbar_b = wsb / static_cast<double>(n);
  double ss = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double psi = wt(wb, i) * (per_path(st, b[i]) - mb) / wbar_b -
                       wt(wa, i) * (per_path(st, a[i]) - ma) / wbar_a;
    ss += psi * psi;
  }
  const double half =
      normal_quantile(0.975) * std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n));
  Difference d;
  d.value = mb - ma;
  d.paired = {d.value - half, d.value + half};
  d.has_paired = true;
  return d;
}

}  // namespace

Difference paired_difference(const std::vector<double>& a, const std::vector<double>& b,
                             const Stat& st, const std::vector<double>& wa,
                             const std::vector<double>& wb) {
  Difference d;
  const std::size_t n = a.size();
  if (n < 2 || b.size() != n) return d;
  const bool weighted = !wa.empty() || !wb.empty();
  if (weighted && (st.kind == Stat::mean || st.kind == Stat::exceedance))
    return weighted_mean_difference(a, b, st, wa, wb);
  if (st.kind == Stat::mean || st.kind == Stat::exceedance) {
    double sum = 0.0, sumsq = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double di = per_path(st, b[i]) - per_path(st, a[i]);
      sum += di;
      sumsq += di * di;
    }
    const double mean = sum / static_cast<double>(n);
    const double var = std::max(0.0, (sumsq - sum * mean) / static_cast<double>(n - 1));
    const double half = normal_quantile(0.975) * std::sqrt(var / static_cast<double>(n));
    d.value = mean;
    d.paired = {mean - half, mean + half};
    d.has_paired = true;
    return d;
  }
  const std::size_t batch = n / kPairedBatches;
  if (static_cast<double>(batch) * (1.0 - st.param) < 10.0 - 1e-9) return d;
  const std::span<const double> sa(a), sb(b), swa(wa), swb(wb);
  const auto part = [](std::span<const double> w, std::size_t from, std::size_t count) {
    return w.empty() ? w : w.subspan(from, count);
  };
  const double full = statistic(b, wb, st) - statistic(a, wa, st);
  double sum = 0.0, sumsq = 0.0;
  for (int k = 0; k < kPairedBatches; ++k) {
    const std::size_t from = k * batch, to = k + 1 == kPairedBatches ? n : from + batch;
    const double dk = statistic(sb.subspan(from, to - from), part(swb, from, to - from), st) -
                      statistic(sa.subspan(from, to - from), part(swa, from, to - from), st);
    sum += dk;
    sumsq += dk * dk;
  }
  const double mean = sum / kPairedBatches;
  const double sd = std::sqrt(std::max(0.0, (sumsq - sum * mean) / (kPairedBatches - 1)));
  const double half =
      student_t_quantile(0.975, kPairedBatches - 1) * sd / std::sqrt(double(kPairedBatches));
  d.value = full;
  d.paired = {full - half, full + half};
  d.has_paired = true;
  return d;
}

}  // namespace liq
