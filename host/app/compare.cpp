// liqstress compare — scenarios side by side (SPEC.md): for each metric and statistic (mean,
// VaR and ES at each level, exceedance of each threshold) the estimate and 95% interval of
// every file, read from its /summary; and, for each file that shares seed and path range
// with the first (common random numbers), the paired difference to the first with its 95%
// interval and whether it excludes zero.
//
// Paired intervals (per-path rows of both files, path by path):
// - mean and exceedance: the mean of the per-path differences d_i (for exceedance
//   d_i = 1{B_i > t} − 1{A_i > t}) ± z·s_d/√n, z = Φ⁻¹(0.975);
// - VaR and ES: the full-sample difference ± t_{K−1}·s/√K, s the standard deviation of the
//   difference computed on K = 20 contiguous batches of paths (batch means; the batches are
//   path ranges, so the same in both files); shown only when a batch holds at least
//   10/(1 − p) paths, else "n/a".
// The unpaired interval of a difference (independent runs) is ±√(h_A² + h_B²) from each
// file's own half-widths; JSON carries both.
//
// Files may have been written with other output.quantiles or output.thresholds (or other
// assets and portfolios): rows are the union of every file's metrics, levels and thresholds,
// matched by value, and a statistic a file does not have is shown as "missing" (JSON null),
// never taken from another position of its arrays.
#include <cmath>
#include <memory>
#include <optional>
#include <ostream>

#include "host/app/commands.h"
#include "host/io/json.h"
#include "host/io/results_reader.h"
#include "host/io/summary_file.h"
#include "host/stats/metrics.h"
#include "host/stats/paired.h"
#include "host/stats/statistics.h"
#include "host/util/errors.h"
#include "host/util/format.h"
#include "host/util/table.h"

namespace liq {

namespace {

/// A cell's number: a percentage for probabilities, USD millions otherwise.
std::string number_cell(double x, bool probability) {
  if (!std::isfinite(x)) return "n/a";
  return probability ? format_percent(x) : millions(x);
}

/// "[A]", "[B]", ... (the 26th file on are all "[Z]").
std::string tag(std::size_t f) {
  std::string t = "[A]";
  t[1] = static_cast<char>('A' + std::min<std::size_t>(f, 25));
  return t;
}

constexpr const char* kMissing = "missing";

/// The files compared, their summaries, and which share paths with the first.
struct Compared {
  std::vector<std::unique_ptr<ResultsFile>> files;
  std::vector<std::vector<Metric>> metrics;
  std::vector<bool> paired;  // common random numbers with files[0]
  std::vector<std::unique_ptr<FileColumns>> columns;
  std::vector<Stat> stats;
  // [stat][file]: nullopt where the file lacks the statistic; diff[k][0] is unused.
  std::vector<std::vector<std::optional<Estimate>>> est;
  std::vector<std::vector<std::optional<Difference>>> diff;

  const MetricSummary* summary_of(std::size_t f, const std::string& name) const {
    for (const Metric& m : metrics[f])
      if (m.name == name) return &m.summary;
    return nullptr;
  }
};

void open_files(const std::vector<std::string>& inputs, Compared& c) {
  for (const std::string& p : inputs) {
    c.files.push_back(std::make_unique<ResultsFile>(p));
    c.metrics.push_back(c.files.back()->read_metrics());
  }
  const ResultsFile& base = *c.files.front();
  // Common random numbers: same seed and path range, rows present in both.
  c.paired.assign(c.files.size(), false);
  c.columns.resize(c.files.size());
  for (std::size_t f = 0; f < c.files.size(); ++f) {
    const ResultsFile& x = *c.files[f];
    if (x.per_path)
      c.columns[f] = std::make_unique<FileColumns>(
          x.file.get(), static_cast<int>(x.assets.size()), static_cast<int>(x.portfolios.size()),
          static_cast<std::size_t>(x.paths), x.path.string());
    if (f > 0)
      c.paired[f] = x.seed == base.seed && x.first_path == base.first_path &&
                    x.paths == base.paths && x.per_path && base.per_path;
  }
}

/// Estimates of every statistic in every file, and differences to the first file.
void estimate(Compared& c) {
  const std::size_t n_files = c.files.size();
  c.stats = union_of_stats(c.metrics);
  c.est.assign(c.stats.size(), std::vector<std::optional<Estimate>>(n_files));
  c.diff.assign(c.stats.size(), std::vector<std::optional<Difference>>(n_files));
  // One metric's columns at a time (memory: two columns of every file compared).
  std::string cached_metric;
  std::vector<std::optional<std::vector<double>>> cached(n_files);
  auto column = [&](std::size_t f, const std::string& metric) -> const std::vector<double>* {
    if (metric != cached_metric) {
      for (auto& col : cached) col.reset();
      cached_metric = metric;
    }
    if (!cached[f] && c.columns[f])
      cached[f] = column_of(*c.columns[f], c.files[f]->assets, c.files[f]->portfolios, metric);
    return cached[f] ? &*cached[f] : nullptr;
  };
  std::vector<std::vector<double>> weights(n_files);  // empty: every path weighs 1
  for (std::size_t f = 0; f < n_files; ++f)
    if (c.columns[f]) weights[f] = unless_all_ones(c.columns[f]->column(Column::weight));
  for (std::size_t k = 0; k < c.stats.size(); ++k) {
    const Stat& st = c.stats[k];
    for (std::size_t f = 0; f < n_files; ++f) {
      const MetricSummary* s = c.summary_of(f, st.metric);
      if (s != nullptr) c.est[k][f] = estimate_of(*s, st);
    }
    const std::optional<Estimate>& a = c.est[k][0];
    for (std::size_t f = 1; f < n_files; ++f) {
      const std::optional<Estimate>& b = c.est[k][f];
      if (!a || !b) continue;  // missing in one of the two: no difference either
      Difference d;
      d.value = b->value - a->value;
      const double ha = 0.5 * (a->ci.hi - a->ci.lo), hb = 0.5 * (b->ci.hi - b->ci.lo);
      d.unpaired_half = std::sqrt(ha * ha + hb * hb);
      const std::vector<double>* ca = c.paired[f] ? column(0, st.metric) : nullptr;
      const std::vector<double>* cb = c.paired[f] ? column(f, st.metric) : nullptr;
      if (ca != nullptr && cb != nullptr) {
        const Difference p = paired_difference(*ca, *cb, st, weights[0], weights[f]);
        if (p.has_paired) d.value = p.value, d.paired = p.paired, d.has_paired = true;
      }
      c.diff[k][f] = d;
    }
  }
}

/// One statistic: its estimate in every file, its difference to the first in the others
/// (null where a file does not have it).
Json row_json(const Compared& c, std::size_t k) {
  const Stat& st = c.stats[k];
  Json row = {{"metric", st.metric}, {"statistic", st.statistic}};
  if (st.kind == Stat::var || st.kind == Stat::es) row["level"] = st.param;
  if (st.kind == Stat::exceedance) row["threshold"] = st.param;
  Json estimates = Json::array(), differences = Json::array();
  for (std::size_t f = 0; f < c.files.size(); ++f) {
    const std::optional<Estimate>& e = c.est[k][f];
    estimates.push_back(e ? Json{{"value", e->value}, {"ci", json_interval(e->ci)}} : Json());
    if (f == 0) continue;
    const std::optional<Difference>& d = c.diff[k][f];
    Json diff;  // null: the file does not have the statistic
    if (d) diff = difference_json(*d);
    if (d && d->has_paired) diff["excludes_zero"] = d->paired.lo > 0.0 || d->paired.hi < 0.0;
    differences.push_back(std::move(diff));
  }
  row["estimates"] = std::move(estimates);
  row["differences_to_first"] = std::move(differences);
  return row;
}

void print_json(const Compared& c, std::ostream& out) {
  Json files = Json::array(), rows = Json::array();
  for (std::size_t f = 0; f < c.files.size(); ++f)
    files.push_back({{"path", c.files[f]->path.string()},
                     {"seed", c.files[f]->seed},
                     {"first_path", c.files[f]->first_path},
                     {"paths", c.files[f]->paths},
                     {"paired_with_first", static_cast<bool>(c.paired[f])}});
  for (std::size_t k = 0; k < c.stats.size(); ++k) rows.push_back(row_json(c, k));
  const Json j = {{"format", "liqstress-compare"},
                  {"format_version", 1},
                  {"files", std::move(files)},
                  {"rows", std::move(rows)}};
  out << json_text(j);
}

std::string difference_cell(const std::optional<Difference>& d, bool prob) {
  if (!d) return kMissing;
  std::string cell = number_cell(d->value, prob);
  if (!d->has_paired) return cell + " (± " + number_cell(d->unpaired_half, prob) + " unpaired)";
  const bool excludes = d->paired.lo > 0.0 || d->paired.hi < 0.0;
  return cell + " (" + number_cell(d->paired.lo, prob) + " to " + number_cell(d->paired.hi, prob) +
         ")" + (excludes ? " *" : "");
}

void print_table(const Compared& c, std::ostream& out) {
  const std::size_t n_files = c.files.size();
  out << "Scenarios (USD millions; 95% intervals):\n";
  for (std::size_t f = 0; f < n_files; ++f)
    out << "  " << tag(f) << " " << c.files[f]->path.string() << ": seed " << c.files[f]->seed
        << ", paths [" << c.files[f]->first_path << ", "
        << c.files[f]->first_path + c.files[f]->paths << ")"
        << (f == 0        ? ""
            : c.paired[f] ? ", common random numbers with [A]: paired differences"
                          : ", not paired with [A] (seed or paths differ)")
        << "\n";
  out << '\n';
  std::vector<std::string> header{"metric", "statistic"};
  for (std::size_t f = 0; f < n_files; ++f) header.push_back(tag(f));
  for (std::size_t f = 1; f < n_files; ++f) header.push_back(tag(f).append(" - [A]"));
  TextTable t(header);
  std::string last_metric;
  bool any_missing = false;
  for (std::size_t k = 0; k < c.stats.size(); ++k) {
    const Stat& st = c.stats[k];
    const bool prob = st.kind == Stat::exceedance;
    std::vector<std::string> row{st.metric == last_metric ? "" : st.metric, st.statistic};
    last_metric = st.metric;
    for (std::size_t f = 0; f < n_files; ++f) {
      const std::optional<Estimate>& e = c.est[k][f];
      any_missing = any_missing || !e;
      row.push_back(e ? number_cell(e->value, prob) + " (" + number_cell(e->ci.lo, prob) + " to " +
                            number_cell(e->ci.hi, prob) + ")"
                      : kMissing);
    }
    for (std::size_t f = 1; f < n_files; ++f) row.push_back(difference_cell(c.diff[k][f], prob));
    t.add_row(row);
  }
  t.print(out);
  out << "\n* the paired 95% interval excludes zero: the scenarios differ beyond sampling noise.\n"
         "Paired intervals (common random numbers): per-path differences for means and "
         "exceedance, batch means over 20 path batches for VaR and ES (n/a when a batch holds "
         "fewer than 10/(1-p) paths); unpaired: sqrt(hA^2 + hB^2).\n";
  if (any_missing)
    out << "missing: not in that file (its output.quantiles, output.thresholds, assets or "
           "portfolios do not include it); levels and thresholds are matched by value, never "
           "interpolated.\n";
}

}  // namespace

int compare_command(const std::vector<std::string>& inputs, bool json, std::ostream& out,
                    std::ostream& /*err*/) {
  if (inputs.size() < 2) throw InputError("compare: give at least two results files");
  Compared c;
  open_files(inputs, c);
  estimate(c);
  if (json) {
    print_json(c, out);
  } else {
    print_table(c, out);
  }
  return 0;
}

}  // namespace liq
