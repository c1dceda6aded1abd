// liqstress — unit tests of matching summary levels and thresholds by value (host/stats/paired.h,
// host/stats/summary.h), as `compare`, `sweep` and the end-of-run table use it: files written with
// other output.quantiles or output.thresholds hold a level at another index or not at all;
// its statistic is then missing, never another level's value read from the same position
// (or past the end of a shorter array: this test runs under ASan too).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "host/stats/paired.h"
#include "host/stats/metrics.h"
#include "host/stats/metrics_table.h"

namespace liq {
namespace {

/// A summary whose var/es at level p is 1000·p (es 2000·p) and whose exceedance of t is
/// t·1e-9, so that a value read at the wrong index shows.
MetricSummary summary(const std::vector<double>& levels, const std::vector<double>& thresholds) {
  MetricSummary s;
  s.n = 100;
  s.mean = 5.0;
  s.stderr_mean = 1.0;
  s.levels = levels;
  for (double p : levels) {
    s.var.push_back(1000.0 * p);
    s.var_ci.push_back({1000.0 * p - 1, 1000.0 * p + 1});
    s.es.push_back(2000.0 * p);
    s.es_ci.push_back({2000.0 * p - 1, 2000.0 * p + 1});
  }
  s.thresholds = thresholds;
  for (double t : thresholds) {
    s.exceedance.push_back(t * 1e-9);
    s.exceedance_ci.push_back({0.0, 1.0});
  }
  return s;
}

std::vector<Metric> file(const std::vector<double>& levels, const std::vector<double>& thresholds,
                         const std::vector<std::string>& names = {"total_liquidated_usd"}) {
  std::vector<Metric> out;
  for (const std::string& n : names) out.push_back(Metric{n, n, summary(levels, thresholds)});
  return out;
}

TEST(FindValue, MatchesByValueOnly) {
  const std::vector<double> levels = {0.9, 0.99, 0.999};
  EXPECT_EQ(find_value(levels, 0.99), std::optional<std::size_t>(1));
  EXPECT_EQ(find_value(levels, 0.999), std::optional<std::size_t>(2));
  EXPECT_FALSE(find_value(levels, 0.5).has_value());
  EXPECT_FALSE(find_value(levels, 0.95).has_value());  // no nearest level is guessed
  EXPECT_FALSE(find_value({}, 0.99).has_value());
}

TEST(EstimateOf, ALevelOrThresholdTheFileLacksIsMissing) {
  const MetricSummary a = summary({0.5, 0.9, 0.99}, {1e6, 1e7});
  const MetricSummary b = summary({0.9, 0.99, 0.999}, {1e7, 1e8});
  const Stat var99{"m", "VaR 99%", Stat::var, 0.99};
  // Index 2 in a, index 1 in b: each file's own value.
  EXPECT_EQ(estimate_of(a, var99)->value, 990.0);
  EXPECT_EQ(estimate_of(b, var99)->value, 990.0);
  EXPECT_EQ(estimate_of(b, Stat{"m", "ES 99.9%", Stat::es, 0.999})->value, 1998.0);
  EXPECT_FALSE(estimate_of(a, Stat{"m", "VaR 99.9%", Stat::var, 0.999}).has_value());
  EXPECT_FALSE(estimate_of(b, Stat{"m", "ES 50%", Stat::es, 0.5}).has_value());
  EXPECT_EQ(estimate_of(b, Stat{"m", "P", Stat::exceedance, 1e8})->value, 0.1);
  EXPECT_FALSE(estimate_of(b, Stat{"m", "P", Stat::exceedance, 1e6}).has_value());
  EXPECT_EQ(estimate_of(a, Stat{"m", "mean", Stat::mean, 0.0})->value, 5.0);
}

TEST(UnionOfStats, EveryLevelThresholdAndMetricOfAnyFileAscending) {
  const std::vector<std::vector<Metric>> files = {
      file({0.5, 0.99, 0.9}, {1e7, 1e6}),
      file({0.999, 0.9, 0.99}, {1e8, 1e7}, {"total_liquidated_usd", "portfolio_loss_usd/x"})};
  const std::vector<Stat> stats = union_of_stats(files);
  std::vector<std::string> labels;
  for (const Stat& st : stats) labels.push_back(st.metric + " " + st.statistic);
  const std::vector<std::string> total = {
      "total_liquidated_usd mean",        "total_liquidated_usd VaR 50%",
      "total_liquidated_usd ES 50%",      "total_liquidated_usd VaR 90%",
      "total_liquidated_usd ES 90%",      "total_liquidated_usd VaR 99%",
      "total_liquidated_usd ES 99%",      "total_liquidated_usd VaR 99.9%",
      "total_liquidated_usd ES 99.9%",    "total_liquidated_usd P(> 1.00M)",
      "total_liquidated_usd P(> 10.00M)", "total_liquidated_usd P(> 100.00M)"};
  ASSERT_EQ(labels.size(), total.size() + 1 + 2 * 3 + 2);  // the portfolio: b's levels only
  EXPECT_EQ(std::vector<std::string>(labels.begin(), labels.begin() + 12), total);
  EXPECT_EQ(labels[12], "portfolio_loss_usd/x mean");
  EXPECT_EQ(labels[13], "portfolio_loss_usd/x VaR 90%");
  EXPECT_EQ(labels.back(), "portfolio_loss_usd/x P(> 100.00M)");
  // Every statistic resolves in each file to its own value or to missing.
  for (const Stat& st : stats) {
    for (const std::vector<Metric>& f : files) {
      for (const Metric& m : f) {
        if (m.name != st.metric) continue;
        const std::optional<Estimate> e = estimate_of(m.summary, st);
        if (!e) continue;
        const double want = st.kind == Stat::var          ? 1000.0 * st.param
                            : st.kind == Stat::es         ? 2000.0 * st.param
                            : st.kind == Stat::exceedance ? st.param * 1e-9
                                                          : 5.0;
        EXPECT_DOUBLE_EQ(e->value, want) << st.metric << " " << st.statistic;
      }
    }
  }
}

TEST(MetricsTable, ALevelAMetricLacksIsShownAsMissing) {
  std::vector<Metric> metrics = file({0.95, 0.99}, {});
  metrics.push_back(Metric{"other", "other", summary({0.95}, {})});
  std::ostringstream out;
  print_metrics_table(metrics, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("VaR 99%"), std::string::npos) << text;
  const std::size_t at = text.find("\nother");
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_EQ(text.substr(0, at).find("missing"), std::string::npos) << text;
  EXPECT_NE(text.substr(at).find("missing"), std::string::npos) << text;
}

}  // namespace
}  // namespace liq
