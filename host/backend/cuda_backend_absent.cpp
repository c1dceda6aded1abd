// liqstress — the CUDA backend's interface in a build without nvcc: it reports why it
// cannot run, so `--backend auto` falls back to the CPU and `--backend cuda` fails clearly.
#include "host/backend/cuda_backend.h"
#include "host/util/errors.h"

namespace liq {

namespace {
constexpr const char* kNotBuilt =
    "this liqstress was built without the CUDA backend (nvcc was not found at configure "
    "time); rebuild on a machine with the CUDA toolkit";
}

bool cuda_built() {
  return false;
}

std::vector<CudaDeviceInfo> cuda_devices(std::string& why) {
  why = kNotBuilt;
  return {};
}

void cuda_simulate(int, const Model&, std::uint64_t, PathRows&, StepSums&) {
  throw RuntimeFailure(kNotBuilt);
}

double cuda_draw_randoms(int, const MarketParams&, std::uint64_t, std::size_t) {
  throw RuntimeFailure(kNotBuilt);
}

}  // namespace liq
