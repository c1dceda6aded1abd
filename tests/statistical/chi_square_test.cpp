// liqstress statistical tests — the χ²_ν draws behind Student-t innovations
// (kernels/market.h chi_square_draw: 2·Gamma(ν/2) by Marsaglia–Tsang, one random address
// per attempt). Cumulants of χ²_ν: κ_n = 2^{n−1} (n − 1)! ν, i.e. ν, 2ν, 8ν, 48ν
// (Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions vol. 1, §18.3).
// Tolerances: k = 4 SE for κ1, κ2, k = 5 for κ3, κ4 (batch means, sim_helpers.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "tests/statistical/sim_helpers.h"

namespace {

using namespace liq::test;

TEST(ChiSquare, CumulantsMatchTheChiSquareLaw) {
  const std::size_t n = 400000;
  for (double dof : {2.5, 4.0, 10.0, 30.0}) {
    std::vector<double> w(n);
    const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i) {
      // A seed per ν: the same uniforms for every ν would make the four checks move together.
      const liq::RngAddress at{6000u + static_cast<std::uint64_t>(10.0 * dof),
                               static_cast<std::uint64_t>(i), static_cast<std::uint32_t>(i % 5)};
      w[static_cast<std::size_t>(i)] = liq::chi_square_draw(at, dof);
    }
    const CumulantEstimates e = cumulant_estimates(w);
    const double want[4] = {dof, 2.0 * dof, 8.0 * dof, 48.0 * dof};
    for (int o = 0; o < 4; ++o) {
      const double k = o < 2 ? 4.0 : 5.0;
      std::printf("  dof %4.1f k%d %.4f model %.4f z %+.2f\n", dof, o + 1, e.k[o].value, want[o],
                  (e.k[o].value - want[o]) / e.k[o].se);
      EXPECT_NEAR(e.k[o].value, want[o], k * e.k[o].se) << "dof " << dof << ", order " << o + 1;
    }
    // E[(ν − 2)/W] = 1: what makes the Student-t step variance σ²Δ on average.
    std::vector<double> scale(n);
    for (std::size_t i = 0; i < n; ++i) scale[i] = (dof - 2.0) / w[i];
    if (dof > 4.0) {  // Var[1/W] finite only for ν > 4
      const Estimate s = batch_estimate(scale, sample_mean);
      EXPECT_NEAR(s.value, 1.0, 4.0 * s.se) << "dof " << dof;
    }
  }
}

}  // namespace
