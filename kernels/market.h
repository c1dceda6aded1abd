// liqstress — the price model of MODEL.md §1 on one path, single source for both backends.
// Owns: MarketParams (POD, copied by value to a device), draw_step (every random input of one
// step of one path) and draw_path_randoms (the same random numbers alone, for the benchmark's
// RNG bound). kernels/path.h runs a whole path.
#pragma once

#include <math.h>

#include <cstddef>
#include <cstdint>

#include "distributions.h"
#include "fmath.h"
#include "macros.h"
#include "philox.h"

namespace liq {

constexpr int kMaxAssets = 16;
/// Marsaglia–Tsang acceptance is above 95% for shape ≥ 1; 64 rejections in a row has
/// probability below 1e-80. Each attempt has its own random address (slot = attempt).
constexpr int kMaxGammaAttempts = 64;

enum class Innovations : std::int32_t { gaussian = 0, student_t = 1 };

constexpr int kMaxRegimes = 8;

/// What a volatility regime sets (docs/MODEL.md §1): per asset a volatility multiplier and
/// the drift (its jump compensator follows the regime's intensities), the correlation's
/// Cholesky factor, and the jump intensities per step.
struct RegimeParams {
  double vol_multiplier[kMaxAssets] = {};
  double drift[kMaxAssets] = {};  // μ_a − c_a in this regime, annualised
  double chol[kMaxAssets * kMaxAssets] = {};
  double jump_count_mean[kMaxAssets] = {};  // λ_a Δ in this regime
  double market_jump_count_mean = 0.0;      // λ_M Δ in this regime
};

/// Importance sampling (docs/MODEL.md §5): paths are drawn from a tilted law Q — jump
/// intensities multiplied, jump means shifted, the independent diffusion normals z shifted by
/// b per step — and every step adds its log dP/dQ to the path's log weight, so each path
/// carries its exact likelihood ratio. Off: the draws are the untilted ones, bit for bit.
struct ImportanceParams {
  std::int32_t on = 0;
  std::int32_t weighted_sums = 1;           // the per-step sums take each path's running weight
  double market_rate_multiplier = 1.0;      // λ'_M / λ_M
  double market_mean_shift = 0.0;           // m'_M − m_M, per jump
  double jump_rate_multiplier = 1.0;        // λ'_a / λ_a, every asset
  double jump_mean_shift[kMaxAssets] = {};  // m'_a − m_a, per jump
  double z_shift[kMaxAssets] = {};          // b: the mean of z under Q, per step
  double z_shift_half_sq = 0.0;             // |b|²/2
};

/// The sufficient statistics of the tilted laws over a path's steps, for the cross-entropy
/// choice of the tilt (host/run/autotilt.cpp, docs/MODEL.md §5): per jump source the jump
/// count and the sum of the log jump sizes, per asset the sum of the independent normals z
/// under Q. draw_step adds to them when given one, under importance sampling only.
struct TiltStats {
  double market_jumps[2] = {};       // Σ N_M, Σ J_M
  double jumps[kMaxAssets][2] = {};  // Σ N_a, Σ J_a
  double z_sum[kMaxAssets] = {};     // Σ z_a
};

/// Everything a path needs to know about the market, in units the kernels use directly.
/// Plain data: the CUDA launcher copies it by value; pointers are views into memory owned
/// by the backend (host memory for the CPU, device memory for CUDA).
struct MarketParams {
  std::uint64_t seed = 1;
  std::int32_t n_assets = 0;
  std::int32_t n_steps = 0;
  double dt_years = 0.0;  // Δ, years of 365 days
  double sqrt_dt = 0.0;
  Innovations innovations = Innovations::gaussian;
  double dof = 0.0;  // Student-t ν > 2
  // Student-t: steps per mixing block. W ~ χ²_ν is drawn at a block's first step and shared
  // by all its steps, so that the horizon's tails are those of ν whatever the step size
  // (a block of one day: `dof` describes daily returns).
  std::int32_t tail_block_steps = 1;
  // Lower Cholesky factor L of the correlation matrix, row-major [a * kMaxAssets + b].
  double chol[kMaxAssets * kMaxAssets] = {};
  double vol[kMaxAssets] = {};           // σ_a, annualised
  double drift[kMaxAssets] = {};         // μ_a − c_a, annualised (c_a = 0 unless compensated)
  double beta[kMaxAssets] = {};          // loading on market-wide jumps
  double spot[kMaxAssets] = {};          // S_a(0), USD
  double funding_step[kMaxAssets] = {};  // funding rate per step: funding_8h · Δ / 8 h
  // Endogenous funding (docs/MODEL.md §3), per asset: when `funding_endogenous` is set, the
  // rate per 8 h is clamp(P + clamp(I − P, −0.05%, +0.05%), −cap, cap) with the premium
  // P = κ·(Q_long − Q_short)/(Q_long + Q_short) + (e^m − 1) of the book's open coins and the
  // impact m; funding_step is then ignored.
  std::int32_t funding_endogenous[kMaxAssets] = {};
  double funding_premium[kMaxAssets] = {};   // κ: premium per 8 h of a one-sided book
  double funding_interest[kMaxAssets] = {};  // I: interest per 8 h
  double funding_cap[kMaxAssets] = {};       // cap on the rate per 8 h
  double steps_per_8h = 0.0;                 // 8 h / Δ
  double jump_count_mean[kMaxAssets] = {};   // λ_a Δ, expected idiosyncratic jumps per step
  double jump_mean[kMaxAssets] = {};         // m_a, mean log jump size
  double jump_stdev[kMaxAssets] = {};        // s_a
  double market_jump_count_mean = 0.0;       // λ_M Δ
  double market_jump_mean = 0.0;             // m_M
  double market_jump_stdev = 0.0;            // s_M
  const double* vol_multiplier = nullptr;    // [n_steps], v(k)
  std::int32_t n_shock_steps = 0;            // steps that end with a deterministic gap
  const std::int32_t* shock_step = nullptr;  // [n_shock_steps], strictly increasing
  const double* shock_log_return = nullptr;  // [n_shock_steps * n_assets], ln(1 + r)
  // Volatility regimes (a Markov chain, one state per path and step); none when 0: then the
  // fields above are the only regime.
  std::int32_t n_regimes = 0;
  const RegimeParams* regimes = nullptr;     // [n_regimes]
  const double* regime_cdf = nullptr;        // [from × n_regimes + to]: per-step transition CDF
  const double* regime_start_cdf = nullptr;  // [n_regimes]: CDF of the first step's regime
  ImportanceParams importance;
};

/// The random inputs of one step of one path, before they meet the state.
struct StepShocks {
  double eps[kMaxAssets];        // correlated standard innovations ε = L z
  double var_scale;              // (ν − 2)/W for Student-t, 1 for Gaussian
  std::int32_t regime;           // the step's volatility regime (0 without regimes)
  double gap[kMaxAssets];        // J_a + β_a J_M + shock_a(k): moves applied at the step's end
  double log_u_min[kMaxAssets];  // ln U of the bridge uniforms for the step's minimum
  double log_u_max[kMaxAssets];  // and for its maximum
  double log_lr;                 // log dP/dQ of the step's draws (0 without importance sampling)
};

/// Compound-normal jump sum given a Poisson uniform and two Box–Muller uniforms:
/// N ~ Poisson(count_mean), J | N = n ~ Normal(n m, n s²).
LIQ_HD LIQ_FORCEINLINE double compound_jump(double count_mean, double m, double s, const U32x4& w) {
  const std::uint32_t n = poisson_inverse(count_mean, u01(w.v[0]));
  if (n == 0) return 0.0;
  const double z = box_muller(u01(w.v[1]), u01(w.v[2])).z0;
  const double dn = static_cast<double>(n);
  return dn * m + sqrt(dn) * s * z;
}

/// The same under importance sampling: N ~ Poisson(count_mean · k), J | N = n ~
/// Normal(n (m + shift), n s²); `log_lr` gains log dP/dQ of (N, J):
/// N ln(1/k) + count_mean (k − 1) + [(J − n m')² − (J − n m)²] / (2 n s²).
/// `tally`, when given, gains N and J (TiltStats).
LIQ_HD LIQ_FORCEINLINE double tilted_jump(double count_mean, double m, double s, double k,
                                          double shift, const U32x4& w, double& log_lr,
                                          double* tally = nullptr) {
  const double q_mean = count_mean * k;
  const std::uint32_t n = poisson_inverse(q_mean, u01(w.v[0]));
  const double dn = static_cast<double>(n);
  log_lr += count_mean * (k - 1.0) - dn * fm::log(k);
  if (tally != nullptr) tally[0] += dn;
  if (n == 0) return 0.0;
  const double z = box_muller(u01(w.v[1]), u01(w.v[2])).z0;
  const double mq = m + shift;
  const double j = dn * mq + sqrt(dn) * s * z;
  if (shift != 0.0) {
    const double a = j - dn * mq, b = j - dn * m;
    log_lr += (a * a - b * b) / (2.0 * dn * s * s);
  }
  if (tally != nullptr) tally[1] += j;
  return j;
}

/// A jump source's draw, tilted when importance sampling is on.
LIQ_HD LIQ_FORCEINLINE double jump_draw(const ImportanceParams& is, double count_mean, double m,
                                        double s, double k, double shift, const U32x4& w,
                                        double& log_lr, double* tally = nullptr) {
  return is.on ? tilted_jump(count_mean, m, s, k, shift, w, log_lr, tally)
               : compound_jump(count_mean, m, s, w);
}

/// χ²_ν = 2 · Gamma(ν/2), ν > 2, each Marsaglia–Tsang attempt at its own address.
LIQ_HD LIQ_FORCEINLINE double chi_square_draw(const RngAddress& at, double dof) {
  const double shape = 0.5 * dof;
  for (int attempt = 0; attempt < kMaxGammaAttempts; ++attempt) {
    const U32x4 w = draw4(at, Purpose::chi_square, static_cast<std::uint32_t>(attempt));
    const double g = gamma_mt_attempt(shape, box_muller(u01(w.v[0]), u01(w.v[1])).z0, u01(w.v[2]));
    if (g > 0.0) return 2.0 * g;
  }
  return dof;  // unreachable in practice (see kMaxGammaAttempts); the mean keeps it finite
}

/// The regime of step `step` (docs/MODEL.md §1): drawn from the start distribution at step 0,
/// then from the previous regime's row of the per-step transition matrix, by inversion of
/// one uniform.
LIQ_HD LIQ_FORCEINLINE std::int32_t draw_regime(const MarketParams& p, const RngAddress& at,
                                                std::int32_t previous) {
  const double u = u01(draw4(at, Purpose::regime, 0).v[0]);
  const double* cdf = at.step == 0 ? p.regime_start_cdf : p.regime_cdf + previous * p.n_regimes;
  std::int32_t r = 0;
  while (r < p.n_regimes - 1 && u > cdf[r]) ++r;
  return r;
}

/// Draw everything step `step` of path `path` needs. `shock` is the step's deterministic
/// log-return gaps (nullptr when the step has none). With Student-t innovations, `s` must
/// hold the previous step's draws except at a block's first step (keep it across steps).
/// `stats`, when given, gains the step's sufficient statistics (importance sampling only).
LIQ_HD LIQ_FORCEINLINE void draw_step(const MarketParams& p, std::uint64_t path, std::int32_t step,
                                      const double* shock, StepShocks& s,
                                      TiltStats* stats = nullptr) {
  const RngAddress at{p.seed, path, static_cast<std::uint32_t>(step)};
  const int n = p.n_assets;
  s.regime = p.n_regimes > 0 ? draw_regime(p, at, s.regime) : 0;
  const RegimeParams* rg = p.n_regimes > 0 ? p.regimes + s.regime : nullptr;
  const double* chol = rg != nullptr ? rg->chol : p.chol;
  double z[kMaxAssets];
  for (int j = 0; 4 * j < n; ++j) {
    const U32x4 w = draw4(at, Purpose::diffusion, static_cast<std::uint32_t>(j));
    const NormalPair a = box_muller(u01(w.v[0]), u01(w.v[1]));
    const NormalPair b = box_muller(u01(w.v[2]), u01(w.v[3]));
    z[4 * j] = a.z0;
    if (4 * j + 1 < n) z[4 * j + 1] = a.z1;
    if (4 * j + 2 < n) z[4 * j + 2] = b.z0;
    if (4 * j + 3 < n) z[4 * j + 3] = b.z1;
  }
  const ImportanceParams& is = p.importance;
  s.log_lr = 0.0;
  if (is.on) {  // z' = z + b under Q: log dP/dQ(z') = −b·z − |b|²/2
    for (int a = 0; a < n; ++a) {
      s.log_lr -= is.z_shift[a] * z[a];
      z[a] += is.z_shift[a];
      if (stats != nullptr) stats->z_sum[a] += z[a];
    }
    s.log_lr -= is.z_shift_half_sq;
  }
  for (int a = 0; a < n; ++a) {
    double e = 0.0;
    for (int b = 0; b <= a; ++b) e += chol[a * kMaxAssets + b] * z[b];
    s.eps[a] = e;
  }
  // Student-t: the mixing variable of the step's block, drawn at the block's first step (its
  // address is that step's); the other steps keep it (the caller keeps `s` across steps).
  if (p.innovations != Innovations::student_t) {
    s.var_scale = 1.0;
  } else if (step % p.tail_block_steps == 0) {
    s.var_scale = (p.dof - 2.0) / chi_square_draw(at, p.dof);
  }

  double market_jump = 0.0;
  const double market_count = rg != nullptr ? rg->market_jump_count_mean : p.market_jump_count_mean;
  if (market_count > 0.0) {
    market_jump = jump_draw(is, market_count, p.market_jump_mean, p.market_jump_stdev,
                            is.market_rate_multiplier, is.market_mean_shift,
                            draw4(at, Purpose::market_jump, 0), s.log_lr,
                            stats != nullptr ? stats->market_jumps : nullptr);
  }
  for (int a = 0; a < n; ++a) {
    double g = p.beta[a] * market_jump;
    const double count = rg != nullptr ? rg->jump_count_mean[a] : p.jump_count_mean[a];
    if (count > 0.0) {
      g += jump_draw(is, count, p.jump_mean[a], p.jump_stdev[a], is.jump_rate_multiplier,
                     is.jump_mean_shift[a],
                     draw4(at, Purpose::asset_jump, static_cast<std::uint32_t>(a)), s.log_lr,
                     stats != nullptr ? stats->jumps[a] : nullptr);
    }
    if (shock != nullptr) g += shock[a];
    s.gap[a] = g;
    const U32x4 w = draw4(at, Purpose::bridge, static_cast<std::uint32_t>(a));
    s.log_u_min[a] = fm::log_normal(u01(w.v[0]));
    s.log_u_max[a] = fm::log_normal(u01(w.v[1]));
  }
}

/// The deterministic gap of step k (ln(1 + r) per asset), or nullptr when the step has none.
/// `cursor` walks the sparse, increasing list of shock steps; start it at 0 for a path.
LIQ_HD LIQ_FORCEINLINE const double* shock_at_step(const MarketParams& p, std::int32_t k,
                                                   int& cursor) {
  if (cursor < p.n_shock_steps && p.shock_step[cursor] == k) {
    return p.shock_log_return + static_cast<std::size_t>(cursor++) * p.n_assets;
  }
  return nullptr;
}

/// One step's draws folded into a number (the benchmark keeps it, so that no draw is dropped).
LIQ_HD LIQ_FORCEINLINE double shocks_checksum(const MarketParams& p, const StepShocks& s) {
  double acc = s.var_scale;
  for (int a = 0; a < p.n_assets; ++a) acc += s.eps[a] + s.gap[a] + s.log_u_min[a] + s.log_u_max[a];
  return acc;
}

/// The benchmark's bound: draws exactly the random words simulate_path draws for one path
/// (the same blocks, Box–Muller and Poisson included) and folds them into a checksum.
LIQ_HD inline double draw_path_randoms(const MarketParams& p, std::uint64_t path) {
  double acc = 0.0;
  StepShocks s;
  int next_shock = 0;
  for (std::int32_t k = 0; k < p.n_steps; ++k) {
    draw_step(p, path, k, shock_at_step(p, k, next_shock), s);
    acc += shocks_checksum(p, s);
  }
  return acc;
}

}  // namespace liq
