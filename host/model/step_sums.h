// liqstress — host side of the exact per-step sums (kernels/exact_sum.h): a buffer of 128-bit
// (Σ cents, Σ cents²) pairs, merged by integer addition (so the order of merging never
// matters) and read back as means and standard deviations in USD.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/exact_sum.h"

namespace liq {

struct StepSums {
  std::int32_t n_cells = 0;
  std::vector<std::uint64_t> words;  // [n_cells × 4], see ExactSums

  void reset(std::int32_t cells) {
    n_cells = cells;
    words.assign(static_cast<std::size_t>(cells) * 4, 0);
  }
  ExactSums view() { return ExactSums{words.empty() ? nullptr : words.data(), n_cells}; }

  /// Adds another buffer of the same shape (exact, commutative, associative).
  void add(const StepSums& o) {
    for (std::size_t c = 0; c < words.size(); c += 2)
      add_128(words.data() + c, o.words[c], o.words[c + 1]);
  }

  static long double as_real(std::uint64_t lo, std::uint64_t hi) {
    return static_cast<long double>(hi) * 18446744073709551616.0L + static_cast<long double>(lo);
  }
  /// A two's-complement 128-bit integer as a real number.
  static long double as_signed(std::uint64_t lo, std::uint64_t hi) {
    if ((hi >> 63) == 0) return as_real(lo, hi);
    // −(2^128 − v): negate in 128 bits, then convert.
    const std::uint64_t nlo = ~lo + 1;
    const std::uint64_t nhi = ~hi + (nlo == 0 ? 1 : 0);
    return -as_real(nlo, nhi);
  }
  /// Mean over n paths, in the cell's units (its integers divided by `scale`).
  double mean(std::int32_t cell, std::uint64_t n, double scale = kCentsPerUsd) const {
    const std::uint64_t* w = words.data() + 4 * static_cast<std::size_t>(cell);
    return n == 0 ? 0.0 : static_cast<double>(as_signed(w[0], w[1]) / n / scale);
  }
  /// Sample standard deviation over n paths (n − 1 in the denominator), the cell's units.
  double stddev(std::int32_t cell, std::uint64_t n, double scale = kCentsPerUsd) const {
    if (n < 2) return 0.0;
    const std::uint64_t* w = words.data() + 4 * static_cast<std::size_t>(cell);
    const long double s = as_signed(w[0], w[1]), ss = as_real(w[2], w[3]);
    const long double var = (ss - s * s / n) / (n - 1);
    return var > 0 ? static_cast<double>(std::sqrt(var) / scale) : 0.0;
  }
};

}  // namespace liq
