// liqstress — turning uniforms into the draws of MODEL.md §1–§3.
// Every function here takes its uniforms as arguments, so tests can script them (edges
// included) and both backends share one definition.
#pragma once

#include <math.h>

#include <cstdint>

#include "fmath.h"
#include "macros.h"

namespace liq {

struct NormalPair {
  double z0;
  double z1;
};

/// Box–Muller: two uniforms in (0,1) → two independent N(0,1): r = √(−2 ln u1),
/// (z0, z1) = (r cos 2πu2, r sin 2πu2). Always consumes both uniforms (Random123's
/// boxmuller.hpp), so the draw count per step never varies. u1 must be a normal double (every
/// u01 is, ≥ 2⁻³³); the functions are the kernels' own (kernels/fmath.h), without branches,
/// so SIMD lanes of paths compute the same bits.
LIQ_HD LIQ_FORCEINLINE NormalPair box_muller(double u1, double u2) {
  const double r = sqrt(-2.0 * fm::log_normal(u1));
  double s, c;
  fm::sincos_2pi(u2, s, c);
  return NormalPair{r * c, r * s};
}

/// Largest count poisson_inverse returns: a bound on the loop, far beyond any count of
/// jumps in one step that validation lets through (λΔ ≤ 50 ⇒ P(N > 200) < 1e-60).
constexpr std::uint32_t kPoissonMaxCount = 512;

/// Poisson(mean) by sequential inversion of one uniform u in (0,1): the smallest n whose
/// CDF reaches u. Exact up to rounding; O(mean) work, and the mean per step is small.
LIQ_HD LIQ_FORCEINLINE std::uint32_t poisson_inverse(double mean, double u) {
  if (!(mean > 0.0)) return 0;
  double p = fm::exp(-mean);
  double cdf = p;
  std::uint32_t n = 0;
  while (u > cdf && n < kPoissonMaxCount) {
    ++n;
    p *= mean / static_cast<double>(n);
    cdf += p;
    if (p == 0.0 && static_cast<double>(n) > mean) break;  // the tail has underflowed
  }
  return n;
}

/// One Marsaglia–Tsang attempt for Gamma(shape ≥ 1, scale 1) ("A simple method for
/// generating gamma variables", ACM TOMS 26(3), 2000). Takes a normal z and a uniform u;
/// returns the variate, or a negative value when the attempt is rejected.
LIQ_HD LIQ_FORCEINLINE double gamma_mt_attempt(double shape, double z, double u) {
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / sqrt(9.0 * d);
  const double v1 = 1.0 + c * z;
  if (v1 <= 0.0) return -1.0;
  const double v = v1 * v1 * v1;
  const double z2 = z * z;
  if (u < 1.0 - 0.0331 * z2 * z2) return d * v;  // squeeze
  if (fm::log(u) < 0.5 * z2 + d * (1.0 - v + fm::log(v))) return d * v;
  return -1.0;
}

/// Minimum over one step of a Brownian bridge from x0 to x1 with variance var = σ²Δ,
/// sampled exactly from one uniform U (MODEL.md §3), given as log_u = ln U:
///   min = (x0 + x1 − sqrt((x1 − x0)² − 2 var ln U)) / 2.
LIQ_HD LIQ_FORCEINLINE double bridge_min(double x0, double x1, double var, double log_u) {
  const double d = x1 - x0;
  return 0.5 * (x0 + x1 - sqrt(d * d - 2.0 * var * log_u));
}

/// Maximum of the same bridge (the mirror image).
LIQ_HD LIQ_FORCEINLINE double bridge_max(double x0, double x1, double var, double log_u) {
  const double d = x1 - x0;
  return 0.5 * (x0 + x1 + sqrt(d * d - 2.0 * var * log_u));
}

}  // namespace liq
