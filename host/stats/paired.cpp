// liqstress — estimates and paired differences (see paired.h).
#include "host/stats/paired.h"

#include <algorithm>
#include <span>

#include "host/util/format.h"

namespace liq {

namespace {

double statistic(std::span<const double> x, const Stat& st) {
  const SortedSample s(x, {});
  switch (st.kind) {
    case Stat::var:
      return s.quantile(st.param);
    case Stat::es:
      return s.expected_shortfall(st.param);
    case Stat::mean: {
      double sum = 0.0;
      for (double v : x) sum += v;
      return sum / static_cast<double>(x.size());
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
Difference paired_difference(const std::vector<double>& a, const std::vector<double>& b,
                             const Stat& st) {
  Difference d;
  const std::size_t n = a.size();
  if (n < 2 || b.size() != n) return d;
  if (st.kind == Stat::mean || st.kind == Stat::exceedance) {
    double sum = 0.0, sumsq = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double di = st.kind == Stat::mean
                            ? b[i] - a[i]
                            : (b[i] > st.param ? 1.0 : 0.0) - (a[i] > st.param ? 1.0 : 0.0);
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
  const double full = statistic(b, st) - statistic(a, st);
  double sum = 0.0, sumsq = 0.0;
  for (int k = 0; k < kPairedBatches; ++k) {
    const std::size_t from = k * batch, to = k + 1 == kPairedBatches ? n : from + batch;
    const double dk = statistic(std::span<const double>(b).subspan(from, to - from), st) -
                      statistic(std::span<const double>(a).subspan(from, to - from), st);
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
