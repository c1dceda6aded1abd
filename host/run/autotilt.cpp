// liqstress — the automatic importance tilt (autotilt.h).
#include "host/run/autotilt.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>

#include "host/backend/backend.h"
#include "host/io/json.h"
#include "host/model/cross_entropy.h"
#include "host/model/path_rows.h"
#include "host/model/step_sums.h"
#include "host/stats/metrics.h"
#include "host/util/errors.h"
#include "host/util/format.h"

namespace liq {
namespace {

std::vector<std::string> asset_names(const Scenario& sc) {
  std::vector<std::string> out;
  for (const AssetSpec& a : sc.assets) out.push_back(a.symbol);
  return out;
}

std::vector<std::string> portfolio_names(const Scenario& sc) {
  std::vector<std::string> out;
  for (const PortfolioSpec& p : sc.portfolios) out.push_back(p.name);
  return out;
}

/// importance.metric's column; InputError naming the file and key when there is none.
MetricColumn metric_column(const Scenario& sc) {
  const std::vector<MetricColumn> all = metric_columns(asset_names(sc), portfolio_names(sc));
  for (const MetricColumn& m : all)
    if (m.name == sc.importance.metric) return m;
  std::string names;
  for (const MetricColumn& m : all) names += (names.empty() ? "" : ", ") + m.name;
  throw InputError(sc.source_file.string() +
                   ": importance.metric: not a metric of this scenario (one of " + names +
                   "), got \"" + sc.importance.metric + "\"");
}

/// The elite rows of a pilot batch in path order, and their level: min(threshold, the
/// (1 − ρ)-quantile). A level below the threshold tied by far more than the elite (a metric
/// that is 0 on most paths) keeps only the paths above it, when there are any.
std::vector<std::uint64_t> elite_rows(const std::vector<double>& x, double threshold,
                                      double& level) {
  std::vector<double> sorted = x;
  const auto at = static_cast<std::size_t>(std::floor((1.0 - kEliteFraction) * x.size()));
  std::nth_element(sorted.begin(), sorted.begin() + at, sorted.end());
  level = std::min(threshold, sorted[at]);
  const auto count = [&](bool strict) {
    return std::count_if(x.begin(), x.end(),
                         [&](double v) { return strict ? v > level : v >= level; });
  };
  const bool strict =
      level<threshold&& static_cast<double>(count(false))> 2.0 * kEliteFraction * x.size() &&
      count(true) > 0;
  std::vector<std::uint64_t> rows;
  double lowest = 0.0;
  for (std::size_t r = 0; r < x.size(); ++r) {
    if (strict ? x[r] > level : x[r] >= level) {
      lowest = rows.empty() ? x[r] : std::min(lowest, x[r]);
      rows.push_back(r);
    }
  }
  if (strict) level = lowest;
  return rows;
}

/// The elite paths' statistics, their random numbers drawn again by path index.
std::vector<ElitePath> elite_paths(const MarketParams& p, const std::vector<std::uint64_t>& rows,
                                   const std::vector<double>& weight, int threads) {
  std::vector<ElitePath> out(rows.size());
  const auto n = static_cast<std::int64_t>(rows.size());
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
  for (std::int64_t i = 0; i < n; ++i) {
    ElitePath& e = out[static_cast<std::size_t>(i)];
    const std::uint64_t path = rows[static_cast<std::size_t>(i)];
    e.weight = weight[path];
    StepShocks s{};
    int cursor = 0;
    for (std::int32_t k = 0; k < p.n_steps; ++k)
      draw_step(p, path, k, shock_at_step(p, k, cursor), s, &e.stats);
  }
  return out;
}

/// {SYM = v, ...}, or v when every asset has the same.
/// { SYM = value, … } over every asset of `sc` (0 where `v` has none), numbers by `number`.
template <typename Number>
std::string per_asset_table(const Scenario& sc, const std::vector<double>& v, Number number) {
  std::string s = "{";
  for (std::size_t a = 0; a < sc.assets.size(); ++a)
    s += (a ? ", " : "") + sc.assets[a].symbol + " = " + number(a < v.size() ? v[a] : 0.0);
  return s + "}";
}

std::string per_asset_text(const Scenario& sc, const std::vector<double>& v) {
  if (!v.empty() && std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); }))
    return significant(v.front(), 4);
  return per_asset_table(sc, v, [](double x) { return significant(x, 4); });
}

Json per_asset_json(const Scenario& sc, const std::vector<double>& v) {
  Json j = Json::object();
  for (std::size_t a = 0; a < v.size(); ++a) j[sc.assets[a].symbol] = v[a];
  return j;
}

}  // namespace

void check_tilt_metric(const Scenario& sc) {
  (void)metric_column(sc);
}

std::uint64_t pilot_seed(std::uint64_t seed, int iteration) {
  // SplitMix64 (Steele, Lea & Flood 2014) of the seed moved by the iteration and a tag.
  std::uint64_t z = seed ^ 0x63652d70696c6f74ULL;  // "ce-pilot"
  z += 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(iteration + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

TiltChoice choose_tilt(const Scenario& sc, const ModelInputs& inputs, int threads,
                       std::ostream* progress) {
  const MetricColumn metric = metric_column(sc);
  const int workers = threads > 0 ? threads : omp_get_num_procs();
  const std::unique_ptr<Backend> backend = make_cpu_backend(workers);
  const Model base = inputs.model();
  const int assets = sc.n_assets(), portfolios = static_cast<int>(sc.portfolios.size());
  const double threshold = sc.importance.threshold;
  TiltChoice choice;
  ImportanceSpec tilt = sc.importance;
  int reached_in_row = 0;
  for (int it = 0; it < kPilotIterations && reached_in_row < 2; ++it) {
    Model m = base;
    m.market.importance = importance_params(tilt, base.market);
    m.market.seed = pilot_seed(sc.simulation.seed, it);
    PathRows rows;
    rows.resize(kPilotPaths, assets, portfolios);
    StepSums sums;
    backend->simulate(m, 0, rows, sums);
    PathColumns columns(assets, portfolios);
    columns.add(rows);
    TiltIteration step;
    const std::vector<std::uint64_t> elite =
        elite_rows(columns.column(metric.column, metric.index, metric.side), threshold, step.level);
    step.elite = elite.size();
    step.tilt = cross_entropy_update(base.market, tilt,
                                     elite_paths(m.market, elite, columns.weight(), workers));
    tilt = step.tilt;
    reached_in_row = step.level >= threshold ? reached_in_row + 1 : 0;
    choice.iterations.push_back(step);
    if (progress != nullptr)
      *progress << "liqstress: importance tilt, cross-entropy iteration " << it + 1 << ": level "
                << significant(step.level, 4) << " of " << significant(threshold, 4) << " ("
                << step.elite << " elite of " << kPilotPaths
                << " pilot paths): " << tilt_text(sc, tilt) << '\n';
  }
  choice.reached = reached_in_row > 0;
  return choice;
}

std::string tilt_text(const Scenario& sc, const ImportanceSpec& tilt) {
  return "market_jump_rate_multiplier " + significant(tilt.market_jump_rate_multiplier, 4) +
         ", market_jump_mean_shift " + significant(tilt.market_jump_mean_shift, 4) +
         ", jump_rate_multiplier " + significant(tilt.jump_rate_multiplier, 4) +
         ", jump_mean_shift " + per_asset_text(sc, tilt.jump_mean_shift) + ", diffusion_shift " +
         per_asset_text(sc, tilt.diffusion_shift);
}

std::vector<std::string> tilt_settings(const Scenario& sc) {
  const ImportanceSpec& is = sc.importance;
  auto per_asset = [&](const std::vector<double>& v) {
    return per_asset_table(sc, v, [](double x) { return float_literal(x); });
  };
  return {"importance.market_jump_rate_multiplier=" + float_literal(is.market_jump_rate_multiplier),
          "importance.market_jump_mean_shift=" + float_literal(is.market_jump_mean_shift),
          "importance.jump_rate_multiplier=" + float_literal(is.jump_rate_multiplier),
          "importance.jump_mean_shift=" + per_asset(is.jump_mean_shift),
          "importance.diffusion_shift=" + per_asset(is.diffusion_shift)};
}

std::string tilt_json(const Scenario& sc, const TiltChoice& choice) {
  const ImportanceSpec& t = choice.tilt();
  Json iterations = Json::array();
  for (const TiltIteration& it : choice.iterations)
    iterations.push_back(Json{{"level", it.level}, {"elite", it.elite}});
  const Json j{{"metric", sc.importance.metric},
               {"threshold", sc.importance.threshold},
               {"method", "cross-entropy"},
               {"pilot_paths", kPilotPaths},
               {"elite_fraction", kEliteFraction},
               {"reached", choice.reached},
               {"iterations", iterations},
               {"market_jump_rate_multiplier", t.market_jump_rate_multiplier},
               {"market_jump_mean_shift", t.market_jump_mean_shift},
               {"jump_rate_multiplier", t.jump_rate_multiplier},
               {"jump_mean_shift", per_asset_json(sc, t.jump_mean_shift)},
               {"diffusion_shift", per_asset_json(sc, t.diffusion_shift)}};
  return json_line(j);
}

}  // namespace liq
