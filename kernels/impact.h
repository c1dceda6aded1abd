// liqstress — price impact of forced flow (docs/MODEL.md §4), single source for both backends.
//
// Impact is a function of state, not of how time is cut into steps. Each asset b carries its
// flow memory Q_b: the net forced flow (USD, buys > 0) accumulated so far, decaying with
// time. The traded log price of asset a is moved by
//
//     m_a = Σ_b Γ_ab G_b(Q_b),   G_b(Q) = η · 0.01 · sign(Q) · (|Q| / (D_b θ_b))^α
//
// with depth D_b (USD that move the price 1%), α = 1 (linear) or ½ (square-root law), Γ the
// cross-impact matrix and θ_b ≤ 1 the thinning of depth. Q_b decays as Q ← Q·2^(−Δ/(α·h)),
// so that without thinning the impact itself halves every half-life h (G(Q·2^(−1/α)) =
// G(Q)/2), and with h = inf it is permanent. Because m depends on the cumulative flow, a
// flow split over many small steps moves the price exactly as much as the same flow in one
// step (for α = ½ the per-step law Σ √F_k would not: 5·√(F/5) ≠ √F), and linear permanent
// impact is exactly Σ_k Δm_k of the per-step law.
//
// Thinning liquidity (off by default):
//     θ_b = max(floor, exp(−dd_b / drawdown_scale) / (1 + |Q_b| / (flow_scale · D_b)))
// dd_b ≥ 0 is the drawdown of the asset's *fundamental* log price x_b (without impact) from
// its running peak at step ends, and |Q_b| the flow memory: depth thins as the market falls
// and as one-sided forced flow accumulates, and recovers as both fade. dd is the fundamental
// drawdown, not the traded one, so that depth and impact do not form an algebraic loop
// (impact → drawdown → thinner depth → impact) that would have no continuous-time limit.
//
// Within a step the cascade is the least fixed point of F ↦ flow liquidated at prices moved
// by m(Q_pre + F) − m(Q_pre) (kernels/path.h).
#pragma once

#include <math.h>

#include <cstdint>

#include "fmath.h"
#include "macros.h"
#include "market.h"

namespace liq {

enum class ImpactLaw : std::int32_t { none = 0, linear = 1, square_root = 2 };

struct ImpactParams {
  ImpactLaw law = ImpactLaw::none;
  std::int32_t max_rounds = 64;
  double strength = 0.0;                       // η
  double flow_decay = 1.0;                     // per step: 2^(−Δ/(α·half_life)); 1 = permanent
  double depth[kMaxAssets] = {};               // D_b, USD that move the price 1%
  double cross[kMaxAssets * kMaxAssets] = {};  // Γ, row-major [to * kMaxAssets + from]
  double thin_drawdown = 0.0;                  // e-folding log drawdown; 0 = off
  double thin_flow = 0.0;   // flow memory, in units of D, that halves the depth; 0 = off
  double thin_floor = 0.0;  // smallest fraction of D
};

/// θ_b: the fraction of asset b's depth left at fundamental drawdown `drawdown` (log, ≥ 0)
/// and flow memory `q` (USD).
LIQ_HD LIQ_FORCEINLINE double depth_left(const ImpactParams& ip, int b, double q, double drawdown) {
  if (ip.thin_drawdown <= 0.0 && ip.thin_flow <= 0.0) return 1.0;
  double thin = 1.0;
  if (ip.thin_drawdown > 0.0) thin *= fm::exp(-drawdown / ip.thin_drawdown);
  if (ip.thin_flow > 0.0) thin /= 1.0 + fabs(q) / (ip.thin_flow * ip.depth[b]);
  return fm::fmax(thin, ip.thin_floor);
}

/// G_b(Q): asset b's own log-price impact of flow memory `q` (USD, buys > 0).
LIQ_HD LIQ_FORCEINLINE double own_impact(const ImpactParams& ip, int b, double q, double drawdown) {
  if (q == 0.0) return 0.0;
  const double r = fabs(q) / (ip.depth[b] * depth_left(ip, b, q, drawdown));
  const double g = ip.strength * 0.01 * (ip.law == ImpactLaw::linear ? r : sqrt(r));
  return q > 0.0 ? g : -g;
}

/// m = Γ G(Q) for every asset: flow memory `q` and fundamental drawdown per asset in, the
/// log-price impact per asset out.
LIQ_HD LIQ_FORCEINLINE void impact_of(const ImpactParams& ip, int n, const double* q,
                                      const double* drawdown, double* m) {
  double g[kMaxAssets];
  for (int b = 0; b < n; ++b) g[b] = own_impact(ip, b, q[b], drawdown[b]);
  for (int a = 0; a < n; ++a) {
    double s = 0.0;
    for (int b = 0; b < n; ++b) {
      const double gamma = ip.cross[a * kMaxAssets + b];
      if (gamma != 0.0 && g[b] != 0.0) s += gamma * g[b];
    }
    m[a] = s;
  }
}

}  // namespace liq
