// liqstress — the prices of one step before its own cascade (docs/MODEL.md §1, §3, §4),
// single source for both backends: the price model moves the fundamental log price x; the
// flow memory decays and the impact it leaves, m_pre, is known at the step's end before the
// step adds flow of its own; the traded log price x + m moves linearly in m across the step,
// so the Brownian-bridge extremes of the traded price stay exact; funding accrues on the
// step's start price.
#pragma once

#include <math.h>

#include <cstdint>

#include "distributions.h"
#include "fmath.h"
#include "market.h"
#include "path_state.h"

namespace liq {

/// Asset a's funding rate for this step (docs/MODEL.md §3): constant, or endogenous — the
/// exchanges' rule rate = clamp(P + clamp(I − P, −0.05%, +0.05%), −cap, cap) per 8 h with the
/// premium P = κ·(Q_long − Q_short)/(Q_long + Q_short) + (e^m − 1) of the coins still open
/// and the impact m at the step's start — spread over the 8 h in steps.
LIQ_HD LIQ_FORCEINLINE double funding_rate(const MarketParams& p, int a, const PathState& st) {
  if (p.funding_endogenous[a] == 0) return p.funding_step[a];
  const double longs = st.open_coins[a][0], shorts = st.open_coins[a][1];
  const double imbalance = longs + shorts > 0.0 ? (longs - shorts) / (longs + shorts) : 0.0;
  const double premium = p.funding_premium[a] * imbalance + (fm::exp(st.m[a]) - 1.0);
  const double rate =
      premium + fm::fmin(fm::fmax(p.funding_interest[a] - premium, -0.0005), 0.0005);
  return fm::fmin(fm::fmax(rate, -p.funding_cap[a]), p.funding_cap[a]) / p.steps_per_8h;
}

/// True when forced flow moves prices in this model (impact on and a book to liquidate).
LIQ_HD LIQ_FORCEINLINE bool has_feedback(const Model& m) {
  return m.impact.law != ImpactLaw::none && (m.book.n_groups > 0 || m.portfolios.n_accounts > 0);
}

LIQ_HD LIQ_FORCEINLINE bool has_book(const Model& m) {
  return m.book.n_groups > 0 || m.portfolios.n_accounts > 0;
}

/// The flow memory decays over the step; the fundamental drawdown and the impact left by
/// earlier flow at the step's end follow (kernels/impact.h).
LIQ_HD LIQ_FORCEINLINE void decay_impact(const Model& m, PathState& st, StepState& ss) {
  const int n = m.market.n_assets;
  bool any = false;
  for (int a = 0; a < n; ++a) {
    ss.q_pre[a] = st.flow_memory[a] * m.impact.flow_decay;
    st.peak_x[a] = fm::fmax(st.peak_x[a], st.x[a]);
    ss.drawdown[a] = st.peak_x[a] - st.x[a];
    any = any || ss.q_pre[a] != 0.0;
  }
  if (any) {
    impact_of(m.impact, n, ss.q_pre, ss.drawdown, ss.m_pre);
  } else {
    for (int a = 0; a < n; ++a) ss.m_pre[a] = 0.0;
  }
}

/// Step k of a path whose random inputs are drawn (ss.shocks, kernels/market.h draw_step):
/// moves x, and sets the step's traded prices before its own impact (start, bridge extremes,
/// end), its impact bookkeeping and funding.
LIQ_HD LIQ_FORCEINLINE void advance_step(const Model& m, std::int32_t k, PathState& st,
                                         StepState& ss) {
  const MarketParams& p = m.market;
  const int n = p.n_assets;
  const StepShocks& s = ss.shocks;
  st.log_weight += s.log_lr;
  const double v = p.vol_multiplier != nullptr ? p.vol_multiplier[k] : 1.0;
  const RegimeParams* rg = p.n_regimes > 0 ? p.regimes + s.regime : nullptr;
  double x1[kMaxAssets], var[kMaxAssets];
  for (int a = 0; a < n; ++a) {
    const double sigma = p.vol[a] * v * (rg != nullptr ? rg->vol_multiplier[a] : 1.0);
    const double drift = rg != nullptr ? rg->drift[a] : p.drift[a];
    var[a] = sigma * sigma * p.dt_years * s.var_scale;  // conditional step variance
    const double x0 = st.x[a];
    x1[a] = x0 + (drift - 0.5 * sigma * sigma) * p.dt_years + sqrt(var[a]) * s.eps[a];
    ss.y_start[a] = x0 + st.m[a];
    st.x[a] = x1[a] + s.gap[a];
  }
  if (has_feedback(m)) {
    decay_impact(m, st, ss);
  } else {
    for (int a = 0; a < n; ++a) ss.m_pre[a] = ss.q_pre[a] = ss.drawdown[a] = 0.0;
  }
  const bool book = has_book(m);
  for (int a = 0; a < n; ++a) {
    const double y1 = x1[a] + ss.m_pre[a];
    ss.d_lo[a] = bridge_min(ss.y_start[a], y1, var[a], s.log_u_min[a]);
    ss.d_hi[a] = bridge_max(ss.y_start[a], y1, var[a], s.log_u_max[a]);
    ss.y_end[a] = st.x[a] + ss.m_pre[a];
    ss.low[a] = fm::fmin(ss.d_lo[a], ss.y_end[a]);
    ss.high[a] = fm::fmax(ss.d_hi[a], ss.y_end[a]);
    ss.shift[a] = 0.0;
    ss.ladder_usd[a][0] = ss.ladder_usd[a][1] = ss.account_flow[a] = 0.0;
    ss.touched[a] = false;
    // The step's start price: the previous step's end when that was computed (same value).
    ss.start[a] = st.end_known[a] ? st.end_price[a] : -1.0;
    st.end_known[a] = false;  // settlement sets it again when this step's end is computed
    // Funding accrues on the step's start price (MODEL.md §3), longs pay when > 0.
    const double rate = book ? funding_rate(p, a, st) : 0.0;
    if (rate != 0.0) {
      if (ss.start[a] < 0.0) ss.start[a] = p.spot[a] * fm::exp(ss.y_start[a]);
      st.funding[a] += rate * ss.start[a];
    }
  }
  for (int i = 0; i < m.portfolios.n_accounts; ++i) ss.account_hit[i] = false;
  ss.rounds = 0;
}

/// The step's start price S_k (USD), computed once.
LIQ_HD LIQ_FORCEINLINE double start_price(const Model& m, StepState& ss, int a) {
  if (ss.start[a] < 0.0) ss.start[a] = m.market.spot[a] * fm::exp(ss.y_start[a]);
  return ss.start[a];
}

/// The traded log-return of asset a's low (longs) or high (shorts) in the current round: the
/// pre-impact extreme and end moved by the step's impact so far.
LIQ_HD LIQ_FORCEINLINE double round_low(const StepState& ss, int a) {
  return fm::fmin(ss.d_lo[a] + fm::fmin(ss.shift[a], 0.0), ss.y_end[a] + ss.shift[a]);
}
LIQ_HD LIQ_FORCEINLINE double round_high(const StepState& ss, int a) {
  return fm::fmax(ss.d_hi[a] + fm::fmax(ss.shift[a], 0.0), ss.y_end[a] + ss.shift[a]);
}

}  // namespace liq
