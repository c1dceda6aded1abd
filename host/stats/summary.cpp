// liqstress — metrics and their summaries (see summary.h).
#include "host/stats/summary.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "host/util/errors.h"
#include "host/io/hdf5_util.h"
#include "host/util/table.h"

namespace liq {

namespace fs = std::filesystem;

PathColumns::PathColumns(int assets, int portfolios)
    : n_assets_(assets),
      n_portfolios_(portfolios),
      final_lr_(assets),
      min_lr_(assets),
      max_lr_(assets),
      liquidated_(2 * static_cast<std::size_t>(assets)),
      loss_(portfolios) {}

void PathColumns::resize(std::size_t n) {
  for (auto* group : {&final_lr_, &min_lr_, &max_lr_, &liquidated_, &loss_})
    for (std::vector<double>& v : *group) v.resize(n, 0.0);
  for (std::vector<double>* v : {&total_, &bad_debt_, &adl_, &adl_closed_, &fund_, &weight_})
    v->resize(n, 0.0);
}

void PathColumns::add(const PathRows& rows) {
  put(size(), rows);
}

void PathColumns::put(std::size_t row, const PathRows& rows) {
  if (row + rows.n_rows > size()) resize(row + rows.n_rows);
  for (std::size_t r = 0; r < rows.n_rows; ++r) {
    const std::size_t at = row + r;
    double sum = 0.0;
    for (int a = 0; a < n_assets_; ++a) {
      const std::size_t i = r * static_cast<std::size_t>(n_assets_) + a;
      final_lr_[a][at] = rows.final_log_return[i];
      min_lr_[a][at] = rows.min_log_return[i];
      max_lr_[a][at] = rows.max_log_return[i];
      liquidated_[2 * a][at] = rows.liquidated_usd[2 * i];
      liquidated_[2 * a + 1][at] = rows.liquidated_usd[2 * i + 1];
      sum += rows.liquidated_usd[2 * i];
      sum += rows.liquidated_usd[2 * i + 1];
    }
    total_[at] = sum;
    bad_debt_[at] = rows.bad_debt_usd[r];
    adl_[at] = rows.adl_usd[r];
    adl_closed_[at] = rows.adl_closed_usd[r];
    fund_[at] = rows.insurance_fund_usd[r];
    weight_[at] = rows.weight[r];
    for (int p = 0; p < n_portfolios_; ++p)
      loss_[p][at] = -rows.portfolio_pnl_usd[r * static_cast<std::size_t>(n_portfolios_) + p];
  }
}

const std::vector<double>& PathColumns::ref(Column c, int index, int side) const {
  switch (c) {
    case Column::total:
      return total_;
    case Column::liquidated:
      return liquidated_.at(2 * static_cast<std::size_t>(index) + side);
    case Column::bad_debt:
      return bad_debt_;
    case Column::adl:
      return adl_;
    case Column::adl_closed:
      return adl_closed_;
    case Column::fund:
      return fund_;
    case Column::weight:
      return weight_;
    case Column::loss:
      return loss_.at(index);
    case Column::final_lr:
      return final_lr_.at(index);
    case Column::min_lr:
      return min_lr_.at(index);
    case Column::max_lr:
      return max_lr_.at(index);
  }
  return total_;
}

std::vector<double> PathColumns::column(Column c, int index, int side) const {
  return ref(c, index, side);
}

std::vector<double> FileColumns::column(Column c, int index, int side) const {
  constexpr std::size_t kBlock = 65536;
  const char* name = nullptr;
  std::size_t width = 1, offset = 0, count = 1;
  const auto A = static_cast<std::size_t>(n_assets_);
  switch (c) {
    case Column::total:
      name = "paths/liquidated_usd", width = 2 * A, offset = 0, count = 2 * A;
      break;
    case Column::liquidated:
      name = "paths/liquidated_usd", width = 2 * A,
      offset = 2 * static_cast<std::size_t>(index) + side;
      break;
    case Column::bad_debt:
      name = "paths/bad_debt_usd";
      break;
    case Column::adl:
      name = "paths/adl_usd";
      break;
    case Column::adl_closed:
      name = "paths/adl_closed_usd";
      break;
    case Column::fund:
      name = "paths/insurance_fund_usd";
      break;
    case Column::weight:
      name = "paths/weight";
      break;
    case Column::loss:
      name = "paths/portfolio_pnl_usd", width = static_cast<std::size_t>(n_portfolios_),
      offset = static_cast<std::size_t>(index);
      break;
    case Column::final_lr:
      name = "paths/final_log_return", width = A, offset = static_cast<std::size_t>(index);
      break;
    case Column::min_lr:
      name = "paths/min_log_return", width = A, offset = static_cast<std::size_t>(index);
      break;
    case Column::max_lr:
      name = "paths/max_log_return", width = A, offset = static_cast<std::size_t>(index);
      break;
  }
  const h5::Handle d =
      h5::dataset_handle(H5Dopen2(file_, name, H5P_DEFAULT), std::string("opening /") + name);
  std::vector<double> out(paths_);
  for (std::size_t first = 0; first < paths_; first += kBlock) {
    const std::size_t n = std::min(kBlock, paths_ - first);
    const std::vector<double> block = h5::read_block<double>(d.get(), first, n);
    for (std::size_t r = 0; r < n; ++r) {
      const double* row = block.data() + r * width;
      double v = row[offset];
      if (count > 1) {  // the total: the same additions, in the same order, as PathColumns
        v = 0.0;
        for (std::size_t k = 0; k < count; ++k) v += row[k];
      }
      out[first + r] = c == Column::loss ? -v : v;
    }
  }
  return out;
}

void PathCounts::add(const PathRows& rows) {
  if (liquidated_accounts.size() < static_cast<std::size_t>(rows.n_portfolios))
    liquidated_accounts.resize(static_cast<std::size_t>(rows.n_portfolios), 0);
  for (std::size_t r = 0; r < rows.n_rows; ++r) {
    const std::uint16_t rounds = rows.cascade_rounds[r];
    most_rounds = std::max(most_rounds, rounds);
    if (paths_by_rounds.size() <= rounds) paths_by_rounds.resize(rounds + std::size_t{1}, 0);
    ++paths_by_rounds[rounds];
    for (int p = 0; p < rows.n_portfolios; ++p)
      liquidated_accounts[p] +=
          rows.portfolio_liquidated[r * static_cast<std::size_t>(rows.n_portfolios) + p];
  }
}

std::vector<Metric> compute_metrics(const ColumnSource& c, const std::vector<std::string>& assets,
                                    const std::vector<std::string>& portfolios,
                                    const SummaryOptions& options) {
  std::vector<Metric> out;
  const std::vector<double> w = c.column(Column::weight);
  auto add = [&](std::string name, std::string label, Column col, int index = 0, int side = 0) {
    const std::vector<double> x = c.column(col, index, side);
    out.push_back(Metric{std::move(name), std::move(label), summarize(x, w, options)});
  };
  add("total_liquidated_usd", "total liquidated", Column::total);
  for (int a = 0; a < c.n_assets(); ++a) {
    for (int side = 0; side < 2; ++side) {
      const std::string s = side == 0 ? "long" : "short";
      add("liquidated_usd/" + assets[a] + "/" + s, assets[a] + " " + s, Column::liquidated, a,
          side);
    }
  }
  add("bad_debt_usd", "bad debt", Column::bad_debt);
  add("adl_usd", "ADL deficit", Column::adl);
  add("adl_closed_usd", "ADL closed notional", Column::adl_closed);
  for (int p = 0; p < c.n_portfolios(); ++p)
    add("portfolio_loss_usd/" + portfolios[p], "loss of " + portfolios[p], Column::loss, p);
  return out;
}

// ---- HDF5 ---------------------------------------------------------------------------------

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

}  // namespace

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
    const std::vector<std::string> parts = split(m.name, '/');
    h5::Handle g;
    hid_t parent = root.get();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      g = open_or_create_group(
          parent, parts[i],
          i + 1 == parts.size() ? "summary of " + m.name : "summaries of " + parts[i] + " metrics");
      parent = g.get();
    }
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
    s.mean = read_doubles(g.get(), "mean").at(0);
    s.stderr_mean = read_doubles(g.get(), "stderr").at(0);
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
    out.push_back(std::move(m));
  }
  return out;
}

// ---- JSON and tables --------------------------------------------------------------------------

namespace {

std::string json_interval(const Interval& i) {
  std::string out = "[";
  out.append(json_number(i.lo)).append(", ").append(json_number(i.hi)).append("]");
  return out;
}

}  // namespace

std::string json_number(double x) {
  if (!std::isfinite(x)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string metrics_json(const std::vector<Metric>& metrics, const std::string& header) {
  std::ostringstream o;
  o << "{\n";
  if (!header.empty()) o << header << ",\n";
  o << "  \"metrics\": {";
  for (std::size_t k = 0; k < metrics.size(); ++k) {
    const Metric& m = metrics[k];
    const MetricSummary& s = m.summary;
    o << (k == 0 ? "\n" : ",\n") << "    " << json_string(m.name)
      << ": {\"label\": " << json_string(m.label) << ", \"units\": \"USD\", \"n\": " << s.n
      << ", \"effective_n\": " << json_number(s.effective_n)
      << ", \"mean\": " << json_number(s.mean) << ", \"stderr\": " << json_number(s.stderr_mean)
      << ",\n      \"var\": [";
    for (std::size_t i = 0; i < s.levels.size(); ++i)
      o << (i ? ", " : "") << "{\"level\": " << json_number(s.levels[i])
        << ", \"value\": " << json_number(s.var[i]) << ", \"ci\": " << json_interval(s.var_ci[i])
        << "}";
    o << "],\n      \"es\": [";
    for (std::size_t i = 0; i < s.levels.size(); ++i)
      o << (i ? ", " : "") << "{\"level\": " << json_number(s.levels[i])
        << ", \"value\": " << json_number(s.es[i]) << ", \"ci\": " << json_interval(s.es_ci[i])
        << "}";
    o << "],\n      \"exceedance\": [";
    for (std::size_t i = 0; i < s.thresholds.size(); ++i)
      o << (i ? ", " : "") << "{\"threshold\": " << json_number(s.thresholds[i])
        << ", \"probability\": " << json_number(s.exceedance[i])
        << ", \"ci\": " << json_interval(s.exceedance_ci[i]) << "}";
    o << "]}";
  }
  o << "\n  }\n}\n";
  return o.str();
}

std::string millions(double usd) {
  if (!std::isfinite(usd)) return "n/a";
  std::ostringstream o;
  o << std::fixed << std::setprecision(2) << usd / 1e6;
  const std::string s = o.str();
  // Thousands separators in the integer part.
  const std::size_t dot = s.find('.');
  const std::size_t start = s[0] == '-' ? 1 : 0;
  std::string out = s.substr(0, start);
  for (std::size_t i = start; i < dot; ++i) {
    if (i > start && (dot - i) % 3 == 0) out += ',';
    out += s[i];
  }
  out += s.substr(dot);
  return out;
}

namespace {

/// Index of the configured level nearest `target`.
std::size_t nearest_level(const std::vector<double>& levels, double target) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < levels.size(); ++i)
    if (std::fabs(levels[i] - target) < std::fabs(levels[best] - target)) best = i;
  return best;
}

std::string with_interval(double value, const Interval& ci) {
  std::string out = millions(value);
  out.append(" (").append(millions(ci.lo)).append(" to ").append(millions(ci.hi)).append(")");
  return out;
}

std::string level_name(double p) {
  std::ostringstream o;
  o << std::setprecision(4) << p * 100.0 << "%";
  return o.str();
}

}  // namespace

std::optional<std::size_t> find_value(const std::vector<double>& values, double value) {
  const auto it = std::find(values.begin(), values.end(), value);
  if (it == values.end()) return std::nullopt;
  return static_cast<std::size_t>(it - values.begin());
}

void print_metrics_table(const std::vector<Metric>& metrics, std::ostream& out) {
  if (metrics.empty()) return;
  const std::vector<double>& levels = metrics.front().summary.levels;
  std::vector<double> shown;  // levels, by value
  if (!levels.empty()) {
    shown.push_back(levels[nearest_level(levels, 0.95)]);
    const double hi = levels[nearest_level(levels, 0.99)];
    if (hi != shown.front()) shown.push_back(hi);
  }
  std::vector<std::string> header{"metric", "mean ± s.e."};
  for (double p : shown) {
    header.push_back("VaR " + level_name(p) + " (95% CI)");
    header.push_back("ES " + level_name(p) + " (95% CI)");
  }
  TextTable t(header);
  for (const Metric& m : metrics) {
    const MetricSummary& s = m.summary;
    std::vector<std::string> row{m.label, millions(s.mean) + " ± " + millions(s.stderr_mean)};
    for (double p : shown) {
      const std::optional<std::size_t> i = find_value(s.levels, p);
      row.push_back(i ? with_interval(s.var[*i], s.var_ci[*i]) : "missing");
      row.push_back(i ? with_interval(s.es[*i], s.es_ci[*i]) : "missing");
    }
    t.add_row(row);
  }
  t.print(out);
}

void write_text_file_atomically(const std::string& path, const std::string& text, bool force) {
  const fs::path target(path);
  std::error_code ec;
  if (!force && fs::exists(target, ec))
    throw InputError(path + ": exists; pass --force to replace it");
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec)) throw InputError(path + ": folder does not exist");
  fs::path temp = target;
  temp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(temp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      fs::remove(temp, ec);
      throw RuntimeFailure(temp.string() + ": writing failed (" + std::strerror(errno) + ")");
    }
  }
  if (!force) {
    // Keep a file that appeared meanwhile: link without replacing, then drop the temporary.
    if (::link(temp.c_str(), target.c_str()) != 0) {
      const int err = errno;
      fs::remove(temp, ec);
      if (err == EEXIST) throw InputError(path + ": exists; pass --force to replace it");
      throw RuntimeFailure(path + ": creating failed (" + std::strerror(err) + ")");
    }
    fs::remove(temp, ec);
    return;
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw RuntimeFailure(path + ": renaming failed (" + ec.message() + ")");
  }
}

}  // namespace liq
