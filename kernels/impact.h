// liqstress — price impact of forced flow (MODEL.md §4), single source for both backends.
// Within a step, the net forced flow F_b of each asset (liquidated shorts bought back minus
// liquidated longs sold, each at q·P_liq; cross-margin accounts sell what they hold) moves
// every asset's log price by Δm_a = Σ_b Γ_ab g_b(F_b), g_b(F) = η·0.01·sign(F)·(|F|/D_b)^α.
// The step iterates liquidation → impact → liquidation to the least fixed point
// (kernels/path.h). Between steps the impact decays with a half-life (resilience).
//
// Thinning liquidity (off by default): the depth the step's flow meets is
//   D_eff = D · max(floor, exp(−dd / drawdown_scale) / (1 + |F| / (flow_scale · D)))
// where dd ≥ 0 is the asset's log drawdown from its running peak to the step's low before
// the step's own impact, and F the step's flow so far. Each factor is on only when its
// scale is > 0. Both make impact grow faster than the flow, as books did on 10 Oct 2025
// (depth down by more than 90%): a floor of 0.05 allows a 95% thinning. Because dd is fixed
// within the step, the step's impact stays a function of its flow alone, and the cascade a
// fixed point of the flow.
#pragma once

#include <math.h>

#include <cstdint>

#include "macros.h"
#include "market.h"

namespace liq {

struct ImpactParams {
  std::int32_t model = 0;  // 0 none, 1 linear (α = 1), 2 square-root law (α = ½)
  std::int32_t max_rounds = 64;
  double strength = 0.0;                       // η
  double decay = 1.0;                          // per step: 2^(−Δ/half_life); 1 = permanent
  double depth[kMaxAssets] = {};               // D_b, USD that move the price 1%
  double cross[kMaxAssets * kMaxAssets] = {};  // Γ, row-major [to * kMaxAssets + from]
  double thin_drawdown = 0.0;                  // e-folding log drawdown; 0 = off
  double thin_flow = 0.0;   // flow, in units of D, that halves the depth; 0 = off
  double thin_floor = 0.0;  // smallest fraction of D
};

/// g_b(F): the log-price impact of the step's net flow F (USD, buys > 0) on its own asset;
/// `drawdown` is the asset's log drawdown before the step's impact (for thinning).
LIQ_HD LIQ_FORCEINLINE double own_impact(const ImpactParams& ip, int b, double flow,
                                         double drawdown) {
  if (flow == 0.0) return 0.0;
  const double size = fabs(flow);
  double thin = 1.0;
  if (ip.thin_drawdown > 0.0) thin *= exp(-drawdown / ip.thin_drawdown);
  if (ip.thin_flow > 0.0) thin /= 1.0 + size / (ip.thin_flow * ip.depth[b]);
  if (ip.thin_drawdown > 0.0 || ip.thin_flow > 0.0) thin = fmax(thin, ip.thin_floor);
  const double r = size / (ip.depth[b] * thin);
  const double g = ip.strength * 0.01 * (ip.model == 1 ? r : sqrt(r));
  return flow > 0.0 ? g : -g;
}

/// Δm = Γ g(F) for every asset: `flow` and `drawdown` per asset in, `shift` per asset out.
LIQ_HD LIQ_FORCEINLINE void step_impact(const ImpactParams& ip, int n, const double* flow,
                                        const double* drawdown, double* shift) {
  double g[kMaxAssets];
  for (int b = 0; b < n; ++b) g[b] = own_impact(ip, b, flow[b], drawdown[b]);
  for (int a = 0; a < n; ++a) {
    double s = 0.0;
    for (int b = 0; b < n; ++b) {
      const double gamma = ip.cross[a * kMaxAssets + b];
      if (gamma != 0.0 && g[b] != 0.0) s += gamma * g[b];
    }
    shift[a] = s;
  }
}

}  // namespace liq
