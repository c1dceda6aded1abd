// liqstress unit tests — kernels/exact_sum.h's limbs, the arithmetic behind the GPU's
// warp-level add (a warp's threads that add to one cell sum their integers as 32-bit limbs,
// then one thread adds the total): for any group of up to 32 integers, the summed limbs give
// Σc and Σc² modulo 2^128 — checked against unsigned __int128 arithmetic written here, and
// against the CPU's own add, one value at a time.
#include "kernels/exact_sum.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace liq {
namespace {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

std::uint64_t low(u128 x) {
  return static_cast<std::uint64_t>(x);
}
std::uint64_t high(u128 x) {
  return static_cast<std::uint64_t>(x >> 64);
}

/// The four words of a group's add, summed limb by limb as the warp does.
std::vector<std::uint64_t> by_limbs(const std::vector<std::int64_t>& group) {
  ExactLimbs total{};
  for (std::int64_t c : group) {
    const ExactLimbs l = limbs_of(c);
    for (int i = 0; i < 8; ++i) total.v[i] += l.v[i];
  }
  std::vector<std::uint64_t> w(4);
  limbs_to_words(total, w.data());
  return w;
}

/// The same by 128-bit integers (two's complement wraps modulo 2^128).
std::vector<std::uint64_t> by_u128(const std::vector<std::int64_t>& group) {
  u128 sum = 0, sumsq = 0;
  for (std::int64_t c : group) {
    const u128 wide = static_cast<u128>(static_cast<i128>(c));  // sign-extended
    sum += wide;
    const u128 m = c < 0 ? u128{0} - wide : wide;
    sumsq += m * m;
  }
  return {low(sum), high(sum), low(sumsq), high(sumsq)};
}

TEST(ExactLimbs, AGroupsLimbsSumToItsIntegersModulo2To128) {
  std::mt19937_64 gen(5);
  const std::int64_t extremes[] = {INT64_MIN, INT64_MAX, -1, 1, 0, INT64_MIN + 1, 1ll << 62};
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<std::int64_t> group(1 + trial % 32);
    for (std::size_t i = 0; i < group.size(); ++i) {
      const std::uint64_t r = gen();
      group[i] = trial % 5 == 0   ? extremes[r % 7]
                 : trial % 5 == 1 ? static_cast<std::int64_t>(r) >> (r % 63)  // every magnitude
                                  : static_cast<std::int64_t>(r);
    }
    ASSERT_EQ(by_limbs(group), by_u128(group)) << "trial " << trial;
  }
}

TEST(ExactLimbs, OneThreadsLimbsAddWhatTheCpuAdds) {
  // The CPU adds each value with add_exact; a group of one on the GPU must add the same words.
  std::mt19937_64 gen(6);
  std::uniform_real_distribution<double> usd(-1e9, 1e9);
  for (int i = 0; i < 1000; ++i) {
    const double v = usd(gen);
    std::uint64_t words[4] = {0, 0, 0, 0};
    add_exact(ExactSums{words, 1}, 0, v);
    const std::vector<std::uint64_t> w = by_limbs({to_fixed(v, kCentsPerUsd)});
    EXPECT_EQ(std::vector<std::uint64_t>(words, words + 4), w) << v;
  }
}

}  // namespace
}  // namespace liq
