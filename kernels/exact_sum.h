// liqstress — exact, order-independent sums across paths (MODEL.md §5): values are rounded
// to integer cents and added as 128-bit integers (Σx and Σx²), so per-step means and
// standard deviations are the same bytes whatever the threads, batches, shards or backend.
// On the CPU each thread adds into its own buffer and buffers are merged by integer
// addition; on a GPU threads add with 64-bit atomics and an explicit carry.
#pragma once

#include <math.h>

#include <cstdint>

#include "macros.h"

namespace liq {

/// `n_cells` exact accumulators of (Σ cents, Σ cents²), each as two 128-bit unsigned
/// integers stored as four 64-bit words: [sum lo, sum hi, sumsq lo, sumsq hi].
struct ExactSums {
  std::uint64_t* words = nullptr;  // [n_cells * 4]; nullptr disables accumulation
  std::int32_t n_cells = 0;
};

/// USD → whole cents (values here are non-negative notionals).
LIQ_HD LIQ_FORCEINLINE std::uint64_t to_cents(double usd) {
  return usd > 0.0 ? static_cast<std::uint64_t>(llround(usd * 100.0)) : 0;
}

/// 64×64 → 128-bit product as (lo, hi).
LIQ_HD LIQ_FORCEINLINE void mul_64x64(std::uint64_t a, std::uint64_t b, std::uint64_t& lo,
                                      std::uint64_t& hi) {
#if LIQ_DEVICE_CODE
  lo = a * b;
  hi = __umul64hi(a, b);
#else
  __extension__ typedef unsigned __int128 u128;  // GCC/Clang extension, host only
  const u128 p = static_cast<u128>(a) * b;
  lo = static_cast<std::uint64_t>(p);
  hi = static_cast<std::uint64_t>(p >> 64);
#endif
}

/// Adds (lo, hi) to the 128-bit integer at w[0..1]. Exact; atomic on the device.
LIQ_HD LIQ_FORCEINLINE void add_128(std::uint64_t* w, std::uint64_t lo, std::uint64_t hi) {
#if LIQ_DEVICE_CODE
  using ull = unsigned long long;
  const ull old = atomicAdd(reinterpret_cast<ull*>(w), static_cast<ull>(lo));
  const ull carry = (old + lo < old) ? 1ull : 0ull;
  if (hi + carry != 0) atomicAdd(reinterpret_cast<ull*>(w + 1), static_cast<ull>(hi + carry));
#else
  const std::uint64_t old = w[0];
  w[0] = old + lo;
  w[1] += hi + (w[0] < old ? 1u : 0u);
#endif
}

/// Adds one path's value (USD) to cell `cell`.
LIQ_HD LIQ_FORCEINLINE void add_exact(const ExactSums& s, std::int32_t cell, double usd) {
  if (s.words == nullptr) return;
  const std::uint64_t c = to_cents(usd);
  if (c == 0) return;
  std::uint64_t* w = s.words + 4 * static_cast<std::int64_t>(cell);
  add_128(w, c, 0);
  std::uint64_t lo, hi;
  mul_64x64(c, c, lo, hi);
  add_128(w + 2, lo, hi);
}

}  // namespace liq
