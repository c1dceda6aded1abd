// liqstress tests — device-side helpers for the GPU tests (tests/gpu/device_kat.cu):
// plain C++ interface, no CUDA types.
#pragma once

#include <cstdint>
#include <vector>

namespace liq::test {

/// For each (counter, key) = (c[4i..4i+3], k[2i..2i+1]): our philox4x32<10> run on the
/// device, and cuRAND's device API (curand_init + curand4) positioned on the same counter.
/// Writes 4 words per case into `ours` and `curand`.
void device_philox_pairs(const std::vector<std::uint32_t>& counters,
                         const std::vector<std::uint32_t>& keys, std::vector<std::uint32_t>& ours,
                         std::vector<std::uint32_t>& curand);

}  // namespace liq::test
