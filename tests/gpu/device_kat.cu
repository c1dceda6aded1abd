// liqstress tests — runs liq::philox4x32<10> on the device next to cuRAND's own device
// Philox (curandStatePhilox4_32_10_t), positioned on the same counter and key.
// cuRAND's layout (curand_philox4x32_x.h): curand_init(seed, subsequence, offset) sets
// key = (seed lo, seed hi) and counter = (offset/4 lo, offset/4 hi, subsequence lo,
// subsequence hi); the next curand4() is Philox4x32-10 of that counter.
#include <curand_kernel.h>

#include <stdexcept>

#include "kernels/philox.h"
#include "tests/gpu/device_kat.h"

namespace liq::test {

namespace {

__global__ void pairs_kernel(const std::uint32_t* c, const std::uint32_t* k, std::size_t n,
                             std::uint32_t* ours, std::uint32_t* theirs) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const U32x4 ctr{{c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3]}};
  const U32x4 r = philox4x32<10>(ctr, k[2 * i], k[2 * i + 1]);
  for (int j = 0; j < 4; ++j) ours[4 * i + j] = r.v[j];

  curandStatePhilox4_32_10_t st;
  const unsigned long long seed = (static_cast<unsigned long long>(k[2 * i + 1]) << 32) | k[2 * i];
  const unsigned long long subsequence =
      (static_cast<unsigned long long>(c[4 * i + 3]) << 32) | c[4 * i + 2];
  const unsigned long long offset =
      4ull * ((static_cast<unsigned long long>(c[4 * i + 1]) << 32) | c[4 * i]);
  curand_init(seed, subsequence, offset, &st);
  const uint4 q = curand4(&st);
  theirs[4 * i] = q.x;
  theirs[4 * i + 1] = q.y;
  theirs[4 * i + 2] = q.z;
  theirs[4 * i + 3] = q.w;
}

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

}  // namespace

void device_philox_pairs(const std::vector<std::uint32_t>& counters,
                         const std::vector<std::uint32_t>& keys, std::vector<std::uint32_t>& ours,
                         std::vector<std::uint32_t>& curand) {
  const std::size_t n = keys.size() / 2;
  std::uint32_t *c = nullptr, *k = nullptr, *o = nullptr, *t = nullptr;
  check(cudaMalloc(&c, 16 * n), "cudaMalloc");
  check(cudaMalloc(&k, 8 * n), "cudaMalloc");
  check(cudaMalloc(&o, 16 * n), "cudaMalloc");
  check(cudaMalloc(&t, 16 * n), "cudaMalloc");
  check(cudaMemcpy(c, counters.data(), 16 * n, cudaMemcpyHostToDevice), "upload");
  check(cudaMemcpy(k, keys.data(), 8 * n, cudaMemcpyHostToDevice), "upload");
  pairs_kernel<<<static_cast<unsigned>((n + 127) / 128), 128>>>(c, k, n, o, t);
  check(cudaDeviceSynchronize(), "pairs_kernel");
  ours.resize(4 * n);
  curand.resize(4 * n);
  check(cudaMemcpy(ours.data(), o, 16 * n, cudaMemcpyDeviceToHost), "download");
  check(cudaMemcpy(curand.data(), t, 16 * n, cudaMemcpyDeviceToHost), "download");
  cudaFree(c);
  cudaFree(k);
  cudaFree(o);
  cudaFree(t);
}

}  // namespace liq::test
