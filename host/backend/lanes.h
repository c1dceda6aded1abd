// liqstress — SIMD lanes of paths on the CPU: the random inputs of one step are drawn for
// kLanes paths at once (Philox, Box–Muller, the bridge's logs and the jump tests in vector
// registers), then each path runs the rest of its step with the kernels' scalar code
// (kernels/path.h run_step), compiled for the same instruction set. Every lane computes exactly the
// operations draw_step computes for its path (IEEE operations, no contraction, the kernels' own
// functions): the bytes do not depend on the instruction set, on the lane a path runs in, or on
// whether lanes are used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kernels/exact_sum.h"
#include "kernels/market.h"
#include "kernels/path.h"

namespace liq {

/// Paths per lane group: 8 doubles fill an AVX-512 register, two AVX2 registers, four SSE2.
constexpr int kLanes = 8;

/// Draws step `step` of paths first_path, …, first_path + kLanes − 1 into *shocks[l]: for each
/// lane the same bytes as draw_step(p, first_path + l, step, shock, *shocks[l]).
using LaneDraw = void (*)(const MarketParams& p, std::uint64_t first_path, std::int32_t step,
                          const double* shock, StepShocks* const* shocks);

/// Simulates paths first_path, …, first_path + count − 1 (count ≤ kLanes) into rows
/// row, …, row + count − 1: the same bytes as simulate_path for each.
using LaneSimulate = void (*)(const Model& m, std::uint64_t first_path, std::size_t row, int count,
                              const PathOut& out, const ExactSums& step_sums);

/// One instruction set's lane functions (host/backend/lanes_kernel.h).
struct LaneKernels {
  LaneDraw draw = nullptr;
  LaneSimulate simulate = nullptr;
};

/// The instruction sets the lanes are compiled for; the build compiles the lane functions once
/// per set and the CPU backend picks the widest this processor runs (or the one asked for).
enum class SimdLevel : std::int32_t { off = 0, sse2 = 1, avx2 = 2, avx512 = 3 };

/// "auto" (the widest this processor runs), "off" (the scalar oracle, one path at a time),
/// "sse2", "avx2" or "avx512"; throws InputError for anything else or a set this processor
/// lacks.
SimdLevel parse_simd_level(const std::string& text);
SimdLevel best_simd_level();
std::string simd_level_name(SimdLevel level);
LaneKernels lane_kernels(SimdLevel level);  // both nullptr for off

/// draw_path_randoms for count ≤ kLanes paths at once (the benchmark's RNG bound).
double draw_lanes_randoms(LaneDraw draw, const MarketParams& p, std::uint64_t first_path,
                          int count);

/// The state of kLanes paths, one per thread (heap: a PathState holds a book's cursors).
/// Defined out of line (lanes.cpp): the per-set objects may define nothing shared.
struct LaneState {
  PathState st[kLanes];
  StepState ss[kLanes];
  StepShocks* shocks[kLanes];
  LaneState();
};
LaneState& thread_lane_state();

// The lane functions, one pair per instruction set (host/backend/lanes_kernel.h compiled three
// times, flattened: tests/layering/check_lane_symbols.py).
#define LIQ_DECLARE_LANES(set)                                                             \
  void draw_lanes_##set(const MarketParams&, std::uint64_t, std::int32_t, const double*,   \
                        StepShocks* const*);                                               \
  void simulate_lanes_##set(const Model&, std::uint64_t, std::size_t, int, const PathOut&, \
                            const ExactSums&);
LIQ_DECLARE_LANES(sse2)
LIQ_DECLARE_LANES(avx2)
LIQ_DECLARE_LANES(avx512)
#undef LIQ_DECLARE_LANES

}  // namespace liq
