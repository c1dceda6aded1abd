// liqstress — from a validated Scenario to the kernels' MarketParams (MODEL.md §1):
// Cholesky factor, per-step rates, jump compensator, the volatility-multiplier schedule
// and the sparse list of deterministic gaps. Owns the arrays the params point into.
#pragma once

#include <cstdint>
#include <vector>

#include "host/scenario/scenario.h"
#include "kernels/impact.h"
#include "kernels/market.h"

namespace liq {

class MarketModel {
 public:
  explicit MarketModel(const Scenario& scenario);

  /// Parameters whose pointers view this object's arrays (host memory): valid while it lives.
  MarketParams params() const;

  /// The importance tilt of `scenario` (none when it has none): set when built, and again
  /// once the automatic tilt is chosen (host/run/autotilt.h).
  void set_importance(const Scenario& scenario);

 private:
  void build_regimes(const Scenario& scenario);
  void build_shocks(const Scenario& scenario);

  MarketParams params_;
  std::vector<RegimeParams> regimes_;     // volatility regimes, when the scenario has them
  std::vector<double> regime_cdf_;        // [from × R + to], per step
  std::vector<double> regime_start_cdf_;  // [R]
  std::vector<double> vol_multiplier_;    // [steps]
  std::vector<std::int32_t> shock_step_;  // steps that end with a gap, increasing
  std::vector<double> shock_log_return_;  // [shock steps × assets]
};

/// The kernels' importance parameters (docs/MODEL.md §5) of a tilt in [importance]'s units,
/// on the market `market` (its steps and Cholesky factor: diffusion_shift is per ε = L z).
ImportanceParams importance_params(const ImportanceSpec& tilt, const MarketParams& market);

/// The kernels' impact parameters (MODEL.md §4) of a validated Scenario.
ImpactParams impact_params(const Scenario& scenario);

}  // namespace liq
