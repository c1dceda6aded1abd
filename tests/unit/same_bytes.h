// liqstress tests — comparing columns byte for byte (the lanes, backends and thread counts
// promise the same bytes, NaN and signed zeros included, as a results file stores them).
#pragma once

#include <cstring>
#include <vector>

namespace liq {

/// The first index at which two columns differ in their bytes, or −1 when they are the same
/// (0 when their lengths differ).
template <typename T>
long first_difference(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) return static_cast<long>(i);
  return -1;
}

}  // namespace liq
