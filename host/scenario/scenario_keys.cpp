// liqstress — the scenario schema (host/scenario/schema.h): every key of a scenario file,
// section by section in the order they are read, written and documented, each with its type,
// default, meaning, reader (the validation rules and their messages) and writer.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "host/scenario/schema.h"
#include "host/scenario/spelling.h"
#include "host/scenario/tiers.h"
#include "host/scenario/toml_text.h"
#include "host/util/format.h"
#include "host/util/linalg.h"
#include "kernels/market.h"

// The tables below name only the fields a key sets (designated initializers); the rest keep
// their defaults by design, which g++ 12 reports under -Wextra.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace liq::schema {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kMaxSteps = 10'000'000;
constexpr double kMaxJumpsPerStep = 50.0;  // beyond this the Poisson draw is not a "jump"
constexpr double kSymmetryTol = 1e-12;
constexpr double kPsdTol = 1e-12;  // smallest eigenvalue allowed below zero (rounding)
constexpr double kWeightSumTol = 1e-9;
constexpr std::int64_t kMaxCascadeRounds = 65535;  // stored per path as u16

toml::array numbers(const std::vector<double>& v) {
  toml::array a;
  for (double x : v) a.push_back(x);
  return a;
}

toml::table inline_table() {
  toml::table t;
  t.is_inline(true);
  return t;
}

/// { SYM = v[a] } for every asset.
toml::table per_asset_table(const Scenario& s, const std::vector<double>& v) {
  toml::table t = inline_table();
  for (std::size_t a = 0; a < s.assets.size(); ++a) t.insert(s.assets[a].symbol, v[a]);
  return t;
}

/// A per-asset table {SYM = x}: every asset required, no others.
std::vector<double> per_asset_numbers(Load& l, const Item& item, bool (*ok)(double),
                                      const char* problem) {
  const Table t = l.r.as_table(item);
  std::vector<double> out(l.symbols.size());
  for (std::size_t a = 0; a < l.symbols.size(); ++a) {
    const Item v = l.r.get(t, l.symbols[a]);
    if (!v) l.r.fail(v, "required key missing");
    out[a] = l.r.number(v);
    l.r.check(ok(out[a]), v, problem);
  }
  for (const auto& [symbol, v] : l.r.entries(t)) (void)l.asset_index(v, symbol, false);
  return out;
}

/// A strictly increasing list of numbers, each accepted by `ok`.
std::vector<double> increasing(Load& l, const Item& item, bool (*ok)(double), const char* problem) {
  const toml::array& list = l.r.array(item);
  std::vector<double> out;
  for (std::size_t k = 0; k < list.size(); ++k) {
    const Item e = Reader::element(list, item, k);
    const double v = l.r.number(e);
    l.r.check(ok(v), e, problem);
    if (!out.empty()) {
      l.r.check(v > out.back(), e,
                "must be greater than the previous entry (" + number_text(out.back()) +
                    "): strictly increasing");
    }
    out.push_back(v);
  }
  return out;
}

// ---- [simulation] ---------------------------------------------------------------------------

/// The step, and the horizon as a whole number of steps (at most kMaxSteps).
void read_step(Load& l, const Item& item, const Cursor& c) {
  SimulationSpec& sim = l.s.simulation;
  sim.step_s = l.r.duration(item, false);
  l.r.check(sim.step_s > 0, item, "must be > 0");
  const Item horizon = l.r.get(c.table, "horizon");
  if (!horizon || !(sim.horizon_s > 0)) return;  // the horizon's own problem is kept
  const double steps = std::round(sim.horizon_s / sim.step_s);
  if (std::abs(steps * sim.step_s - sim.horizon_s) > 1e-9 * sim.horizon_s || steps < 1) {
    l.r.fail_value(
        horizon, "must be a whole multiple of simulation.step (" + duration_text(sim.step_s) + ")");
  }
  if (steps > static_cast<double>(kMaxSteps)) {
    l.r.fail_value(item, "gives " +
                             (steps < 1e18 ? std::to_string(static_cast<long long>(steps))
                                           : number_text(steps)) +
                             " steps over the horizon, more than " + std::to_string(kMaxSteps) +
                             "; use a longer step");
  }
}

/// The Student-t block: whole steps (a block that is not a multiple of the step would cut one).
void read_dof_block(Load& l, const Item& item, const Cursor&) {
  SimulationSpec& sim = l.s.simulation;
  sim.dof_block_s = l.r.duration(item, false);
  l.r.check(sim.dof_block_s > 0, item, "must be > 0");
  if (sim.innovations != InnovationKind::student_t || !(sim.step_s > 0)) return;
  const double per_block = sim.dof_block_s / sim.step_s;
  l.r.check(
      per_block >= 1.0 - 1e-9 && std::abs(per_block - std::round(per_block)) <= 1e-9 * per_block,
      item, "must be a whole multiple of simulation.step (" + duration_text(sim.step_s) + ")");
}

constexpr Key kSimulationKeys[] = {
    {.name = "paths",
     .kind = Kind::integer,
     .need = Need::required,
     .meaning = "number of paths, > 0 (`2e6` is accepted)",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.simulation.paths = l.r.integer(item);
           l.r.check(l.s.simulation.paths > 0, item, "must be > 0");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.simulation.paths); }},
    {.name = "horizon",
     .kind = Kind::duration,
     .need = Need::required,
     .meaning = "how long each path runs, > 0; a whole multiple of `step`",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.simulation.horizon_s = l.r.duration(item, false);
           l.r.check(l.s.simulation.horizon_s > 0, item, "must be > 0");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(duration_text(s.simulation.horizon_s)); }},
    {.name = "step",
     .kind = Kind::duration,
     .need = Need::required,
     .meaning = "time step Δ, > 0; at most 10,000,000 steps over the horizon",
     .read = read_step,
     .write = [](Put& put, const Scenario& s, Ix) { put(duration_text(s.simulation.step_s)); }},
    {.name = "seed",
     .kind = Kind::integer,
     .need = Need::fallback,
     .fallback = "1",
     .meaning = "64-bit seed of the paths, ≥ 0 (`--seed`); not the synthetic book's",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           const std::int64_t v = l.r.integer(item);
           l.r.check(v >= 0, item, "must be >= 0");
           l.s.simulation.seed = static_cast<std::uint64_t>(v);
         },
     .write = [](Put& put, const Scenario& s,
                 Ix) { put(static_cast<std::int64_t>(s.simulation.seed)); }},
    {.name = "max_paths",
     .kind = Kind::integer,
     .need = Need::fallback,
     .fallback = "10000000",
     .meaning = "cap for `--target-rel-ci`, > 0",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.simulation.max_paths = l.r.integer(item);
           l.r.check(l.s.simulation.max_paths > 0, item, "must be > 0");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.simulation.max_paths); }},
    {.name = "drift_compensation",
     .kind = Kind::boolean,
     .need = Need::fallback,
     .fallback = "false",
     .meaning = "subtract the jump compensator from the drift",
     .read = [](Load& l, const Item& item,
                const Cursor&) { l.s.simulation.drift_compensation = l.r.boolean(item); },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.simulation.drift_compensation); }},
    {.name = "innovations",
     .kind = Kind::choice,
     .choices = names_of<InnovationKind>(),
     .need = Need::fallback,
     .fallback = "\"gaussian\"",
     .meaning = "the distribution of the diffusion's shocks",
     .read = [](Load& l, const Item& item,
                const Cursor&) { l.s.simulation.innovations = l.r.choice<InnovationKind>(item); },
     .write = [](Put& put, const Scenario& s,
                 Ix) { put(std::string(name_of(s.simulation.innovations))); }},
    {.name = "dof",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "4.0",
     .meaning = "Student-t degrees of freedom, > 2",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.simulation.dof = l.r.number(item);
           l.r.check(l.s.simulation.dof > 2, item,
                     "must be > 2 (Student-t innovations need a finite variance)");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.simulation.dof); }},
    {.name = "dof_block",
     .kind = Kind::duration,
     .need = Need::fallback,
     .fallback = "\"1d\"",
     .meaning = "Student-t: the steps of a block this long share the mixing variable, so `dof` "
                "describes returns over the block whatever the step; a whole multiple of `step`",
     .read = read_dof_block,
     .write = [](Put& put, const Scenario& s,
                 Ix) { put(duration_text(s.simulation.dof_block_s)); }},
    {.name = "initial_regime",
     .kind = Kind::string,
     .need = Need::fallback,
     .fallback = "\"stationary\"",
     .meaning = "with [[regime]]s: the regime of every path's first step, by name, or "
                "\"stationary\" (drawn from the chain's stationary law)",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.initial_regime_name = l.r.string(item);
           l.initial_regime = item;
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.initial_regime_name); }},
};
constexpr Section kSimulation{.keys = kSimulationKeys};

// ---- [market] -------------------------------------------------------------------------------

void read_symbols(Load& l, const Item& item, const Cursor&) {
  const toml::array& list = l.r.array(item);
  if (list.empty() || list.size() > static_cast<std::size_t>(kMaxAssets)) {
    l.r.fail_value(item, "must list between 1 and " + std::to_string(kMaxAssets) + " symbols");
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Item e = Reader::element(list, item, i);
    std::string sym = l.r.string(e);
    // Symbols become TOML keys ([asset.SYM]), --set paths and HDF5 group names.
    l.r.check(is_bare_key(sym), e, "must be a non-empty symbol of letters, digits, '_' or '-'");
    l.r.check(std::find(l.symbols.begin(), l.symbols.end(), sym) == l.symbols.end(), e,
              "duplicate symbol");
    l.symbols.push_back(std::move(sym));
  }
}

/// The matrix as written: A×A entries in [-1, 1], unit diagonal, symmetric within rounding
/// (made exactly symmetric).
std::vector<double> read_matrix(Load& l, const Item& item) {
  const int n = static_cast<int>(l.symbols.size());
  const toml::array& rows = l.r.array(item);
  if (rows.size() != l.symbols.size()) {
    l.r.fail(item, "must have " + std::to_string(n) + " rows (one per market.assets entry), got " +
                       std::to_string(rows.size()));
  }
  std::vector<double> c(static_cast<std::size_t>(n) * n);
  std::vector<Item> cells(c.size());
  for (int i = 0; i < n; ++i) {
    const Item row_item = Reader::element(rows, item, i);
    const toml::array& row = l.r.array(row_item);
    if (row.size() != l.symbols.size()) {
      l.r.fail(row_item,
               "must have " + std::to_string(n) + " entries, got " + std::to_string(row.size()));
    }
    for (int j = 0; j < n; ++j) {
      const Item cell = Reader::element(row, row_item, j);
      const double v = l.r.number(cell);
      l.r.check(v >= -1.0 && v <= 1.0, cell, "must be in [-1, 1]");
      if (i == j) l.r.check(std::abs(v - 1.0) <= kSymmetryTol, cell, "must be 1 (unit diagonal)");
      c[i * n + j] = v;
      cells[i * n + j] = cell;
    }
  }
  for (int i = 0; i < n; ++i) {
    c[i * n + i] = 1.0;
    for (int j = 0; j < i; ++j) {
      const double upper = c[j * n + i];
      l.r.check(std::abs(c[i * n + j] - upper) <= kSymmetryTol, cells[i * n + j],
                "must equal " + index_key(index_key(item.path, j), i) + " = " + number_text(upper) +
                    " (the matrix must be symmetric)");
      c[i * n + j] = upper;  // exactly symmetric from here on
    }
  }
  return c;
}

/// PSD within rounding, and factorizable by the same Cholesky the simulation uses.
bool is_psd(const std::vector<double>& c, int n, double smallest_eigenvalue) {
  if (smallest_eigenvalue < -kPsdTol) return false;
  try {
    (void)cholesky_lower(c, n);
  } catch (const std::domain_error&) {
    return false;
  }
  return true;
}

void read_correlation(Load& l, const Item& item, const Cursor& c) {
  // Whether a matrix that is not PSD may be repaired: read before the matrix.
  if (const Item repair = l.r.get(c.table, "repair_correlation")) {
    l.s.repair_correlation = l.r.boolean(repair);
  }
  if (l.symbols.empty()) return;  // market.assets' problem is kept
  std::vector<double> m = read_matrix(l, item);
  const int n = static_cast<int>(l.symbols.size());
  const double smallest = symmetric_eigenvalues(m, n).front();
  if (is_psd(m, n, smallest)) {
    l.s.correlation = std::move(m);
    return;
  }
  const std::string problem =
      "not positive semi-definite (smallest eigenvalue " + significant(smallest, 3) + ")";
  if (!l.s.repair_correlation) {
    l.r.fail(item, problem + "; fix the matrix or set market.repair_correlation = true");
  }
  std::vector<double> repaired = nearest_correlation(m, n);
  if (!is_psd(repaired, n, symmetric_eigenvalues(repaired, n).front())) {
    l.r.fail(item, problem + "; the repair to the nearest correlation matrix did not converge");
  }
  int worst = 0;
  for (int k = 0; k < n * n; ++k) {
    if (std::abs(repaired[k] - m[k]) > std::abs(repaired[worst] - m[worst])) worst = k;
  }
  const int wi = worst / n;
  const int wj = worst % n;
  l.s.warnings.push_back(l.r.where(item) + ": " + problem +
                         "; repaired to the nearest correlation matrix (largest entry change " +
                         significant(std::abs(repaired[worst] - m[worst]), 3) + " at [" +
                         std::to_string(wi) + "][" + std::to_string(wj) + "], " + l.symbols[wi] +
                         "-" + l.symbols[wj] + ": " + number_text(m[worst]) + " -> " +
                         significant(repaired[worst], 3) + ")");
  l.s.correlation = std::move(repaired);
}

void write_correlation(Put& put, const Scenario& s, Ix) {
  const int n = s.n_assets();
  toml::array rows;
  for (int i = 0; i < n; ++i) {
    rows.push_back(numbers(
        std::vector<double>(s.correlation.begin() + i * n, s.correlation.begin() + (i + 1) * n)));
  }
  put(std::move(rows));
}

constexpr Key kMarketKeys[] = {
    {.name = "assets",
     .type = "array of symbols",
     .need = Need::required,
     .meaning = "1 to 16 symbols of letters, digits, `_` or `-`; each needs an `[asset.SYM]` table",
     .read = read_symbols,
     .write =
         [](Put& put, const Scenario& s, Ix) {
           toml::array symbols;
           for (const AssetSpec& a : s.assets) symbols.push_back(a.symbol);
           put(std::move(symbols));
         }},
    {.name = "correlation",
     .type = "A×A array of numbers",
     .need = Need::required,
     .meaning = "correlation of the assets' diffusions, in `assets` order: symmetric, unit "
                "diagonal, entries in [-1, 1], positive semi-definite",
     .read = read_correlation,
     .write = write_correlation},
    {.name = "repair_correlation",
     .kind = Kind::boolean,
     .need = Need::fallback,
     .fallback = "false",
     .meaning = "replace a matrix that is not positive semi-definite by the nearest correlation "
                "matrix (Higham 2002), with a warning",
     .read = [](Load& l, const Item& item,
                const Cursor&) { l.s.repair_correlation = l.r.boolean(item); },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.repair_correlation); }},
};
constexpr Section kMarket{.keys = kMarketKeys};

// ---- jumps: [market_jumps] and asset.SYM.jumps ----------------------------------------------

JumpSpec& jumps_of(Load& l, Ix ix) {
  return ix.i < 0 ? l.s.market_jumps : l.s.assets[static_cast<std::size_t>(ix.i)].jumps;
}
const JumpSpec& jumps_of(const Scenario& s, Ix ix) {
  return ix.i < 0 ? s.market_jumps : s.assets[static_cast<std::size_t>(ix.i)].jumps;
}

void read_jump_rate(Load& l, const Item& item, const Cursor& c) {
  JumpSpec& j = jumps_of(l, c.ix);
  j.rate = l.r.number(item);
  l.r.check(j.rate >= 0, item, "must be >= 0");
  const double per_step = j.rate * l.s.simulation.step_s / kSecondsPerYear;
  l.r.check(per_step <= kMaxJumpsPerStep, item,
            "expects " + significant(per_step, 3) +
                " jumps per step (rate is per year), more than " + number_text(kMaxJumpsPerStep) +
                "; lower the rate or shorten the step");
}

constexpr Key kJumpKeys[] = {
    {.name = "rate",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "jumps per year, ≥ 0; at most 50 expected per step",
     .read = read_jump_rate,
     .write = [](Put& put, const Scenario& s, Ix ix) { put(jumps_of(s, ix).rate); }},
    {.name = "mean",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "mean log jump size",
     .read = [](Load& l, const Item& item,
                const Cursor& c) { jumps_of(l, c.ix).mean = l.r.number(item); },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(jumps_of(s, ix).mean); }},
    {.name = "stdev",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "standard deviation of the log jump size, ≥ 0",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           jumps_of(l, c.ix).stdev = l.r.number(item);
           l.r.check(jumps_of(l, c.ix).stdev >= 0, item, "must be >= 0");
         },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(jumps_of(s, ix).stdev); }},
};
constexpr Section kJumps{.keys = kJumpKeys};

// ---- [asset.SYM] ----------------------------------------------------------------------------

AssetSpec& asset_of(Load& l, Ix ix) {
  return l.s.assets[static_cast<std::size_t>(ix.i)];
}
const AssetSpec& asset_of(const Scenario& s, Ix ix) {
  return s.assets[static_cast<std::size_t>(ix.i)];
}

constexpr Key kAssetKeys[] = {
    {.name = "spot",
     .kind = Kind::number,
     .need = Need::required,
     .meaning = "price at the start, USD, > 0",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           asset_of(l, c.ix).spot = l.r.number(item);
           l.r.check(asset_of(l, c.ix).spot > 0, item, "must be > 0");
         },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(asset_of(s, ix).spot); }},
    {.name = "vol",
     .kind = Kind::number,
     .need = Need::required,
     .meaning = "volatility, annualised, ≥ 0",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           asset_of(l, c.ix).vol = l.r.number(item);
           l.r.check(asset_of(l, c.ix).vol >= 0, item, "must be >= 0");
         },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(asset_of(s, ix).vol); }},
    {.name = "drift",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "drift, annualised",
     .read = [](Load& l, const Item& item,
                const Cursor& c) { asset_of(l, c.ix).drift = l.r.number(item); },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(asset_of(s, ix).drift); }},
    {.name = "beta",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "1.0",
     .meaning = "loading on market-wide jumps",
     .read = [](Load& l, const Item& item,
                const Cursor& c) { asset_of(l, c.ix).beta = l.r.number(item); },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(asset_of(s, ix).beta); }},
    {.name = "depth",
     .kind = Kind::number,
     .meaning = "USD of market orders that move the price 1%, > 0; required when "
                "`impact.model` is not `\"none\"`",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           asset_of(l, c.ix).depth_usd = l.r.number(item);
           l.r.check(*asset_of(l, c.ix).depth_usd > 0, item, "must be > 0");
         },
     .write =
         [](Put& put, const Scenario& s, Ix ix) {
           if (asset_of(s, ix).depth_usd) put(*asset_of(s, ix).depth_usd);
         }},
    {.name = "jumps",
     .meaning = "the asset's own compound-Poisson jumps with normal log sizes (Merton)",
     .form = Form::inline_table,
     .sub = &kJumps},
    {.name = "funding_8h",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "funding rate per 8 hours, longs pay when > 0",
     .read = [](Load& l, const Item& item,
                const Cursor& c) { asset_of(l, c.ix).funding_8h = l.r.number(item); },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(asset_of(s, ix).funding_8h); }},
    {.name = "funding",
     .kind = Kind::choice,
     .choices = names_of<FundingRule>(),
     .need = Need::fallback,
     .fallback = "\"constant\"",
     .meaning = "how the funding rate is set: \"constant\" (`funding_8h`) or \"endogenous\" "
                "(the premium of the book's long/short imbalance and of the impact, with the "
                "exchanges' interest clamp and a cap; docs/MODEL.md §3)",
     .read = [](Load& l, const Item& item,
                const Cursor& c) { asset_of(l, c.ix).funding = l.r.choice<FundingRule>(item); },
     .write = [](Put& put, const Scenario& s,
                 Ix ix) { put(std::string(name_of(asset_of(s, ix).funding))); }},
    {.name = "funding_premium_8h",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0015",
     .meaning = "endogenous funding: the premium per 8 hours of a book entirely on one side, >= 0",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           asset_of(l, c.ix).funding_premium_8h = l.r.number(item);
           l.r.check(asset_of(l, c.ix).funding_premium_8h >= 0, item, "must be >= 0");
         },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(asset_of(s, ix).funding_premium_8h); }},
    {.name = "funding_interest_8h",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0001",
     .meaning = "endogenous funding: the interest component per 8 hours",
     .read = [](Load& l, const Item& item,
                const Cursor& c) { asset_of(l, c.ix).funding_interest_8h = l.r.number(item); },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(asset_of(s, ix).funding_interest_8h); }},
    {.name = "funding_cap_8h",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0075",
     .meaning = "endogenous funding: the rate per 8 hours is capped at plus or minus this, > 0",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           asset_of(l, c.ix).funding_cap_8h = l.r.number(item);
           l.r.check(asset_of(l, c.ix).funding_cap_8h > 0, item, "must be > 0");
         },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(asset_of(s, ix).funding_cap_8h); }},
};
constexpr Section kAsset{.keys = kAssetKeys};

// ---- [[shock]] ------------------------------------------------------------------------------

ShockSpec& shock_of(Load& l, Ix ix) {
  return l.s.shocks[static_cast<std::size_t>(ix.i)];
}
const ShockSpec& shock_of(const Scenario& s, Ix ix) {
  return s.shocks[static_cast<std::size_t>(ix.i)];
}

Ix enter_shock(Load& l, const Item&, Ix ix) {
  ShockSpec shock;
  shock.returns.assign(l.symbols.size(), 0.0);
  l.s.shocks.push_back(std::move(shock));
  return ix.push(static_cast<int>(l.s.shocks.size() - 1));
}

void read_returns(Load& l, const Item& item, const Cursor& c) {
  ShockSpec& shock = shock_of(l, c.ix);
  for (const auto& [symbol, ret] : l.r.entries(l.r.as_table(item))) {
    const int a = l.asset_index(ret, symbol, false);
    shock.returns[a] = l.r.number(ret);
    l.r.check(shock.returns[a] > -1.0, ret, "must be > -1 (a simple return; -1 is a total loss)");
  }
}

constexpr Key kShockKeys[] = {
    {.name = "at",
     .kind = Kind::duration,
     .need = Need::required,
     .meaning = "when: the gap happens at the end of step ⌊at/Δ⌋; before the horizon",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           shock_of(l, c.ix).at_s = l.r.duration(item, false);
           l.r.check(
               shock_of(l, c.ix).at_s < l.s.simulation.horizon_s, item,
               "must be before the horizon (" + duration_text(l.s.simulation.horizon_s) + ")");
         },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(duration_text(shock_of(s, ix).at_s)); }},
    {.name = "returns",
     .type = "{ SYM = number }",
     .need = Need::fallback,
     .fallback = "{}",
     .meaning = "the gap: a simple return per asset, > -1 (0 for assets not named)",
     .read = read_returns,
     .write = [](Put& put, const Scenario& s,
                 Ix ix) { put(per_asset_table(s, shock_of(s, ix).returns)); }},
    {.name = "vol_multiplier",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "1.0",
     .meaning = "volatility multiplier over the steps that start in [at, at + duration), > 0",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           shock_of(l, c.ix).vol_multiplier = l.r.number(item);
           l.r.check(shock_of(l, c.ix).vol_multiplier > 0, item, "must be > 0");
         },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(shock_of(s, ix).vol_multiplier); }},
    {.name = "duration",
     .kind = Kind::duration,
     .need = Need::fallback,
     .fallback = "\"0s\"",
     .meaning = "how long the volatility multiplier lasts",
     .read = [](Load& l, const Item& item,
                const Cursor& c) { shock_of(l, c.ix).duration_s = l.r.duration(item, false); },
     .write = [](Put& put, const Scenario& s,
                 Ix ix) { put(duration_text(shock_of(s, ix).duration_s)); }},
};
constexpr Section kShock{.keys = kShockKeys,
                         .enter = enter_shock,
                         .count = [](const Scenario& s, Ix) { return s.shocks.size(); }};

// ---- [[regime]] -----------------------------------------------------------------------------

RegimeSpec& regime_of(Load& l, Ix ix) {
  return l.s.regimes[static_cast<std::size_t>(ix.i)];
}
const RegimeSpec& regime_of(const Scenario& s, Ix ix) {
  return s.regimes[static_cast<std::size_t>(ix.i)];
}

Ix enter_regime(Load& l, const Item&, Ix ix) {
  l.s.regimes.emplace_back();
  l.regime_to.emplace_back();
  return ix.push(static_cast<int>(l.s.regimes.size() - 1));
}

void read_regime_name(Load& l, const Item& item, const Cursor& c) {
  RegimeSpec& r = regime_of(l, c.ix);
  r.name = l.r.string(item);
  l.r.check(!r.name.empty() && r.name != "stationary", item,
            "must be a non-empty name other than \"stationary\"");
  for (int k = 0; k < c.ix.i; ++k)
    l.r.check(l.s.regimes[static_cast<std::size_t>(k)].name != r.name, item,
              "duplicate regime name");
}

void read_regime_vol(Load& l, const Item& item, const Cursor& c) {
  auto ok = [](double v) { return v > 0; };
  RegimeSpec& r = regime_of(l, c.ix);
  if (item.node->is_table()) {
    r.vol_multiplier = per_asset_numbers(l, item, ok, "must be > 0");
    return;
  }
  const double v = l.r.number(item);
  l.r.check(ok(v), item, "must be > 0");
  r.vol_multiplier.assign(l.symbols.size(), v);
}

void write_regime_vol(Put& put, const Scenario& s, Ix ix) {
  const std::vector<double>& v = regime_of(s, ix).vol_multiplier;
  if (!v.empty() && std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); })) {
    put(v.front());
  } else {
    put(per_asset_table(s, v));
  }
}

void read_regime_correlation(Load& l, const Item& item, const Cursor& c) {
  if (l.symbols.empty()) return;
  std::vector<double> m = read_matrix(l, item);
  const int n = static_cast<int>(l.symbols.size());
  const double smallest = symmetric_eigenvalues(m, n).front();
  l.r.check(is_psd(m, n, smallest), item,
            "not positive semi-definite (smallest eigenvalue " + significant(smallest, 3) + ")");
  regime_of(l, c.ix).correlation = std::move(m);
}

void read_regime_to(Load& l, const Item& item, const Cursor& c) {
  RegimeSpec& r = regime_of(l, c.ix);
  for (const auto& [name, rate] : l.r.entries(l.r.as_table(item))) {
    const double v = l.r.number(rate);
    l.r.check(v >= 0, rate, "must be >= 0 (a transition rate per day)");
    r.to.emplace_back(std::string(name), v);
    l.regime_to[static_cast<std::size_t>(c.ix.i)].push_back(rate);
  }
}

void write_regime_to(Put& put, const Scenario& s, Ix ix) {
  toml::table t = inline_table();
  for (const auto& [name, rate] : regime_of(s, ix).to) t.insert(name, rate);
  put(std::move(t));
}

/// After the rows: `to` names resolved into rates, the start regime, the chain's law.
void check_regimes(Load& l, const Item& item, const Cursor&) {
  Scenario& s = l.s;
  const std::size_t n = s.regimes.size();
  if (n > static_cast<std::size_t>(kMaxRegimes))
    l.r.fail(item, "at most " + std::to_string(kMaxRegimes) + " regimes");
  std::string names;
  for (const RegimeSpec& r : s.regimes) names += (names.empty() ? "" : ", ") + r.name;
  auto index_of = [&](const std::string& name) {
    for (std::size_t k = 0; k < n; ++k)
      if (s.regimes[k].name == name) return static_cast<int>(k);
    return -1;
  };
  for (std::size_t i = 0; i < n; ++i) {
    RegimeSpec& r = s.regimes[i];
    r.rates_per_day.assign(n, 0.0);
    for (std::size_t e = 0; e < r.to.size(); ++e) {
      const Item& at = l.regime_to[i][e];
      const int j = index_of(r.to[e].first);
      if (j < 0) l.r.fail(at, "no [[regime]] of that name (regimes: " + names + ")");
      l.r.check(j != static_cast<int>(i), at, "a regime's rate to itself is implied; leave it out");
      r.rates_per_day[static_cast<std::size_t>(j)] = r.to[e].second;
    }
  }
  if (n == 0 || s.initial_regime_name == "stationary") {
    s.initial_regime = -1;
  } else {
    s.initial_regime = index_of(s.initial_regime_name);
    if (s.initial_regime < 0)
      l.r.fail(l.initial_regime, "no [[regime]] of that name (regimes: " + names + ")");
  }
}

constexpr Key kRegimeKeys[] = {
    {.name = "name",
     .kind = Kind::string,
     .need = Need::required,
     .meaning = "the regime's name, unique (the `to` tables and simulation.initial_regime use it)",
     .read = read_regime_name,
     .write = [](Put& put, const Scenario& s, Ix ix) { put(regime_of(s, ix).name); }},
    {.name = "vol_multiplier",
     .type = "number or { SYM = number }",
     .need = Need::fallback,
     .fallback = "1.0",
     .meaning = "multiplies each asset's `vol` in this regime, > 0",
     .read = read_regime_vol,
     .write = write_regime_vol},
    {.name = "jump_rate_multiplier",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "1.0",
     .meaning = "multiplies every jump intensity (each asset's and the market's) in this regime, "
                ">= 0",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           regime_of(l, c.ix).jump_rate_multiplier = l.r.number(item);
           l.r.check(regime_of(l, c.ix).jump_rate_multiplier >= 0, item, "must be >= 0");
         },
     .write = [](Put& put, const Scenario& s,
                 Ix ix) { put(regime_of(s, ix).jump_rate_multiplier); }},
    {.name = "correlation",
     .type = "A×A matrix",
     .meaning = "the diffusions' correlation in this regime (default: market.correlation); "
                "symmetric, unit diagonal, positive semi-definite",
     .read = read_regime_correlation,
     .write =
         [](Put& put, const Scenario& s, Ix ix) {
           const std::vector<double>& c = regime_of(s, ix).correlation;
           if (c.empty()) return;
           const int n = s.n_assets();
           toml::array rows;
           for (int i = 0; i < n; ++i)
             rows.push_back(
                 numbers(std::vector<double>(c.begin() + i * n, c.begin() + (i + 1) * n)));
           put(std::move(rows));
         }},
    {.name = "to",
     .type = "{ REGIME = rate per day }",
     .need = Need::fallback,
     .fallback = "{}",
     .meaning = "transition rates per day to the other regimes, >= 0 (a Markov chain in "
                "continuous time)",
     .read = read_regime_to,
     .write = write_regime_to},
};
constexpr Section kRegime{.keys = kRegimeKeys,
                          .enter = enter_regime,
                          .count = [](const Scenario& s, Ix) { return s.regimes.size(); }};

// ---- [impact] -------------------------------------------------------------------------------

/// Γ starts as the identity; `cross` sets entries off the diagonal.
Ix enter_impact(Load& l, const Item&, Ix ix) {
  const std::size_t n = l.symbols.size();
  l.s.impact.cross.assign(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) l.s.impact.cross[i * n + i] = 1.0;
  return ix;
}

void read_cross(Load& l, const Item& item, const Cursor&) {
  const int n = static_cast<int>(l.symbols.size());
  for (const auto& [from_symbol, from_item] : l.r.entries(l.r.as_table(item))) {
    const int from = l.asset_index(from_item, from_symbol, false);
    for (const auto& [to_symbol, to_item] : l.r.entries(l.r.as_table(from_item))) {
      const int to = l.asset_index(to_item, to_symbol, false);
      if (to == from) l.r.fail(to_item, "the diagonal of the cross-impact matrix is fixed at 1");
      l.s.impact.cross[to * n + from] = l.r.number(to_item);
    }
  }
}

void write_cross(Put& put, const Scenario& s, Ix) {
  const int n = s.n_assets();
  toml::table cross = inline_table();
  for (int from = 0; from < n; ++from) {
    toml::table row = inline_table();
    for (int to = 0; to < n; ++to) {
      const double g = s.impact.cross[to * n + from];
      if (to != from && g != 0.0) row.insert(s.assets[to].symbol, g);
    }
    if (!row.empty()) cross.insert(s.assets[from].symbol, std::move(row));
  }
  put(std::move(cross));
}

/// Depth is what turns forced flow into a price move: needed exactly when impact is on.
void check_depths(Load& l, const Cursor&) {
  const ImpactModel model = l.s.impact.model;
  if (model == ImpactModel::none) return;
  const Table assets = l.r.table(*l.root, "asset");
  for (const AssetSpec& a : l.s.assets) {
    if (a.depth_usd) continue;
    const Table at = l.r.table(assets, a.symbol);
    l.r.context().fail(
        join_key(at.path, "depth"), at.site,
        "required key missing (impact.model is " + toml_quoted(name_of(model)) + ")");
  }
}

constexpr Key kThinningKeys[] = {
    {.name = "drawdown",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "e-folding log drawdown of depth, ≥ 0 (0 turns drawdown thinning off)",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.impact.thin_drawdown = l.r.number(item);
           l.r.check(l.s.impact.thin_drawdown >= 0, item,
                     "must be >= 0 (0 turns drawdown thinning off)");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.impact.thin_drawdown); }},
    {.name = "flow",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "a step's flow, in units of depth, that halves the depth, ≥ 0 (0 turns flow "
                "thinning off)",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.impact.thin_flow = l.r.number(item);
           l.r.check(l.s.impact.thin_flow >= 0, item, "must be >= 0 (0 turns flow thinning off)");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.impact.thin_flow); }},
    {.name = "floor",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.05",
     .meaning = "depth never falls below this fraction, in (0, 1]",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.impact.thin_floor = l.r.number(item);
           l.r.check(l.s.impact.thin_floor > 0 && l.s.impact.thin_floor <= 1, item,
                     "must be in (0, 1]");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.impact.thin_floor); }},
};
constexpr Section kThinning{
    .keys = kThinningKeys,
    // Written only when on: scenarios without thinning resolve as they did before it existed.
    .shown = [](const Scenario& s, Ix) {
      return s.impact.thin_drawdown > 0 || s.impact.thin_flow > 0;
    }};

constexpr Key kImpactKeys[] = {
    {.name = "model",
     .kind = Kind::choice,
     .choices = names_of<ImpactModel>(),
     .need = Need::fallback,
     .fallback = "\"none\"",
     .meaning = "price impact of forced flow: none, linear or square root in flow / depth",
     .read = [](Load& l, const Item& item,
                const Cursor&) { l.s.impact.model = l.r.choice<ImpactModel>(item); },
     .write = [](Put& put, const Scenario& s, Ix) { put(std::string(name_of(s.impact.model))); }},
    {.name = "strength",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "1.0",
     .meaning = "η, ≥ 0: a flow of exactly `depth` moves the price by η %",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.impact.strength = l.r.number(item);
           l.r.check(l.s.impact.strength >= 0, item, "must be >= 0");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.impact.strength); }},
    {.name = "half_life",
     .kind = Kind::duration_or_inf,
     .need = Need::fallback,
     .fallback = "\"inf\"",
     .meaning = "resilience, > 0: impact halves every `half_life` (the flow memory's half-life "
                "is α times it); `\"inf\"` = permanent",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.impact.half_life_s = l.r.duration(item, true);
           l.r.check(l.s.impact.half_life_s > 0, item,
                     "must be > 0 (or \"inf\" for permanent impact)");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(duration_text(s.impact.half_life_s)); }},
    {.name = "max_cascade_rounds",
     .kind = Kind::integer,
     .need = Need::fallback,
     .fallback = "64",
     .meaning = "cap on liquidating rounds per step, in [1, 65535]",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           const std::int64_t v = l.r.integer(item);
           l.r.check(v >= 1 && v <= kMaxCascadeRounds, item,
                     "must be in [1, " + std::to_string(kMaxCascadeRounds) + "]");
           l.s.impact.max_cascade_rounds = static_cast<std::int32_t>(v);
         },
     .write = [](Put& put, const Scenario& s,
                 Ix) { put(static_cast<std::int64_t>(s.impact.max_cascade_rounds)); }},
    {.name = "cross",
     .type = "{ FROM = { TO = number } }",
     .need = Need::fallback,
     .fallback = "{}",
     .meaning = "cross-impact: Γ_TO,FROM = γ, the share of FROM's impact felt by TO (the "
                "diagonal is 1)",
     .read = read_cross,
     .write = write_cross},
    {.name = "thinning",
     .meaning = "thinning liquidity: depth shrinks with the drawdown and with the step's flow "
                "(docs/MODEL.md)",
     .form = Form::inline_table,
     .sub = &kThinning},
};
constexpr Section kImpact{.keys = kImpactKeys, .enter = enter_impact, .finish = check_depths};

// ---- [book.synthetic] -----------------------------------------------------------------------

SyntheticBookSpec& synthetic_of(Load& l) {
  return l.s.book.synthetic;
}

void read_long_share(Load& l, const Item& item, const Cursor&) {
  auto ok = [](double v) { return v >= 0 && v <= 1; };
  if (item.node->is_table()) {
    synthetic_of(l).long_share = per_asset_numbers(l, item, ok, "must be in [0, 1]");
    return;
  }
  const double v = l.r.number(item);
  l.r.check(ok(v), item, "must be in [0, 1]");
  synthetic_of(l).long_share.assign(l.symbols.size(), v);
}

void write_long_share(Put& put, const Scenario& s, Ix) {
  const std::vector<double>& share = s.book.synthetic.long_share;
  const bool uniform =
      std::all_of(share.begin(), share.end(), [&](double v) { return v == share.front(); });
  if (uniform) {
    put(share.front());
  } else {
    put(per_asset_table(s, share));
  }
}

void read_leverage(Load& l, const Item& item, const Cursor&) {
  SyntheticBookSpec& sb = synthetic_of(l);
  const Table lt = l.r.as_table(item);
  const Item levels = l.r.get(lt, "levels");
  if (!levels) l.r.fail(levels, "required key missing");
  const Item weights = l.r.get(lt, "weights");
  if (!weights) l.r.fail(weights, "required key missing");
  const toml::array& la = l.r.array(levels);
  const toml::array& wa = l.r.array(weights);
  l.r.check(!la.empty(), levels, "must not be empty");
  if (wa.size() != la.size()) {
    l.r.fail_value(weights, "must have as many entries as leverage.levels (" +
                                std::to_string(la.size()) + ")");
  }
  sb.leverage_levels.clear();
  sb.leverage_weights.clear();
  double sum = 0.0;
  for (std::size_t k = 0; k < la.size(); ++k) {
    const Item lv = Reader::element(la, levels, k);
    sb.leverage_levels.push_back(l.r.number(lv));
    l.r.check(sb.leverage_levels.back() >= 1, lv, "must be >= 1");
    const Item w = Reader::element(wa, weights, k);
    sb.leverage_weights.push_back(l.r.number(w));
    l.r.check(sb.leverage_weights.back() >= 0, w, "must be >= 0");
    sum += sb.leverage_weights.back();
  }
  l.r.check(std::abs(sum - 1.0) <= kWeightSumTol, weights,
            "must sum to 1 (they sum to " + number_text(sum) + ")");
}

constexpr Key kSyntheticKeys[] = {
    {.name = "open_interest",
     .type = "{ SYM = number }",
     .need = Need::required,
     .meaning = "open interest per asset, USD, ≥ 0, for every asset",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           synthetic_of(l).open_interest_usd = per_asset_numbers(
               l, item, [](double v) { return v >= 0; }, "must be >= 0");
         },
     .write = [](Put& put, const Scenario& s,
                 Ix) { put(per_asset_table(s, s.book.synthetic.open_interest_usd)); }},
    {.name = "long_share",
     .type = "number or { SYM = number }",
     .need = Need::fallback,
     .fallback = "0.5",
     .meaning = "fraction of each asset's open interest held by longs, in [0, 1]; one number "
                "for every asset, or one per asset",
     .read = read_long_share,
     .write = write_long_share},
    {.name = "leverage",
     .type = "{ levels = [numbers], weights = [numbers] }",
     .need = Need::fallback,
     .fallback =
         "{ levels = [2, 5, 10, 20, 50, 100], weights = [0.15, 0.25, 0.3, 0.15, 0.1, 0.05] }",
     .meaning = "the leverage mix: levels ≥ 1, drawn with the weights (≥ 0, summing to 1); "
                "capped at the bracket's maximum",
     .read = read_leverage,
     .write =
         [](Put& put, const Scenario& s, Ix) {
           toml::table lev = inline_table();
           lev.insert("levels", numbers(s.book.synthetic.leverage_levels));
           lev.insert("weights", numbers(s.book.synthetic.leverage_weights));
           put(std::move(lev));
         }},
    {.name = "entry_spread",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.06",
     .meaning = "lognormal standard deviation of entry prices around spot, ≥ 0",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           synthetic_of(l).entry_spread = l.r.number(item);
           l.r.check(synthetic_of(l).entry_spread >= 0, item, "must be >= 0");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.book.synthetic.entry_spread); }},
    {.name = "history",
     .kind = Kind::duration,
     .need = Need::fallback,
     .fallback = "\"0s\"",
     .meaning = "a book in equilibrium: positions open at uniform times of a simulated past "
                "this long, at its prices, and only those it has not liquidated are kept "
                "(docs/MODEL.md §3); \"0s\": entries drawn around spot with entry_spread; at "
                "most 365d",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           synthetic_of(l).history_s = l.r.duration(item, false);
           l.r.check(synthetic_of(l).history_s <= 365.0 * 86400.0, item, "must be at most 365d");
         },
     .write = [](Put& put, const Scenario& s,
                 Ix) { put(duration_text(s.book.synthetic.history_s)); }},
    {.name = "positions",
     .kind = Kind::integer,
     .need = Need::fallback,
     .fallback = "100000",
     .meaning = "positions per asset, > 0",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           synthetic_of(l).positions = l.r.integer(item);
           l.r.check(synthetic_of(l).positions > 0, item, "must be > 0");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.book.synthetic.positions); }},
    {.name = "seed",
     .kind = Kind::integer,
     .need = Need::fallback,
     .fallback = "1",
     .meaning = "the book's own seed, ≥ 0: `simulation.seed` and `--seed` vary the paths, never "
                "the book, so seed studies share one book",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           const std::int64_t v = l.r.integer(item);
           l.r.check(v >= 0, item, "must be >= 0");
           synthetic_of(l).seed = static_cast<std::uint64_t>(v);
         },
     .write = [](Put& put, const Scenario& s,
                 Ix) { put(static_cast<std::int64_t>(s.book.synthetic.seed)); }},
};
constexpr Section kSynthetic{.keys = kSyntheticKeys};

// ---- [book] ---------------------------------------------------------------------------------

void read_book_path(Load& l, const Item& item, const Cursor&) {
  const std::string text = l.r.string(item);
  l.r.check(!text.empty(), item, "must not be empty");
  l.s.book.csv_path = l.resolve(text);
  std::error_code ec;
  if (!fs::is_regular_file(l.s.book.csv_path, ec)) {
    l.r.fail_value(item, "book file not found (resolved to " + l.s.book.csv_path.string() + ")");
  }
}

/// A tier table name, or a path (resolved against the scenario's folder, and found).
void read_maintenance(Load& l, const Item& item, const Cursor& c) {
  if (l.r.get(c.table, "tier")) {
    if (item.defaulted) return;  // the default table is for books without [[book.tier]] rows
    l.r.fail(item, "give either book.maintenance or [[book.tier]] rows, not both");
  }
  std::string m = l.r.string(item);
  l.r.check(!m.empty(), item, "must not be empty");
  // A path (not a table name shipped in configs/) resolves against the scenario's folder.
  const bool is_path =
      m.find('/') != std::string::npos || m.ends_with(".csv") || m.ends_with(".toml");
  if (is_path) {
    const fs::path p = l.resolve(m);
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      l.r.fail_value(item, "tier table file not found (resolved to " + p.string() + ")");
    }
    m = p.string();
  }
  l.s.book.maintenance = std::move(m);
}

void check_book_tiers(Load& l, const Item& item, const Cursor&) {
  l.r.check(!item.node->as_array()->empty(), item, "must have at least one row");
  check_tier_rows(l.s.book.tiers, l.tier_sites);
}

constexpr Key kBookKeys[] = {
    {.name = "source",
     .kind = Kind::choice,
     .choices = names_of<BookSource>(),
     .need = Need::fallback,
     .fallback = "\"synthetic\"",
     .meaning = "where the positions come from: drawn from `[book.synthetic]`, or read from "
                "the CSV file `path`",
     .read = [](Load& l, const Item& item,
                const Cursor&) { l.s.book.source = l.r.choice<BookSource>(item); },
     .write = [](Put& put, const Scenario& s, Ix) { put(std::string(name_of(s.book.source))); }},
    {.name = "path",
     .kind = Kind::string,
     .need = Need::required,
     .meaning = "the book CSV (columns: README, \"Positions and liquidation\"), relative to the "
                "scenario file's folder",
     .read = read_book_path,
     .write = [](Put& put, const Scenario& s, Ix) { put(s.book.csv_path.string()); },
     .only = BookSource::csv},
    {.name = "maintenance",
     .kind = Kind::string,
     .need = Need::fallback,
     .fallback = "\"binance-usdt-perp-2024-10\"",
     .meaning = "the tier table (maintenance-margin brackets): a name (NAME.toml beside the "
                "scenario, in configs/, or built in) or a path to a .toml or .csv table; the "
                "default applies without `[[book.tier]]` rows, which exclude this key",
     .read = read_maintenance,
     .write =
         [](Put& put, const Scenario& s, Ix) {
           if (!s.book.maintenance.empty()) put(s.book.maintenance);
         }},
    {.name = "tier",
     .meaning = "the scenario's own tier table, one bracket a row, instead of `maintenance`",
     .read = check_book_tiers,
     .form = Form::rows,
     .sub = &kTierRow},
    {.name = "synthetic",
     .need = Need::required,
     .meaning = "the synthetic book, drawn once per run from its own seed",
     .form = Form::table,
     .sub = &kSynthetic,
     .only = BookSource::synthetic},
};
constexpr Section kBook{.keys = kBookKeys};

// ---- [importance] ---------------------------------------------------------------------------

/// A number for every asset, or a per-asset table {SYM = x}.
std::vector<double> number_or_per_asset(Load& l, const Item& item) {
  if (item.node->is_table())
    return per_asset_numbers(
        l, item, [](double) { return true; }, "");
  return std::vector<double>(l.symbols.size(), l.r.number(item));
}

void put_number_or_table(Put& put, const Scenario& s, const std::vector<double>& v) {
  if (!v.empty() && std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); }))
    put(v.front());
  else
    put(per_asset_table(s, v));
}

/// Importance sampling is exact for what it tilts; refused where its weights are not.
void check_importance(Load& l, const Cursor&) {
  const ImportanceSpec& is = l.s.importance;
  if (is.automatic() != is.given_threshold)
    l.r.context().fail(
        is.automatic() ? "importance.threshold" : "importance.metric", {},
        is.automatic() ? "required with importance.metric" : "required with importance.threshold");
  if (!is.on()) return;
  // With regimes a step's jump intensities are its regime's, and tilted_jump takes them as
  // they come: the weights stay exact. The cross-entropy update assumes one intensity per
  // source (host/model/cross_entropy.cpp), so the automatic tilt is not offered with them.
  if (is.automatic() && !l.s.regimes.empty())
    l.r.context().fail("importance.metric", {},
                       "the automatic tilt is not offered with [[regime]]s (its cross-entropy "
                       "update assumes constant jump intensities): set the tilt keys by hand");
  for (std::size_t a = 0; a < is.jump_mean_shift.size(); ++a)
    if (is.jump_mean_shift[a] != 0.0 && !(l.s.assets[a].jumps.stdev > 0))
      l.r.context().fail("importance.jump_mean_shift", {},
                         "shifts " + l.s.assets[a].symbol +
                             "'s jump mean, whose jumps have stdev 0 (the weight would be 0)");
  if (is.market_jump_mean_shift != 0.0 && !(l.s.market_jumps.stdev > 0))
    l.r.context().fail("importance.market_jump_mean_shift", {},
                       "market_jumps.stdev is 0 (the weight would be 0)");
}

constexpr Key kImportanceKeys[] = {
    {.name = "market_jump_rate_multiplier",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "1.0",
     .meaning = "paths are drawn with the market-wide jump intensity times this, > 0",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.importance.market_jump_rate_multiplier = l.r.number(item);
           l.r.check(l.s.importance.market_jump_rate_multiplier > 0, item, "must be > 0");
           l.s.importance.given.market_jump_rate_multiplier = !item.defaulted;
         },
     .write = [](Put& put, const Scenario& s,
                 Ix) { put(s.importance.market_jump_rate_multiplier); }},
    {.name = "market_jump_mean_shift",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "paths are drawn with market-wide jumps' mean log size shifted by this",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.importance.market_jump_mean_shift = l.r.number(item);
           l.s.importance.given.market_jump_mean_shift = !item.defaulted;
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.importance.market_jump_mean_shift); }},
    {.name = "jump_rate_multiplier",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "1.0",
     .meaning = "paths are drawn with every asset's jump intensity times this, > 0",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.importance.jump_rate_multiplier = l.r.number(item);
           l.r.check(l.s.importance.jump_rate_multiplier > 0, item, "must be > 0");
           l.s.importance.given.jump_rate_multiplier = !item.defaulted;
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.importance.jump_rate_multiplier); }},
    {.name = "jump_mean_shift",
     .type = "number or { SYM = number }",
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "paths are drawn with each asset's jumps' mean log size shifted by this",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.importance.jump_mean_shift = number_or_per_asset(l, item);
           l.s.importance.given.jump_mean_shift = !item.defaulted;
         },
     .write = [](Put& put, const Scenario& s,
                 Ix) { put_number_or_table(put, s, s.importance.jump_mean_shift); }},
    {.name = "diffusion_shift",
     .type = "number or { SYM = number }",
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "paths are drawn with each asset's diffusion moved by this many standard "
                "deviations over the horizon (-3: a 3-sigma fall), spread evenly over the steps",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.importance.diffusion_shift = number_or_per_asset(l, item);
           l.s.importance.given.diffusion_shift = !item.defaulted;
         },
     .write = [](Put& put, const Scenario& s,
                 Ix) { put_number_or_table(put, s, s.importance.diffusion_shift); }},
    {.name = "metric",
     .kind = Kind::string,
     .meaning = "choose the tilt automatically (cross-entropy on pilot batches) for the tail "
                "metric > `threshold` of this /summary metric (\"bad_debt_usd\", "
                "\"portfolio_loss_usd/NAME\", \"liquidated_usd/SYM/long\"...); the tilt keys "
                "written beside it are kept as given, the others are chosen",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.importance.metric = l.r.string(item);
           l.r.check(!l.s.importance.metric.empty(), item, "must name a metric");
         },
     .write =
         [](Put& put, const Scenario& s, Ix) {
           if (s.importance.automatic()) put(s.importance.metric);
         }},
    {.name = "threshold",
     .kind = Kind::number,
     .meaning = "the tail `metric` > threshold the automatic tilt aims at (the metric's "
                "units); required with `metric`",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.importance.threshold = l.r.number(item);
           l.s.importance.given_threshold = true;
         },
     .write =
         [](Put& put, const Scenario& s, Ix) {
           if (s.importance.automatic()) put(s.importance.threshold);
         }},
};
constexpr Section kImportance{.keys = kImportanceKeys,
                              .finish = check_importance,
                              .shown = [](const Scenario& s, Ix) { return s.importance.on(); }};

// ---- [insurance_fund] -----------------------------------------------------------------------

constexpr Key kInsuranceFundKeys[] = {
    {.name = "balance",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "USD, ≥ 0",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.insurance_fund.balance_usd = l.r.number(item);
           l.r.check(l.s.insurance_fund.balance_usd >= 0, item, "must be >= 0");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.insurance_fund.balance_usd); }},
    {.name = "liquidation_fee",
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "fraction of liquidated notional paid into the fund, in [0, 1)",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           const double fee = l.r.number(item);
           l.r.check(fee >= 0 && fee < 1, item, "must be in [0, 1)");
           l.s.insurance_fund.liquidation_fee = fee;
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.insurance_fund.liquidation_fee); }},
    {.name = "adl",
     .kind = Kind::choice,
     .choices = names_of<AdlRuleSpec>(),
     .need = Need::fallback,
     .fallback = "\"pro-rata\"",
     .meaning = "who covers what the fund cannot pay: `\"pro-rata\"` closes opposite positions "
                "in profit (docs/MODEL.md §3), `\"none\"` only reports the deficit",
     .read = [](Load& l, const Item& item,
                const Cursor&) { l.s.insurance_fund.adl = l.r.choice<AdlRuleSpec>(item); },
     .write = [](Put& put, const Scenario& s,
                 Ix) { put(std::string(name_of(s.insurance_fund.adl))); }},
};
constexpr Section kInsuranceFund{.keys = kInsuranceFundKeys};

// ---- [[portfolio]] --------------------------------------------------------------------------

PortfolioSpec& portfolio_of(Load& l, Ix ix) {
  return l.s.portfolios[static_cast<std::size_t>(ix.i)];
}
const PortfolioSpec& portfolio_of(const Scenario& s, Ix ix) {
  return s.portfolios[static_cast<std::size_t>(ix.i)];
}
PortfolioPosition& position_of(Load& l, Ix ix) {
  return portfolio_of(l, ix).positions[static_cast<std::size_t>(ix.j)];
}
const PortfolioPosition& position_of(const Scenario& s, Ix ix) {
  return portfolio_of(s, ix).positions[static_cast<std::size_t>(ix.j)];
}

Ix enter_position(Load& l, const Item&, Ix ix) {
  std::vector<PortfolioPosition>& positions = portfolio_of(l, ix).positions;
  positions.emplace_back();
  return ix.push(static_cast<int>(positions.size() - 1));
}

constexpr Key kPositionKeys[] = {
    {.name = "asset",
     .kind = Kind::string,
     .need = Need::required,
     .meaning = "one of `market.assets`",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           position_of(l, c.ix).asset = l.asset_index(item, l.r.string(item), true);
         },
     .write =
         [](Put& put, const Scenario& s, Ix ix) {
           put(s.assets[static_cast<std::size_t>(position_of(s, ix).asset)].symbol);
         }},
    {.name = "side",
     .kind = Kind::choice,
     .choices = names_of<Side>(),
     .need = Need::required,
     .meaning = "the position's side",
     .read = [](Load& l, const Item& item,
                const Cursor& c) { position_of(l, c.ix).side = l.r.choice<Side>(item); },
     .write = [](Put& put, const Scenario& s,
                 Ix ix) { put(std::string(name_of(position_of(s, ix).side))); }},
    {.name = "notional",
     .kind = Kind::number,
     .need = Need::required,
     .meaning = "USD, > 0",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           position_of(l, c.ix).notional_usd = l.r.number(item);
           l.r.check(position_of(l, c.ix).notional_usd > 0, item, "must be > 0");
         },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(position_of(s, ix).notional_usd); }},
    {.name = "entry",
     .kind = Kind::number,
     .need = Need::required,
     .meaning = "entry price, USD, > 0",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           position_of(l, c.ix).entry_price = l.r.number(item);
           l.r.check(position_of(l, c.ix).entry_price > 0, item, "must be > 0");
         },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(position_of(s, ix).entry_price); }},
};
constexpr Section kPosition{
    .keys = kPositionKeys, .enter = enter_position, .count = [](const Scenario& s, Ix ix) {
      return portfolio_of(s, ix).positions.size();
    }};

Ix enter_portfolio(Load& l, const Item&, Ix ix) {
  l.s.portfolios.emplace_back();
  return ix.push(static_cast<int>(l.s.portfolios.size() - 1));
}

void read_portfolio_name(Load& l, const Item& item, const Cursor& c) {
  PortfolioSpec& p = portfolio_of(l, c.ix);
  p.name = l.r.string(item);
  l.r.check(!p.name.empty(), item, "must not be empty");
  for (int k = 0; k < c.ix.i; ++k) {
    l.r.check(l.s.portfolios[static_cast<std::size_t>(k)].name != p.name, item,
              "duplicate portfolio name");
  }
}

constexpr Key kPortfolioKeys[] = {
    {.name = "name",
     .kind = Kind::string,
     .need = Need::required,
     .meaning = "the portfolio's name in results, unique",
     .read = read_portfolio_name,
     .write = [](Put& put, const Scenario& s, Ix ix) { put(portfolio_of(s, ix).name); }},
    {.name = "collateral",
     .kind = Kind::number,
     .need = Need::required,
     .meaning = "USD, ≥ 0",
     .read =
         [](Load& l, const Item& item, const Cursor& c) {
           portfolio_of(l, c.ix).collateral_usd = l.r.number(item);
           l.r.check(portfolio_of(l, c.ix).collateral_usd >= 0, item, "must be >= 0");
         },
     .write = [](Put& put, const Scenario& s, Ix ix) { put(portfolio_of(s, ix).collateral_usd); }},
    {.name = "positions",
     .need = Need::required,
     .meaning = "the portfolio's positions, at least one",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.r.check(!item.node->as_array()->empty(), item, "must list at least one position");
         },
     .form = Form::inline_rows,
     .sub = &kPosition},
};
constexpr Section kPortfolio{.keys = kPortfolioKeys,
                             .enter = enter_portfolio,
                             .count = [](const Scenario& s, Ix) { return s.portfolios.size(); }};

// ---- [output] -------------------------------------------------------------------------------

constexpr Key kOutputKeys[] = {
    {.name = "path",
     .kind = Kind::string,
     .need = Need::fallback,
     .fallback = "\"results/{name}.h5\"",
     .meaning = "the results file, relative to the working directory; `{name}` = the scenario "
                "file's stem; `-o` overrides it",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.output.path = l.r.string(item);
           l.r.check(!l.s.output.path.empty(), item, "must not be empty");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.output.path); }},
    {.name = "per_path",
     .kind = Kind::boolean,
     .need = Need::fallback,
     .fallback = "true",
     .meaning = "write `/paths`, one row per path",
     .read = [](Load& l, const Item& item,
                const Cursor&) { l.s.output.per_path = l.r.boolean(item); },
     .write = [](Put& put, const Scenario& s, Ix) { put(s.output.per_path); }},
    {.name = "quantiles",
     .type = "array of numbers",
     .need = Need::fallback,
     .fallback = "[0.5, 0.9, 0.95, 0.975, 0.99, 0.999]",
     .meaning = "VaR and ES levels of `/summary`: at least one, each in (0, 1), increasing",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.output.quantiles = increasing(
               l, item, [](double v) { return v > 0 && v < 1; }, "must be in (0, 1)");
           l.r.check(!l.s.output.quantiles.empty(), item, "must list at least one level");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(numbers(s.output.quantiles)); }},
    {.name = "thresholds",
     .type = "array of numbers",
     .need = Need::fallback,
     .fallback = "[]",
     .meaning = "USD thresholds of the exceedance probabilities in `/summary` (the same for "
                "every metric): each > 0, increasing",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.output.thresholds = increasing(
               l, item, [](double v) { return v > 0; }, "must be > 0");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(numbers(s.output.thresholds)); }},
    {.name = "tail_levels",
     .type = "array of numbers",
     .need = Need::fallback,
     .fallback = "[0.99]",
     .meaning = "`/tail`: for each metric, the mean path (prices, liquidations, forced flow per "
                "step) of its worst (1 − p) tail at each level p, each in (0, 1), increasing; [] "
                "for none. The tail's paths are simulated a second time (by index: the same paths)",
     .read =
         [](Load& l, const Item& item, const Cursor&) {
           l.s.output.tail_levels = increasing(
               l, item, [](double v) { return v > 0 && v < 1; }, "must be in (0, 1)");
         },
     .write = [](Put& put, const Scenario& s, Ix) { put(numbers(s.output.tail_levels)); }},
};
constexpr Section kOutput{.keys = kOutputKeys};

// ---- the file -------------------------------------------------------------------------------

constexpr Key kScenarioKeys[] = {
    {.name = "simulation",
     .meaning = "how many paths, over what horizon, in what steps",
     .form = Form::table,
     .sub = &kSimulation},
    {.name = "market",
     .meaning = "the assets and the correlation of their diffusions",
     .form = Form::table,
     .sub = &kMarket},
    {.name = "asset",
     .meaning = "one table per symbol of `market.assets`, and no others",
     .form = Form::per_asset,
     .sub = &kAsset},
    {.name = "market_jumps",
     .meaning = "market-wide jumps, felt by each asset with its `beta`",
     .form = Form::table,
     .sub = &kJumps},
    {.name = "shock",
     .meaning = "deterministic scenario events: a gap and a volatility multiplier",
     .form = Form::rows,
     .sub = &kShock},
    {.name = "regime",
     .meaning = "volatility regimes: a Markov chain per path, each regime with its volatility, "
                "correlation and jump intensities (docs/MODEL.md §1); at most 8",
     .read = check_regimes,
     .form = Form::rows,
     .sub = &kRegime},
    {.name = "impact",
     .meaning = "how forced flow moves prices (docs/MODEL.md §4)",
     .form = Form::table,
     .sub = &kImpact},
    {.name = "book",
     .need = Need::required,
     .meaning = "the leveraged positions that may be liquidated",
     .form = Form::table,
     .sub = &kBook},
    {.name = "insurance_fund",
     .meaning = "what absorbs bad debt before auto-deleveraging",
     .form = Form::table,
     .sub = &kInsuranceFund},
    {.name = "portfolio",
     .meaning = "cross-margin accounts whose tail loss is reported; at most 32",
     .form = Form::rows,
     .sub = &kPortfolio},
    {.name = "output", .meaning = "the results file", .form = Form::table, .sub = &kOutput},
    {.name = "importance",
     .meaning = "importance sampling: the tilted law paths are drawn from, each path weighted "
                "by its likelihood ratio (docs/MODEL.md §5)",
     .form = Form::table,
     .sub = &kImportance},
};
constexpr Section kScenario{.keys = kScenarioKeys};

}  // namespace

const Section& scenario_schema() {
  return kScenario;
}

}  // namespace liq::schema
