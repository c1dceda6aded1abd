// liqstress unit tests — kernels/philox.h: Philox4x32-10 against Random123's known-answer
// vectors and its reference header, u01 at its edges, and the (seed, path, step, purpose,
// slot) addressing of MODEL.md §2.
#include "kernels/philox.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <tuple>

// The reference implementation (Debian's librandom123-dev). Its philox.h defines
// function-like macros named philox2x32, philox4x32, ... that would capture every call of
// liq::philox4x32(c, k0, k1) below, so they are undefined right after the include.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <Random123/philox.h>

#include <Random123/uniform.hpp>
#pragma GCC diagnostic pop
#undef philox2x32
#undef philox4x32
#undef philox2x64
#undef philox4x64

namespace {

using liq::U32x4;

struct Kat {
  U32x4 ctr;
  std::uint32_t k0, k1;
  U32x4 expected;
};

// Random123 tests/kat_vectors, lines "philox4x32 10 ...": counter, key, expected output.
const Kat kKatVectors[] = {
    {{{0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u}},
     0x00000000u,
     0x00000000u,
     {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}}},
    {{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}},
     0xffffffffu,
     0xffffffffu,
     {{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}}},
    {{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}},
     0xa4093822u,
     0x299f31d0u,
     {{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}}},
};

// 32-bit words from a fixed-seed Mersenne Twister (its result_type is wider than 32 bits).
struct Words {
  std::mt19937 gen;
  explicit Words(std::uint32_t seed) : gen(seed) {}
  std::uint32_t operator()() { return static_cast<std::uint32_t>(gen()); }
};

bool same(const U32x4& a, const U32x4& b) {
  return a.v[0] == b.v[0] && a.v[1] == b.v[1] && a.v[2] == b.v[2] && a.v[3] == b.v[3];
}

U32x4 random123_philox(const U32x4& c, std::uint32_t k0, std::uint32_t k1) {
  using Rng = r123::Philox4x32_R<10>;
  const Rng::ctr_type ctr = {{c.v[0], c.v[1], c.v[2], c.v[3]}};
  const Rng::key_type key = {{k0, k1}};
  const Rng::ctr_type r = Rng{}(ctr, key);
  return U32x4{{r[0], r[1], r[2], r[3]}};
}

TEST(Philox, KnownAnswerVectors) {
  for (const Kat& k : kKatVectors) {
    const U32x4 got = liq::philox4x32<10>(k.ctr, k.k0, k.k1);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(got.v[i], k.expected.v[i]) << "word " << i;
  }
}

TEST(Philox, KnownAnswerVectorsAlsoHoldForRandom123Header) {
  // Guards the test itself: the vectors above are the ones the reference header produces.
  for (const Kat& k : kKatVectors)
    EXPECT_TRUE(same(random123_philox(k.ctr, k.k0, k.k1), k.expected));
}

TEST(Philox, EqualsRandom123BitForBit) {
  Words gen(20240611u);
  for (int i = 0; i < 200000; ++i) {
    const U32x4 c{{gen(), gen(), gen(), gen()}};
    const std::uint32_t k0 = gen(), k1 = gen();
    const U32x4 ours = liq::philox4x32<10>(c, k0, k1);
    const U32x4 ref = random123_philox(c, k0, k1);
    ASSERT_TRUE(same(ours, ref)) << "counter/key draw " << i;
  }
}

TEST(Philox, FewerRoundsAlsoMatchRandom123) {
  // The round function and the key schedule are checked separately from the round count.
  Words gen(7u);
  for (int i = 0; i < 1000; ++i) {
    const U32x4 c{{gen(), gen(), gen(), gen()}};
    const std::uint32_t k0 = gen(), k1 = gen();
    using Rng7 = r123::Philox4x32_R<7>;
    const Rng7::ctr_type ctr = {{c.v[0], c.v[1], c.v[2], c.v[3]}};
    const Rng7::ctr_type r = Rng7{}(ctr, Rng7::key_type{{k0, k1}});
    ASSERT_TRUE(same(liq::philox4x32<7>(c, k0, k1), U32x4{{r[0], r[1], r[2], r[3]}}));
  }
}

TEST(U01, EdgesAreOpenAndExact) {
  // x·2⁻³² + 2⁻³³: the smallest value is 2⁻³³ and the largest 1 − 2⁻³³, both exact doubles.
  EXPECT_EQ(liq::u01(0u), std::ldexp(1.0, -33));
  EXPECT_EQ(liq::u01(0xFFFFFFFFu), 1.0 - std::ldexp(1.0, -33));
  EXPECT_GT(liq::u01(0u), 0.0);
  EXPECT_LT(liq::u01(0xFFFFFFFFu), 1.0);
  EXPECT_EQ(liq::u01(0x80000000u), 0.5 + std::ldexp(1.0, -33));
  EXPECT_EQ(liq::u01(1u), 3.0 * std::ldexp(1.0, -33));
  EXPECT_TRUE(std::isfinite(std::log(liq::u01(0u))));
  EXPECT_TRUE(std::isfinite(std::log1p(-liq::u01(0xFFFFFFFFu))));
  EXPECT_LT(std::log(liq::u01(0xFFFFFFFFu)), 0.0);
}

TEST(U01, EqualsRandom123U01) {
  Words gen(11u);
  for (std::uint32_t x : {0u, 1u, 2u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu}) {
    EXPECT_EQ(liq::u01(x), (r123::u01<double, std::uint32_t>(x))) << x;
  }
  for (int i = 0; i < 100000; ++i) {
    const std::uint32_t x = gen();
    ASSERT_EQ(liq::u01(x), (r123::u01<double, std::uint32_t>(x))) << x;
  }
}

TEST(U01, StrictlyIncreasing) {
  Words gen(3u);
  for (int i = 0; i < 10000; ++i) {
    const std::uint32_t x = gen() & 0xFFFFFFFEu;
    ASSERT_LT(liq::u01(x), liq::u01(x + 1u));
  }
}

// ---- draw4 addressing (MODEL.md §2) ----------------------------------------------------------

TEST(Draw4, IsPhiloxAtTheDocumentedCounter) {
  // Part of the file-format promise: counter = (path lo, path hi, step, purpose << 24 | slot),
  // key = (seed lo, seed hi). Renumbering any of these changes every result file.
  const liq::RngAddress at{0x0123456789ABCDEFull, 0xFEDCBA9876543210ull, 77u};
  const U32x4 got = liq::draw4(at, liq::Purpose::bridge, 5u);
  const U32x4 want = liq::philox4x32<10>(U32x4{{0x76543210u, 0xFEDCBA98u, 77u, (3u << 24) | 5u}},
                                         0x89ABCDEFu, 0x01234567u);
  EXPECT_TRUE(same(got, want));
  EXPECT_TRUE(same(got, random123_philox(U32x4{{0x76543210u, 0xFEDCBA98u, 77u, 0x03000005u}},
                                         0x89ABCDEFu, 0x01234567u)));
}

TEST(Draw4, SameAddressSameWords) {
  const liq::RngAddress at{42u, 1000u, 3u};
  const U32x4 a = liq::draw4(at, liq::Purpose::diffusion, 0u);
  const U32x4 b = liq::draw4(liq::RngAddress{42u, 1000u, 3u}, liq::Purpose::diffusion, 0u);
  EXPECT_TRUE(same(a, b));
}

TEST(Draw4, EveryCoordinateOfTheAddressMatters) {
  // All blocks over a small grid of addresses are distinct (a collision of two 128-bit
  // outputs by chance has probability ~1e-33).
  using Key = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>;
  std::set<Key> seen;
  std::size_t count = 0;
  const liq::Purpose purposes[] = {liq::Purpose::diffusion,  liq::Purpose::asset_jump,
                                   liq::Purpose::bridge,     liq::Purpose::market_jump,
                                   liq::Purpose::chi_square, liq::Purpose::book};
  for (std::uint64_t seed : {1ull, 2ull, 1ull | (1ull << 32), 1ull | (1ull << 63)}) {
    for (std::uint64_t path : {0ull, 1ull, 1ull << 32, (1ull << 32) | 1ull}) {
      for (std::uint32_t step : {0u, 1u, 1000u}) {
        for (liq::Purpose purpose : purposes) {
          for (std::uint32_t slot : {0u, 1u, 15u}) {
            const U32x4 w = liq::draw4(liq::RngAddress{seed, path, step}, purpose, slot);
            seen.insert(Key{w.v[0], w.v[1], w.v[2], w.v[3]});
            ++count;
          }
        }
      }
    }
  }
  EXPECT_EQ(seen.size(), count);
}

TEST(Draw4, SeedHighBitsMatter) {
  const liq::RngAddress lo{0x00000000DEADBEEFull, 5u, 0u};
  const liq::RngAddress hi{0x00000001DEADBEEFull, 5u, 0u};
  const liq::RngAddress top{0x80000000DEADBEEFull, 5u, 0u};
  const U32x4 a = liq::draw4(lo, liq::Purpose::diffusion, 0u);
  EXPECT_FALSE(same(a, liq::draw4(hi, liq::Purpose::diffusion, 0u)));
  EXPECT_FALSE(same(a, liq::draw4(top, liq::Purpose::diffusion, 0u)));
}

TEST(Draw4, PathHighBitsMatter) {
  const U32x4 a = liq::draw4(liq::RngAddress{9u, 7u, 0u}, liq::Purpose::bridge, 0u);
  const U32x4 b = liq::draw4(liq::RngAddress{9u, 7u | (1ull << 32), 0u}, liq::Purpose::bridge, 0u);
  EXPECT_FALSE(same(a, b));
}

TEST(Draw4, SlotUsesTwentyFourBits) {
  // The slot shares the counter's last word with the purpose (purpose << 24 | slot): slots
  // are 24-bit, so slot 2^24 aliases slot 0 of the same purpose rather than spilling into
  // the purpose byte. Every slot in use (assets < 16, gamma attempts < 64) is far below.
  const liq::RngAddress at{3u, 4u, 5u};
  EXPECT_TRUE(same(liq::draw4(at, liq::Purpose::bridge, 1u << 24),
                   liq::draw4(at, liq::Purpose::bridge, 0u)));
  EXPECT_FALSE(same(liq::draw4(at, liq::Purpose::bridge, (1u << 24) - 1u),
                    liq::draw4(at, liq::Purpose::market_jump, 0u)));
}

TEST(Draw4, WordsLookUniform) {
  // A coarse sanity check on the addressed stream (not a test of Philox itself, which the
  // KAT and Random123 comparison cover): each bit of consecutive paths' words is 1 about
  // half the time. 4·20000 words per bit, SE = 0.5/sqrt(80000) ≈ 0.0018, k = 5.
  int ones[32] = {};
  const int n = 20000;
  for (int path = 0; path < n; ++path) {
    const U32x4 w = liq::draw4(liq::RngAddress{99u, static_cast<std::uint64_t>(path), 0u},
                               liq::Purpose::diffusion, 0u);
    for (std::uint32_t word : w.v) {
      for (int b = 0; b < 32; ++b) ones[b] += static_cast<int>((word >> b) & 1u);
    }
  }
  const double se = 0.5 / std::sqrt(4.0 * n);
  for (int b = 0; b < 32; ++b) EXPECT_NEAR(ones[b] / (4.0 * n), 0.5, 5.0 * se) << "bit " << b;
}

}  // namespace
