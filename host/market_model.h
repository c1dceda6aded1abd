// liqstress — from a validated Scenario to the kernels' MarketParams (MODEL.md §1):
// Cholesky factor, per-step rates, jump compensator, the volatility-multiplier schedule
// and the sparse list of deterministic gaps. Owns the arrays the params point into.
#pragma once

#include <cstdint>
#include <vector>

#include "host/scenario.h"
#include "kernels/market.h"

namespace liq {

constexpr double kSecondsPerYear = 365.0 * 86400.0;  // crypto trades every day

class MarketModel {
 public:
  explicit MarketModel(const Scenario& scenario);

  /// Parameters whose pointers view this object's arrays (host memory): valid while it lives.
  MarketParams params() const;

  const std::vector<double>& vol_multiplier() const { return vol_multiplier_; }
  const std::vector<std::int32_t>& shock_steps() const { return shock_step_; }
  const std::vector<double>& shock_log_returns() const { return shock_log_return_; }
  /// The jump compensator c_a (annualised), 0 unless drift_compensation.
  const std::vector<double>& compensator() const { return compensator_; }

 private:
  MarketParams params_;
  std::vector<double> vol_multiplier_;    // [steps]
  std::vector<std::int32_t> shock_step_;  // steps that end with a gap, increasing
  std::vector<double> shock_log_return_;  // [shock steps × assets]
  std::vector<double> compensator_;       // [assets]
};

}  // namespace liq
