// liqstress — the elementary functions of the kernels, written once so that every backend
// computes the same bits: glibc's libm, its vector variants (libmvec) and CUDA's device
// libm round differently in the last bits, and a last-bit difference of an exp can move a
// liquidation. Each function is a sequence of IEEE-754 double operations (+, −, ×, ÷, exact
// bit manipulation; no fused multiply-add: the CPU build compiles with -ffp-contract=off,
// the CUDA build with --fmad=false), so scalar code, SIMD lanes and GPU threads agree bit
// for bit. Accuracy: within 2 ulp of the correctly rounded result, tested over millions of
// arguments against long-double references (tests/unit/fmath_test.cpp).
//
// The algorithms and coefficients are those of fdlibm 5.3 (e_exp.c, e_log.c, k_sin.c,
// k_cos.c): "Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved. Developed at
// SunSoft, a Sun Microsystems, Inc. business. Permission to use, copy, modify, and
// distribute this software is freely granted, provided that this notice is preserved."
#pragma once

#include <cstdint>
#include <cstring>

#include "macros.h"

namespace liq::fm {

LIQ_HD LIQ_FORCEINLINE std::uint64_t bits_of(double x) {
#if LIQ_DEVICE_CODE
  return static_cast<std::uint64_t>(__double_as_longlong(x));
#else
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
#endif
}

LIQ_HD LIQ_FORCEINLINE double double_of(std::uint64_t u) {
#if LIQ_DEVICE_CODE
  return __longlong_as_double(static_cast<long long>(u));
#else
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
#endif
}

/// x · 2^k for a normal result (−1022 ≤ exponent of the result ≤ 1023), exact.
LIQ_HD LIQ_FORCEINLINE double scale_normal(double x, int k) {
  return double_of(bits_of(x) + (static_cast<std::uint64_t>(static_cast<std::int64_t>(k)) << 52));
}

/// e^x (fdlibm e_exp.c): x = k·ln2 + r, |r| ≤ ½ln2, e^r from a rational form of a degree-5
/// polynomial in r², then scaled by 2^k. Overflow gives +inf, underflow 0 (subnormals kept).
LIQ_HD LIQ_FORCEINLINE double exp(double x) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double kP1 = 1.66666666666666019037e-01, kP2 = -2.77777777770155933842e-03;
  constexpr double kP3 = 6.61375632143793436117e-05, kP4 = -1.65339022054652515390e-06;
  constexpr double kP5 = 4.13813679705723846039e-08;
  constexpr double kOver = 7.09782712893383973096e+02, kUnder = -7.45133219101941108420e+02;
  if (x != x) return x;  // NaN
  if (x > kOver) return double_of(0x7FF0000000000000ull);
  if (x < kUnder) return 0.0;
  const double ax = x < 0.0 ? -x : x;
  double hi = 0.0, lo = 0.0;
  int k = 0;
  if (ax > 0.5 * 6.93147180559945286227e-01) {
    if (ax < 1.5 * 6.93147180559945286227e-01) {
      k = x > 0.0 ? 1 : -1;
    } else {
      k = static_cast<int>(kInvLn2 * x + (x < 0.0 ? -0.5 : 0.5));
    }
    const double t = static_cast<double>(k);
    hi = x - t * kLn2Hi;
    lo = t * kLn2Lo;
    x = hi - lo;
  } else if (ax < 3.7252902984e-09) {  // 2^-28
    return 1.0 + x;
  }
  const double t = x * x;
  const double c = x - t * (kP1 + t * (kP2 + t * (kP3 + t * (kP4 + t * kP5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) return scale_normal(y, k);
  return scale_normal(y, k + 1000) * 9.33263618503218878990e-302;  // 2^-1000
}

/// The body of fdlibm's e_log.c for a positive, normal, finite x whose exponent is taken as
/// its own plus k0 (k0 = −54 for a subnormal that the caller scaled by 2^54): x = 2^k·(1 + f),
/// √2/2 ≤ 1 + f < √2, log(1 + f) from s = f/(2 + f) and a degree-7 polynomial in s²,
/// log x = k·ln2 + log(1 + f). Written without early returns — every case is computed and
/// one is selected — so that a loop over SIMD lanes compiles it to vector selects; the
/// selected value is the one fdlibm's branch computes, bit for bit.
LIQ_HD LIQ_FORCEINLINE double log_normal(double x, int k0 = 0) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kLg1 = 6.666666666666735130e-01, kLg2 = 3.999999999940941908e-01;
  constexpr double kLg3 = 2.857142874366239149e-01, kLg4 = 2.222219843214978396e-01;
  constexpr double kLg5 = 1.818357216161805012e-01, kLg6 = 1.531383769920937332e-01;
  constexpr double kLg7 = 1.479819860511658591e-01;
  const std::uint64_t u = bits_of(x);
  std::int32_t hx = static_cast<std::int32_t>(u >> 32);
  std::int32_t k = k0 + (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const std::int32_t i = (hx + 0x95f64) & 0x100000;
  // Normalise x to [√2/2, √2) and k accordingly.
  const double xn = double_of(
      (static_cast<std::uint64_t>(static_cast<std::uint32_t>(hx | (i ^ 0x3ff00000))) << 32) |
      (u & 0xffffffffull));
  k += (i >> 20);
  const double f = xn - 1.0;
  const double dk = static_cast<double>(k);
  const bool k0_is_zero = k == 0;
  // |f| < 2^-20
  const double r0 = f * f * (0.5 - 0.33333333333333333 * f);
  const double at_one = k0_is_zero ? 0.0 : dk * kLn2Hi + dk * kLn2Lo;
  const double near_one = k0_is_zero ? f - r0 : dk * kLn2Hi - ((r0 - dk * kLn2Lo) - f);
  const double tiny = f == 0.0 ? at_one : near_one;
  // otherwise
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const double r = t2 + t1;
  const double hfsq = 0.5 * f * f;
  const double far_hi = k0_is_zero ? f - (hfsq - s * (hfsq + r))
                                   : dk * kLn2Hi - ((hfsq - (s * (hfsq + r) + dk * kLn2Lo)) - f);
  const double far_lo =
      k0_is_zero ? f - s * (f - r) : dk * kLn2Hi - ((s * (f - r) - dk * kLn2Lo) - f);
  const double far = ((hx - 0x6147a) | (0x6b851 - hx)) > 0 ? far_hi : far_lo;
  return (0x000fffff & (2 + hx)) < 3 ? tiny : far;
}

/// Natural logarithm (fdlibm e_log.c): the special values, then log_normal.
/// log(0) = −inf, log(negative) = NaN, log(+inf) = +inf, log(NaN) = NaN.
LIQ_HD LIQ_FORCEINLINE double log(double x) {
  const std::uint64_t u = bits_of(x);
  const std::int32_t hx = static_cast<std::int32_t>(u >> 32);
  if (hx < 0x00100000) {  // x < 2^-1022: zero, negative or subnormal
    if ((u & 0x7fffffffffffffffull) == 0) return -double_of(0x7FF0000000000000ull);
    if (hx < 0) return double_of(0x7FF8000000000000ull);     // NaN
    return log_normal(x * 1.80143985094819840000e+16, -54);  // 2^54
  }
  if (hx >= 0x7ff00000) return x + x;  // inf or NaN
  return log_normal(x);
}

/// sin(x) and cos(x) for |x| ≤ π/4 (fdlibm k_sin.c and k_cos.c with y = 0).
LIQ_HD LIQ_FORCEINLINE double kernel_sin(double x) {
  constexpr double kS1 = -1.66666666666666324348e-01, kS2 = 8.33333333332248946124e-03;
  constexpr double kS3 = -1.98412698298579493134e-04, kS4 = 2.75573137070700676789e-06;
  constexpr double kS5 = -2.50507602534068634195e-08, kS6 = 1.58969099521155010221e-10;
  const double z = x * x;
  const double v = z * x;
  const double r = kS2 + z * (kS3 + z * (kS4 + z * (kS5 + z * kS6)));
  return x + v * (kS1 + z * r);
}

LIQ_HD LIQ_FORCEINLINE double kernel_cos(double x) {
  constexpr double kC1 = 4.16666666666666019037e-02, kC2 = -1.38888888888741095749e-03;
  constexpr double kC3 = 2.48015872894767294178e-05, kC4 = -2.75573143513906633035e-07;
  constexpr double kC5 = 2.08757232129817482790e-09, kC6 = -1.13596475577881948265e-11;
  const double ax = x < 0.0 ? -x : x;
  const double z = x * x;
  const double r = z * (kC1 + z * (kC2 + z * (kC3 + z * (kC4 + z * (kC5 + z * kC6)))));
  const double small = 1.0 - (0.5 * z - z * r);
  // qx = x/4, computed from the exponent as fdlibm does (0.28125 above 0.78125); the value
  // below 0.3 is computed too and not used (selects, not branches: see log_normal).
  const double qx = ax > 0.78125 ? 0.28125 : double_of(bits_of(ax) - (0x00200000ull << 32));
  const double hz = 0.5 * z - qx;
  const double a = 1.0 - qx;
  return ax < 0.3 ? small : a - (hz - z * r);
}

/// sin(2πu) and cos(2πu) for u in [0, 1] (the Box–Muller angle of a uniform): the quadrant
/// is taken from u exactly (u − n/4 is exact for the uniforms of kernels/philox.h), so only
/// the product 2π·f with |f| ≤ 1/8 is rounded before the kernels.
LIQ_HD LIQ_FORCEINLINE void sincos_2pi(double u, double& s, double& c) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  const double q = u * 4.0;  // exact
  const int n = static_cast<int>(q + 0.5);
  const double f = u - 0.25 * static_cast<double>(n);  // exact: |f| ≤ 1/8
  const double x = kTwoPi * f;
  const double sx = kernel_sin(x), cx = kernel_cos(x);
  // Quadrant n: (sin, cos) = (sx, cx), (cx, −sx), (−sx, −cx), (−cx, sx) — written as selects
  // and exact negations, so SIMD lanes compile it without branches.
  const bool odd = (n & 1) != 0;
  const double s0 = odd ? cx : sx, c0 = odd ? sx : cx;
  s = (n & 2) != 0 ? -s0 : s0;
  c = ((n + 1) & 2) != 0 ? -c0 : c0;
}

/// fmin and fmax as C99 defines them for NaN (the other argument; NaN only when both are),
/// written as selects so that every backend and every SIMD lane computes the same bits
/// without a library call (glibc's fmin/fmax are calls on x86-64 without -ffinite-math-only).
/// Of two zeros of opposite sign the second argument is returned.
LIQ_HD LIQ_FORCEINLINE double fmin(double a, double b) {
  const double m = a < b ? a : b;  // x86: minsd; then a select, no branch
  return b != b ? a : m;
}
LIQ_HD LIQ_FORCEINLINE double fmax(double a, double b) {
  const double m = a > b ? a : b;
  return b != b ? a : m;
}

/// llround: x rounded to the nearest integer, halves away from zero, for |x| < 2^63
/// (saturated beyond, and INT64_MIN for NaN, as glibc does). Exact: x − trunc(x) has no
/// rounding error, so the half-way test is exact.
LIQ_HD LIQ_FORCEINLINE std::int64_t round_to_int64(double x) {
  constexpr double kLimit = 9223372036854774784.0;  // the largest double below 2^63
  if (!(x >= -kLimit)) return INT64_MIN;
  if (x > kLimit) return INT64_MAX;
  const auto i = static_cast<std::int64_t>(x);  // truncates towards zero
  const double frac = x - static_cast<double>(i);
  return i + (frac >= 0.5 ? 1 : 0) - (frac <= -0.5 ? 1 : 0);
}

}  // namespace liq::fm
