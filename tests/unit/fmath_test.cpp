// liqstress tests — the kernels' own elementary functions (kernels/fmath.h) against references
// computed in long double (x87 extended precision: 64-bit significands, about 2^-11 ulp of a
// double), over millions of arguments: every result within 2 ulp of the correctly rounded
// value (the promise of fmath.h), and the special values right.
#include "kernels/fmath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "kernels/philox.h"

namespace liq {
namespace {

/// |got − ref| in units of the last place of the double nearest ref.
double ulp_error(double got, long double ref) {
  const double r = static_cast<double>(ref);
  if (r == 0.0) return got == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  int e = 0;
  std::frexp(r, &e);
  const long double ulp = std::ldexp(1.0L, std::max(e - 53, -1074));
  return static_cast<double>(std::fabs(static_cast<long double>(got) - ref) / ulp);
}

constexpr int kArguments = 2'000'000;

TEST(Fmath, ExpWithinTwoUlpOverItsWholeRange) {
  std::mt19937_64 gen(1);
  std::uniform_real_distribution<double> wide(-745.0, 709.7), near(-1.0, 1.0);
  double worst = 0.0, at = 0.0;
  for (int i = 0; i < kArguments; ++i) {
    const double x = i % 2 == 0 ? wide(gen) : near(gen) * std::ldexp(1.0, -(i % 40));
    const double e = ulp_error(fm::exp(x), expl(static_cast<long double>(x)));
    if (e > worst) worst = e, at = x;
  }
  EXPECT_LE(worst, 2.0) << "at x = " << at;
  RecordProperty("worst_ulp", std::to_string(worst));
  EXPECT_EQ(fm::exp(0.0), 1.0);
  EXPECT_EQ(fm::exp(-1000.0), 0.0);
  EXPECT_TRUE(std::isinf(fm::exp(710.0)));
  EXPECT_TRUE(std::isnan(fm::exp(std::nan(""))));
}

TEST(Fmath, LogWithinTwoUlpFromSubnormalsToTheLargestDouble) {
  std::mt19937_64 gen(2);
  std::uniform_int_distribution<std::uint64_t> any_positive(1, 0x7FEFFFFFFFFFFFFFull);
  std::uniform_real_distribution<double> near_one(0.9, 1.1);
  double worst = 0.0, at = 0.0;
  for (int i = 0; i < kArguments; ++i) {
    const double x = i % 2 == 0 ? fm::double_of(any_positive(gen)) : near_one(gen);
    const double e = ulp_error(fm::log(x), logl(static_cast<long double>(x)));
    if (e > worst) worst = e, at = x;
  }
  EXPECT_LE(worst, 2.0) << "at x = " << at;
  RecordProperty("worst_ulp", std::to_string(worst));
  EXPECT_EQ(fm::log(1.0), 0.0);
  EXPECT_TRUE(std::isinf(fm::log(0.0)) && fm::log(0.0) < 0.0);
  EXPECT_TRUE(std::isnan(fm::log(-1.0)));
}

TEST(Fmath, SinCosOfTwoPiUWithinTwoUlpForEveryKindOfUniform) {
  // The uniforms Box–Muller meets (kernels/philox.h u01), and round numbers at quadrants.
  std::mt19937_64 gen(3);
  const long double two_pi = 6.283185307179586476925286766559005768L;
  double worst = 0.0, at = 0.0;
  auto check = [&](double u) {
    double s, c;
    fm::sincos_2pi(u, s, c);
    const long double t = two_pi * static_cast<long double>(u);
    const double es = ulp_error(s, sinl(t)), ec = ulp_error(c, cosl(t));
    // Near a zero of sin or cos the reference itself is only as good as 2π·u in long double:
    // measure there in ulp of the function's scale (1), i.e. absolute 2^-53.
    const double es_abs = std::fabs(static_cast<long double>(s) - sinl(t)) * 0x1p53L;
    const double ec_abs = std::fabs(static_cast<long double>(c) - cosl(t)) * 0x1p53L;
    const double e = std::max(std::min(es, es_abs), std::min(ec, ec_abs));
    if (e > worst) worst = e, at = u;
  };
  for (int i = 0; i < kArguments; ++i) check(u01(static_cast<std::uint32_t>(gen())));
  for (std::uint32_t k = 0; k < 4096; ++k) check(u01(k)), check(u01(0xFFFFFFFFu - k));
  for (double q : {0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875}) check(q), check(q + 1e-12);
  EXPECT_LE(worst, 2.0) << "at u = " << at;
  RecordProperty("worst_ulp", std::to_string(worst));
  double s, c;
  fm::sincos_2pi(0.25, s, c);
  EXPECT_EQ(s, 1.0);
  EXPECT_EQ(c, 0.0);
}

TEST(Fmath, MinMaxFollowC99ForNumbersInfinitiesAndNaN) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
  const double values[] = {-inf, -2.5, -1e-300, 0.0, 1e-300, 3.0, inf, nan};
  for (double a : values)
    for (double b : values) {
      // C99 7.12.12: NaN arguments are treated as missing data. Zeros of either sign are
      // equal, so only the value is compared for them.
      const double lo = std::fmin(a, b), hi = std::fmax(a, b);
      if (std::isnan(lo)) {
        EXPECT_TRUE(std::isnan(fm::fmin(a, b)) && std::isnan(fm::fmax(a, b)));
        continue;
      }
      EXPECT_EQ(fm::fmin(a, b), lo) << a << " " << b;
      EXPECT_EQ(fm::fmax(a, b), hi) << a << " " << b;
    }
}

TEST(Fmath, RoundToInt64IsLlroundWhereverLlroundIsDefined) {
  // Halves away from zero; every kind of fraction, integers near 2^52 and 2^53, and values
  // near the 2^63 limit (saturated beyond, as glibc's llround).
  std::mt19937_64 gen(4);
  std::uniform_real_distribution<double> cents(-1e12, 1e12);
  for (int i = 0; i < kArguments; ++i) {
    const double x = i % 3 == 0   ? cents(gen)
                     : i % 3 == 1 ? std::ldexp(cents(gen), -(i % 60))
                                  : std::round(cents(gen)) + 0.5;
    ASSERT_EQ(fm::round_to_int64(x), std::llround(x)) << x;
  }
  for (double x : {0.5, -0.5, 1.5, -2.5, 0.49999999999999994, -0.49999999999999994, 0x1p52 + 1.0,
                   -0x1p52 - 1.0, 0x1p53 - 1.0, 0x1p53 + 2.0, 9.2233720368547748e18, -0x1p63})
    EXPECT_EQ(fm::round_to_int64(x), std::llround(x)) << x;
  EXPECT_EQ(fm::round_to_int64(1e300), INT64_MAX);
  EXPECT_EQ(fm::round_to_int64(-1e300), INT64_MIN);
  EXPECT_EQ(fm::round_to_int64(std::nan("")), INT64_MIN);
}

}  // namespace
}  // namespace liq
