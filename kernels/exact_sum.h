// liqstress — exact, order-independent sums across paths (MODEL.md §5): values are rounded
// to integers at a fixed scale (USD to cents; log-price impact to 1e-12) and added as 128-bit
// two's-complement integers (Σx and Σx²), so per-step means and standard deviations are the
// same bytes whatever the threads, batches, shards or backend.
// On the CPU each thread adds into its own buffer and buffers are merged by integer
// addition; on a GPU the threads of a warp that add to the same cell add their integers first
// (as 32-bit limbs: exact in any order), and one of them adds the total with 64-bit atomics
// and an explicit carry.
#pragma once

#include <math.h>

#include <cstdint>

#include "fmath.h"
#include "macros.h"

#if defined(__CUDACC__)
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#endif

namespace liq {

/// `n_cells` exact accumulators of (Σ c, Σ c²) for integers c = round(value · scale), each
/// as two 128-bit integers stored as four 64-bit words: [sum lo, sum hi, sumsq lo, sumsq hi]
/// (the sum in two's complement, so signed values add correctly modulo 2^128).
struct ExactSums {
  std::uint64_t* words = nullptr;  // [n_cells * 4]; nullptr disables accumulation
  std::int32_t n_cells = 0;
};

constexpr double kCentsPerUsd = 100.0;
constexpr double kImpactScale = 1e12;  // log-price impact resolution

/// The cells of the per-step sums of a run with `steps` steps and `assets` assets:
/// liquidated notional per (step, asset, side), then net forced flow per (step, asset),
/// then the log-price impact at the step's end per (step, asset), then the ADL deficit per
/// step and the notional ADL closed per step, then (with volatility regimes) the number of
/// paths in each regime per (step, regime), then the traded log-return ln(S/S0) at the step's
/// end per (step, asset).
struct StepCells {
  std::int32_t steps = 0;
  std::int32_t assets = 0;
  std::int32_t regimes = 0;  // volatility regimes: paths per (step, regime), counted
  LIQ_HD std::int32_t liquidated(std::int32_t k, std::int32_t a, std::int32_t side) const {
    return (k * assets + a) * 2 + side;
  }
  LIQ_HD std::int32_t flow(std::int32_t k, std::int32_t a) const {
    return steps * assets * 2 + k * assets + a;
  }
  LIQ_HD std::int32_t impact(std::int32_t k, std::int32_t a) const {
    return steps * assets * 3 + k * assets + a;
  }
  LIQ_HD std::int32_t adl(std::int32_t k) const { return steps * assets * 4 + k; }
  LIQ_HD std::int32_t adl_closed(std::int32_t k) const { return steps * (assets * 4 + 1) + k; }
  LIQ_HD std::int32_t regime(std::int32_t k, std::int32_t r) const {
    return steps * (assets * 4 + 2) + k * regimes + r;
  }
  LIQ_HD std::int32_t price(std::int32_t k, std::int32_t a) const {
    return steps * (assets * 4 + 2 + regimes) + k * assets + a;
  }
  LIQ_HD std::int32_t total() const { return steps * (assets * 5 + 2 + regimes); }
};

/// The cells of a run's per-step sums from its market parameters (MarketParams,
/// kernels/market.h): its steps, assets and volatility regimes.
template <class Market>
LIQ_HD LIQ_FORCEINLINE StepCells step_cells(const Market& p) {
  return StepCells{p.n_steps, p.n_assets, p.n_regimes};
}

/// value · scale rounded to the nearest integer.
LIQ_HD LIQ_FORCEINLINE std::int64_t to_fixed(double value, double scale) {
  return fm::round_to_int64(value * scale);
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

/// One add's four words: c sign-extended to 128 bits and c², each as (lo, hi) — what a cell's
/// [sum lo, sum hi, sumsq lo, sumsq hi] gains.
LIQ_HD LIQ_FORCEINLINE void exact_terms(std::int64_t c, std::uint64_t* words) {
  const auto lo = static_cast<std::uint64_t>(c);
  const std::uint64_t m = c < 0 ? std::uint64_t{0} - lo : lo;
  words[0] = lo;
  words[1] = c < 0 ? ~std::uint64_t{0} : 0;
  mul_64x64(m, m, words[2], words[3]);
}

/// One add's words as eight 32-bit limbs held in 64-bit words, lowest first: up to 2^32 of
/// them sum without overflow in any order, so the threads of a warp can add theirs before one
/// atomic add (add_exact on the device).
struct ExactLimbs {
  std::uint64_t v[8];
};

LIQ_HD LIQ_FORCEINLINE ExactLimbs limbs_of(std::int64_t c) {
  constexpr std::uint64_t k32 = 0xFFFFFFFFull;
  std::uint64_t w[4];
  exact_terms(c, w);
  ExactLimbs l;
  for (int i = 0; i < 4; ++i) {
    l.v[2 * i] = w[i] & k32;
    l.v[2 * i + 1] = w[i] >> 32;
  }
  return l;
}

/// Summed limbs back to the four words of a cell's add — (Σc lo, Σc hi, Σc² lo, Σc² hi),
/// each 128-bit value modulo 2^128 — carrying from limb to limb.
LIQ_HD LIQ_FORCEINLINE void limbs_to_words(const ExactLimbs& s, std::uint64_t* words) {
  constexpr std::uint64_t k32 = 0xFFFFFFFFull;
  for (int half = 0; half < 2; ++half) {
    const std::uint64_t* l = s.v + 4 * half;
    std::uint64_t r[4];
    std::uint64_t carry = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint64_t x = l[i] + carry;  // < 2^64: each limb sum < 2^64 − 2^32
      r[i] = x & k32;
      carry = x >> 32;
    }
    words[2 * half] = r[0] | (r[1] << 32);
    words[2 * half + 1] = r[2] | (r[3] << 32);
  }
}

/// Adds one path's value to cell `cell` at `scale` (USD: kCentsPerUsd).
LIQ_HD LIQ_FORCEINLINE void add_exact(const ExactSums& s, std::int32_t cell, double value,
                                      double scale = kCentsPerUsd) {
  if (s.words == nullptr || cell >= s.n_cells || value == 0.0) return;  // 0 adds nothing
  const std::int64_t c = to_fixed(value, scale);
  if (c == 0) return;
  std::uint64_t* w = s.words + 4 * static_cast<std::int64_t>(cell);
#if LIQ_DEVICE_CODE
  // The warp's threads here that add to this cell, together: their limbs summed (exact in any
  // order), then one thread's atomics instead of every thread's on the same words.
  namespace cg = cooperative_groups;
  const cg::coalesced_group here = cg::coalesced_threads();
  const cg::coalesced_group peers = cg::labeled_partition(here, cell);
  const ExactLimbs mine = limbs_of(c);
  ExactLimbs total;
  for (int i = 0; i < 8; ++i) {
    total.v[i] = cg::reduce(peers, static_cast<unsigned long long>(mine.v[i]),
                            cg::plus<unsigned long long>());
  }
  if (peers.thread_rank() != 0) return;
  std::uint64_t sum[4];
  limbs_to_words(total, sum);
  add_128(w, sum[0], sum[1]);
  add_128(w + 2, sum[2], sum[3]);
#else
  std::uint64_t terms[4];
  exact_terms(c, terms);
  add_128(w, terms[0], terms[1]);
  add_128(w + 2, terms[2], terms[3]);
#endif
}

}  // namespace liq
