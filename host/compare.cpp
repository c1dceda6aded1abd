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
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>

#include "host/commands.h"
#include "host/errors.h"
#include "host/paired.h"
#include "host/results_reader.h"
#include "host/statistics.h"
#include "host/summary.h"
#include "host/table.h"

namespace liq {

namespace {

std::string fmt(double x, bool probability) {
  if (!std::isfinite(x)) return "n/a";
  if (probability) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(2) << x * 100.0 << "%";
    return o.str();
  }
  return millions(x);
}

std::string level_text(double p) {
  std::ostringstream o;
  o << std::setprecision(4) << p * 100.0 << "%";
  return o.str();
}

}  // namespace

int compare_command(const std::vector<std::string>& inputs, bool json, std::ostream& out,
                    std::ostream& err) {
  if (inputs.size() < 2) throw InputError("compare: give at least two results files");
  std::vector<std::unique_ptr<ResultsFile>> files;
  std::vector<std::vector<Metric>> metrics;
  for (const std::string& p : inputs) {
    files.push_back(std::make_unique<ResultsFile>(p));
    metrics.push_back(files.back()->read_metrics());
  }
  const ResultsFile& base = *files.front();
  // Common random numbers: same seed and path range, rows present in both.
  std::vector<bool> paired(files.size(), false);
  std::vector<std::unique_ptr<FileColumns>> columns(files.size());
  for (std::size_t f = 0; f < files.size(); ++f) {
    const ResultsFile& x = *files[f];
    if (x.per_path)
      columns[f] = std::make_unique<FileColumns>(x.file.get(), static_cast<int>(x.assets.size()),
                                                 static_cast<int>(x.portfolios.size()),
                                                 static_cast<std::size_t>(x.paths));
    if (f > 0)
      paired[f] = x.seed == base.seed && x.first_path == base.first_path && x.paths == base.paths &&
                  x.per_path && base.per_path;
  }
  // One metric's columns at a time (memory: two columns of every file compared).
  std::string cached_metric;
  std::vector<std::optional<std::vector<double>>> cached(files.size());
  auto column = [&](std::size_t f, const std::string& metric) -> const std::vector<double>* {
    if (metric != cached_metric) {
      for (auto& c : cached) c.reset();
      cached_metric = metric;
    }
    if (!cached[f] && columns[f])
      cached[f] = column_of(*columns[f], files[f]->assets, files[f]->portfolios, metric);
    return cached[f] ? &*cached[f] : nullptr;
  };

  // The statistics of the first file's metrics that every file has.
  std::vector<Stat> stats;
  for (const Metric& m : metrics.front()) {
    bool everywhere = true;
    for (const auto& ms : metrics) {
      bool found = false;
      for (const Metric& o : ms) found = found || o.name == m.name;
      everywhere = everywhere && found;
    }
    if (!everywhere) continue;
    const MetricSummary& s = m.summary;
    stats.push_back(Stat{m.name, "mean", Stat::mean, 0.0, 0});
    for (std::size_t i = 0; i < s.levels.size(); ++i) {
      stats.push_back(Stat{m.name, "VaR " + level_text(s.levels[i]), Stat::var, s.levels[i], i});
      stats.push_back(Stat{m.name, "ES " + level_text(s.levels[i]), Stat::es, s.levels[i], i});
    }
    for (std::size_t i = 0; i < s.thresholds.size(); ++i)
      stats.push_back(Stat{m.name, "P(> " + millions(s.thresholds[i]) + "M)", Stat::exceedance,
                           s.thresholds[i], i});
  }
  auto summary_of = [&](std::size_t f, const std::string& name) -> const MetricSummary& {
    for (const Metric& m : metrics[f])
      if (m.name == name) return m.summary;
    throw RuntimeFailure("metric " + name + " vanished (internal error)");
  };

  std::vector<std::vector<Estimate>> est(stats.size(), std::vector<Estimate>(files.size()));
  std::vector<std::vector<Difference>> diff(stats.size(), std::vector<Difference>(files.size()));
  for (std::size_t k = 0; k < stats.size(); ++k) {
    const Stat& st = stats[k];
    for (std::size_t f = 0; f < files.size(); ++f) {
      est[k][f] = estimate_of(summary_of(f, st.metric), st);
      if (f == 0) continue;
      Difference& d = diff[k][f];
      d.value = est[k][f].value - est[k][0].value;
      const double ha = 0.5 * (est[k][0].ci.hi - est[k][0].ci.lo);
      const double hb = 0.5 * (est[k][f].ci.hi - est[k][f].ci.lo);
      d.unpaired_half = std::sqrt(ha * ha + hb * hb);
      if (paired[f]) {
        const std::vector<double>* ca = column(0, st.metric);
        const std::vector<double>* cb = column(f, st.metric);
        if (ca != nullptr && cb != nullptr) {
          const Difference p = paired_difference(*ca, *cb, st);
          if (p.has_paired) {
            d.value = p.value;
            d.paired = p.paired;
            d.has_paired = true;
          }
        }
      }
    }
  }

  if (json) {
    out << "{\n  \"format\": \"liqstress-compare\",\n  \"format_version\": 1,\n  \"files\": [";
    for (std::size_t f = 0; f < files.size(); ++f)
      out << (f ? ", " : "") << "{\"path\": " << json_string(files[f]->path.string())
          << ", \"seed\": " << files[f]->seed << ", \"first_path\": " << files[f]->first_path
          << ", \"paths\": " << files[f]->paths
          << ", \"paired_with_first\": " << (paired[f] ? "true" : "false") << "}";
    out << "],\n  \"rows\": [";
    for (std::size_t k = 0; k < stats.size(); ++k) {
      out << (k ? ",\n" : "\n") << "    {\"metric\": " << json_string(stats[k].metric)
          << ", \"statistic\": " << json_string(stats[k].statistic) << ", \"estimates\": [";
      for (std::size_t f = 0; f < files.size(); ++f)
        out << (f ? ", " : "") << "{\"value\": " << json_number(est[k][f].value) << ", \"ci\": ["
            << json_number(est[k][f].ci.lo) << ", " << json_number(est[k][f].ci.hi) << "]}";
      out << "], \"differences_to_first\": [";
      for (std::size_t f = 1; f < files.size(); ++f) {
        const Difference& d = diff[k][f];
        out << (f > 1 ? ", " : "") << "{\"value\": " << json_number(d.value)
            << ", \"unpaired_ci\": [" << json_number(d.value - d.unpaired_half) << ", "
            << json_number(d.value + d.unpaired_half) << "]";
        if (d.has_paired)
          out << ", \"paired_ci\": [" << json_number(d.paired.lo) << ", "
              << json_number(d.paired.hi) << "], \"excludes_zero\": "
              << ((d.paired.lo > 0.0 || d.paired.hi < 0.0) ? "true" : "false");
        out << "}";
      }
      out << "]}";
    }
    out << "\n  ]\n}\n";
    return 0;
  }

  out << "Scenarios (USD millions; 95% intervals):\n";
  for (std::size_t f = 0; f < files.size(); ++f)
    out << "  [" << static_cast<char>('A' + std::min<std::size_t>(f, 25)) << "] "
        << files[f]->path.string() << ": seed " << files[f]->seed << ", paths ["
        << files[f]->first_path << ", " << files[f]->first_path + files[f]->paths << ")"
        << (f == 0      ? ""
            : paired[f] ? ", common random numbers with [A]: paired differences"
                        : ", not paired with [A] (seed or paths differ)")
        << "\n";
  out << '\n';
  std::vector<std::string> header{"metric", "statistic"};
  for (std::size_t f = 0; f < files.size(); ++f)
    header.push_back(std::string("[") + static_cast<char>('A' + std::min<std::size_t>(f, 25)) +
                     "]");
  for (std::size_t f = 1; f < files.size(); ++f)
    header.push_back(std::string("[") + static_cast<char>('A' + std::min<std::size_t>(f, 25)) +
                     "] - [A]");
  TextTable t(header);
  std::string last_metric;
  for (std::size_t k = 0; k < stats.size(); ++k) {
    const Stat& st = stats[k];
    const bool prob = st.kind == Stat::exceedance;
    std::vector<std::string> row{st.metric == last_metric ? "" : st.metric, st.statistic};
    last_metric = st.metric;
    for (std::size_t f = 0; f < files.size(); ++f) {
      const Estimate& e = est[k][f];
      row.push_back(fmt(e.value, prob) + " (" + fmt(e.ci.lo, prob) + " to " + fmt(e.ci.hi, prob) +
                    ")");
    }
    for (std::size_t f = 1; f < files.size(); ++f) {
      const Difference& d = diff[k][f];
      std::string cell = fmt(d.value, prob);
      if (d.has_paired) {
        const bool excludes = d.paired.lo > 0.0 || d.paired.hi < 0.0;
        cell += " (" + fmt(d.paired.lo, prob) + " to " + fmt(d.paired.hi, prob) + ")" +
                (excludes ? " *" : "");
      } else {
        cell += " (± " + fmt(d.unpaired_half, prob) + " unpaired)";
      }
      row.push_back(cell);
    }
    t.add_row(row);
  }
  t.print(out);
  out << "\n* the paired 95% interval excludes zero: the scenarios differ beyond sampling noise.\n"
         "Paired intervals (common random numbers): per-path differences for means and "
         "exceedance, batch means over 20 path batches for VaR and ES (n/a when a batch holds "
         "fewer than 10/(1-p) paths); unpaired: sqrt(hA^2 + hB^2).\n";
  (void)err;
  return 0;
}

}  // namespace liq
