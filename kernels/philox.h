// liqstress — counter-based random numbers (MODEL.md §2).
// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3",
// SC'11), the same function as Random123's philox4x32 and cuRAND's
// curandStatePhilox4_32_10_t. Every random number is a pure function of
// (seed, path, step, purpose, slot): nothing depends on threads, batches, shards or ranks.
#pragma once

#include <cstdint>

#include "macros.h"

namespace liq {

struct U32x4 {
  std::uint32_t v[4];
};

namespace philox_detail {
constexpr std::uint32_t kM0 = 0xD2511F53u;  // Philox4x32 multipliers
constexpr std::uint32_t kM1 = 0xCD9E8D57u;
constexpr std::uint32_t kW0 = 0x9E3779B9u;  // Weyl key increments (golden ratio, sqrt(3)-1)
constexpr std::uint32_t kW1 = 0xBB67AE85u;

LIQ_HD LIQ_FORCEINLINE void mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi,
                                    std::uint32_t& lo) {
  const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<std::uint32_t>(p >> 32);
  lo = static_cast<std::uint32_t>(p);
}

LIQ_HD LIQ_FORCEINLINE U32x4 round(U32x4 c, std::uint32_t k0, std::uint32_t k1) {
  std::uint32_t hi0, lo0, hi1, lo1;
  mulhilo(kM0, c.v[0], hi0, lo0);
  mulhilo(kM1, c.v[2], hi1, lo1);
  return U32x4{{hi1 ^ c.v[1] ^ k0, lo1, hi0 ^ c.v[3] ^ k1, lo0}};
}
}  // namespace philox_detail

/// Philox4x32 with `rounds` rounds (10 is the standard, crush-resistant choice).
template <int Rounds = 10>
LIQ_HD LIQ_FORCEINLINE U32x4 philox4x32(U32x4 ctr, std::uint32_t k0, std::uint32_t k1) {
  for (int r = 0; r < Rounds; ++r) {
    if (r > 0) {
      k0 += philox_detail::kW0;
      k1 += philox_detail::kW1;
    }
    ctr = philox_detail::round(ctr, k0, k1);
  }
  return ctr;
}

/// Uniform on the open interval (0, 1): Random123's u01<double>(uint32), x·2⁻³² + 2⁻³³.
/// Never 0 and never 1, so log(u) and log(1 − u) are always finite.
LIQ_HD LIQ_FORCEINLINE double u01(std::uint32_t x) {
  return static_cast<double>(x) * 2.3283064365386963e-10 + 1.1641532182693481e-10;
}

/// What a block of four random words is used for. Part of the file format's promise
/// (same seed ⇒ same paths): never renumber, only append.
enum class Purpose : std::uint32_t {
  diffusion = 1,    // slot j: normals for assets 4j..4j+3
  asset_jump = 2,   // slot a: Poisson uniform, two Box–Muller uniforms, spare
  bridge = 3,       // slot a: uniform for the step's minimum, for its maximum, 2 spare
  market_jump = 4,  // slot 0: Poisson uniform, two Box–Muller uniforms, spare
  chi_square = 5,   // slot = attempt: Marsaglia–Tsang gamma draws for Student-t
  book = 6,         // synthetic books (issue 3): path = position index
  regime = 7,       // slot 0: uniform of the step's regime (the start regime at step 0)
};

/// The address of one block of four random words (MODEL.md §2): the 64-bit key is the
/// seed; the 128-bit counter is (path low, path high, step, purpose << 24 | slot).
struct RngAddress {
  std::uint64_t seed;
  std::uint64_t path;
  std::uint32_t step;
};

LIQ_HD LIQ_FORCEINLINE U32x4 draw4(const RngAddress& at, Purpose purpose, std::uint32_t slot) {
  const U32x4 ctr{{static_cast<std::uint32_t>(at.path), static_cast<std::uint32_t>(at.path >> 32),
                   at.step, (static_cast<std::uint32_t>(purpose) << 24) | (slot & 0xFFFFFFu)}};
  return philox4x32<10>(ctr, static_cast<std::uint32_t>(at.seed),
                        static_cast<std::uint32_t>(at.seed >> 32));
}

}  // namespace liq
