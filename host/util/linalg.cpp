// liqstress — the small dense linear algebra of host/util/linalg.h: cyclic Jacobi eigen-solver,
// semi-definite-tolerant Cholesky factor, Higham's nearest correlation matrix. Matrices are
// at most kMaxAssets (16) wide, so clarity wins over blocking or pivoting tricks.
#include "host/util/linalg.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>

namespace liq {
namespace {

void check_shape(const std::vector<double>& a, int n, const char* who) {
  if (n < 0 || a.size() != static_cast<std::size_t>(n) * static_cast<std::size_t>(n)) {
    throw std::invalid_argument(std::string(who) +
                                ": expected an n×n matrix with n = " + std::to_string(n) +
                                ", got " + std::to_string(a.size()) + " entries");
  }
}

double frobenius(const std::vector<double>& a) {
  double s = 0.0;
  for (double v : a) s += v * v;
  return std::sqrt(s);
}

/// Eigen-decomposition a = V diag(w) Vᵀ of a symmetric matrix by cyclic Jacobi rotations
/// (Rutishauser's formulation). Eigenvectors are the columns of V, row-major. Unsorted.
void jacobi_eigen(const std::vector<double>& a_in, int n, std::vector<double>& w,
                  std::vector<double>& v) {
  std::vector<double> a = a_in;
  // Work on the symmetric part so that a slightly asymmetric input cannot stall the sweeps.
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      const double s = 0.5 * (a[i * n + j] + a[j * n + i]);
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  v.assign(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) v[i * n + i] = 1.0;

  const double scale = frobenius(a);
  // Quadratic convergence: a few sweeps reach rounding level; 100 is a generous cap.
  constexpr int kMaxSweeps = 100;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    double off = 0.0;
    for (int i = 0; i < n; ++i) {
      for (int j = i + 1; j < n; ++j) off += a[i * n + j] * a[i * n + j];
    }
    if (std::sqrt(off) <= 1e-300 || std::sqrt(off) <= 1e-17 * scale) break;
    for (int p = 0; p < n; ++p) {
      for (int q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        if (apq == 0.0) continue;
        const double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
        // The smaller root of t² + 2θt − 1 = 0: rotation angle below π/4, stable.
        const double t =
            (theta >= 0.0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0);
        const double s = t * c;
        // A ← Jᵀ A J with J the rotation in the (p, q) plane.
        for (int k = 0; k < n; ++k) {
          const double akp = a[k * n + p];
          const double akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {
          const double apk = a[p * n + k];
          const double aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0.0;
        a[q * n + p] = 0.0;
        for (int k = 0; k < n; ++k) {
          const double vkp = v[k * n + p];
          const double vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  w.resize(n);
  for (int i = 0; i < n; ++i) w[i] = a[i * n + i];
}

/// Projection onto the positive semi-definite cone: negative eigenvalues clipped to zero.
std::vector<double> project_psd(const std::vector<double>& r, int n) {
  std::vector<double> w;
  std::vector<double> v;
  jacobi_eigen(r, n, w, v);
  std::vector<double> x(static_cast<std::size_t>(n) * n, 0.0);
  for (int k = 0; k < n; ++k) {
    const double lambda = std::max(w[k], 0.0);
    if (lambda == 0.0) continue;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) x[i * n + j] += lambda * v[i * n + k] * v[j * n + k];
    }
  }
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      const double s = 0.5 * (x[i * n + j] + x[j * n + i]);
      x[i * n + j] = s;
      x[j * n + i] = s;
    }
  }
  return x;
}

double relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  const double norm = frobenius(a);
  return norm > 0.0 ? std::sqrt(d) / norm : std::sqrt(d);
}

}  // namespace

std::vector<double> symmetric_eigenvalues(const std::vector<double>& a, int n) {
  check_shape(a, n, "symmetric_eigenvalues");
  std::vector<double> w;
  std::vector<double> v;
  jacobi_eigen(a, n, w, v);
  std::sort(w.begin(), w.end());
  return w;
}

std::vector<double> cholesky_lower(const std::vector<double>& a, int n, double tol) {
  check_shape(a, n, "cholesky_lower");
  std::vector<double> l(static_cast<std::size_t>(n) * n, 0.0);
  // Below a zero pivot the remaining entries of the column must vanish too (else the
  // matrix has a negative 2×2 minor); rounding leaves them of order sqrt(tol) at most.
  const double residual_tol = std::sqrt(tol);
  for (int j = 0; j < n; ++j) {
    double pivot = a[j * n + j];
    for (int k = 0; k < j; ++k) pivot -= l[j * n + k] * l[j * n + k];
    if (pivot < -tol) {
      std::ostringstream msg;
      msg << "cholesky_lower: matrix is not positive semi-definite (pivot " << pivot << " at row "
          << j << ")";
      throw std::domain_error(msg.str());
    }
    if (pivot <= tol) {
      // A semi-definite direction (e.g. perfect correlation): the column is zero.
      for (int i = j + 1; i < n; ++i) {
        double r = a[i * n + j];
        for (int k = 0; k < j; ++k) r -= l[i * n + k] * l[j * n + k];
        if (std::abs(r) > residual_tol) {
          std::ostringstream msg;
          msg << "cholesky_lower: matrix is not positive semi-definite (zero pivot at row " << j
              << " with residual " << r << " at row " << i << ")";
          throw std::domain_error(msg.str());
        }
      }
      continue;
    }
    const double d = std::sqrt(pivot);
    l[j * n + j] = d;
    for (int i = j + 1; i < n; ++i) {
      double r = a[i * n + j];
      for (int k = 0; k < j; ++k) r -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = r / d;
    }
  }
  return l;
}

std::vector<double> nearest_correlation(const std::vector<double>& a, int n, int max_iterations,
                                        double tol) {
  check_shape(a, n, "nearest_correlation");
  // Higham (2002), Algorithm 3.3 with W = I: alternate the projections onto the PSD cone
  // (S) and the unit-diagonal matrices (U); Dykstra's correction dS makes the limit the
  // nearest point of S ∩ U rather than just some point of it.
  std::vector<double> y = a;
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      const double s = 0.5 * (y[i * n + j] + y[j * n + i]);
      y[i * n + j] = s;
      y[j * n + i] = s;
    }
  }
  std::vector<double> ds(y.size(), 0.0);
  std::vector<double> x = y;
  std::vector<double> r(y.size());
  for (int iter = 0; iter < max_iterations; ++iter) {
    for (std::size_t k = 0; k < y.size(); ++k) r[k] = y[k] - ds[k];
    std::vector<double> x_new = project_psd(r, n);
    for (std::size_t k = 0; k < y.size(); ++k) ds[k] = x_new[k] - r[k];
    std::vector<double> y_new = x_new;
    for (int i = 0; i < n; ++i) y_new[i * n + i] = 1.0;
    const double dx = relative_difference(x_new, x);
    const double dy = relative_difference(y_new, y);
    const double dxy = relative_difference(y_new, x_new);
    x = std::move(x_new);
    y = std::move(y_new);
    if (std::max({dx, dy, dxy}) <= tol) break;
  }
  // The last iterate Y has a unit diagonal but may miss PSD by the convergence tolerance;
  // X is PSD. Scaling X by its diagonal, D^-1/2 X D^-1/2, keeps PSD (a congruence) and
  // restores the unit diagonal exactly, moving entries by O(tol).
  std::vector<double> c(x.size());
  for (int i = 0; i < n; ++i) {
    if (!(x[i * n + i] > 0.0)) return y;  // degenerate; cannot happen for a converged X
  }
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      c[i * n + j] = i == j ? 1.0 : x[i * n + j] / std::sqrt(x[i * n + i] * x[j * n + j]);
    }
  }
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      const double s = std::clamp(0.5 * (c[i * n + j] + c[j * n + i]), -1.0, 1.0);
      c[i * n + j] = s;
      c[j * n + i] = s;
    }
  }
  return c;
}

namespace {

std::vector<double> multiply(const std::vector<double>& a, const std::vector<double>& b, int n) {
  std::vector<double> c(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j) c[i * n + j] += a[i * n + k] * b[k * n + j];
  return c;
}

}  // namespace

std::vector<double> matrix_exponential(const std::vector<double>& a, int n) {
  check_shape(a, n, "matrix_exponential");
  // Scale so that ‖A/2^s‖ ≤ 1/2, sum the Taylor series to double precision, square s times.
  double norm = 0.0;
  for (int i = 0; i < n; ++i) {
    double row = 0.0;
    for (int j = 0; j < n; ++j) row += std::fabs(a[i * n + j]);
    norm = std::max(norm, row);
  }
  int squarings = 0;
  while (norm > 0.5) {
    norm /= 2.0;
    ++squarings;
  }
  std::vector<double> scaled = a;
  for (double& v : scaled) v = std::ldexp(v, -squarings);
  std::vector<double> sum(static_cast<std::size_t>(n) * n, 0.0), term = sum;
  for (int i = 0; i < n; ++i) sum[i * n + i] = term[i * n + i] = 1.0;
  for (int k = 1; k < 30; ++k) {
    term = multiply(term, scaled, n);
    for (double& v : term) v /= k;
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += term[i];
  }
  for (int s = 0; s < squarings; ++s) sum = multiply(sum, sum, n);
  return sum;
}

std::vector<double> stationary_distribution(const std::vector<double>& q, int n) {
  check_shape(q, n, "stationary_distribution");
  // Qᵀπ = 0 with the last equation replaced by Σπ = 1.
  std::vector<double> m(static_cast<std::size_t>(n) * (n + 1), 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) m[i * (n + 1) + j] = i == n - 1 ? 1.0 : q[j * n + i];
  m[(n - 1) * (n + 1) + n] = 1.0;
  for (int c = 0; c < n; ++c) {
    int pivot = c;
    for (int r = c + 1; r < n; ++r)
      if (std::fabs(m[r * (n + 1) + c]) > std::fabs(m[pivot * (n + 1) + c])) pivot = r;
    if (std::fabs(m[pivot * (n + 1) + c]) < 1e-14)
      throw std::domain_error("the chain has no unique stationary distribution");
    for (int j = 0; j <= n; ++j) std::swap(m[c * (n + 1) + j], m[pivot * (n + 1) + j]);
    for (int r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = m[r * (n + 1) + c] / m[c * (n + 1) + c];
      for (int j = c; j <= n; ++j) m[r * (n + 1) + j] -= f * m[c * (n + 1) + j];
    }
  }
  std::vector<double> pi(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) pi[i] = m[i * (n + 1) + n] / m[i * (n + 1) + i];
  return pi;
}

}  // namespace liq
