// liqstress sweep — one run per point of a parameter grid (SPEC.md): every --vary KEY=FROM:TO:N
// (N values from FROM to TO, evenly spaced, both included) or KEY=V1,V2,... (a list of TOML
// values) is one axis; the grid is their product, in the order the axes are given (the last
// varies fastest). Every point runs with the same seed and paths — common random numbers —
// so neighbouring points differ by the parameter, not by noise: the table shows each point's
// total liquidations (mean, VaR 99%, ES 99% with 95% intervals) and the paired difference to
// the previous point. `--point K` runs one point (a Slurm array task), `--collect` only
// builds the table from the files, `--list` prints the grid.
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>

#include "host/app/commands.h"
#include "host/io/json.h"
#include "host/io/results_reader.h"
#include "host/io/summary_file.h"
#include "host/parallel/mpi.h"
#include "host/run/run_setup.h"
#include "host/scenario/config.h"
#include "host/stats/metrics.h"
#include "host/stats/paired.h"
#include "host/util/errors.h"
#include "host/util/format.h"
#include "host/util/table.h"

namespace liq {

namespace {

namespace fs = std::filesystem;

struct Axis {
  std::string key;
  std::vector<std::string> values;  // TOML text
};

Axis parse_vary(const std::string& text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw InputError("--vary " + text + ": expected KEY=FROM:TO:N or KEY=V1,V2,...");
  Axis axis{text.substr(0, eq), {}};
  const std::string spec = text.substr(eq + 1);
  const std::size_t c1 = spec.find(':');
  if (c1 != std::string::npos) {
    const std::size_t c2 = spec.find(':', c1 + 1);
    if (c2 == std::string::npos || spec.find(':', c2 + 1) != std::string::npos)
      throw InputError("--vary " + text + ": a range is FROM:TO:N, e.g. impact.strength=0:2:5");
    double from = 0, to = 0;
    long n = 0;
    try {
      std::size_t used = 0;
      from = std::stod(spec.substr(0, c1), &used);
      if (used != c1) throw std::invalid_argument("FROM");
      to = std::stod(spec.substr(c1 + 1, c2 - c1 - 1), &used);
      if (used != c2 - c1 - 1) throw std::invalid_argument("TO");
      n = std::stol(spec.substr(c2 + 1), &used);
      if (used != spec.size() - c2 - 1) throw std::invalid_argument("N");
    } catch (const std::exception&) {
      throw InputError("--vary " + text + ": FROM and TO must be numbers and N an integer");
    }
    if (n < 2 || n > 10000) throw InputError("--vary " + text + ": N must be in [2, 10000]");
    for (long i = 0; i < n; ++i)
      axis.values.push_back(
          significant(i + 1 == n ? to : from + (to - from) * static_cast<double>(i) / (n - 1), 15));
  } else {
    std::string cur;
    for (char ch : spec + ",") {
      if (ch == ',') {
        if (cur.empty()) throw InputError("--vary " + text + ": empty value in the list");
        axis.values.push_back(cur);
        cur.clear();
      } else {
        cur += ch;
      }
    }
  }
  return axis;
}

struct Point {
  std::vector<std::string> sets;  // KEY=VALUE of every axis
  std::string label;              // "key=value, key=value"
  fs::path file;
};

std::vector<Point> make_grid(const std::vector<Axis>& axes, const fs::path& dir,
                             const std::string& name) {
  std::size_t total = 1;
  for (const Axis& a : axes) total *= a.values.size();
  const int width = static_cast<int>(std::to_string(total - 1).size());
  std::vector<Point> points(total);
  for (std::size_t k = 0; k < total; ++k) {
    std::size_t rest = k;
    std::vector<std::string> sets(axes.size());
    for (std::size_t i = axes.size(); i-- > 0;) {
      const std::size_t v = rest % axes[i].values.size();
      rest /= axes[i].values.size();
      sets[i] = axes[i].key + "=" + axes[i].values[v];
    }
    Point& p = points[k];
    p.sets = sets;
    for (std::size_t i = 0; i < sets.size(); ++i) p.label += (i ? ", " : "") + sets[i];
    std::ostringstream file;
    file << name << "." << std::setw(width) << std::setfill('0') << k << ".h5";
    p.file = dir / file.str();
  }
  return points;
}

/// Whether this process runs point k (--point K, or under MPI the points dealt to its rank).
bool runs_here(const SweepOptions& opt, std::size_t k) {
  if (opt.collect) return false;
  if (opt.point) return static_cast<std::size_t>(*opt.point) == k;
  const int me = mpi::active() ? mpi::rank() : 0, ranks = mpi::active() ? mpi::size() : 1;
  return static_cast<int>(k % static_cast<std::size_t>(ranks)) == me;
}

/// Every point is built and checked as `run` builds and checks it (host/run/run_setup.h: scenario,
/// tiers, book, ladders, accounts) before anything runs, so that no point fails after others
/// ran; the targets of the points this process runs are checked too (an existing file
/// without --force), once the folder exists (sweep creates it).
void check_points(const SweepOptions& opt, const std::vector<Point>& points, const fs::path& dir) {
  std::error_code ec;
  const bool folder = fs::is_directory(dir, ec);
  for (std::size_t k = 0; k < points.size(); ++k) {
    const Point& p = points[k];
    SetupRequest request;
    request.config = opt.config;
    request.sets = opt.sets;
    request.output = p.file.string();
    request.force = opt.force;
    request.target_check = TargetCheck::none;
    request.hash_book = false;
    request.sets.insert(request.sets.end(), p.sets.begin(), p.sets.end());
    if (opt.seed) request.sets.push_back("simulation.seed=" + std::to_string(*opt.seed));
    if (folder && runs_here(opt, k)) request.target_check = TargetCheck::run;
    try {
      (void)set_up_run(request);
    } catch (const InputError& e) {
      throw InputError(std::string(e.what()) + " (sweep point " + p.label + ")");
    }
  }
}

}  // namespace

/// Per point, the metric's estimates at the level, and its changes from the previous point.
struct Series {
  std::vector<Estimate> mean, var, es;
  std::vector<Difference> d_mean, d_var;
};

/// `sweep --json`: every point's file, settings and estimates with their intervals, and
/// from the second point on its changes (unpaired interval; paired where there is one).
Json sweep_json(const std::string& metric, double level, const std::vector<Point>& points,
                const Series& series) {
  Json rows = Json::array();
  for (std::size_t k = 0; k < points.size(); ++k) {
    Json row = {{"point", k},
                {"file", points[k].file.string()},
                {"settings", points[k].sets},
                {"mean", series.mean[k].value},
                {"mean_ci", json_interval(series.mean[k].ci)},
                {"var", series.var[k].value},
                {"var_ci", json_interval(series.var[k].ci)},
                {"es", series.es[k].value},
                {"es_ci", json_interval(series.es[k].ci)}};
    if (k > 0) {
      row["mean_change"] = difference_json(series.d_mean[k]);
      row["var_change"] = difference_json(series.d_var[k]);
    }
    rows.push_back(std::move(row));
  }
  return {{"format", "liqstress-sweep"},
          {"format_version", 1},
          {"metric", metric},
          {"level", level},
          {"points", std::move(rows)}};
}

namespace {

/// `sweep --list`: the grid, one row per point.
void print_grid(const std::vector<Point>& points, std::ostream& out) {
  TextTable t({"point", "file", "settings"});
  for (std::size_t k = 0; k < points.size(); ++k)
    t.add_row({std::to_string(k), points[k].file.string(), points[k].label});
  t.print(out);
}

/// Checks --point and every point (check_points) before anything runs; the exit code to stop
/// with when the ranks found a problem, else 0.
int check_sweep(const SweepOptions& opt, const std::vector<Point>& points, const fs::path& dir,
                std::ostream& err) {
  if (opt.point && (*opt.point < 0 || static_cast<std::size_t>(*opt.point) >= points.size()))
    throw InputError("--point: must be in [0, " + std::to_string(points.size() - 1) + "], got " +
                     std::to_string(*opt.point));
  if (mpi::active() && !opt.point) {
    // Ranks check different targets (their own points'): they agree before any point runs.
    int code = 0;
    std::string message;
    try {
      check_points(opt, points, dir);
    } catch (const InputError& e) {
      code = static_cast<int>(ExitCode::usage), message = e.what();
    }
    if (const int rc = mpi::agree(code, message, err); rc != 0) return rc;
  } else {
    check_points(opt, points, dir);
  }
  return 0;
}

/// The options of `run` for one point: the sweep's, the point's settings, and quiet.
RunOptions point_run(const SweepOptions& opt, const Point& p) {
  RunOptions run;
  run.config = opt.config;
  run.output = p.file.string();
  run.paths = opt.paths;
  run.seed = opt.seed;
  run.sets = opt.sets;
  run.sets.insert(run.sets.end(), p.sets.begin(), p.sets.end());
  run.backend = opt.backend;
  run.simd = opt.simd;
  run.threads = opt.threads;
  run.force = opt.force;
  run.quiet = true;
  run.single_process = true;
  return run;
}

/// Runs this process's points in order, up to the first that fails; the exit code, with a
/// `message` for a failure.
int run_points(const SweepOptions& opt, const std::vector<Point>& points, std::string& message,
               std::ostream& err) {
  int code = 0;
  try {
    for (std::size_t k = 0; k < points.size(); ++k) {
      if (!runs_here(opt, k)) continue;
      const Point& p = points[k];
      if (!opt.quiet)
        err << "liqstress sweep: point " << k + 1 << " of " << points.size() << ": " << p.label
            << " -> " << p.file.string() << '\n';
      std::ostringstream tables;  // each point's own tables: in its file; the sweep's below
      code = run_command(point_run(opt, p), tables, err);
      if (code != 0) {
        message = "sweep point " + p.label + " failed";
        break;
      }
    }
  } catch (const InputError& e) {
    code = 2, message = e.what();
  } catch (const std::exception& e) {
    code = 3, message = e.what();
  }
  return code;
}

/// Creates the folder and runs the points; the exit code when the command ends here (a
/// failure, --point, or a rank other than 0), nothing when the table follows.
std::optional<int> run_sweep(const SweepOptions& opt, const std::vector<Point>& points,
                             const fs::path& dir, std::ostream& err) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw InputError(dir.string() + ": cannot create the sweep's folder (" + ec.message() + ")");
  // Under MPI the points are dealt to the ranks in turn; each rank runs its points alone.
  const int me = mpi::active() ? mpi::rank() : 0;
  std::string message;
  const int code = run_points(opt, points, message, err);
  if (mpi::active() && !opt.point) {
    if (const int rc = mpi::agree(code, message, err); rc != 0) return rc;
    if (me != 0) return 0;  // rank 0 prints the table
  } else if (code != 0) {
    if (!message.empty() && message.find("failed") == std::string::npos)
      err << "error: " << message << '\n';
    return code;
  }
  if (opt.point) return 0;
  return std::nullopt;
}

/// Every point's results file, opened; InputError for a missing one.
std::vector<std::unique_ptr<ResultsFile>> open_points(const std::vector<Point>& points) {
  std::vector<std::unique_ptr<ResultsFile>> files;
  for (const Point& p : points) {
    if (!fs::exists(p.file))
      throw InputError(p.file.string() + ": missing (run the point, e.g. --point " +
                       std::to_string(&p - points.data()) + ")");
    files.push_back(std::make_unique<ResultsFile>(p.file));
  }
  return files;
}

/// The file's summary of `metric`; InputError when it has none.
const MetricSummary& summary_of(const ResultsFile& f, const std::vector<Metric>& ms,
                                const std::string& metric) {
  const MetricSummary* s = nullptr;
  for (const Metric& m : ms)
    if (m.name == metric) s = &m.summary;
  if (s == nullptr) throw InputError(f.path.string() + ": no /summary/" + metric);
  return *s;
}

/// Whether two points ran the same paths and kept their rows: common random numbers, so
/// their changes are paired.
bool same_paths(const ResultsFile& f, const ResultsFile& g) {
  return f.seed == g.seed && f.first_path == g.first_path && f.paths == g.paths && f.per_path &&
         g.per_path;
}

/// A point's per-path column of the metric and its weights (empty when every weight is 1).
struct PointColumn {
  std::vector<double> values, weights;
};

/// Appends point k's changes of the mean and VaR from point k − 1 (none for k = 0): paired on
/// the per-path columns (weighted when the files are importance-sampled) when `crn`, else with
/// unpaired intervals only.
void add_changes(Series& series, std::size_t k, bool crn, const PointColumn& prev,
                 const PointColumn& column, const Stat& mean, const Stat& var) {
  Difference dm, dv;
  if (k > 0) {
    dm.value = series.mean[k].value - series.mean[k - 1].value;
    dv.value = series.var[k].value - series.var[k - 1].value;
    auto half = [](const Estimate& e) { return 0.5 * (e.ci.hi - e.ci.lo); };
    dm.unpaired_half = std::hypot(half(series.mean[k]), half(series.mean[k - 1]));
    dv.unpaired_half = std::hypot(half(series.var[k]), half(series.var[k - 1]));
    if (crn) {
      const Difference pm =
          paired_difference(prev.values, column.values, mean, prev.weights, column.weights);
      const Difference pv =
          paired_difference(prev.values, column.values, var, prev.weights, column.weights);
      if (pm.has_paired) dm.value = pm.value, dm.paired = pm.paired, dm.has_paired = true;
      const bool var_in_both = !std::isnan(dv.value);  // else missing in one: no difference
      if (pv.has_paired && var_in_both)
        dv.value = pv.value, dv.paired = pv.paired, dv.has_paired = true;
    }
  }
  series.d_mean.push_back(dm);
  series.d_var.push_back(dv);
}

/// Every point's estimates of `metric` and its changes from the previous point; `level` is
/// set to the level the VaR and ES are taken at.
Series point_series(const std::vector<std::unique_ptr<ResultsFile>>& files,
                    const std::string& metric, double& level) {
  const Stat mean{metric, "mean", Stat::mean, 0.0};
  Series series;
  PointColumn prev_column;
  for (std::size_t k = 0; k < files.size(); ++k) {
    const ResultsFile& f = *files[k];
    const std::vector<Metric> ms = f.read_metrics();
    const MetricSummary& s = summary_of(f, ms, metric);
    // The level nearest 99% of the first point; every point's estimate at that level, by
    // value (a point written with other output.quantiles shows it as missing: n/a, null).
    if (k == 0 && !s.levels.empty()) {
      level = s.levels.front();
      for (double p : s.levels)
        if (std::fabs(p - 0.99) < std::fabs(level - 0.99)) level = p;
    }
    const Stat var{metric, "VaR", Stat::var, level}, es{metric, "ES", Stat::es, level};
    series.mean.push_back(estimate_of(s, mean).value_or(Estimate{}));
    series.var.push_back(estimate_of(s, var).value_or(Estimate{}));
    series.es.push_back(estimate_of(s, es).value_or(Estimate{}));
    PointColumn column;
    if (f.per_path) {
      const FileColumns rows(f.file.get(), static_cast<int>(f.assets.size()),
                             static_cast<int>(f.portfolios.size()),
                             static_cast<std::size_t>(f.paths), f.path.string());
      column.values = rows.column(Column::total);
      column.weights = unless_all_ones(rows.column(Column::weight));
    }
    const bool crn = k > 0 && same_paths(f, *files[k - 1]);
    add_changes(series, k, crn, prev_column, column, mean, var);
    prev_column = std::move(column);
  }
  return series;
}

/// The sweep's table: every point's estimates and the paired changes between neighbours.
void print_sweep_table(const SweepOptions& opt, const std::vector<Point>& points,
                       const Series& series, double level, const fs::path& dir, std::ostream& out) {
  const std::string lvl = level_percent(level);
  out << "Sweep of " << opt.config << " over " << points.size()
      << " points, common random numbers (same seed and paths at every point); total "
         "liquidated notional per path, USD millions, 95% intervals; changes are to the previous "
         "point, paired (* = the interval excludes zero):\n";
  TextTable t({"point", "settings", "mean", "VaR " + lvl, "ES " + lvl, "mean change (paired)",
               "VaR change (paired)"});
  auto with_ci = [](const Estimate& e) {
    std::string o = millions(e.value);
    o.append(" (").append(millions(e.ci.lo)).append(" to ").append(millions(e.ci.hi)).append(")");
    return o;
  };
  auto change = [](const Difference& d, bool first) -> std::string {
    if (first) return "";
    std::string o = millions(d.value);
    if (!d.has_paired)
      return o.append(" (± ").append(millions(d.unpaired_half)).append(" unpaired)");
    const bool excludes = d.paired.lo > 0.0 || d.paired.hi < 0.0;
    o.append(" (").append(millions(d.paired.lo)).append(" to ").append(millions(d.paired.hi));
    return o.append(excludes ? ") *" : ")");
  };
  for (std::size_t k = 0; k < points.size(); ++k)
    t.add_row({std::to_string(k), points[k].label, with_ci(series.mean[k]), with_ci(series.var[k]),
               with_ci(series.es[k]), change(series.d_mean[k], k == 0),
               change(series.d_var[k], k == 0)});
  t.print(out);
  out << "files: " << dir.string() << "/ (compare any of them: liqstress compare A.h5 B.h5)\n";
}

}  // namespace

/// An automatic importance tilt is chosen once, for the base scenario (the config and --set,
/// without the axes), and every point runs with it as if its keys had been written: the points
/// differ in their settings alone (paired differences on the same weights' law), and each
/// point — in this process, another rank or a --point task — gets the same tilt without a
/// pilot of its own. The options unchanged when the scenario has no automatic tilt.
SweepOptions with_base_tilt(const SweepOptions& opt, const Scenario& base, std::ostream& err) {
  if (!base.importance.automatic() || base.importance.given.all() || opt.list || opt.collect)
    return opt;
  SetupRequest request;
  request.config = opt.config;
  request.sets = opt.sets;
  if (opt.seed) request.sets.push_back("simulation.seed=" + std::to_string(*opt.seed));
  request.target_check = TargetCheck::none;
  request.hash_book = false;
  request.threads = opt.threads;
  request.progress = opt.quiet ? nullptr : &err;
  const RunSetup setup = set_up_run(request);
  SweepOptions o = opt;
  for (std::string& kv : tilt_settings(setup.scenario)) o.sets.push_back(std::move(kv));
  return o;
}

int sweep_command(const SweepOptions& options, std::ostream& out, std::ostream& err) {
  if (options.vary.empty()) throw InputError("sweep: give at least one --vary KEY=FROM:TO:N");
  std::vector<Axis> axes;
  for (const std::string& v : options.vary) axes.push_back(parse_vary(v));
  // The base scenario must load, and so must every point (checked before anything runs).
  const Scenario base = load_scenario(options.config, options.sets);
  const SweepOptions opt = with_base_tilt(options, base, err);
  const fs::path dir =
      opt.output_dir ? fs::path(*opt.output_dir) : fs::path("results") / ("sweep-" + base.name);
  const std::vector<Point> points = make_grid(axes, dir, base.name);
  if (opt.list) {
    print_grid(points, out);
    return 0;
  }
  if (const int rc = check_sweep(opt, points, dir, err); rc != 0) return rc;
  if (!opt.collect) {
    if (const std::optional<int> rc = run_sweep(opt, points, dir, err)) return *rc;
  }

  // The table: every point's total liquidations, and paired differences between neighbours.
  const std::vector<std::unique_ptr<ResultsFile>> files = open_points(points);
  const std::string metric = "total_liquidated_usd";
  double level = 0.99;
  const Series series = point_series(files, metric, level);
  if (opt.json) {
    out << json_text(sweep_json(metric, level, points, series));
    return 0;
  }
  print_sweep_table(opt, points, series, level, dir, out);
  return 0;
}

}  // namespace liq
