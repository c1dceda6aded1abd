// liqstress — `liqstress run`: scenario in, paths simulated in batches on the chosen
// backend, rows streamed into the results file, a short table at the end.
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "host/backend.h"
#include "host/book.h"
#include "host/commands.h"
#include "host/config.h"
#include "host/errors.h"
#include "host/ladder.h"
#include "host/market_model.h"
#include "host/model_inputs.h"
#include "host/progress.h"
#include "host/results_file.h"
#include "host/table.h"
#include "host/version.h"

namespace liq {

namespace {

std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) {
  g_signal.store(sig);
}

/// Installs SIGINT/SIGTERM handlers for the run's lifetime: the loop stops between
/// batches, the writer removes its temporary file, and the process exits 130 or 143.
class SignalGuard {
 public:
  SignalGuard() {
    g_signal.store(0);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

std::string substitute_name(std::string path, const std::string& name) {
  const std::string key = "{name}";
  for (std::size_t at = path.find(key); at != std::string::npos;
       at = path.find(key, at + name.size()))
    path.replace(at, key.size(), name);
  return path;
}

/// x_(⌈n p⌉) of a sample (MODEL.md §5, unweighted); sorts its argument.
double order_quantile(std::vector<double>& v, double p) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  k = std::clamp<std::size_t>(k, 1, v.size());
  return v[k - 1];
}

std::string pct_return(double log_return) {
  return format_percent(std::expm1(log_return));
}

/// Per-path values kept for the end-of-run tables (memory: see run_memory_bytes).
struct TableColumns {
  int n_assets, n_portfolios;
  std::vector<std::vector<double>> final_lr, min_lr, max_lr;  // [asset][path]
  std::vector<std::vector<double>> liquidated;                // [asset × 2 + side][path]
  std::vector<double> bad_debt, adl, fund;                    // [path]
  std::vector<std::vector<double>> pnl;                       // [portfolio][path]
  std::vector<std::uint64_t> liquidated_accounts;             // [portfolio]
  std::uint16_t most_rounds = 0;                              // over all paths
  std::vector<std::uint64_t> paths_by_rounds;                 // [rounds]: paths with that many
  TableColumns(int assets, int portfolios)
      : n_assets(assets),
        n_portfolios(portfolios),
        final_lr(assets),
        min_lr(assets),
        max_lr(assets),
        liquidated(2 * static_cast<std::size_t>(assets)),
        pnl(portfolios),
        liquidated_accounts(portfolios, 0) {}
  void add(const PathRows& rows) {
    for (std::size_t r = 0; r < rows.n_rows; ++r) {
      for (int a = 0; a < n_assets; ++a) {
        const std::size_t i = r * static_cast<std::size_t>(n_assets) + a;
        final_lr[a].push_back(rows.final_log_return[i]);
        min_lr[a].push_back(rows.min_log_return[i]);
        max_lr[a].push_back(rows.max_log_return[i]);
        liquidated[2 * a].push_back(rows.liquidated_usd[2 * i]);
        liquidated[2 * a + 1].push_back(rows.liquidated_usd[2 * i + 1]);
      }
      const std::uint16_t rounds = rows.cascade_rounds[r];
      most_rounds = std::max(most_rounds, rounds);
      if (paths_by_rounds.size() <= rounds) paths_by_rounds.resize(rounds + std::size_t{1}, 0);
      ++paths_by_rounds[rounds];
      bad_debt.push_back(rows.bad_debt_usd[r]);
      adl.push_back(rows.adl_usd[r]);
      fund.push_back(rows.insurance_fund_usd[r]);
      for (int p = 0; p < n_portfolios; ++p) {
        const std::size_t i = r * static_cast<std::size_t>(n_portfolios) + p;
        pnl[p].push_back(rows.portfolio_pnl_usd[i]);
        liquidated_accounts[p] += rows.portfolio_liquidated[i];
      }
    }
  }
  /// Bytes per path held here.
  static std::size_t bytes_per_path(int assets, int portfolios) {
    return sizeof(double) * (5 * static_cast<std::size_t>(assets) + 3 + portfolios);
  }
};

double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

/// USD in millions with two decimals: "1,234.56M".
std::string musd(double usd) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(2) << usd / 1e6;
  return o.str();
}

void print_liquidation_table(const Scenario& sc, TableColumns& cols, std::ostream& out) {
  TextTable t({"asset", "side", "mean", "median", "q90", "q99", "max", "P(any)"});
  double total_mean = 0.0;
  for (int a = 0; a < sc.n_assets(); ++a) {
    for (int side = 0; side < 2; ++side) {
      std::vector<double>& v = cols.liquidated[2 * static_cast<std::size_t>(a) + side];
      const double mean = mean_of(v);
      total_mean += mean;
      std::size_t any = 0;
      for (double x : v) any += x > 0.0 ? 1 : 0;
      t.add_row({sc.assets[a].symbol, side == 0 ? "long" : "short", musd(mean),
                 musd(order_quantile(v, 0.5)), musd(order_quantile(v, 0.9)),
                 musd(order_quantile(v, 0.99)), musd(v.empty() ? 0.0 : v.back()),
                 format_percent(static_cast<double>(any) /
                                    static_cast<double>(std::max<std::size_t>(v.size(), 1)),
                                1)});
    }
  }
  out << "Liquidated notional q·P_liq per path, USD millions (quantiles over paths; sampling "
         "intervals come with the statistics of a later version):\n";
  t.print(out);
  out << "total liquidated, mean per path: " << musd(total_mean) << "M USD\n\n";

  TextTable m({"who pays", "mean", "median", "q99", "max", "P(> 0)"});
  auto money_row = [&](const std::string& name, std::vector<double>& v) {
    std::size_t positive = 0;
    for (double x : v) positive += x > 0.0 ? 1 : 0;
    const double mean = mean_of(v);
    m.add_row({name, musd(mean), musd(order_quantile(v, 0.5)), musd(order_quantile(v, 0.99)),
               musd(v.empty() ? 0.0 : v.back()),
               format_percent(static_cast<double>(positive) /
                                  static_cast<double>(std::max<std::size_t>(v.size(), 1)),
                              1)});
  };
  money_row("bad debt", cols.bad_debt);
  money_row("auto-deleveraged (ADL)", cols.adl);
  money_row("insurance fund at horizon", cols.fund);
  out << "Who pays, USD millions per path (fund starts at " << musd(sc.insurance_fund.balance_usd)
      << "M, fee " << format_percent(sc.insurance_fund.liquidation_fee, 2) << "):\n";
  m.print(out);
  if (cols.n_portfolios > 0) {
    TextTable pt({"portfolio", "mean P&L", "loss q95", "loss q99", "worst loss", "P(liquidated)"});
    for (int p = 0; p < cols.n_portfolios; ++p) {
      std::vector<double> loss(cols.pnl[p].size());
      for (std::size_t i = 0; i < loss.size(); ++i) loss[i] = -cols.pnl[p][i];
      const double n = static_cast<double>(std::max<std::size_t>(loss.size(), 1));
      pt.add_row({sc.portfolios[p].name, musd(mean_of(cols.pnl[p])),
                  musd(order_quantile(loss, 0.95)), musd(order_quantile(loss, 0.99)),
                  musd(loss.empty() ? 0.0 : loss.back()),
                  format_percent(static_cast<double>(cols.liquidated_accounts[p]) / n, 2)});
    }
    out << "\nPortfolios (cross margin), USD millions; loss = -P&L over the horizon, marked to "
           "market at spot at the start:\n";
    pt.print(out);
  }
}

/// Bytes of memory a run needs beyond the book: the per-path values kept for the tables,
/// one batch of rows, and the per-thread step sums.
std::size_t run_memory_bytes(std::uint64_t paths, std::uint64_t batch, int assets, int portfolios,
                             std::int32_t steps, int threads) {
  const std::size_t row = sizeof(double) * (3 * assets + 2 * assets + 4 + portfolios) +
                          sizeof(std::uint32_t) * 2 * assets + portfolios;
  return static_cast<std::size_t>(paths) * TableColumns::bytes_per_path(assets, portfolios) +
         static_cast<std::size_t>(batch) * row * 2 +
         static_cast<std::size_t>(threads + 1) * static_cast<std::size_t>(steps) * assets * 2 * 32;
}

/// MemAvailable from /proc/meminfo in bytes (0 when unknown).
std::size_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::size_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemAvailable:") return kb * 1024;
  }
  return 0;
}

std::string gib(std::size_t bytes) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(2) << static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0)
    << " GiB";
  return o.str();
}

void print_price_table(const Scenario& sc, TableColumns& cols, std::ostream& out) {
  TextTable t({"asset", "spot USD", "mean return", "stdev", "worst 1% low", "median low",
               "median high", "best 1% high"});
  for (int a = 0; a < sc.n_assets(); ++a) {
    const std::vector<double>& f = cols.final_lr[a];
    double mean_simple = 0.0, m2 = 0.0;
    for (double x : f) mean_simple += std::expm1(x);
    mean_simple /= static_cast<double>(std::max<std::size_t>(f.size(), 1));
    for (double x : f) m2 += (std::expm1(x) - mean_simple) * (std::expm1(x) - mean_simple);
    const double sd = f.size() > 1 ? std::sqrt(m2 / static_cast<double>(f.size() - 1)) : 0.0;
    std::ostringstream spot;
    spot << std::fixed << std::setprecision(sc.assets[a].spot < 10 ? 4 : 2) << sc.assets[a].spot;
    t.add_row({sc.assets[a].symbol, spot.str(), format_percent(mean_simple), format_percent(sd),
               pct_return(order_quantile(cols.min_lr[a], 0.01)),
               pct_return(order_quantile(cols.min_lr[a], 0.5)),
               pct_return(order_quantile(cols.max_lr[a], 0.5)),
               pct_return(order_quantile(cols.max_lr[a], 0.99))});
  }
  out << "Price paths over " << format_seconds(sc.simulation.horizon_s)
      << " (simple returns; low/high = the path's extreme, Brownian-bridge extremes included):\n";
  t.print(out);
}

}  // namespace

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown CPU";
}

namespace {

/// The cascade in two lines: how many rounds steps needed, and a warning when paths
/// reached impact.max_cascade_rounds (their fixed point may not have been reached).
void print_cascade_lines(const Scenario& sc, const TableColumns& c, std::uint64_t n_paths,
                         std::ostream& out, std::ostream& err) {
  const std::int32_t cap = sc.impact.max_cascade_rounds;
  std::uint64_t multi = 0, capped = 0;
  for (std::size_t r = 0; r < c.paths_by_rounds.size(); ++r) {
    if (r >= 2) multi += c.paths_by_rounds[r];
    if (static_cast<std::int32_t>(r) >= cap) capped += c.paths_by_rounds[r];
  }
  out << "\ncascades: " << format_count(static_cast<double>(multi)) << " of "
      << format_count(static_cast<double>(n_paths))
      << " paths had a step where forced flow liquidated more (2+ rounds); most rounds in a "
         "step: "
      << c.most_rounds << " (cap " << cap << ")\n";
  if (capped > 0) {
    err << "liqstress: warning: " << capped << " path" << (capped == 1 ? "" : "s")
        << " reached impact.max_cascade_rounds = " << cap
        << " in some step; their cascade may not have reached its fixed point (raise the cap)\n";
    out << "warning: " << format_count(static_cast<double>(capped))
        << " paths reached impact.max_cascade_rounds\n";
  }
}

}  // namespace

int run_command(const RunOptions& opt, std::ostream& out, std::ostream& err) {
  std::vector<std::string> sets = opt.sets;
  if (opt.seed) sets.push_back("simulation.seed=" + std::to_string(*opt.seed));
  const Scenario sc =
      opt.config ? load_scenario(*opt.config, sets)
                 : load_scenario_text(builtin_default_config(), "configs/default.toml (built in)",
                                      std::filesystem::current_path(), "default", sets);
  for (const std::string& w : sc.warnings) err << "warning: " << w << '\n';

  if (opt.paths && *opt.paths <= 0)
    throw InputError("--paths: must be > 0, got " + std::to_string(*opt.paths));
  const auto n_paths = static_cast<std::uint64_t>(opt.paths ? *opt.paths : sc.simulation.paths);
  if (opt.threads < 0)
    throw InputError("--threads: must be >= 0, got " + std::to_string(opt.threads));

  const std::filesystem::path target =
      opt.output ? *opt.output : substitute_name(sc.output.path, sc.name);

  const ModelInputs inputs(sc);
  const Model model = inputs.model();
  const MarketParams& params = model.market;
  const Book& book = inputs.book();
  const Ladders& ladders = inputs.ladders();
  const int n_portfolios = static_cast<int>(sc.portfolios.size());
  std::string why;
  std::unique_ptr<Backend> backend =
      make_backend(parse_backend_choice(opt.backend), opt.threads, why);
  std::string device = backend->device();
  if (backend->name() == "cpu") device += " on " + cpu_model_name();
  if (!opt.quiet)
    err << "liqstress: backend " << backend->name() << " (" << device << "; " << why << ")\n";
  if (!opt.quiet) {
    err << "liqstress: book " << book.description << " in " << ladders.groups() << " ladders";
    if (sc.impact.model != ImpactModel::none)
      err << "; impact " << (sc.impact.model == ImpactModel::linear ? "linear" : "sqrt")
          << " (strength " << sc.impact.strength << ", up to " << sc.impact.max_cascade_rounds
          << " cascade rounds a step)";
    err << '\n';
  }
  const std::size_t need = run_memory_bytes(n_paths, backend->preferred_batch(), sc.n_assets(),
                                            n_portfolios, params.n_steps, omp_get_max_threads()) +
                           ladders.bytes();
  const std::size_t have = available_memory_bytes();
  if (have > 0 && need > have) {
    throw InputError("this run needs about " + gib(need) + " of memory for " +
                     format_count(static_cast<double>(n_paths)) + " paths (" +
                     std::to_string(TableColumns::bytes_per_path(sc.n_assets(), n_portfolios)) +
                     " bytes per path for the summary tables, plus the book), but " + gib(have) +
                     " is available; run fewer paths per process (--paths, and --first-path for "
                     "shards that together make the run)");
  }

  Provenance prov;
  prov.liqstress_version = liqstress_version();
  prov.git_commit = git_commit();
  prov.created_utc = utc_now_iso8601();
  prov.config = sc.resolved_toml;
  prov.seed = sc.simulation.seed;
  prov.first_path = opt.first_path;
  prov.paths = n_paths;
  prov.steps = params.n_steps;
  prov.step_seconds = sc.simulation.step_s;
  prov.backend = backend->name();
  prov.device = device;
  std::vector<std::string> symbols;
  for (const AssetSpec& a : sc.assets) symbols.push_back(a.symbol);

  SignalGuard signals;
  std::vector<std::string> portfolio_names;
  for (const PortfolioSpec& ps : sc.portfolios) portfolio_names.push_back(ps.name);
  ResultsWriter writer(target, opt.force, prov, symbols, n_paths, sc.output.per_path,
                       portfolio_names);

  const auto start = std::chrono::steady_clock::now();
  Progress progress(n_paths, !opt.quiet && stderr_is_terminal());
  TableColumns columns(sc.n_assets(), n_portfolios);
  StepSums step_sums;
  step_sums.reset(StepCells{params.n_steps, sc.n_assets()}.total());
  PathRows rows;
  const std::uint64_t batch = backend->preferred_batch();
  for (std::uint64_t done = 0; done < n_paths;) {
    if (const int sig = g_signal.load(); sig != 0) {
      progress.finish();
      err << "liqstress: interrupted by " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << " after "
          << format_count(static_cast<double>(done)) << " paths; no results written to "
          << target.string() << '\n';
      return static_cast<int>(sig == SIGINT ? ExitCode::interrupted : ExitCode::terminated);
    }
    const std::uint64_t n = std::min(batch, n_paths - done);
    rows.resize(static_cast<std::size_t>(n), sc.n_assets(), n_portfolios);
    backend->simulate(model, opt.first_path + done, rows, step_sums);
    writer.write_rows(static_cast<std::size_t>(done), rows);
    columns.add(rows);
    done += n;
    progress.update(done);
  }
  progress.finish();
  if (const int sig = g_signal.load(); sig != 0) {
    err << "liqstress: interrupted; no results written to " << target.string() << '\n';
    return static_cast<int>(sig == SIGINT ? ExitCode::interrupted : ExitCode::terminated);
  }
  writer.write_timeseries(step_sums, n_paths, params.n_steps);
  writer.commit();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const double pas = static_cast<double>(n_paths) * sc.n_assets() * params.n_steps;
  out << "results: " << target.string() << "\n  " << format_count(static_cast<double>(n_paths))
      << " paths [" << opt.first_path << ", " << opt.first_path + n_paths << ") x " << sc.n_assets()
      << " assets x " << format_count(params.n_steps) << " steps, seed " << sc.simulation.seed
      << ", " << backend->name() << ", " << format_seconds(seconds) << " ("
      << format_si(pas / std::max(seconds, 1e-9)) << " path-asset-steps/s)\n\n";
  print_price_table(sc, columns, out);
  out << '\n';
  print_liquidation_table(sc, columns, out);
  if (sc.impact.model != ImpactModel::none) print_cascade_lines(sc, columns, n_paths, out, err);
  return 0;
}

}  // namespace liq
