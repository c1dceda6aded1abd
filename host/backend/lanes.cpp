// liqstress — SIMD lanes of paths (see lanes.h): the choice of instruction set and the loop
// that runs kLanes paths step by step, drawing for all of them at once.
#include "host/backend/lanes.h"

#include <memory>

#include "host/util/errors.h"

namespace liq {

SimdLevel best_simd_level() {
#if defined(__x86_64__) && !defined(__clang__)
  if (__builtin_cpu_supports("x86-64-v4")) return SimdLevel::avx512;
  if (__builtin_cpu_supports("x86-64-v3")) return SimdLevel::avx2;
  return SimdLevel::sse2;
#elif defined(__x86_64__)  // clang 14 knows the features, not the levels
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512cd"))
    return SimdLevel::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("bmi2"))
    return SimdLevel::avx2;
  return SimdLevel::sse2;
#else
  return SimdLevel::off;
#endif
}

std::string simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::sse2:
      return "sse2";
    case SimdLevel::avx2:
      return "avx2";
    case SimdLevel::avx512:
      return "avx512";
    default:
      return "off";
  }
}

SimdLevel parse_simd_level(const std::string& text) {
  if (text == "auto") return best_simd_level();
  for (SimdLevel level : {SimdLevel::off, SimdLevel::sse2, SimdLevel::avx2, SimdLevel::avx512}) {
    if (text != simd_level_name(level)) continue;
    if (static_cast<int>(level) > static_cast<int>(best_simd_level())) {
      throw InputError("--simd " + text + ": this processor runs at most --simd " +
                       simd_level_name(best_simd_level()));
    }
    return level;
  }
  throw InputError("--simd: must be auto, off, sse2, avx2 or avx512, got '" + text + "'");
}

LaneKernels lane_kernels(SimdLevel level) {
#if defined(__x86_64__)
  switch (level) {
    case SimdLevel::sse2:
      return {draw_lanes_sse2, simulate_lanes_sse2};
    case SimdLevel::avx2:
      return {draw_lanes_avx2, simulate_lanes_avx2};
    case SimdLevel::avx512:
      return {draw_lanes_avx512, simulate_lanes_avx512};
    default:
      return {};
  }
#else
  (void)level;
  return {};
#endif
}

LaneState::LaneState() {
  for (int l = 0; l < kLanes; ++l) shocks[l] = &ss[l].shocks;
}

LaneState& thread_lane_state() {
  thread_local std::unique_ptr<LaneState> lanes = std::make_unique<LaneState>();
  return *lanes;
}

double draw_lanes_randoms(LaneDraw draw, const MarketParams& p, std::uint64_t first_path,
                          int count) {
  StepShocks s[kLanes];
  StepShocks* shocks[kLanes];
  for (int l = 0; l < kLanes; ++l) shocks[l] = &s[l];
  double acc = 0.0;
  int next_shock = 0;
  for (std::int32_t k = 0; k < p.n_steps; ++k) {
    draw(p, first_path, k, shock_at_step(p, k, next_shock), shocks);
    for (int l = 0; l < count; ++l) acc += shocks_checksum(p, s[l]);
  }
  return acc;
}

}  // namespace liq
