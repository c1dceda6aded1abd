// liqstress — the CUDA launcher's interface (kernels/cuda_launch.h) in a build without nvcc:
// it reports why it cannot run, so `--backend auto` falls back to the CPU and
// `--backend cuda` fails clearly.
#include "kernels/cuda_launch.h"

namespace liq {

namespace {
constexpr const char* kNotBuilt =
    "this liqstress was built without the CUDA backend (nvcc was not found at configure "
    "time); rebuild on a machine with the CUDA toolkit";
}

struct CudaRun::Impl {};

bool cuda_built() {
  return false;
}

std::vector<CudaDeviceInfo> cuda_devices(std::string& why) {
  why = kNotBuilt;
  return {};
}

CudaRun::CudaRun(int, const Model&) {
  throw CudaFailure(kNotBuilt);
}

CudaRun::~CudaRun() = default;

bool CudaRun::holds(const Model&) const {
  return false;
}

void CudaRun::simulate(std::uint64_t, std::size_t, const PathOut&, const ExactSums&) {
  throw CudaFailure(kNotBuilt);
}

double cuda_draw_randoms(int, const MarketParams&, std::uint64_t, std::size_t) {
  throw CudaFailure(kNotBuilt);
}

}  // namespace liq
