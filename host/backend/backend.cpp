// liqstress — the CPU backend and backend selection (see backend.h).
#include "host/backend/backend.h"

#include <omp.h>

#include <algorithm>

#include "host/backend/lanes.h"
#include "host/util/errors.h"
#include "kernels/cuda_launch.h"

namespace liq {

namespace {

class CpuBackend final : public Backend {
 public:
  CpuBackend(int threads, SimdLevel simd)
      : threads_(threads > 0 ? threads : omp_get_max_threads()), simd_(simd) {}
  std::string name() const override { return "cpu"; }
  std::string device() const override {
    return std::to_string(threads_) + " OpenMP thread" + (threads_ == 1 ? "" : "s") +
           (simd_ == SimdLevel::off
                ? ", no SIMD lanes"
                : ", " + simd_level_name(simd_) + " lanes of " + std::to_string(kLanes) + " paths");
  }
  std::size_t preferred_batch() const override { return 4096; }

  void simulate(const Model& model, std::uint64_t first_path, PathRows& rows,
                StepSums& step_sums) override {
    const PathOut out = rows.view();
    const auto n = static_cast<std::int64_t>(rows.n_rows);
    const LaneSimulate lanes = lane_kernels(simd_).simulate;
    // Each row depends only on its path index, and the per-step sums are integers merged by
    // addition: any schedule, thread count or lane width gives the same bytes.
#pragma omp parallel num_threads(threads_)
    {
      StepSums local;
      local.reset(step_sums.n_cells);
      const ExactSums sink = local.view();
      if (lanes == nullptr) {
#pragma omp for schedule(dynamic, 16)
        for (std::int64_t r = 0; r < n; ++r) {
          simulate_path(model, first_path + static_cast<std::uint64_t>(r),
                        static_cast<std::size_t>(r), out, sink);
        }
      } else {
#pragma omp for schedule(dynamic, 2)
        for (std::int64_t r = 0; r < n; r += kLanes) {
          lanes(model, first_path + static_cast<std::uint64_t>(r), static_cast<std::size_t>(r),
                static_cast<int>(std::min<std::int64_t>(kLanes, n - r)), out, sink);
        }
      }
#pragma omp critical(liq_step_sums)
      step_sums.add(local);
    }
  }

  double draw_randoms(const MarketParams& params, std::uint64_t first_path,
                      std::size_t n_paths) override {
    const auto n = static_cast<std::int64_t>(n_paths);
    const LaneDraw draw = lane_kernels(simd_).draw;
    double sum = 0.0;
    if (draw == nullptr) {
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads_) reduction(+ : sum)
      for (std::int64_t r = 0; r < n; ++r)
        sum += draw_path_randoms(params, first_path + static_cast<std::uint64_t>(r));
    } else {
#pragma omp parallel for schedule(dynamic, 2) num_threads(threads_) reduction(+ : sum)
      for (std::int64_t r = 0; r < n; r += kLanes)
        sum += draw_lanes_randoms(draw, params, first_path + static_cast<std::uint64_t>(r),
                                  static_cast<int>(std::min<std::int64_t>(kLanes, n - r)));
    }
    return sum;
  }

 private:
  int threads_;
  SimdLevel simd_;
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(CudaDeviceInfo info) : info_(std::move(info)) {}
  std::string name() const override { return "cuda"; }
  std::string device() const override {
    return info_.name + " (sm_" + std::to_string(info_.compute_major) +
           std::to_string(info_.compute_minor) + ", device " + std::to_string(info_.index) + ")";
  }
  std::size_t preferred_batch() const override { return std::size_t{1} << 18; }
  void simulate(const Model& model, std::uint64_t first_path, PathRows& rows,
                StepSums& step_sums) override {
    try {
      // The device keeps the model for the whole run: copied again only for another model.
      if (!run_ || !run_->holds(model)) run_ = std::make_unique<CudaRun>(info_.index, model);
      run_->simulate(first_path, rows.n_rows, rows.view(), step_sums.view());
    } catch (const CudaFailure& e) {
      throw RuntimeFailure(e.what());
    }
  }
  double draw_randoms(const MarketParams& params, std::uint64_t first_path,
                      std::size_t n_paths) override {
    try {
      return cuda_draw_randoms(info_.index, params, first_path, n_paths);
    } catch (const CudaFailure& e) {
      throw RuntimeFailure(e.what());
    }
  }

 private:
  CudaDeviceInfo info_;
  std::unique_ptr<CudaRun> run_;
};

}  // namespace

BackendChoice parse_backend_choice(const std::string& text) {
  if (text == "auto") return BackendChoice::automatic;
  if (text == "cpu") return BackendChoice::cpu;
  if (text == "cuda") return BackendChoice::cuda;
  throw InputError("--backend: must be auto, cpu or cuda, got '" + text + "'");
}

std::unique_ptr<Backend> make_cpu_backend(int threads, SimdLevel simd) {
  return std::make_unique<CpuBackend>(threads, simd);
}

std::unique_ptr<Backend> make_cuda_backend(const CudaDeviceInfo& device) {
  return std::make_unique<CudaBackend>(device);
}

std::unique_ptr<Backend> make_backend(BackendChoice choice, int threads, std::string& note,
                                      int device_slot, const std::string& simd) {
  const SimdLevel lanes = parse_simd_level(simd);
  if (choice == BackendChoice::cpu) {
    note = "asked for";
    return make_cpu_backend(threads, lanes);
  }
  std::string why;
  const std::vector<CudaDeviceInfo> devices = cuda_devices(why);
  if (!devices.empty()) {
    note = choice == BackendChoice::cuda ? "asked for" : "a CUDA device is usable";
    const std::size_t pick = static_cast<std::size_t>(std::max(device_slot, 0)) % devices.size();
    return std::make_unique<CudaBackend>(devices[pick]);
  }
  if (choice == BackendChoice::cuda) {
    throw RuntimeFailure("--backend cuda: no usable CUDA device (" + why +
                         "); run with --backend cpu or --backend auto");
  }
  note = "no usable CUDA device: " + why;
  return make_cpu_backend(threads, lanes);
}

}  // namespace liq
