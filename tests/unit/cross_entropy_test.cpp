// liqstress — unit tests of the cross-entropy update of the importance tilt
// (host/model/cross_entropy.h): a hand-made weighted elite whose closed-form updates are
// worked out below (de Boer et al. 2005, section 3: for a natural exponential family the
// update is the weighted mean of the sufficient statistic), the Cholesky conversion of the
// diffusion's shift against importance_params' inverse, keys given by hand, and the
// degenerate cases.
#include "host/model/cross_entropy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "host/model/market_model.h"

namespace liq {
namespace {

/// One asset over 10 steps: jumps λΔ = 0.02 per step, m = −0.05, s = 0.05; market jumps
/// λ_MΔ = 0.01, m_M = −0.1, s_M = 0.02.
MarketParams one_asset() {
  MarketParams p;
  p.n_assets = 1;
  p.n_steps = 10;
  p.chol[0] = 1.0;
  p.jump_count_mean[0] = 0.02;
  p.jump_mean[0] = -0.05;
  p.jump_stdev[0] = 0.05;
  p.market_jump_count_mean = 0.01;
  p.market_jump_mean = -0.1;
  p.market_jump_stdev = 0.02;
  return p;
}

ImportanceSpec untilted(int assets) {
  ImportanceSpec s;
  s.jump_mean_shift.assign(static_cast<std::size_t>(assets), 0.0);
  s.diffusion_shift.assign(static_cast<std::size_t>(assets), 0.0);
  return s;
}

/// Path A: W 0.5, 2 jumps summing to −0.3, one market jump of −0.2, Σz = −4.
/// Path B: W 1.5, 1 jump of −0.1, no market jump, Σz = −2.
std::vector<ElitePath> two_paths() {
  std::vector<ElitePath> e(2);
  e[0].weight = 0.5;
  e[0].stats.jumps[0][0] = 2;
  e[0].stats.jumps[0][1] = -0.3;
  e[0].stats.market_jumps[0] = 1;
  e[0].stats.market_jumps[1] = -0.2;
  e[0].stats.z_sum[0] = -4;
  e[1].weight = 1.5;
  e[1].stats.jumps[0][0] = 1;
  e[1].stats.jumps[0][1] = -0.1;
  e[1].stats.z_sum[0] = -2;
  return e;
}

TEST(CrossEntropy, ClosedFormUpdatesOfAWeightedElite) {
  const ImportanceSpec next = cross_entropy_update(one_asset(), untilted(1), two_paths());
  // ΣW = 2. Rate: ΣW N = 0.5·2 + 1.5·1 = 2.5 over ΣW · steps · λΔ = 2 · 10 · 0.02 = 0.4.
  EXPECT_NEAR(next.jump_rate_multiplier, 6.25, 1e-12);
  // Mean: ΣW J = 0.5·(−0.3) + 1.5·(−0.1) = −0.3 over ΣW N = 2.5: −0.12, shift −0.07.
  EXPECT_NEAR(next.jump_mean_shift[0], -0.07, 1e-12);
  // Market: ΣW N_M = 0.5 over 2 · 10 · 0.01 = 0.2; mean −0.1/0.5 = −0.2, shift −0.1.
  EXPECT_NEAR(next.market_jump_rate_multiplier, 2.5, 1e-12);
  EXPECT_NEAR(next.market_jump_mean_shift, -0.1, 1e-12);
  // b = (0.5·(−4) + 1.5·(−2)) / (2 · 10) = −0.25 per step: √10 · (−0.25) over the horizon.
  EXPECT_NEAR(next.diffusion_shift[0], -0.25 * std::sqrt(10.0), 1e-12);
}

TEST(CrossEntropy, DiffusionShiftIsInEpsilonUnitsWhichImportanceParamsInverts) {
  MarketParams p = one_asset();
  p.n_assets = 2;
  p.chol[0] = 1.0;
  p.chol[kMaxAssets] = 0.6;  // ρ = 0.6
  p.chol[kMaxAssets + 1] = 0.8;
  std::vector<ElitePath> e(1);
  e[0].weight = 1.0;
  e[0].stats.z_sum[0] = -3.0;  // b = (−0.3, 0.2) per step
  e[0].stats.z_sum[1] = 2.0;
  const ImportanceSpec next = cross_entropy_update(p, untilted(2), e);
  const double root10 = std::sqrt(10.0);
  EXPECT_NEAR(next.diffusion_shift[0], root10 * -0.3, 1e-12);
  EXPECT_NEAR(next.diffusion_shift[1], root10 * (0.6 * -0.3 + 0.8 * 0.2), 1e-12);
  const ImportanceParams q = importance_params(next, p);
  EXPECT_NEAR(q.z_shift[0], -0.3, 1e-12);
  EXPECT_NEAR(q.z_shift[1], 0.2, 1e-12);
  // Asset 1 has jumps of the same law but none among the elite: its mean keeps its value.
  p.jump_count_mean[1] = 0.02;
  p.jump_stdev[1] = 0.05;
  EXPECT_EQ(cross_entropy_update(p, untilted(2), two_paths()).jump_mean_shift[1], 0.0);
}

TEST(CrossEntropy, KeysGivenByHandStay) {
  ImportanceSpec current = untilted(1);
  current.jump_rate_multiplier = 3.0;
  current.given.jump_rate_multiplier = true;
  current.diffusion_shift[0] = -0.5;
  current.given.diffusion_shift = true;
  const ImportanceSpec next = cross_entropy_update(one_asset(), current, two_paths());
  EXPECT_EQ(next.jump_rate_multiplier, 3.0);
  EXPECT_EQ(next.diffusion_shift[0], -0.5);
  EXPECT_NEAR(next.jump_mean_shift[0], -0.07, 1e-12);  // the others are updated
  EXPECT_NEAR(next.market_jump_rate_multiplier, 2.5, 1e-12);
}

TEST(CrossEntropy, DegenerateElites) {
  // No jumps among the elite: the rates fall to the floor, the means keep their values.
  std::vector<ElitePath> none(1);
  none[0].weight = 1.0;
  ImportanceSpec current = untilted(1);
  current.jump_mean_shift[0] = -0.02;
  ImportanceSpec next = cross_entropy_update(one_asset(), current, none);
  EXPECT_EQ(next.jump_rate_multiplier, kMinRateMultiplier);
  EXPECT_EQ(next.market_jump_rate_multiplier, kMinRateMultiplier);
  EXPECT_EQ(next.jump_mean_shift[0], -0.02);
  EXPECT_EQ(next.market_jump_mean_shift, 0.0);
  // Jumps of spread 0 cannot be shifted (the weight would be 0); no weight: no update.
  MarketParams p = one_asset();
  p.jump_stdev[0] = 0.0;
  EXPECT_EQ(cross_entropy_update(p, untilted(1), two_paths()).jump_mean_shift[0], 0.0);
  none[0].weight = 0.0;
  next = cross_entropy_update(one_asset(), current, none);
  EXPECT_EQ(next.jump_rate_multiplier, 1.0);
  EXPECT_EQ(next.diffusion_shift[0], 0.0);
  EXPECT_EQ(cross_entropy_update(one_asset(), current, {}).jump_rate_multiplier, 1.0);
}

}  // namespace
}  // namespace liq
