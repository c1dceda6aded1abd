// liqstress — the typical path into the tail (tail.h).
#include "host/run/tail.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "host/model/step_sums.h"
#include "kernels/path.h"

namespace liq {

std::vector<std::uint64_t> tail_rows(const std::vector<double>& x, const std::vector<double>& w,
                                     double p) {
  std::vector<std::uint64_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint64_t a, std::uint64_t b) { return x[a] > x[b]; });
  const auto weight = [&](std::uint64_t r) { return w.empty() ? 1.0 : w[r]; };
  double total = 0.0;
  for (std::size_t r = 0; r < x.size(); ++r) total += weight(r);
  // (1 − p)·total rounds: 1 − 0.99 is 0.010000000000000009, so 2,000 paths would keep 21.
  const double goal = (1.0 - p) * total * (1.0 - 1e-12);
  std::vector<std::uint64_t> out;
  double kept = 0.0;
  for (const std::uint64_t r : order) {
    if (kept >= goal) break;
    out.push_back(r);
    kept += weight(r);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

struct TailGroup {
  std::size_t series = 0;  // index into the TailSeries
  std::size_t level = 0;   // index into its levels
  double weight = 0.0;
  std::uint64_t paths = 0;
  std::vector<double> sum;  // Σ over the tail's paths of PathTrace's values, in row order
};

/// One path's per-step values, read from its exact sums as simulated alone (the kernel's own
/// simulate_path, as the CPU backend runs it): the traded log-return [steps, A], the forced
/// flow [steps, A], the liquidated notional [steps, A, 2]. `scratch` and `rows` are reused.
void path_trace(const RunPlan& plan, std::uint64_t row, StepSums& scratch, PathRows& rows,
                double* v) {
  const StepCells cells = step_cells(plan.model.market);
  scratch.reset(cells.total());
  Model m = plan.model;  // the path's own values: its weight is applied by the caller
  m.market.importance.weighted_sums = 0;
  simulate_path(m, plan.options.first_path + row, 0, rows.view(), scratch.view());
  const std::size_t n =
      static_cast<std::size_t>(cells.steps) * static_cast<std::size_t>(cells.assets);
  for (std::int32_t k = 0; k < cells.steps; ++k) {
    for (std::int32_t a = 0; a < cells.assets; ++a) {
      const std::size_t at = static_cast<std::size_t>(k * cells.assets + a);
      v[at] = scratch.mean(cells.price(k, a), 1, kImpactScale);
      v[n + at] = scratch.mean(cells.flow(k, a), 1);
      v[2 * n + 2 * at] = scratch.mean(cells.liquidated(k, a, 0), 1);
      v[2 * n + 2 * at + 1] = scratch.mean(cells.liquidated(k, a, 1), 1);
    }
  }
}

/// The traces of `rows` (4n values each), simulated in parallel.
std::vector<double> traces(const RunPlan& plan, const std::vector<std::uint64_t>& rows,
                           std::size_t n) {
  std::vector<double> out(rows.size() * 4 * n);
  const auto count = static_cast<std::int64_t>(rows.size());
#pragma omp parallel
  {
    StepSums scratch;
    PathRows one;
    one.resize(1, plan.model.market.n_assets, plan.n_portfolios());
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t i = 0; i < count; ++i)
      path_trace(plan, rows[static_cast<std::size_t>(i)], scratch, one,
                 out.data() + static_cast<std::size_t>(i) * 4 * n);
  }
  return out;
}

/// The group's weighted means per step into its series.
void fill_means(std::size_t n, const TailGroup& g, TailSeries& t) {
  const double w = g.weight > 0 ? g.weight : 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    t.log_return[g.level * n + i] = g.sum[i] / w;
    t.flow[g.level * n + i] = g.sum[n + i] / w;
  }
  for (std::size_t i = 0; i < 2 * n; ++i) t.liquidated[g.level * 2 * n + i] = g.sum[2 * n + i] / w;
}

}  // namespace

std::vector<TailSeries> typical_tail_paths(const RunPlan& plan, const ColumnSource& columns,
                                           const std::vector<std::string>& assets,
                                           const std::vector<std::string>& portfolios) {
  const std::vector<double>& levels = plan.scenario().output.tail_levels;
  if (levels.empty() || columns.size() == 0) return {};
  const StepCells cells = step_cells(plan.model.market);
  const std::size_t n =
      static_cast<std::size_t>(cells.steps) * static_cast<std::size_t>(cells.assets);
  const std::vector<double> w = columns.column(Column::weight);
  std::vector<TailSeries> series;
  std::vector<TailGroup> groups;
  std::map<std::uint64_t, std::vector<std::size_t>> member;  // row → its groups
  for (const MetricColumn& m : metric_columns(assets, portfolios)) {
    const std::vector<double> x = columns.column(m.column, m.index, m.side);
    series.push_back(TailSeries{
        m.name, levels, std::vector<double>(levels.size()),
        std::vector<std::uint64_t>(levels.size()), std::vector<double>(levels.size() * n),
        std::vector<double>(levels.size() * n * 2), std::vector<double>(levels.size() * n)});
    for (std::size_t l = 0; l < levels.size(); ++l) {
      groups.push_back(TailGroup{series.size() - 1, l, 0.0, 0, std::vector<double>(4 * n)});
      for (const std::uint64_t r : tail_rows(x, w, levels[l]))
        member[r].push_back(groups.size() - 1);
    }
  }
  // Simulated in chunks in parallel, added to each group in ascending row order: the same
  // bytes whatever the thread count.
  constexpr std::size_t kChunk = 64;
  std::vector<std::uint64_t> rows;
  std::vector<const std::vector<std::size_t>*> in;
  for (auto it = member.begin(); it != member.end();) {
    rows.clear();
    in.clear();
    for (; it != member.end() && rows.size() < kChunk; ++it) {
      rows.push_back(it->first);
      in.push_back(&it->second);
    }
    const std::vector<double> v = traces(plan, rows, n);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const double wr = w[rows[i]];
      for (const std::size_t g : *in[i]) {
        for (std::size_t c = 0; c < 4 * n; ++c) groups[g].sum[c] += wr * v[i * 4 * n + c];
        groups[g].weight += wr;
        ++groups[g].paths;
      }
    }
  }
  for (const TailGroup& g : groups) {
    TailSeries& t = series[g.series];
    t.weight[g.level] = g.weight;
    t.paths[g.level] = g.paths;
    fill_means(n, g, t);
  }
  return series;
}

}  // namespace liq
