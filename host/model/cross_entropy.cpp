// liqstress — the cross-entropy update of the importance tilt (cross_entropy.h).
#include "host/model/cross_entropy.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace liq {
namespace {

/// Σ W, Σ W N and Σ W J of one jump source (`pick` chooses it from a path's statistics).
template <class Pick>
void jump_sums(const std::vector<ElitePath>& elite, Pick pick, double& count, double& sum) {
  count = sum = 0.0;
  for (const ElitePath& e : elite) {
    const double* t = pick(e.stats);
    count += e.weight * t[0];
    sum += e.weight * t[1];
  }
}

double rate_multiplier(double weighted_count, double total_weight, double expected_count) {
  return std::max(kMinRateMultiplier, weighted_count / (total_weight * expected_count));
}

void update_market_jumps(const MarketParams& p, const std::vector<ElitePath>& elite, double total,
                         ImportanceSpec& next) {
  if (!(p.market_jump_count_mean > 0.0)) return;
  double count = 0.0, sum = 0.0;
  jump_sums(
      elite, [](const TiltStats& t) { return t.market_jumps; }, count, sum);
  if (!next.given.market_jump_rate_multiplier)
    next.market_jump_rate_multiplier =
        rate_multiplier(count, total, p.market_jump_count_mean * p.n_steps);
  if (!next.given.market_jump_mean_shift && p.market_jump_stdev > 0.0 && count > 0.0)
    next.market_jump_mean_shift = sum / count - p.market_jump_mean;
}

void update_asset_jumps(const MarketParams& p, const std::vector<ElitePath>& elite, double total,
                        ImportanceSpec& next) {
  double all_counts = 0.0, expected = 0.0;
  for (int a = 0; a < p.n_assets; ++a) {
    if (!(p.jump_count_mean[a] > 0.0)) continue;
    double count = 0.0, sum = 0.0;
    jump_sums(
        elite, [a](const TiltStats& t) { return t.jumps[a]; }, count, sum);
    all_counts += count;
    expected += p.jump_count_mean[a] * p.n_steps;
    if (!next.given.jump_mean_shift && p.jump_stdev[a] > 0.0 && count > 0.0)
      next.jump_mean_shift[static_cast<std::size_t>(a)] = sum / count - p.jump_mean[a];
  }
  if (!next.given.jump_rate_multiplier && expected > 0.0)
    next.jump_rate_multiplier = rate_multiplier(all_counts, total, expected);
}

/// b = the weighted mean of Σ_k z_k per step; the shift of ε = L z over the horizon in
/// standard deviations is √n · L b (host/model/market_model.cpp inverts it).
void update_diffusion(const MarketParams& p, const std::vector<ElitePath>& elite, double total,
                      ImportanceSpec& next) {
  if (next.given.diffusion_shift) return;
  double b[kMaxAssets] = {};
  for (int a = 0; a < p.n_assets; ++a) {
    for (const ElitePath& e : elite) b[a] += e.weight * e.stats.z_sum[a];
    b[a] /= total * p.n_steps;
  }
  const double root_n = std::sqrt(static_cast<double>(p.n_steps));
  for (int a = 0; a < p.n_assets; ++a) {
    double d = 0.0;
    for (int c = 0; c <= a; ++c) d += p.chol[a * kMaxAssets + c] * b[c];
    next.diffusion_shift[static_cast<std::size_t>(a)] = root_n * d;
  }
}

}  // namespace

ImportanceSpec cross_entropy_update(const MarketParams& p, const ImportanceSpec& current,
                                    const std::vector<ElitePath>& elite) {
  ImportanceSpec next = current;
  const auto n = static_cast<std::size_t>(p.n_assets);
  next.jump_mean_shift.resize(n, 0.0);
  next.diffusion_shift.resize(n, 0.0);
  double total = 0.0;
  for (const ElitePath& e : elite) total += e.weight;
  if (!(total > 0.0) || !std::isfinite(total) || p.n_steps <= 0) return next;
  update_market_jumps(p, elite, total, next);
  update_asset_jumps(p, elite, total, next);
  update_diffusion(p, elite, total, next);
  return next;
}

}  // namespace liq
