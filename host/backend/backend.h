// liqstress — choosing and driving a backend. Both run the same kernels/ functions:
// the CPU backend over OpenMP threads (the oracle), the CUDA backend one thread per path.
// Results depend only on (seed, scenario, path index), never on the backend's split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "host/backend/lanes.h"
#include "host/model/path_rows.h"
#include "host/model/step_sums.h"
#include "kernels/cuda_launch.h"
#include "kernels/path.h"

namespace liq {

enum class BackendChoice { automatic, cpu, cuda };

/// Parses "auto", "cpu" or "cuda" (InputError otherwise).
BackendChoice parse_backend_choice(const std::string& text);

class Backend {
 public:
  virtual ~Backend() = default;
  /// "cpu" or "cuda", as recorded in the results file.
  virtual std::string name() const = 0;
  /// The hardware in words, e.g. "2 OpenMP threads" or "NVIDIA H100 (sm_90, device 0)".
  virtual std::string device() const = 0;
  /// A good number of paths per batch: enough to fill the hardware, small enough to
  /// report progress often. Any batch size gives the same results.
  virtual std::size_t preferred_batch() const = 0;
  /// Simulates paths [first_path, first_path + rows.n_rows) into rows, and adds each
  /// path's per-step liquidated notional into `step_sums` (exact; may have no cells).
  virtual void simulate(const Model& model, std::uint64_t first_path, PathRows& rows,
                        StepSums& step_sums) = 0;
  /// The same random numbers alone (benchmark bound); returns a checksum.
  virtual double draw_randoms(const MarketParams& params, std::uint64_t first_path,
                              std::size_t n_paths) = 0;
};

/// Creates the backend asked for. `threads` = 0 uses every core (CPU backend).
/// `automatic` picks CUDA only when a device is usable; `note` says why a choice was made.
/// Throws RuntimeFailure (exit 3) when CUDA is asked for and cannot run.
/// `device_slot` picks the CUDA device (slot modulo the devices seen): an MPI rank passes its
/// rank on the node, so ranks sharing a node use different GPUs. `simd` picks the CPU
/// backend's SIMD lanes (host/backend/lanes.h parse_simd_level: auto, off, sse2, avx2, avx512;
/// InputError for a set this processor lacks); every choice gives the same bytes.
std::unique_ptr<Backend> make_backend(BackendChoice choice, int threads, std::string& note,
                                      int device_slot = 0, const std::string& simd = "auto");

/// The CPU backend directly (tests, and the oracle of the GPU tests): SIMD lanes of the widest
/// instruction set this processor runs unless `simd` says otherwise (SimdLevel::off: one path
/// at a time, the scalar kernels alone).
std::unique_ptr<Backend> make_cpu_backend(int threads, SimdLevel simd = best_simd_level());

/// The CUDA backend on device `index` of cuda_devices() (the GPU tests).
std::unique_ptr<Backend> make_cuda_backend(const CudaDeviceInfo& device);

}  // namespace liq
