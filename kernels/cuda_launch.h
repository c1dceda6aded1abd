// liqstress — the CUDA launcher's interface, implemented by kernels/cuda_backend.cu when nvcc
// is found (and by host/backend/cuda_backend_absent.cpp, which says why it cannot run,
// otherwise). Plain C++ over kernels/ types: no CUDA types (STYLE.md habit 3), nothing from
// host/. The host's CUDA backend (host/backend) drives it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/path.h"

namespace liq {

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  int compute_major = 0;
  int compute_minor = 0;
  std::size_t memory_bytes = 0;
};

/// What the launcher throws: a CUDA call that failed, or a build without CUDA, in words.
class CudaFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Whether this binary was built with the CUDA backend.
bool cuda_built();
/// Devices usable now; empty with `why` set when none (no driver, no device, not built).
std::vector<CudaDeviceInfo> cuda_devices(std::string& why);

/// One run on one device: the model (market schedule, shocks, book, accounts) is copied to
/// the device once, and the output buffers are kept between batches (STYLE.md habit 14).
class CudaRun {
 public:
  /// `model` holds host pointers; what they point to is copied now.
  CudaRun(int device, const Model& model);
  ~CudaRun();
  CudaRun(const CudaRun&) = delete;
  CudaRun& operator=(const CudaRun&) = delete;
  /// True when `model` is the one this run copied (same parameters and arrays).
  bool holds(const Model& model) const;
  /// Simulates paths [first_path, first_path + n) into the host rows `out` (the fields it
  /// leaves null are not written) and adds the batch's per-step sums into `sums` (host
  /// memory, n_cells × 4 words, kernels/exact_sum.h).
  void simulate(std::uint64_t first_path, std::size_t n, const PathOut& out, const ExactSums& sums);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The benchmark's RNG bound on the device: draw_path_randoms for n paths; returns the
/// checksum so the work cannot be optimised away.
double cuda_draw_randoms(int device, const MarketParams& params, std::uint64_t first_path,
                         std::size_t n_paths);

}  // namespace liq
