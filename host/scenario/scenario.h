// liqstress — the validated scenario: host types with units resolved (SPEC.md, "Scenario
// file"). host/scenario/config.cpp fills it from TOML; everything downstream reads only this.
// Units: seconds for durations, USD for money, annualised rates and volatilities, simple
// returns for shocks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace liq {

enum class InnovationKind { gaussian, student_t };
enum class ImpactModel { none, linear, sqrt };
enum class BookSource { synthetic, csv };
enum class Side { long_side = 0, short_side = 1 };
/// How an asset's funding rate is set (docs/MODEL.md §3).
enum class FundingRule { constant, endogenous };

struct SimulationSpec {
  std::int64_t paths = 0;
  double horizon_s = 0.0;  // seconds
  double step_s = 0.0;     // seconds
  std::uint64_t seed = 1;
  std::int64_t max_paths = 10'000'000;  // cap for --target-rel-ci
  bool drift_compensation = false;
  InnovationKind innovations = InnovationKind::gaussian;
  double dof = 4.0;  // Student-t degrees of freedom, > 2
  /// Student-t: the mixing variable is shared by the steps of a block of this many seconds
  /// (docs/MODEL.md §1), so `dof` describes returns over the block whatever the step.
  double dof_block_s = 86400.0;
  /// Number of steps: horizon / step, validated to be a whole number.
  std::int32_t steps() const { return static_cast<std::int32_t>(horizon_s / step_s + 0.5); }
};

/// Compound-Poisson jumps with normal log sizes (Merton).
struct JumpSpec {
  double rate = 0.0;   // per year
  double mean = 0.0;   // mean log jump size
  double stdev = 0.0;  // stdev of log jump size
};

struct AssetSpec {
  std::string symbol;
  double spot = 0.0;                // USD
  double vol = 0.0;                 // annualised
  double drift = 0.0;               // annualised
  double beta = 1.0;                // loading on market-wide jumps
  std::optional<double> depth_usd;  // USD of market orders that move the price 1%
  JumpSpec jumps;
  double funding_8h = 0.0;  // funding rate per 8 hours, longs pay when > 0
  FundingRule funding = FundingRule::constant;
  double funding_premium_8h = 0.0015;   // endogenous: premium per 8 h of a one-sided book
  double funding_interest_8h = 0.0001;  // endogenous: interest per 8 h
  double funding_cap_8h = 0.0075;       // endogenous: cap on the rate per 8 h
  /// Whether funding can move this asset's liquidation prices.
  bool funded() const { return funding == FundingRule::endogenous || funding_8h != 0.0; }
};

/// A deterministic scenario event: a gap at the end of step ⌊at/Δ⌋ and a volatility
/// multiplier over the steps that start in [at, at + duration).
struct ShockSpec {
  double at_s = 0.0;
  std::vector<double> returns;  // simple return per asset, config order (0 when unnamed)
  double vol_multiplier = 1.0;
  double duration_s = 0.0;
};

struct ImpactSpec {
  ImpactModel model = ImpactModel::none;
  double strength = 1.0;                                         // η
  double half_life_s = std::numeric_limits<double>::infinity();  // inf = permanent
  std::int32_t max_cascade_rounds = 64;
  /// Γ, row-major [to * A + from]; identity plus `cross.FROM.TO` entries.
  std::vector<double> cross;
  /// Thinning liquidity (kernels/impact.h), [impact.thinning]: 0 = off.
  double thin_drawdown = 0.0;  // e-folding log drawdown of depth
  double thin_flow = 0.0;      // step flow, in units of depth, that halves the depth
  double thin_floor = 0.05;    // depth never below this fraction
};

/// One maintenance-margin bracket (Binance's names), by position notional.
struct TierRow {
  std::string asset;  // empty: applies to every asset without rows of its own
  double min_notional_usd = 0.0;
  double max_notional_usd = 0.0;
  double maintenance_margin_rate = 0.0;
  double max_leverage = 0.0;
  double maintenance_amount_usd = 0.0;  // cumulative amount of the bracket
};

struct SyntheticBookSpec {
  std::vector<double> open_interest_usd;  // per asset
  std::vector<double> long_share;         // per asset, in [0, 1]
  std::vector<double> leverage_levels;
  std::vector<double> leverage_weights;
  double entry_spread = 0.06;  // lognormal stdev of entry prices around spot (history 0)
  double history_s = 0.0;      // > 0: the book survived a simulated past this long
  std::int64_t positions = 0;  // per asset
  std::uint64_t seed = 1;      // the book's own seed: simulation.seed (--seed) varies paths only
};

struct BookSpec {
  BookSource source = BookSource::synthetic;
  std::filesystem::path csv_path;  // resolved against the scenario file's folder
  std::string maintenance;         // tier table name, a path, or empty with explicit tiers
  std::vector<TierRow> tiers;      // explicit [[book.tier]] rows
  SyntheticBookSpec synthetic;
};

/// Who covers what the insurance fund cannot pay (docs/MODEL.md §3, kernels/adl.h).
enum class AdlRuleSpec { pro_rata, none };

struct InsuranceFundSpec {
  double balance_usd = 0.0;
  double liquidation_fee = 0.0;  // fraction of liquidated notional
  AdlRuleSpec adl = AdlRuleSpec::pro_rata;
};

struct PortfolioPosition {
  int asset = 0;  // index into Scenario::assets
  Side side = Side::long_side;
  double notional_usd = 0.0;
  double entry_price = 0.0;
};

struct PortfolioSpec {
  std::string name;
  double collateral_usd = 0.0;
  std::vector<PortfolioPosition> positions;
};

struct OutputSpec {
  std::string path = "results/{name}.h5";  // {name} = the config file's stem
  bool per_path = true;
  std::vector<double> quantiles = {0.5, 0.9, 0.95, 0.975, 0.99, 0.999};
  std::vector<double> thresholds;
  std::vector<double> tail_levels = {0.99};  // /tail: the typical path into each metric's tail
};

/// A volatility regime (docs/MODEL.md §1): the regime path is a Markov chain per path.
struct RegimeSpec {
  std::string name;
  std::vector<double> vol_multiplier;  // per asset, multiplies asset.vol (1 when unset)
  std::vector<double> correlation;     // A×A; empty: market.correlation
  double jump_rate_multiplier = 1.0;   // multiplies every jump intensity (asset and market)
  std::vector<double> rates_per_day;   // [to]: transition rate to each regime (0 to itself)
  std::vector<std::pair<std::string, double>> to;  // the rates as written: regime → per day
};

/// Importance sampling (docs/MODEL.md §5, [importance]): the tilted law the paths are drawn
/// from; every path carries its likelihood ratio in /paths/weight.
struct ImportanceSpec {
  double market_jump_rate_multiplier = 1.0;
  double market_jump_mean_shift = 0.0;
  double jump_rate_multiplier = 1.0;
  std::vector<double> jump_mean_shift;  // per asset, per jump
  std::vector<double> diffusion_shift;  // per asset: mean of ε summed over the horizon, in √steps
  // The automatic tilt (cross-entropy, host/run/autotilt.h): the tail metric > threshold it
  // aims at; empty: the tilt above is the one set by hand.
  std::string metric;
  double threshold = 0.0;
  bool given_threshold = false;
  /// The tilt families written in the file (fixed; the others the cross-entropy pilot tunes).
  struct Given {
    bool market_jump_rate_multiplier = false, market_jump_mean_shift = false;
    bool jump_rate_multiplier = false, jump_mean_shift = false, diffusion_shift = false;
    bool all() const {
      return market_jump_rate_multiplier && market_jump_mean_shift && jump_rate_multiplier &&
             jump_mean_shift && diffusion_shift;
    }
  } given;
  bool automatic() const { return !metric.empty(); }
  bool on() const {
    if (automatic()) return true;
    const auto nonzero = [](const std::vector<double>& v) {
      for (double x : v)
        if (x != 0.0) return true;
      return false;
    };
    return market_jump_rate_multiplier != 1.0 || market_jump_mean_shift != 0.0 ||
           jump_rate_multiplier != 1.0 || nonzero(jump_mean_shift) || nonzero(diffusion_shift);
  }
};

/// Years of 365 days: crypto trades every day (docs/MODEL.md §1). Rates and volatilities are
/// annual; durations are seconds.
constexpr double kSecondsPerYear = 365.0 * 86400.0;

struct Scenario {
  std::filesystem::path source_file;  // as given (or "<builtin>/default.toml")
  std::string name;                   // the config file's stem
  SimulationSpec simulation;
  std::vector<AssetSpec> assets;
  std::vector<double> correlation;  // row-major A×A, symmetric PSD (repaired when asked)
  bool repair_correlation = false;
  JumpSpec market_jumps;
  std::vector<ShockSpec> shocks;
  std::vector<RegimeSpec> regimes;  // none: one regime, the asset tables and market.correlation
  int initial_regime = -1;          // index into regimes; −1: drawn from the stationary law
  std::string initial_regime_name = "stationary";  // as written (simulation.initial_regime)
  ImpactSpec impact;
  BookSpec book;
  InsuranceFundSpec insurance_fund;
  std::vector<PortfolioSpec> portfolios;
  OutputSpec output;
  ImportanceSpec importance;
  /// The resolved scenario as TOML text: every key with its effective value, defaults
  /// included. Written to the results file and printed by `liqstress validate`.
  std::string resolved_toml;
  /// Warnings raised while loading (a repaired correlation matrix, ...), for stderr.
  std::vector<std::string> warnings;

  int n_assets() const { return static_cast<int>(assets.size()); }
  std::vector<std::string> regime_names() const {
    std::vector<std::string> names;
    for (const RegimeSpec& r : regimes) names.push_back(r.name);
    return names;
  }
};

}  // namespace liq
