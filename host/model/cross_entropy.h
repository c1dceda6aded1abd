// liqstress — the cross-entropy update of the importance tilt (docs/MODEL.md §5; Rubinstein &
// Kroese 2004, de Boer et al. 2005): from the elite paths of a pilot batch, each with its
// likelihood ratio W to P and its sufficient statistics (kernels/market.h TiltStats), the tilt
// of the exponential families that minimises the cross-entropy to the law of the tail, in
// closed form. Pure arithmetic; the pilot that draws the paths is host/run/autotilt.h.
#pragma once

#include <vector>

#include "host/scenario/scenario.h"
#include "kernels/market.h"

namespace liq {

/// One elite path: its likelihood ratio dP/dQ and its statistics summed over the steps.
struct ElitePath {
  double weight = 0.0;
  TiltStats stats;
};

/// The smallest jump rate multiplier the update chooses (a tail without jumps would drive it
/// to 0, where a jump's weight is infinite).
constexpr double kMinRateMultiplier = 0.05;

/// The next tilt in [importance]'s units: `current` with each family the user did not give
/// (current.given) replaced by its update over the elite paths, for the untilted market `p`
/// (jump intensities per step, jump laws, Cholesky factor, steps):
///   jump rate multiplier  Σ W Σ_a N_a / (Σ W · n_steps · Σ_a λ_a Δ)   (one for every asset)
///   market rate           Σ W N_M / (Σ W · n_steps · λ_M Δ)
///   jump mean shift       Σ W J_a / Σ W N_a − m_a                     (likewise the market's)
///   diffusion shift       √n_steps · (L b)_a,  b = Σ W Σ_k z_k / (Σ W · n_steps)
/// A family without data (no jumps among the elite, a law of spread 0) keeps its value.
ImportanceSpec cross_entropy_update(const MarketParams& p, const ImportanceSpec& current,
                                    const std::vector<ElitePath>& elite);

}  // namespace liq
