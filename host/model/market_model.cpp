// liqstress — building MarketParams from a Scenario (see market_model.h).
#include "host/model/market_model.h"

#include <cmath>
#include <map>
#include <stdexcept>

#include "host/util/errors.h"
#include "host/util/linalg.h"

namespace liq {

namespace {
// Steps are compared in seconds; a millisecond absorbs the rounding of "1.5h" style input.
constexpr double kTimeEpsilon_s = 1e-3;
}  // namespace

namespace {

/// c_a = m·(λ_a (E[e^J] − 1) + λ_M (E[e^{β J_M}] − 1)), J ~ N(m, s²) (MODEL.md §1), annualised,
/// with the jump intensities multiplied by `rate_multiplier` (a regime's).
double compensator(const AssetSpec& as, const JumpSpec& mj, double rate_multiplier) {
  const double b = as.beta;
  return rate_multiplier *
         (as.jumps.rate * std::expm1(as.jumps.mean + 0.5 * as.jumps.stdev * as.jumps.stdev) +
          mj.rate * std::expm1(b * mj.mean + 0.5 * b * b * mj.stdev * mj.stdev));
}

/// Cumulative sums of each row (of `n` entries) of a row-stochastic matrix, normalised so that
/// the last entry of a row is exactly 1.
std::vector<double> row_cdf(const std::vector<double>& m, int n) {
  std::vector<double> out(m.size());
  for (std::size_t row = 0; row < m.size(); row += static_cast<std::size_t>(n)) {
    double c = 0.0;
    for (int j = 0; j < n; ++j) out[row + j] = (c += std::max(m[row + j], 0.0));
    for (int j = 0; j < n; ++j) out[row + j] /= c;
    out[row + n - 1] = 1.0;
  }
  return out;
}

}  // namespace

MarketModel::MarketModel(const Scenario& sc) {
  const int n = sc.n_assets();
  if (n < 1 || n > kMaxAssets) {
    throw InputError("scenario has " + std::to_string(n) + " assets; liqstress supports 1 to " +
                     std::to_string(kMaxAssets));
  }
  const SimulationSpec& sim = sc.simulation;
  const std::int32_t steps = sim.steps();
  MarketParams& p = params_;
  p.seed = sim.seed;
  p.n_assets = n;
  p.n_steps = steps;
  p.dt_years = sim.step_s / kSecondsPerYear;
  p.steps_per_8h = 8.0 * 3600.0 / sim.step_s;
  p.sqrt_dt = std::sqrt(p.dt_years);
  p.innovations =
      sim.innovations == InnovationKind::student_t ? Innovations::student_t : Innovations::gaussian;
  p.dof = sim.dof;
  if (sim.innovations == InnovationKind::student_t) {
    // The block must hold whole steps: a step longer than the block, or a block that is not a
    // multiple of the step, would share W across blocks or cut one.
    const double per_block = sim.dof_block_s / sim.step_s;
    const double whole = std::round(per_block);
    if (whole < 1.0 || std::fabs(per_block - whole) > 1e-9 * per_block) {
      throw InputError(sc.source_file.string() +
                       ": simulation.dof_block: must be a whole multiple of simulation.step (" +
                       std::to_string(sim.step_s) + " s), got " + std::to_string(sim.dof_block_s) +
                       " s");
    }
    p.tail_block_steps = static_cast<std::int32_t>(whole);
  }

  std::vector<double> chol;
  try {
    chol = cholesky_lower(sc.correlation, n);
  } catch (const std::domain_error& e) {
    throw InputError(sc.source_file.string() + ": market.correlation: " + e.what());
  }
  for (int a = 0; a < n; ++a)
    for (int b = 0; b <= a; ++b) p.chol[a * kMaxAssets + b] = chol[a * n + b];

  const JumpSpec& mj = sc.market_jumps;
  p.market_jump_count_mean = mj.rate * p.dt_years;
  p.market_jump_mean = mj.mean;
  p.market_jump_stdev = mj.stdev;
  for (int a = 0; a < n; ++a) {
    const AssetSpec& as = sc.assets[a];
    p.vol[a] = as.vol;
    p.beta[a] = as.beta;
    p.spot[a] = as.spot;
    p.funding_step[a] = as.funding_8h * sim.step_s / (8.0 * 3600.0);
    p.funding_endogenous[a] = as.funding == FundingRule::endogenous ? 1 : 0;
    p.funding_premium[a] = as.funding_premium_8h;
    p.funding_interest[a] = as.funding_interest_8h;
    p.funding_cap[a] = as.funding_cap_8h;
    p.jump_count_mean[a] = as.jumps.rate * p.dt_years;
    p.jump_mean[a] = as.jumps.mean;
    p.jump_stdev[a] = as.jumps.stdev;
    p.drift[a] = as.drift - (sim.drift_compensation ? compensator(as, mj, 1.0) : 0.0);
  }
  if (!sc.regimes.empty()) build_regimes(sc);
  set_importance(sc);

  build_shocks(sc);
}

/// The volatility multiplier of every step and the shocks' gaps, summed per step.
void MarketModel::build_shocks(const Scenario& sc) {
  const int n = sc.n_assets();
  const SimulationSpec& sim = sc.simulation;
  const std::int32_t steps = sim.steps();
  // Volatility multiplier v(k): a shock covers the steps that *start* in [at, at + duration);
  // overlapping multipliers multiply.
  vol_multiplier_.assign(static_cast<std::size_t>(steps), 1.0);
  std::map<std::int32_t, std::vector<double>> gaps;  // step → summed log-returns
  for (const ShockSpec& sh : sc.shocks) {
    for (std::int32_t k = 0; k < steps; ++k) {
      const double start_s = static_cast<double>(k) * sim.step_s;
      if (start_s + kTimeEpsilon_s >= sh.at_s && start_s + kTimeEpsilon_s < sh.at_s + sh.duration_s)
        vol_multiplier_[static_cast<std::size_t>(k)] *= sh.vol_multiplier;
    }
    // The gap lands at the end of step ⌊at/Δ⌋.
    const auto k = static_cast<std::int32_t>(std::floor(sh.at_s / sim.step_s + 1e-9));
    std::vector<double>& g = gaps[std::min(k, steps - 1)];
    g.resize(static_cast<std::size_t>(n), 0.0);
    for (int a = 0; a < n; ++a) g[a] += std::log1p(sh.returns[static_cast<std::size_t>(a)]);
  }
  for (const auto& [k, g] : gaps) {
    shock_step_.push_back(k);
    shock_log_return_.insert(shock_log_return_.end(), g.begin(), g.end());
  }
}

void MarketModel::build_regimes(const Scenario& sc) {
  const int n = sc.n_assets(), r = static_cast<int>(sc.regimes.size());
  if (r > kMaxRegimes) {
    throw InputError(sc.source_file.string() + ": " + std::to_string(r) +
                     " regimes; liqstress supports at most " + std::to_string(kMaxRegimes));
  }
  const MarketParams& p = params_;
  for (const RegimeSpec& spec : sc.regimes) {
    RegimeParams rp;
    std::vector<double> chol;
    try {
      chol = cholesky_lower(spec.correlation.empty() ? sc.correlation : spec.correlation, n);
    } catch (const std::domain_error& e) {
      throw InputError(sc.source_file.string() + ": regime." + spec.name +
                       ".correlation: " + e.what());
    }
    for (int a = 0; a < n; ++a) {
      for (int b = 0; b <= a; ++b) rp.chol[a * kMaxAssets + b] = chol[a * n + b];
      const AssetSpec& as = sc.assets[a];
      rp.vol_multiplier[a] = spec.vol_multiplier.empty() ? 1.0 : spec.vol_multiplier[a];
      rp.jump_count_mean[a] = as.jumps.rate * spec.jump_rate_multiplier * p.dt_years;
      const double c = sc.simulation.drift_compensation
                           ? compensator(as, sc.market_jumps, spec.jump_rate_multiplier)
                           : 0.0;
      rp.drift[a] = as.drift - c;
    }
    rp.market_jump_count_mean = sc.market_jumps.rate * spec.jump_rate_multiplier * p.dt_years;
    regimes_.push_back(rp);
  }
  // The generator Q (per day) and the per-step transition matrix e^{QΔ}.
  std::vector<double> q(static_cast<std::size_t>(r) * r, 0.0);
  for (int i = 0; i < r; ++i) {
    for (int j = 0; j < r; ++j) {
      if (i == j) continue;
      q[i * r + j] = sc.regimes[i].rates_per_day[j];
      q[i * r + i] -= q[i * r + j];
    }
  }
  std::vector<double> q_step = q;
  for (double& v : q_step) v *= sc.simulation.step_s / 86400.0;
  regime_cdf_ = row_cdf(matrix_exponential(q_step, r), r);
  std::vector<double> start(static_cast<std::size_t>(r), 0.0);
  if (sc.initial_regime >= 0) {
    start[sc.initial_regime] = 1.0;
  } else {
    try {
      start = stationary_distribution(q, r);
    } catch (const std::domain_error& e) {
      throw InputError(sc.source_file.string() +
                       ": regimes: no stationary distribution to start from (" + e.what() +
                       "); set simulation.initial_regime");
    }
  }
  regime_start_cdf_ = row_cdf(start, r);
}

/// The tilted law (docs/MODEL.md §5). The diffusion's shift d_a (in ε per step) is
/// diffusion_shift_a / √steps, so that it sums to diffusion_shift_a standard deviations over
/// the horizon; in z, b = L⁻¹ d (forward substitution), since ε = L z.
ImportanceParams importance_params(const ImportanceSpec& is, const MarketParams& market) {
  const int n = market.n_assets;
  ImportanceParams q;
  q.on = 1;
  q.market_rate_multiplier = is.market_jump_rate_multiplier;
  q.market_mean_shift = is.market_jump_mean_shift;
  q.jump_rate_multiplier = is.jump_rate_multiplier;
  const double per_step = 1.0 / std::sqrt(static_cast<double>(market.n_steps));
  double half_sq = 0.0;
  for (int a = 0; a < n; ++a) {
    const auto i = static_cast<std::size_t>(a);
    q.jump_mean_shift[a] = i < is.jump_mean_shift.size() ? is.jump_mean_shift[i] : 0.0;
    const double d = (i < is.diffusion_shift.size() ? is.diffusion_shift[i] : 0.0) * per_step;
    double acc = d;
    for (int b = 0; b < a; ++b) acc -= market.chol[a * kMaxAssets + b] * q.z_shift[b];
    q.z_shift[a] = acc / market.chol[a * kMaxAssets + a];
    half_sq += 0.5 * q.z_shift[a] * q.z_shift[a];
  }
  q.z_shift_half_sq = half_sq;
  return q;
}

void MarketModel::set_importance(const Scenario& sc) {
  params_.importance =
      sc.importance.on() ? importance_params(sc.importance, params_) : ImportanceParams{};
}

MarketParams MarketModel::params() const {
  MarketParams p = params_;
  p.vol_multiplier = vol_multiplier_.data();
  p.n_shock_steps = static_cast<std::int32_t>(shock_step_.size());
  p.shock_step = shock_step_.empty() ? nullptr : shock_step_.data();
  p.shock_log_return = shock_log_return_.empty() ? nullptr : shock_log_return_.data();
  p.n_regimes = static_cast<std::int32_t>(regimes_.size());
  p.regimes = regimes_.empty() ? nullptr : regimes_.data();
  p.regime_cdf = regime_cdf_.empty() ? nullptr : regime_cdf_.data();
  p.regime_start_cdf = regime_start_cdf_.empty() ? nullptr : regime_start_cdf_.data();
  return p;
}

ImpactParams impact_params(const Scenario& sc) {
  const ImpactSpec& im = sc.impact;
  const int n = sc.n_assets();
  ImpactParams ip;
  ip.law = im.model == ImpactModel::none     ? ImpactLaw::none
           : im.model == ImpactModel::linear ? ImpactLaw::linear
                                             : ImpactLaw::square_root;
  ip.max_rounds = im.max_cascade_rounds;
  ip.strength = im.strength;
  // The flow memory Q decays so that the impact G(Q) ∝ |Q|^α, without thinning, halves every
  // half-life: Q's own half-life is α·half_life (kernels/impact.h).
  const double alpha = ip.law == ImpactLaw::square_root ? 0.5 : 1.0;
  ip.flow_decay = std::isinf(im.half_life_s)
                      ? 1.0
                      : std::exp2(-sc.simulation.step_s / (alpha * im.half_life_s));
  for (int a = 0; a < n; ++a) {
    ip.depth[a] = sc.assets[a].depth_usd.value_or(0.0);
    for (int b = 0; b < n; ++b)
      ip.cross[a * kMaxAssets + b] = im.cross.empty() ? (a == b ? 1.0 : 0.0) : im.cross[a * n + b];
  }
  ip.thin_drawdown = im.thin_drawdown;
  ip.thin_flow = im.thin_flow;
  ip.thin_floor = im.thin_floor;
  return ip;
}

}  // namespace liq
