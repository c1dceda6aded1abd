// liqstress — `/summary` in a results file and the per-path columns read from `/paths`
// (see summary_file.h).
#include "host/io/summary_file.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "host/io/hdf5_util.h"
#include "host/util/errors.h"
#include "host/util/format.h"
#include "host/util/format.h"

namespace liq {

std::vector<double> FileColumns::column(Column c, int index, int side) const {
  constexpr std::size_t kBlock = 65536;
  const ColumnSpec spec = column_spec(c, index, side, n_assets_, n_portfolios_);
  const std::string name = std::string("paths/") + spec.field;
  const h5::Handle d =
      h5::dataset_handle(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), "opening /" + name);
  std::vector<double> out(paths_);
  for (std::size_t first = 0; first < paths_; first += kBlock) {
    const std::size_t n = std::min(kBlock, paths_ - first);
    const std::vector<double> block = h5::read_block<double>(d.get(), first, n);
    if (block.size() != n * spec.width)
      throw InputError(origin_ + ": /" + name + ": rows of " + std::to_string(block.size() / n) +
                       " values, expected " + std::to_string(spec.width));
    for (std::size_t r = 0; r < n; ++r) {
      out[first + r] = column_value(spec, block.data() + r * spec.width);
      if (!std::isfinite(out[first + r]) || (c == Column::weight && out[first + r] < 0.0))
        throw InputError(
            origin_ + ": /" + name + " row " + std::to_string(first + r) + ": " +
            (c == Column::weight ? "not a finite weight >= 0" : "not a finite number"));
    }
  }
  if (c == Column::weight && paths_ > 0 &&
      std::none_of(out.begin(), out.end(), [](double w) { return w > 0.0; }))
    throw InputError(origin_ + ": /" + name + ": every weight is 0");
  return out;
}

namespace {

/// Opens `name` under `parent`, creating it (with `description`) when missing.
h5::Handle open_or_create_group(hid_t parent, const std::string& name,
                                const std::string& description) {
  const htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
  h5::check(exists, "looking up group '" + name + "'");
  if (exists > 0)
    return h5::group_handle(H5Gopen2(parent, name.c_str(), H5P_DEFAULT),
                            "opening group '" + name + "'");
  return h5::create_group(parent, name, description);
}

void write_vector(hid_t group, const std::string& name, std::vector<hsize_t> dims,
                  const std::string& units, const std::string& description,
                  const std::vector<double>& values) {
  const h5::Handle d =
      h5::create_dataset(group, name, h5::TypeOf<double>::file(), dims, units, description);
  const std::size_t rows = dims.empty() ? 1 : static_cast<std::size_t>(dims[0]);
  if (rows > 0) h5::write_block(d.get(), 0, rows, std::span<const double>(values));
}

std::vector<double> flatten(const std::vector<Interval>& v) {
  std::vector<double> out;
  out.reserve(2 * v.size());
  for (const Interval& i : v) {
    out.push_back(i.lo);
    out.push_back(i.hi);
  }
  return out;
}

std::vector<Interval> pairs(const std::vector<double>& v) {
  std::vector<Interval> out(v.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = Interval{v[2 * i], v[2 * i + 1]};
  return out;
}

std::vector<std::string> split(const std::string& name, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : name) {
    if (ch == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  parts.push_back(cur);
  return parts;
}

std::vector<double> read_doubles(hid_t group, const std::string& name) {
  const h5::Handle d = h5::dataset_handle(H5Dopen2(group, name.c_str(), H5P_DEFAULT),
                                          "opening dataset '" + name + "'");
  const std::vector<hsize_t> dims = h5::dataset_dims(d.get());
  if (!dims.empty() && dims[0] == 0) return {};
  return h5::read_all<double>(d.get());
}

/// A dataset of exactly one value (mean, stderr).
double read_one(hid_t group, const std::string& name, const std::string& path) {
  const std::vector<double> v = read_doubles(group, name);
  if (v.size() != 1)
    throw RuntimeFailure("/" + path + "/" + name + ": " + std::to_string(v.size()) +
                         " values, expected 1");
  return v[0];
}

/// What merge takes from a summary to summarize again: levels in (0, 1), finite
/// thresholds, at least 2 histogram bins and one edge more than bins.
void check_summary(const MetricSummary& s, const std::string& path) {
  for (const double p : s.levels)
    if (!(p > 0.0 && p < 1.0))
      throw RuntimeFailure("/" + path + "/quantile_levels: a level not in (0, 1)");
  for (const double x : s.thresholds)
    if (!std::isfinite(x)) throw RuntimeFailure("/" + path + "/thresholds: not a finite number");
  if (s.histogram_counts.size() < 2 || s.histogram_edges.size() != s.histogram_counts.size() + 1)
    throw RuntimeFailure("/" + path +
                         "/histogram_counts: " + std::to_string(s.histogram_counts.size()) +
                         " bins and " + std::to_string(s.histogram_edges.size()) + " edges");
}

}  // namespace

/// The group of `name` under `root`, nested by its '/'-separated parts.
h5::Handle nested_group(hid_t root, const std::string& name, const std::string& leaf,
                        const std::string& branch) {
  const std::vector<std::string> parts = split(name, '/');
  h5::Handle g;
  hid_t parent = root;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    g = open_or_create_group(
        parent, parts[i],
        i + 1 == parts.size() ? leaf + " " + name : branch + " " + parts[i] + " metrics");
    parent = g.get();
  }
  return g;
}

void write_tails(hid_t file, const std::vector<TailSeries>& tails, std::int32_t steps, int assets) {
  if (tails.empty()) return;
  const h5::Handle root = h5::create_group(
      file, "tail",
      "per metric and output.tail_levels p (a group named by p), the typical path into the "
      "metric's worst (1 - p) tail: the weighted mean over the tail's paths, per step, of "
      "prices, liquidations and forced flow (results/README.md)");
  const auto k = static_cast<hsize_t>(steps), a = static_cast<hsize_t>(assets);
  const std::size_t n = static_cast<std::size_t>(k * a);
  for (const TailSeries& t : tails) {
    const h5::Handle m = nested_group(root.get(), t.metric, "tail of", "tails of");
    for (std::size_t l = 0; l < t.levels.size(); ++l) {
      const h5::Handle g =
          h5::create_group(m.get(), shortest(t.levels[l]),
                           "the worst 1 - p of " + t.metric + ", p = " + shortest(t.levels[l]));
      h5::write_attribute<double>(g.get(), "level", t.levels[l]);
      h5::write_attribute<std::uint64_t>(g.get(), "paths", t.paths[l]);
      h5::write_attribute<double>(g.get(), "weight", t.weight[l]);
      const auto part = [&](const std::vector<double>& v, std::size_t width) {
        return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(l * n * width),
                                   v.begin() + static_cast<std::ptrdiff_t>((l + 1) * n * width));
      };
      write_vector(g.get(), "log_return_mean", {k, a}, "log-return (natural, dimensionless)",
                   "mean over the tail's paths of ln(S/S0) at each step's end",
                   part(t.log_return, 1));
      write_vector(g.get(), "liquidated_usd_mean", {k, a, 2}, "USD",
                   "mean over the tail's paths of the notional liquidated in each step, per "
                   "asset and side (0 long, 1 short)",
                   part(t.liquidated, 2));
      write_vector(g.get(), "forced_flow_usd_mean", {k, a}, "USD",
                   "mean over the tail's paths of the step's net forced flow per asset (buys > 0)",
                   part(t.flow, 1));
    }
  }
}

void write_summary(hid_t file, const std::vector<Metric>& metrics) {
  const h5::Handle root = h5::create_group(
      file, "summary",
      "per metric, statistics across the file's paths weighted by /paths/weight (MODEL.md "
      "section 5): mean and standard error, VaR and expected shortfall at each quantile level "
      "with 95% intervals, exceedance probabilities with 95% intervals, and a histogram on "
      "log-spaced bins; methods in results/README.md. For every metric the upper tail is the "
      "bad one (portfolio loss = -P&L)");
  std::vector<std::string> names;
  for (const Metric& m : metrics) names.push_back(m.name);
  h5::create_string_dataset(root.get(), "metrics", names, "name",
                            "the metrics below in a fixed order; each is a group of that path");
  for (const Metric& m : metrics) {
    const h5::Handle g = nested_group(root.get(), m.name, "summary of", "summaries of");
    const MetricSummary& s = m.summary;
    const hid_t at = g.get();
    h5::write_attribute<std::uint64_t>(at, "n", s.n);
    h5::write_attribute<double>(at, "weight_sum", s.weight_sum);
    h5::write_attribute<double>(at, "effective_n", s.effective_n);
    h5::write_string_attribute(at, "label", m.label);
    const auto L = static_cast<hsize_t>(s.levels.size());
    const auto T = static_cast<hsize_t>(s.thresholds.size());
    const auto B = static_cast<hsize_t>(s.histogram_counts.size());
    write_vector(at, "mean", {}, "USD", "weighted mean across paths", {s.mean});
    write_vector(at, "stderr", {}, "USD", "standard error of the mean", {s.stderr_mean});
    write_vector(at, "quantile_levels", {L}, "1", "quantile levels p (output.quantiles)", s.levels);
    write_vector(at, "var", {L}, "USD",
                 "value at risk: the smallest x whose cumulative weight reaches p", s.var);
    write_vector(at, "var_ci", {L, 2}, "USD",
                 "distribution-free 95% confidence interval of VaR from order statistics [lo, hi]",
                 flatten(s.var_ci));
    write_vector(at, "es", {L}, "USD",
                 "expected shortfall (Acerbi-Tasche): mean of the worst (1 - p) of the weight",
                 s.es);
    write_vector(at, "es_ci", {L, 2}, "USD", "95% confidence interval of ES [lo, hi]",
                 flatten(s.es_ci));
    write_vector(at, "thresholds", {T}, "USD", "exceedance thresholds (output.thresholds)",
                 s.thresholds);
    write_vector(at, "exceedance", {T}, "1", "P(X > threshold), weighted", s.exceedance);
    write_vector(at, "exceedance_ci", {T, 2}, "1",
                 "95% Wilson score interval of the exceedance probability [lo, hi]",
                 flatten(s.exceedance_ci));
    write_vector(at, "histogram_edges", {B + 1}, "USD",
                 "bin edges: bin 0 holds values below the first log-spaced edge (zeros, "
                 "negatives), then log-spaced bins up to the maximum",
                 s.histogram_edges);
    write_vector(at, "histogram_counts", {B}, "weight", "weighted count of paths per bin",
                 s.histogram_counts);
  }
}

std::vector<Metric> read_summary(hid_t file) {
  const htri_t exists = H5Lexists(file, "summary", H5P_DEFAULT);
  if (exists <= 0) throw RuntimeFailure("no /summary group (written by liqstress 0.2 and later)");
  const h5::Handle root =
      h5::group_handle(H5Gopen2(file, "summary", H5P_DEFAULT), "opening /summary");
  const h5::Handle list =
      h5::dataset_handle(H5Dopen2(root.get(), "metrics", H5P_DEFAULT), "opening /summary/metrics");
  std::vector<Metric> out;
  for (const std::string& name : h5::read_strings(list.get())) {
    const std::string path = "summary/" + name;
    const h5::Handle g =
        h5::group_handle(H5Gopen2(file, path.c_str(), H5P_DEFAULT), "opening /" + path);
    Metric m;
    m.name = name;
    m.label = h5::read_string_attribute(g.get(), "label");
    MetricSummary& s = m.summary;
    s.n = h5::read_attribute<std::uint64_t>(g.get(), "n");
    s.weight_sum = h5::read_attribute<double>(g.get(), "weight_sum");
    s.effective_n = h5::read_attribute<double>(g.get(), "effective_n");
    s.mean = read_one(g.get(), "mean", path);
    s.stderr_mean = read_one(g.get(), "stderr", path);
    s.levels = read_doubles(g.get(), "quantile_levels");
    s.var = read_doubles(g.get(), "var");
    s.var_ci = pairs(read_doubles(g.get(), "var_ci"));
    s.es = read_doubles(g.get(), "es");
    s.es_ci = pairs(read_doubles(g.get(), "es_ci"));
    s.thresholds = read_doubles(g.get(), "thresholds");
    s.exceedance = read_doubles(g.get(), "exceedance");
    s.exceedance_ci = pairs(read_doubles(g.get(), "exceedance_ci"));
    s.histogram_edges = read_doubles(g.get(), "histogram_edges");
    s.histogram_counts = read_doubles(g.get(), "histogram_counts");
    // Readers index var, es and exceedance by the position of a level or threshold: a file
    // whose arrays disagree with its levels is damaged, not read past its end.
    const std::size_t L = s.levels.size(), T = s.thresholds.size();
    if (s.var.size() != L || s.var_ci.size() != L || s.es.size() != L || s.es_ci.size() != L ||
        s.exceedance.size() != T || s.exceedance_ci.size() != T)
      throw RuntimeFailure("/" + path + ": var, es or exceedance arrays do not match " +
                           "quantile_levels (" + std::to_string(L) + ") or thresholds (" +
                           std::to_string(T) + ")");
    check_summary(s, path);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace liq
