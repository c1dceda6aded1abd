// liqstress unit tests — kernels/distributions.h with scripted uniforms: Box–Muller,
// Poisson inversion, one Marsaglia–Tsang gamma attempt and the Brownian-bridge extremes,
// at their edges and at values computed by hand.
#include "kernels/distributions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/fmath.h"
#include "kernels/philox.h"

namespace {

const double kU01Min = liq::u01(0u);           // 2⁻³³
const double kU01Max = liq::u01(0xFFFFFFFFu);  // 1 − 2⁻³³

// ---- Box–Muller -------------------------------------------------------------------------------

TEST(BoxMuller, SmallestUniformGivesTheLargestFiniteRadius) {
  // r = sqrt(−2 ln 2⁻³³) = sqrt(66 ln 2) ≈ 6.7637: the largest |z| the generator can produce.
  const double r = std::sqrt(66.0 * std::log(2.0));
  const liq::NormalPair z = liq::box_muller(kU01Min, 0.25);
  EXPECT_TRUE(std::isfinite(z.z0));
  EXPECT_TRUE(std::isfinite(z.z1));
  EXPECT_NEAR(r, 6.7637, 1e-4);
  EXPECT_NEAR(z.z1, r, 1e-13);
  EXPECT_NEAR(z.z0, 0.0, 1e-14);  // cos(π/2) in doubles is 6e-17
}

TEST(BoxMuller, LargestUniformGivesAlmostZeroRadius) {
  // −2 ln(1 − 2⁻³³) = 2⁻³² (1 + O(2⁻³³)), so r = 2⁻¹⁶ to about 1e-10 relative.
  const liq::NormalPair z = liq::box_muller(kU01Max, kU01Min);
  const double r = std::hypot(z.z0, z.z1);
  EXPECT_NEAR(r, std::ldexp(1.0, -16), 1e-9 * std::ldexp(1.0, -16));
  EXPECT_GT(r, 0.0);
}

TEST(BoxMuller, KnownAngles) {
  const double u1 = std::exp(-0.5 * 4.0);  // radius sqrt(−2 ln u1) = 2
  struct Case {
    double u2, z0, z1;
  };
  const Case cases[] = {{0.25, 0.0, 2.0},
                        {0.5, -2.0, 0.0},
                        {0.75, 0.0, -2.0},
                        {0.125, std::sqrt(2.0), std::sqrt(2.0)}};
  for (const Case& c : cases) {
    const liq::NormalPair z = liq::box_muller(u1, c.u2);
    EXPECT_NEAR(z.z0, c.z0, 1e-14) << "u2 = " << c.u2;
    EXPECT_NEAR(z.z1, c.z1, 1e-14) << "u2 = " << c.u2;
  }
  // Always a rotation: the radius does not depend on u2.
  for (double u2 : {kU01Min, 0.1, 0.3, 0.9, kU01Max}) {
    const liq::NormalPair z = liq::box_muller(u1, u2);
    EXPECT_NEAR(std::hypot(z.z0, z.z1), 2.0, 1e-14);
  }
}

// ---- Poisson inversion -------------------------------------------------------------------------

TEST(Poisson, NonPositiveMeanGivesZero) {
  for (double u : {kU01Min, 0.5, kU01Max}) {
    EXPECT_EQ(liq::poisson_inverse(0.0, u), 0u);
    EXPECT_EQ(liq::poisson_inverse(-1.0, u), 0u);
    EXPECT_EQ(liq::poisson_inverse(std::numeric_limits<double>::quiet_NaN(), u), 0u);
  }
}

TEST(Poisson, BoundariesOfTheFirstCells) {
  // The smallest n with CDF(n) ≥ u: u = CDF(0) = e^{−mean} still gives 0, the next double
  // above gives 1; the same at CDF(1) (computed in the kernel's order of operations, with the
  // kernels' own e^x: kernels/fmath.h, tested against long double in fmath_test).
  for (double mean : {0.01, 0.5, 3.0, 20.0}) {
    const double p0 = liq::fm::exp(-mean);
    const double cdf1 = p0 + p0 * (mean / 1.0);
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(liq::poisson_inverse(mean, std::nextafter(p0, 0.0)), 0u) << mean;
    EXPECT_EQ(liq::poisson_inverse(mean, p0), 0u) << mean;
    EXPECT_EQ(liq::poisson_inverse(mean, std::nextafter(p0, inf)), 1u) << mean;
    EXPECT_EQ(liq::poisson_inverse(mean, cdf1), 1u) << mean;
    EXPECT_EQ(liq::poisson_inverse(mean, std::nextafter(cdf1, inf)), 2u) << mean;
    EXPECT_EQ(liq::poisson_inverse(mean, kU01Min), 0u) << mean;
  }
}

TEST(Poisson, ExtremeUniformsStayFiniteAndBounded) {
  // Upper tail: u = 1 − 1e-10 and the largest u01. For mean 50 the 1 − 1e-10 quantile is
  // about 50 + 6.4·sqrt(50) + skew ≈ 100, far below the cap.
  for (double mean : {0.01, 1.0, 20.0, 50.0}) {
    for (double u : {1.0 - 1e-10, kU01Max}) {
      const std::uint32_t n = liq::poisson_inverse(mean, u);
      EXPECT_LE(n, liq::kPoissonMaxCount);
      EXPECT_GE(static_cast<double>(n), mean) << mean;
      EXPECT_LT(n, 140u) << mean;
    }
  }
  EXPECT_EQ(liq::poisson_inverse(0.01, kU01Max), 4u);  // P(N ≥ 5 | 0.01) ≈ 8e-13 < 2⁻³³
  // Beyond validation's λΔ ≤ 50 the loop is still bounded by kPoissonMaxCount.
  EXPECT_LE(liq::poisson_inverse(400.0, kU01Max), liq::kPoissonMaxCount);
  EXPECT_LE(liq::poisson_inverse(1000.0, 0.5), liq::kPoissonMaxCount);
}

TEST(Poisson, MedianOfMeanThirtyIsThirty) {
  // P(N ≤ 29) = 0.4757, P(N ≤ 30) = 0.5484 for mean 30.
  EXPECT_EQ(liq::poisson_inverse(30.0, 0.5), 30u);
  EXPECT_EQ(liq::poisson_inverse(30.0, 0.47), 29u);
  EXPECT_EQ(liq::poisson_inverse(30.0, 0.55), 31u);
}

TEST(Poisson, MonotoneInU) {
  for (double mean : {0.2, 4.0, 35.0}) {
    std::uint32_t last = 0;
    for (int i = 1; i < 1000; ++i) {
      const std::uint32_t n = liq::poisson_inverse(mean, i / 1000.0);
      ASSERT_GE(n, last);
      last = n;
    }
  }
}

// ---- one Marsaglia–Tsang attempt
// -----------------------------------------------------------------

TEST(GammaAttempt, RejectsWhenOnePlusCzIsNotPositive) {
  const double shape = 2.0;  // d = 5/3, c = 1/sqrt(15)
  const double c = 1.0 / std::sqrt(9.0 * (shape - 1.0 / 3.0));
  EXPECT_LT(liq::gamma_mt_attempt(shape, -1.0 / c, 0.5), 0.0);  // 1 + c z = 0
  EXPECT_LT(liq::gamma_mt_attempt(shape, -4.0, 0.5), 0.0);      // 1 + c z < 0
  EXPECT_LT(liq::gamma_mt_attempt(shape, -4.0, kU01Min), 0.0);  // whatever u
}

TEST(GammaAttempt, SqueezeAcceptance) {
  const double shape = 2.5;
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  // z = 0: v = 1, accepted for any u < 1 by the squeeze, value d exactly.
  EXPECT_EQ(liq::gamma_mt_attempt(shape, 0.0, kU01Max), d);
  // z = 0.5: squeeze bound 1 − 0.0331·0.0625 = 0.99793 > 0.9.
  const double v = (1.0 + 0.5 * c) * (1.0 + 0.5 * c) * (1.0 + 0.5 * c);
  EXPECT_DOUBLE_EQ(liq::gamma_mt_attempt(shape, 0.5, 0.9), d * v);
}

TEST(GammaAttempt, LogTestAcceptsAndRejects) {
  const double shape = 3.0;
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  const double z = 2.0;
  const double v = (1.0 + c * z) * (1.0 + c * z) * (1.0 + c * z);
  const double squeeze = 1.0 - 0.0331 * z * z * z * z;             // 0.4704
  const double bound = 0.5 * z * z + d * (1.0 - v + std::log(v));  // ln u must be below this
  ASSERT_LT(bound, 0.0);
  const double u_accept =
      0.5 * (squeeze + std::exp(bound));  // fails the squeeze, passes the log test
  ASSERT_GT(u_accept, squeeze);
  ASSERT_LT(std::log(u_accept), bound);
  EXPECT_DOUBLE_EQ(liq::gamma_mt_attempt(shape, z, u_accept), d * v);
  const double u_reject = 0.5 * (std::exp(bound) + 1.0);
  EXPECT_LT(liq::gamma_mt_attempt(shape, z, u_reject), 0.0);
}

// ---- Brownian-bridge extremes (they take ln U)
// ---------------------------------------------------

TEST(Bridge, MinBelowAndMaxAboveTheEndpoints) {
  const double xs[][2] = {{0.0, 0.0}, {0.1, -0.3}, {-0.25, 0.5}, {2.0, 2.0}};
  for (const auto& x : xs) {
    for (double var : {0.0, 1e-6, 0.01, 0.5}) {
      for (double u : {kU01Min, 1e-6, 0.3, 0.5, 0.9, kU01Max}) {
        EXPECT_LE(liq::bridge_min(x[0], x[1], var, std::log(u)), std::fmin(x[0], x[1]));
        EXPECT_GE(liq::bridge_max(x[0], x[1], var, std::log(u)), std::fmax(x[0], x[1]));
      }
    }
  }
}

TEST(Bridge, UnitUniformOrZeroVarianceGivesTheEndpoint) {
  // Dyadic endpoints: the formula's arithmetic is exact, so the limit is hit exactly.
  EXPECT_EQ(liq::bridge_min(0.25, -0.5, 0.04, std::log(1.0)), -0.5);
  EXPECT_EQ(liq::bridge_max(0.25, -0.5, 0.04, std::log(1.0)), 0.25);
  EXPECT_EQ(liq::bridge_min(0.25, -0.5, 0.0, std::log(0.3)), -0.5);
  EXPECT_EQ(liq::bridge_max(0.25, -0.5, 0.0, std::log(0.3)), 0.25);
  EXPECT_EQ(liq::bridge_min(0.125, 0.125, 0.0, std::log(0.3)), 0.125);
  // General endpoints: within rounding.
  EXPECT_NEAR(liq::bridge_min(0.1, 0.3, 0.0, std::log(0.7)), 0.1, 1e-16);
  EXPECT_NEAR(liq::bridge_max(0.1, 0.3, 0.0, std::log(0.7)), 0.3, 1e-16);
  // The largest u01 is 2⁻³³ from the limit: −ln u ≈ 2⁻³³ moves the min by var·2⁻³³/(2|x1 − x0|).
  EXPECT_NEAR(liq::bridge_min(0.1, 0.3, 0.04, std::log(kU01Max)),
              0.1 - 0.04 * std::ldexp(1.0, -33) / 0.4, 1e-15);
}

TEST(Bridge, InvertsTheBridgeMinimumLaw) {
  // P(min ≤ b | x0, x1) = exp(−2 (x0 − b)(x1 − b) / var) for b ≤ min(x0, x1) (Borodin &
  // Salminen, Handbook of Brownian Motion, 1.1.8): the sampled min at uniform u is the b
  // with that probability equal to u.
  const double x0 = 0.02, x1 = -0.05, var = 0.0036;
  for (double u : {kU01Min, 1e-5, 0.01, 0.2, 0.5, 0.8, 0.999}) {
    const double b = liq::bridge_min(x0, x1, var, std::log(u));
    EXPECT_NEAR(std::log(u), -2.0 * (x0 - b) * (x1 - b) / var,
                1e-11 * std::fabs(std::log(u)) + 1e-13);
    const double t = liq::bridge_max(x0, x1, var, std::log(u));
    EXPECT_NEAR(std::log(u), -2.0 * (t - x0) * (t - x1) / var,
                1e-11 * std::fabs(std::log(u)) + 1e-13);
  }
}

TEST(Bridge, SmallestUniformGivesAFiniteExtreme) {
  const double b = liq::bridge_min(0.0, 0.0, 0.01, std::log(kU01Min));
  EXPECT_TRUE(std::isfinite(b));
  EXPECT_NEAR(b, -0.5 * std::sqrt(-2.0 * 0.01 * std::log(kU01Min)), 1e-15);
}

}  // namespace
