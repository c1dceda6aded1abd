// liqstress — the small dense linear algebra a scenario needs: symmetric eigenvalues
// (PSD check), Cholesky factor, nearest correlation matrix (repair on request).
// Matrices are row-major std::vector<double> of n*n.
#pragma once

#include <vector>

namespace liq {

/// Eigenvalues of a symmetric matrix, ascending (cyclic Jacobi; n is small).
std::vector<double> symmetric_eigenvalues(const std::vector<double>& a, int n);

/// Lower-triangular L with L Lᵀ = a for a symmetric positive semi-definite a. Pivots
/// within `tol` of zero (semi-definite directions) give a zero column instead of a NaN.
/// Throws std::domain_error when a pivot is below −tol (not PSD).
std::vector<double> cholesky_lower(const std::vector<double>& a, int n, double tol = 1e-12);

/// Nearest correlation matrix in the Frobenius norm (Higham 2002, alternating projections
/// with Dykstra's correction): symmetric, PSD, unit diagonal.
std::vector<double> nearest_correlation(const std::vector<double>& a, int n,
                                        int max_iterations = 1000, double tol = 1e-12);

/// e^A of a square matrix (scaling and squaring with a Taylor series; n is small): for a
/// Markov generator Q and a time step Δ, expm(QΔ) is the transition matrix over Δ.
std::vector<double> matrix_exponential(const std::vector<double>& a, int n);

/// The stationary distribution π of a Markov generator Q (rows sum to 0): πQ = 0, Σπ = 1,
/// solved by Gaussian elimination with partial pivoting. Throws std::domain_error when the
/// chain has no unique stationary distribution (it is not irreducible).
std::vector<double> stationary_distribution(const std::vector<double>& q, int n);

}  // namespace liq
