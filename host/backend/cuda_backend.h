// liqstress — the CUDA backend as the host sees it: plain C++, no CUDA types (STYLE.md
// habit 3). Implemented in kernels/cuda_backend.cu when nvcc is found, and in
// host/backend/cuda_backend_absent.cpp (which reports why it cannot run) otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "host/model/path_rows.h"
#include "host/model/step_sums.h"
#include "kernels/path.h"

namespace liq {

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  int compute_major = 0;
  int compute_minor = 0;
  std::size_t memory_bytes = 0;
};

/// Whether this binary was built with the CUDA backend.
bool cuda_built();
/// Devices usable now; empty with `why` set when none (no driver, no device, not built).
std::vector<CudaDeviceInfo> cuda_devices(std::string& why);

/// Simulates paths [first_path, first_path + rows.n_rows) on `device` into `rows` and adds
/// the per-step sums into `step_sums`. `model` holds host pointers (schedule, shocks, book,
/// accounts); the backend copies what they point to. Throws RuntimeFailure on CUDA errors.
void cuda_simulate(int device, const Model& model, std::uint64_t first_path, PathRows& rows,
                   StepSums& step_sums);

/// The benchmark's RNG bound on the device: draw_path_randoms for n paths; returns the
/// checksum so the work cannot be optimised away.
double cuda_draw_randoms(int device, const MarketParams& params, std::uint64_t first_path,
                         std::size_t n_paths);

}  // namespace liq
