// liqstress — the lane functions of one instruction set (host/backend/lanes.h), included by
// lanes_sse2.cpp, lanes_avx2.cpp and lanes_avx512.cpp, each compiled for its set with
// LIQ_LANE_DRAW and LIQ_LANE_SIMULATE naming the functions. Both are flattened: every kernel
// function they call is inlined into them, so these objects define no other symbol
// (tests/layering/check_lane_symbols.py, with nm) and no code for a wider set can stand in for
// a shared inline function elsewhere.
//
// The draws are those of kernels/market.h draw_step, stage by stage, each stage a loop over
// lanes (`omp simd`); what is rare or sequential runs per lane with the kernels' own scalar
// functions: regimes (the whole step), Student-t's chi-square at a block's first step, and
// jumps — a vector test u > e^{−λΔ} says which lanes have at least one (poisson_inverse's own
// first comparison), and only those draw it; under importance sampling every lane draws its
// jumps with tilted_jump.
#include "host/backend/lanes.h"

namespace liq {
namespace {  // internal linkage: the stages are inlined into the entry points below

constexpr int W = kLanes;
using LaneDoubles = double[W];
using AssetLanes = double[kMaxAssets][W];

/// The random-number addresses of step k of paths first, …, first + W − 1.
struct LaneAddress {
  std::uint64_t seed, first;
  std::uint32_t step;
  RngAddress operator()(int l) const { return RngAddress{seed, first + l, step}; }
};

/// The independent normals z of every asset (4 per diffusion block, as draw_step).
void draw_normals(const LaneAddress& at, int n, AssetLanes& z) {
  for (int j = 0; 4 * j < n; ++j) {
#pragma omp simd
    for (int l = 0; l < W; ++l) {
      const U32x4 w = draw4(at(l), Purpose::diffusion, static_cast<std::uint32_t>(j));
      const NormalPair a = box_muller(u01(w.v[0]), u01(w.v[1]));
      const NormalPair b = box_muller(u01(w.v[2]), u01(w.v[3]));
      z[4 * j][l] = a.z0;
      z[4 * j + 1][l] = a.z1;
      z[4 * j + 2][l] = b.z0;
      z[4 * j + 3][l] = b.z1;
    }
  }
}

/// Importance sampling's shift of z and its log likelihood ratio (as draw_step).
void tilt_normals(const ImportanceParams& is, int n, AssetLanes& z, LaneDoubles& log_lr) {
  for (int l = 0; l < W; ++l) log_lr[l] = 0.0;
  if (!is.on) return;
  for (int a = 0; a < n; ++a) {  // z' = z + b under Q: log dP/dQ(z') = −b·z − |b|²/2
#pragma omp simd
    for (int l = 0; l < W; ++l) {
      log_lr[l] -= is.z_shift[a] * z[a][l];
      z[a][l] += is.z_shift[a];
    }
  }
  for (int l = 0; l < W; ++l) log_lr[l] -= is.z_shift_half_sq;
}

/// ε = L z into each lane's shocks.
void correlate(const MarketParams& p, const AssetLanes& z, StepShocks* const* s) {
  alignas(64) AssetLanes eps;
  for (int a = 0; a < p.n_assets; ++a) {
    const double* row = p.chol + a * kMaxAssets;
#pragma omp simd
    for (int l = 0; l < W; ++l) {
      double e = 0.0;
      for (int b = 0; b <= a; ++b) e += row[b] * z[b][l];
      eps[a][l] = e;
    }
  }
  for (int l = 0; l < W; ++l)
    for (int a = 0; a < p.n_assets; ++a) s[l]->eps[a] = eps[a][l];
}

/// The regime (none here) and Student-t's mixing variable at a block's first step.
void draw_var_scale(const MarketParams& p, const LaneAddress& at, StepShocks* const* s) {
  for (int l = 0; l < W; ++l) {
    s[l]->regime = 0;
    if (p.innovations != Innovations::student_t) {
      s[l]->var_scale = 1.0;
    } else if (at.step % static_cast<std::uint32_t>(p.tail_block_steps) == 0) {
      s[l]->var_scale = (p.dof - 2.0) / chi_square_draw(at(l), p.dof);
    }
  }
}

/// One jump source for every lane: into[l] gets the lane's compound jump (0 without one).
/// Tilted: every lane draws with tilted_jump. Else a vector test u > e^{−λΔ} — exactly when
/// poisson_inverse returns N ≥ 1 — and only those lanes draw the jump.
struct JumpSource {
  double count, mean, stdev, rate_k, shift;
  Purpose purpose;
  std::uint32_t slot;
};
void draw_jumps(const ImportanceParams& is, const LaneAddress& at, const JumpSource& j,
                LaneDoubles& log_lr, LaneDoubles& into) {
  if (is.on) {
    for (int l = 0; l < W; ++l) {
      const U32x4 w = draw4(at(l), j.purpose, j.slot);
      into[l] = tilted_jump(j.count, j.mean, j.stdev, j.rate_k, j.shift, w, log_lr[l]);
    }
    return;
  }
  const double p0 = fm::exp(-j.count);
  alignas(64) std::int32_t any[W];
#pragma omp simd
  for (int l = 0; l < W; ++l) any[l] = u01(draw4(at(l), j.purpose, j.slot).v[0]) > p0 ? 1 : 0;
  for (int l = 0; l < W; ++l) {
    into[l] = any[l] == 0
                  ? 0.0
                  : compound_jump(j.count, j.mean, j.stdev, draw4(at(l), j.purpose, j.slot));
  }
}

/// Asset a's gap (market jump · β, its own jump, the shock) and bridge logs, into the shocks.
void draw_gap_and_bridge(const MarketParams& p, const LaneAddress& at, int a, const double* shock,
                         const LaneDoubles& market, LaneDoubles& log_lr, StepShocks* const* s) {
  const ImportanceParams& is = p.importance;
  const auto slot = static_cast<std::uint32_t>(a);
  alignas(64) double g[W], jump[W], lo[W], hi[W];
#pragma omp simd
  for (int l = 0; l < W; ++l) g[l] = p.beta[a] * market[l];
  if (p.jump_count_mean[a] > 0.0) {
    draw_jumps(is, at,
               {p.jump_count_mean[a], p.jump_mean[a], p.jump_stdev[a], is.jump_rate_multiplier,
                is.jump_mean_shift[a], Purpose::asset_jump, slot},
               log_lr, jump);
#pragma omp simd
    for (int l = 0; l < W; ++l) g[l] += jump[l];
  }
  if (shock != nullptr) {
#pragma omp simd
    for (int l = 0; l < W; ++l) g[l] += shock[a];
  }
#pragma omp simd
  for (int l = 0; l < W; ++l) {
    const U32x4 w = draw4(at(l), Purpose::bridge, slot);
    lo[l] = fm::log_normal(u01(w.v[0]));
    hi[l] = fm::log_normal(u01(w.v[1]));
  }
  for (int l = 0; l < W; ++l) {
    s[l]->gap[a] = g[l];
    s[l]->log_u_min[a] = lo[l];
    s[l]->log_u_max[a] = hi[l];
  }
}

}  // namespace

__attribute__((flatten)) void LIQ_LANE_DRAW(const MarketParams& p, std::uint64_t first,
                                            std::int32_t step, const double* shock,
                                            StepShocks* const* s) {
  if (p.n_regimes > 0) {
    for (int l = 0; l < W; ++l) draw_step(p, first + l, step, shock, *s[l]);
    return;
  }
  const LaneAddress at{p.seed, first, static_cast<std::uint32_t>(step)};
  const ImportanceParams& is = p.importance;
  alignas(64) AssetLanes z;
  alignas(64) double log_lr[W], market[W];
  draw_normals(at, p.n_assets, z);
  tilt_normals(is, p.n_assets, z, log_lr);
  correlate(p, z, s);
  draw_var_scale(p, at, s);
  for (int l = 0; l < W; ++l) market[l] = 0.0;
  if (p.market_jump_count_mean > 0.0) {
    draw_jumps(is, at,
               {p.market_jump_count_mean, p.market_jump_mean, p.market_jump_stdev,
                is.market_rate_multiplier, is.market_mean_shift, Purpose::market_jump, 0},
               log_lr, market);
  }
  for (int a = 0; a < p.n_assets; ++a) draw_gap_and_bridge(p, at, a, shock, market, log_lr, s);
  for (int l = 0; l < W; ++l) s[l]->log_lr = log_lr[l];
}

/// simulate_lanes (lanes.h) for this instruction set: the drawer above, then each path's step
/// with the scalar kernels — flattened too, so the per-asset loops of a step are compiled for
/// this set (and vectorized across assets where they can be) with the same bytes.
__attribute__((flatten)) void LIQ_LANE_SIMULATE(const Model& m, std::uint64_t first_path,
                                                std::size_t row, int count, const PathOut& out,
                                                const ExactSums& step_sums) {
  LaneState& ln = thread_lane_state();
  for (int l = 0; l < count; ++l) begin_path(m, ln.st[l], ln.ss[l]);
  // Lanes past `count` draw too (their paths exist: every draw is a pure function of its
  // address) and are not run: a path's bytes do not depend on the lane it is in.
  int next_shock = 0;
  for (std::int32_t k = 0; k < m.market.n_steps; ++k) {
    LIQ_LANE_DRAW(m.market, first_path, k, shock_at_step(m.market, k, next_shock), ln.shocks);
    for (int l = 0; l < count; ++l) run_step(m, k, ln.st[l], ln.ss[l], step_sums);
  }
  for (int l = 0; l < count; ++l) write_row(m, ln.st[l], row + static_cast<std::size_t>(l), out);
}

}  // namespace liq
