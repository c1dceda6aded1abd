// liqstress reverse — reverse stress testing (EBA GL/2018/04; CPMI-IOSCO guidance for CCPs):
// the smallest scale s of a stress direction at which a statistic of a metric reaches a target.
//
// A direction is `shock` (every [[shock]]'s returns times s, all assets jointly) or a numeric
// scenario key (its value times s). Every trial runs the same paths with the same seed —
// common random numbers — so the estimate is a deterministic function of s, monotone wherever
// the model is (a larger crash liquidates at least as much on every path of a one-sided book).
// The search brackets s (doubling from 1, or bisecting down to 0) and bisects to a relative
// tolerance. The 95% interval of s* inverts the statistic's own 95% interval band: the
// smallest s where its upper bound reaches the target, and the smallest s where its lower bound
// does (each by the same bisection on the same trials).
#include <cctype>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

#include "host/app/commands.h"
#include "host/backend/backend.h"
#include "host/io/atomic_file.h"
#include "host/io/json.h"
#include "host/run/run_setup.h"
#include "host/scenario/config.h"
#include "host/stats/paired.h"
#include "host/util/errors.h"
#include "host/util/format.h"
#include "host/util/table.h"

namespace liq {

namespace {

/// "mean", "var:0.99", "es:0.975" or "exceed:1e8" (InputError otherwise).
Stat parse_statistic(const std::string& metric, const std::string& text) {
  Stat st;
  st.metric = metric;
  st.statistic = text;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  if (kind == "mean" && colon == std::string::npos) return st;
  double param = NAN;
  if (colon != std::string::npos) {
    try {
      std::size_t used = 0;
      param = std::stod(text.substr(colon + 1), &used);
      if (used != text.size() - colon - 1) param = NAN;
    } catch (const std::exception&) {
      param = NAN;
    }
  }
  const bool level = param > 0 && param < 1;
  if (kind == "var" && level)
    st.kind = Stat::var;
  else if (kind == "es" && level)
    st.kind = Stat::es;
  else if (kind == "exceed" && std::isfinite(param))
    st.kind = Stat::exceedance;
  else
    throw InputError("--statistic " + text +
                     ": use mean, var:P or es:P (0 < P < 1), or exceed:USD");
  st.param = param;
  return st;
}

/// The `--set` overrides that put the stress direction at scale s.
class Direction {
 public:
  Direction(const std::string& scale, const Scenario& base) : name_(scale) {
    if (scale == "shock") {
      if (base.shocks.empty())
        throw InputError("--scale shock: " + base.source_file.string() + " has no [[shock]]");
      for (const ShockSpec& sh : base.shocks) shocks_.push_back(sh.returns);
      symbols_.reserve(base.assets.size());
      for (const AssetSpec& a : base.assets) symbols_.push_back(a.symbol);
      return;
    }
    const std::optional<double> value = resolved_real(base, scale);
    if (!value)
      throw InputError("--scale " + scale + ": not a real-valued key of the resolved scenario " +
                       "(use `shock` or a key such as market_jumps.mean; `liqstress validate` " +
                       "prints them)");
    base_value_ = *value;
  }

  std::vector<std::string> sets(double s) const {
    if (shocks_.empty()) return {name_ + "=" + float_literal(base_value_ * s)};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < shocks_.size(); ++i) {
      std::string t = "shock[" + std::to_string(i) + "].returns={";
      for (std::size_t a = 0; a < shocks_[i].size(); ++a)
        t += (a ? ", " : "") + symbols_[a] + " = " + float_literal(shocks_[i][a] * s);
      out.push_back(t + "}");
    }
    return out;
  }
  const std::string& name() const { return name_; }
  /// The largest scale the direction allows: a shock's returns stay above −100%.
  double limit() const {
    double worst = 0.0;  // the most negative return at s = 1
    for (const auto& r : shocks_)
      for (double x : r) worst = std::min(worst, x);
    return worst < 0.0 ? std::nextafter(-1.0 / worst, 0.0) : INFINITY;
  }

 private:
  std::string name_;
  std::vector<std::vector<double>> shocks_;  // [shock][asset] simple returns at s = 1
  std::vector<std::string> symbols_;
  double base_value_ = 0.0;
};

/// Runs the scenario at scale s (paths [0, n), the scenario's seed) and estimates the statistic.
class Evaluator {
 public:
  Evaluator(const ReverseOptions& opt, const Direction& dir, const Stat& st, std::ostream& err)
      : opt_(opt), dir_(dir), st_(st), err_(err) {
    std::string why;
    backend_ = make_backend(parse_backend_choice(opt.backend), opt.threads, why, 0, opt.simd);
  }

  const Estimate& at(double s) {
    const auto it = trials_.find(s);
    if (it != trials_.end()) return it->second;
    const Estimate e = run(s);
    if (!opt_.quiet)
      err_ << "  scale " << std::setw(10) << float_literal(s) << "  " << st_.statistic << " "
           << format_si(e.value) << " (" << format_si(e.ci.lo) << " to " << format_si(e.ci.hi)
           << ")\n";
    return trials_.emplace(s, e).first->second;
  }
  SetupRequest request(double s) const {
    SetupRequest r;
    r.config = opt_.config;
    r.sets = opt_.sets;
    for (std::string& kv : dir_.sets(s)) r.sets.push_back(std::move(kv));
    for (const std::string& kv : tilt_sets_) r.sets.push_back(kv);
    r.target_check = TargetCheck::none;
    r.hash_book = false;
    r.threads = opt_.threads;
    r.progress = opt_.quiet ? nullptr : &err_;  // the automatic tilt's pilot, the first trial's
    return r;
  }
  const std::map<double, Estimate>& trials() const { return trials_; }

 private:
  Estimate run(double s) {
    const RunSetup setup = set_up_run(request(s));
    const Scenario& sc = setup.scenario;
    if (setup.tilt) fix_tilt(sc);
    const Model model = setup.model->model();
    const std::uint64_t n =
        opt_.paths ? static_cast<std::uint64_t>(*opt_.paths) : sc.simulation.paths;
    const int portfolios = static_cast<int>(sc.portfolios.size());
    PathColumns columns(sc.n_assets(), portfolios);
    PathRows rows;
    StepSums sums;  // no cells: the per-step sums are not needed here
    const std::uint64_t batch = std::max<std::uint64_t>(1, backend_->preferred_batch());
    for (std::uint64_t first = 0; first < n; first += batch) {
      rows.resize(static_cast<std::size_t>(std::min(batch, n - first)), sc.n_assets(), portfolios);
      backend_->simulate(model, first, rows, sums);
      columns.add(rows);
    }
    std::vector<std::string> assets, names;
    for (const AssetSpec& a : sc.assets) assets.push_back(a.symbol);
    for (const PortfolioSpec& p : sc.portfolios) names.push_back(p.name);
    const std::optional<std::vector<double>> x = column_of(columns, assets, names, st_.metric);
    if (!x) throw InputError("--metric " + st_.metric + ": not a metric of this scenario");
    SummaryOptions so;
    if (st_.kind == Stat::var || st_.kind == Stat::es) so.levels = {st_.param};
    if (st_.kind == Stat::exceedance) so.thresholds = {st_.param};
    return estimate_of(summarize(*x, columns.weight(), so), st_).value();
  }

  /// An automatic importance tilt is chosen once, by the first trial's pilot, and kept for
  /// every later trial (as if its keys had been written): the trials then differ in the
  /// scale alone, on common random numbers, and the scenario written at s* reruns as found.
  void fix_tilt(const Scenario& sc) { tilt_sets_ = tilt_settings(sc); }

  const ReverseOptions& opt_;
  const Direction& dir_;
  const Stat& st_;
  std::ostream& err_;
  std::unique_ptr<Backend> backend_;
  std::map<double, Estimate> trials_;
  std::vector<std::string> tilt_sets_;  // the automatic tilt, once chosen (fix_tilt)
};

/// The smallest s in (lo, hi] where `reach` holds, given that it fails at lo and holds at hi,
/// to a relative tolerance.
double bisect(double lo, double hi, double tol, const std::function<bool(double)>& reach) {
  while (hi - lo > tol * hi) {
    const double mid = 0.5 * (lo + hi);
    (reach(mid) ? hi : lo) = mid;
  }
  return hi;
}

/// The smallest s ≥ 0 where `reach` holds: 0 when it holds at 0; else bracketed by doubling
/// from 1 up to max_scale and bisected; nullopt when max_scale does not reach.
std::optional<double> smallest_scale(const std::function<bool(double)>& reach, double max_scale,
                                     double tol) {
  if (reach(1.0)) return reach(0.0) ? 0.0 : bisect(0.0, 1.0, tol, reach);
  for (double lo = 1.0; lo < max_scale; lo *= 2) {
    const double hi = std::min(2 * lo, max_scale);
    if (reach(hi)) return bisect(lo, hi, tol, reach);
  }
  return std::nullopt;
}

/// The smallest trial scale at which `reach` holds above the largest trial scale at which it
/// fails (the bisection may have stopped at a larger one, with a smaller one in the trials of
/// another curve); `found` when no trial improves on it.
double tightest(const Evaluator& ev, const std::function<bool(double)>& reach, double found) {
  double failing = -INFINITY;
  for (const auto& [s, e] : ev.trials())
    if (s < found && !reach(s)) failing = std::max(failing, s);
  double best = found;
  for (const auto& [s, e] : ev.trials())
    if (s > failing && s < best && reach(s)) best = s;
  return best;
}

struct Answer {
  double scale = NAN;
  Interval scale_ci{NAN, NAN};
  Estimate value;
};

Answer search(Evaluator& ev, const ReverseOptions& opt, double max_scale) {
  const double t = opt.target;
  const auto value = [&](double s) { return ev.at(s).value >= t; };
  const std::optional<double> s = smallest_scale(value, max_scale, opt.tolerance);
  if (!s) {
    double largest = -INFINITY;
    for (const auto& [scale, e] : ev.trials()) largest = std::max(largest, e.value);
    throw InputError("--target " + number_text(t) + " is not reached up to scale " +
                     number_text(max_scale) + " (the largest " + opt.statistic +
                     " seen: " + number_text(largest) + ")" +
                     (max_scale < opt.max_scale ? " — the largest scale that keeps every shock "
                                                  "return above -100%"
                                                : "; raise --max-scale or lower --target"));
  }
  const auto upper = [&](double x) { return ev.at(x).ci.hi >= t; };
  const auto lower = [&](double x) { return ev.at(x).ci.lo >= t; };
  Answer a;
  a.scale = tightest(ev, value, *s);
  a.value = ev.at(a.scale);
  const std::optional<double> ci_lo = smallest_scale(upper, max_scale, opt.tolerance);
  const std::optional<double> ci_hi = smallest_scale(lower, max_scale, opt.tolerance);
  // The bounds bracket s* whatever the bisections' paths (the curves are ordered).
  a.scale_ci.lo = std::min(ci_lo ? tightest(ev, upper, *ci_lo) : 0.0, a.scale);
  a.scale_ci.hi = std::max(ci_hi ? tightest(ev, lower, *ci_hi) : INFINITY, a.scale);
  return a;
}

std::string file_stem(const std::string& direction) {
  std::string out;
  for (char c : direction) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
}

/// Writes the scenario at s* as a runnable TOML file; returns its path.
std::string write_scenario(const Evaluator& ev, const ReverseOptions& opt, const Answer& a,
                           const Scenario& base) {
  const RunSetup at = set_up_run(ev.request(a.scale));
  const std::filesystem::path dir = opt.output_dir.value_or("results");
  const std::string path =
      (dir / (base.name + "-reverse-" + file_stem(opt.scale) + ".toml")).string();
  std::ostringstream text;
  text << "# liqstress reverse: " << opt.config << " with --scale " << opt.scale
       << " at s* = " << float_literal(a.scale) << " (95% interval " << float_literal(a.scale_ci.lo)
       << " to " << float_literal(a.scale_ci.hi) << "), where the " << opt.statistic << " of "
       << opt.metric << " reaches " << number_text(opt.target) << ".\n"
       << at.scenario.resolved_toml;
  write_text_file_atomically(path, text.str(), opt.force);
  return path;
}

std::string answer_json(const Evaluator& ev, const ReverseOptions& opt, const Answer& a) {
  Json trials = Json::array();
  for (const auto& [s, e] : ev.trials())
    trials.push_back(Json{{"scale", s}, {"value", e.value}, {"ci", json_interval(e.ci)}});
  const Json j{{"metric", opt.metric},   {"statistic", opt.statistic},
               {"target", opt.target},   {"direction", opt.scale},
               {"scale", a.scale},       {"scale_ci", json_interval(a.scale_ci)},
               {"value", a.value.value}, {"value_ci", json_interval(a.value.ci)},
               {"trials", trials}};
  return json_text(j);
}

void print_answer(const Evaluator& ev, const ReverseOptions& opt, const Answer& a,
                  const std::string& written, std::ostream& out) {
  out << "reverse stress: the " << opt.statistic << " of " << opt.metric << " reaches "
      << format_si(opt.target) << " at " << opt.scale << " scale s* = " << float_literal(a.scale)
      << " (95% interval " << float_literal(a.scale_ci.lo) << " to " << float_literal(a.scale_ci.hi)
      << ")\n";
  out << "  " << opt.statistic << " at s*: " << format_si(a.value.value) << " (95% CI "
      << format_si(a.value.ci.lo) << " to " << format_si(a.value.ci.hi) << ")\n";
  TextTable t({"scale", opt.statistic, "95% CI low", "95% CI high"});
  for (const auto& [s, e] : ev.trials())
    t.add_row({number_text(s), format_si(e.value), format_si(e.ci.lo), format_si(e.ci.hi)});
  out << "trials (common random numbers):\n";
  t.print(out);
  out << "scenario at s*: " << written << "\n";
}

}  // namespace

int reverse_command(const ReverseOptions& opt, std::ostream& out, std::ostream& err) {
  if (!(opt.max_scale > 1)) throw InputError("--max-scale: must be > 1");
  if (!(opt.tolerance > 0 && opt.tolerance < 0.5))
    throw InputError("--tolerance: must be in (0, 0.5)");
  if (opt.paths && *opt.paths < 2) throw InputError("--paths: must be at least 2");
  SetupRequest base_request;
  base_request.config = opt.config;
  base_request.sets = opt.sets;
  base_request.target_check = TargetCheck::none;
  base_request.hash_book = false;
  const Scenario base = set_up_run(base_request).scenario;
  const Stat st = parse_statistic(opt.metric, opt.statistic);
  const Direction dir(opt.scale, base);
  if (opt.output_dir && !std::filesystem::is_directory(*opt.output_dir))
    throw InputError("-o " + *opt.output_dir + ": not a folder");
  Evaluator ev(opt, dir, st, err);
  if (!opt.quiet) err << "liqstress reverse: trials of --scale " << opt.scale << "\n";
  const Answer a = search(ev, opt, std::min(opt.max_scale, dir.limit()));
  const std::string written = write_scenario(ev, opt, a, base);
  if (opt.json)
    out << answer_json(ev, opt, a);
  else
    print_answer(ev, opt, a, written, out);
  return 0;
}

}  // namespace liq
