// liqstress — unit tests of host/linalg: Jacobi eigenvalues against closed forms, Cholesky
// (definite, semi-definite, not PSD), Higham's nearest correlation matrix against the
// published example (Higham 2002, IMA J. Numer. Anal. 22, 329–343, section 4).
#include "host/util/linalg.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace liq {
namespace {

std::vector<double> multiply_lower_transpose(const std::vector<double>& l, int n) {
  std::vector<double> out(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      for (int k = 0; k < n; ++k) out[i * n + j] += l[i * n + k] * l[j * n + k];
    }
  }
  return out;
}

TEST(LinalgEigen, TwoByTwo) {
  const auto w = symmetric_eigenvalues({2, 1, 1, 2}, 2);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NEAR(w[0], 1.0, 1e-14);
  EXPECT_NEAR(w[1], 3.0, 1e-14);
}

TEST(LinalgEigen, DiagonalIsSortedAscending) {
  const auto w = symmetric_eigenvalues({5, 0, 0, 0, -1, 0, 0, 0, 2}, 3);
  EXPECT_DOUBLE_EQ(w[0], -1.0);
  EXPECT_DOUBLE_EQ(w[1], 2.0);
  EXPECT_DOUBLE_EQ(w[2], 5.0);
}

TEST(LinalgEigen, TridiagonalClosedForm) {
  // The 1-D Laplacian: eigenvalues 2 − 2 cos(kπ/(n+1)), k = 1..n.
  constexpr int n = 6;
  std::vector<double> a(n * n, 0.0);
  for (int i = 0; i < n; ++i) {
    a[i * n + i] = 2.0;
    if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = -1.0;
  }
  const auto w = symmetric_eigenvalues(a, n);
  for (int k = 1; k <= n; ++k) {
    EXPECT_NEAR(w[k - 1], 2.0 - 2.0 * std::cos(k * std::numbers::pi / (n + 1)), 1e-13)
        << "k = " << k;
  }
}

TEST(LinalgEigen, AllOnesIsSingular) {
  const auto w = symmetric_eigenvalues(std::vector<double>(9, 1.0), 3);
  EXPECT_NEAR(w[0], 0.0, 1e-14);
  EXPECT_NEAR(w[1], 0.0, 1e-14);
  EXPECT_NEAR(w[2], 3.0, 1e-14);
}

TEST(LinalgEigen, IndefiniteCorrelation) {
  // Higham's example: eigenvalues 1 − √2, 1, 1 + √2.
  const auto w = symmetric_eigenvalues({1, 1, 0, 1, 1, 1, 0, 1, 1}, 3);
  EXPECT_NEAR(w[0], 1.0 - std::sqrt(2.0), 1e-14);
  EXPECT_NEAR(w[1], 1.0, 1e-14);
  EXPECT_NEAR(w[2], 1.0 + std::sqrt(2.0), 1e-14);
}

TEST(LinalgEigen, WrongSizeThrows) {
  EXPECT_THROW(symmetric_eigenvalues({1, 2, 3}, 2), std::invalid_argument);
}

TEST(LinalgCholesky, ReproducesDefiniteMatrix) {
  const std::vector<double> a = {1.0,  0.85, 0.75, 0.7, 0.85, 1.0, 0.8, 0.7,
                                 0.75, 0.8,  1.0,  0.7, 0.7,  0.7, 0.7, 1.0};
  const auto l = cholesky_lower(a, 4);
  for (int i = 0; i < 4; ++i) {
    for (int j = i + 1; j < 4; ++j) EXPECT_EQ(l[i * 4 + j], 0.0) << "upper entry " << i << j;
  }
  const auto back = multiply_lower_transpose(l, 4);
  for (int k = 0; k < 16; ++k) EXPECT_NEAR(back[k], a[k], 1e-15) << "entry " << k;
}

TEST(LinalgCholesky, KnownFactor) {
  // [[4, 2], [2, 5]] = L Lᵀ with L = [[2, 0], [1, 2]].
  const auto l = cholesky_lower({4, 2, 2, 5}, 2);
  EXPECT_DOUBLE_EQ(l[0], 2.0);
  EXPECT_DOUBLE_EQ(l[1], 0.0);
  EXPECT_DOUBLE_EQ(l[2], 1.0);
  EXPECT_DOUBLE_EQ(l[3], 2.0);
}

TEST(LinalgCholesky, PerfectCorrelationGivesZeroColumns) {
  const std::vector<double> ones(9, 1.0);
  const auto l = cholesky_lower(ones, 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(l[i * 3 + 0], 1.0);
    EXPECT_EQ(l[i * 3 + 1], 0.0);
    EXPECT_EQ(l[i * 3 + 2], 0.0);
  }
  const auto back = multiply_lower_transpose(l, 3);
  for (int k = 0; k < 9; ++k) EXPECT_EQ(back[k], 1.0);
  for (double v : l) EXPECT_FALSE(std::isnan(v));
}

TEST(LinalgCholesky, PerfectAntiCorrelation) {
  const std::vector<double> a = {1, -1, -1, 1};
  const auto back = multiply_lower_transpose(cholesky_lower(a, 2), 2);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(back[k], a[k]);
}

TEST(LinalgCholesky, NotPsdThrows) {
  EXPECT_THROW(cholesky_lower({1, 1, 0, 1, 1, 1, 0, 1, 1}, 3), std::domain_error);
  EXPECT_THROW(cholesky_lower({-1e-6}, 1), std::domain_error);
  // A zero pivot with a non-zero entry below it: indefinite ([[0, 1], [1, 0]]).
  EXPECT_THROW(cholesky_lower({0, 1, 1, 0}, 2), std::domain_error);
}

TEST(LinalgCholesky, PivotWithinToleranceIsZero) {
  const auto l = cholesky_lower({-1e-13}, 1);
  EXPECT_EQ(l[0], 0.0);
}

TEST(LinalgNearestCorrelation, HighamExample) {
  const std::vector<double> a = {1, 1, 0, 1, 1, 1, 0, 1, 1};
  const auto x = nearest_correlation(a, 3);
  const std::vector<double> published = {1, 0.7607, 0.1573, 0.7607, 1, 0.7607, 0.1573, 0.7607, 1};
  for (int k = 0; k < 9; ++k) EXPECT_NEAR(x[k], published[k], 1e-4) << "entry " << k;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(x[i * 3 + i], 1.0);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) EXPECT_EQ(x[i * 3 + j], x[j * 3 + i]);
  }
  EXPECT_GE(symmetric_eigenvalues(x, 3).front(), -1e-14);
  EXPECT_NO_THROW(cholesky_lower(x, 3));
}

TEST(LinalgNearestCorrelation, CorrelationMatrixIsFixedPoint) {
  const std::vector<double> a = {1, 0.5, 0.2, 0.5, 1, 0.3, 0.2, 0.3, 1};
  const auto x = nearest_correlation(a, 3);
  for (int k = 0; k < 9; ++k) EXPECT_NEAR(x[k], a[k], 1e-12) << "entry " << k;
}

TEST(LinalgNearestCorrelation, LargerIndefiniteMatrix) {
  // Pairwise-estimated correlations that are jointly inconsistent.
  const std::vector<double> a = {1,   0.9, 0.9, -0.9, 0.9,  1,   0.9, 0.9,
                                 0.9, 0.9, 1,   0.9,  -0.9, 0.9, 0.9, 1};
  ASSERT_LT(symmetric_eigenvalues(a, 4).front(), -0.1);
  const auto x = nearest_correlation(a, 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(x[i * 4 + i], 1.0);
  EXPECT_GE(symmetric_eigenvalues(x, 4).front(), -1e-14);
  EXPECT_NO_THROW(cholesky_lower(x, 4));
}

}  // namespace
}  // namespace liq

namespace liq {
namespace {

TEST(MatrixExponential, TwoStateChainAgainstItsClosedForm) {
  // Q = [[−a, a], [b, −b]]: P(t) = (1/(a+b))·[[b + a e^{−(a+b)t}, a(1 − e^{−(a+b)t})],
  // [b(1 − e^{−(a+b)t}), a + b e^{−(a+b)t}]] (any text on two-state Markov chains).
  for (double t : {1e-4, 0.3, 5.0, 40.0}) {
    const double a = 2.0, b = 0.5, e = std::exp(-(a + b) * t);
    const std::vector<double> p = matrix_exponential({-a * t, a * t, b * t, -b * t}, 2);
    EXPECT_NEAR(p[0], (b + a * e) / (a + b), 1e-13) << t;
    EXPECT_NEAR(p[1], a * (1 - e) / (a + b), 1e-13) << t;
    EXPECT_NEAR(p[2], b * (1 - e) / (a + b), 1e-13) << t;
    EXPECT_NEAR(p[3], (a + b * e) / (a + b), 1e-13) << t;
  }
}

TEST(StationaryDistribution, TwoAndThreeStates) {
  const std::vector<double> pi = stationary_distribution({-2.0, 2.0, 0.5, -0.5}, 2);
  EXPECT_NEAR(pi[0], 0.5 / 2.5, 1e-15);
  EXPECT_NEAR(pi[1], 2.0 / 2.5, 1e-15);
  // A cycle 0 → 1 → 2 → 0 at rates 1, 2, 4: π ∝ (1/1, 1/2, 1/4).
  const std::vector<double> c =
      stationary_distribution({-1.0, 1.0, 0.0, 0.0, -2.0, 2.0, 4.0, 0.0, -4.0}, 3);
  EXPECT_NEAR(c[0], 4.0 / 7.0, 1e-14);
  EXPECT_NEAR(c[1], 2.0 / 7.0, 1e-14);
  EXPECT_NEAR(c[2], 1.0 / 7.0, 1e-14);
  // Two states that never meet: no unique stationary distribution.
  EXPECT_THROW(stationary_distribution({0.0, 0.0, 0.0, 0.0}, 2), std::domain_error);
}

}  // namespace
}  // namespace liq
