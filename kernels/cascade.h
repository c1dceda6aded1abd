// liqstress — the cascade within one step (docs/MODEL.md §4), single source for both
// backends. A round liquidates what the step's prices, moved by the step's impact so far,
// reach (ladders and cross-margin accounts); the step's net forced flow F then gives the new
// impact, Δm = m(Q_pre + F) − m(Q_pre), which moves the step's extremes and end. Rounds
// repeat until one liquidates nothing: the least fixed point F = C(prices moved by Δm(F)),
// or `max_rounds` rounds that liquidated. What is liquidated is settled afterwards, at the
// final Δm (kernels/settle.h).
#pragma once

#include <math.h>

#include <cstdint>

#include "book.h"
#include "fmath.h"
#include "path_state.h"
#include "portfolio.h"
#include "step.h"

namespace liq {

/// One round on asset a's ladders; true when it liquidated a position.
LIQ_HD LIQ_FORCEINLINE bool ladder_round(const Model& m, int a, PathState& st, StepState& ss) {
  const BookView& book = m.book;
  const std::int32_t g0 = book.asset_groups[a], g1 = book.asset_groups[a + 1];
  if (g0 == g1) return false;
  // Does the round reach any remaining position of this asset? Decided in log space, so a
  // quiet step costs no exp and no ladder lookups.
  ReachBounds& rb = st.reach[a];
  if (!rb.valid || fabs(st.funding[a] - rb.funding_at) * rb.max_scale > rb.slack)
    compute_reach(book, a, st.next, st.funding[a], m.market.spot[a], rb);
  const double lo = round_low(ss, a), hi = round_high(ss, a);
  const bool r_long = lo <= rb.long_log, r_short = hi >= rb.short_log;
  if (!r_long && !r_short) return false;
  if (!ss.touched[a]) {
    ss.touched[a] = true;
    for (std::int32_t g = g0; g < g1; ++g) st.step_begin[g] = st.next[g];
  }
  const double spot = m.market.spot[a];
  const double reach_long = r_long ? spot * fm::exp(lo) : 0.0;
  const double reach_short = r_short ? spot * fm::exp(hi) : 0.0;
  bool any = false;
  for (std::int32_t g = g0; g < g1; ++g) {
    const LadderGroup& grp = book.groups[g];
    const bool is_long = grp.side == PositionSide::long_side;
    if (!(is_long ? r_long : r_short)) continue;
    std::uint32_t count = 0;
    double coins = 0.0;
    const std::int32_t before = st.next[g];
    st.next[g] = advance_group(book, grp, before, st.funding[a], is_long ? reach_long : reach_short,
                               st.adl, ss.ladder_usd[a][side_index(grp.side)], coins, count);
    st.open_coins[a][side_index(grp.side)] -= coins;
    st.liq_count[a][side_index(grp.side)] += count;
    if (st.next[g] != before) rb.valid = false;  // the nearest remaining positions moved
    any = any || count > 0;
  }
  return any;
}

/// The pre-impact adverse price of an account position on asset a: the step's low for a
/// long (s·q > 0), its high for a short (USD).
LIQ_HD LIQ_FORCEINLINE double adverse_price(const Model& m, const StepState& ss, int a,
                                            double signed_quantity) {
  const double y =
      signed_quantity > 0.0 ? fm::fmin(ss.d_lo[a], ss.y_end[a]) : fm::fmax(ss.d_hi[a], ss.y_end[a]);
  return m.market.spot[a] * fm::exp(y);
}

/// One round on the cross-margin accounts: each live account is evaluated at its positions'
/// adverse extremes of the round and liquidated as a whole when its equity falls below its
/// maintenance margin; it then sells what it holds and buys back its shorts (the flow is
/// valued at the step's pre-impact adverse prices). True when an account was liquidated.
LIQ_HD LIQ_FORCEINLINE bool account_round(const Model& m, PathState& st, StepState& ss) {
  const PortfolioView& pf = m.portfolios;
  bool any = false;
  for (int i = 0; i < pf.n_accounts; ++i) {
    if (!st.alive[i]) continue;
    double equity, maintenance, notional;
    account_state(
        pf, i, st.funding,
        [&](int j) {
          const int a = pf.asset[j];
          const double y = pf.signed_quantity[j] > 0 ? round_low(ss, a) : round_high(ss, a);
          return m.market.spot[a] * fm::exp(y);
        },
        equity, maintenance, notional);
    if (equity >= maintenance) continue;
    st.alive[i] = false;
    ss.account_hit[i] = true;
    any = true;
    for (std::int32_t j = pf.accounts[i].begin; j < pf.accounts[i].end; ++j) {
      const double sq = pf.signed_quantity[j];
      ss.account_flow[pf.asset[j]] -= sq * adverse_price(m, ss, pf.asset[j], sq);
    }
  }
  return any;
}

/// The step's impact after a round: Δm = m(Q_pre + F) − m(Q_pre); the step's extremes seen
/// so far include the moved prices of every round.
LIQ_HD LIQ_FORCEINLINE void update_shift(const Model& m, StepState& ss) {
  const int n = m.market.n_assets;
  double q_end[kMaxAssets] = {}, m_end[kMaxAssets];
  for (int a = 0; a < n; ++a)
    q_end[a] = ss.q_pre[a] + ss.ladder_usd[a][1] - ss.ladder_usd[a][0] + ss.account_flow[a];
  impact_of(m.impact, n, q_end, ss.drawdown, m_end);
  for (int a = 0; a < n; ++a) {
    ss.shift[a] = m_end[a] - ss.m_pre[a];
    ss.low[a] = fm::fmin(ss.low[a], round_low(ss, a));
    ss.high[a] = fm::fmax(ss.high[a], round_high(ss, a));
  }
}

/// Runs the step's cascade to its fixed point (or the round cap).
LIQ_HD LIQ_FORCEINLINE void run_cascade(const Model& m, PathState& st, StepState& ss) {
  if (!has_book(m)) return;
  const bool feedback = has_feedback(m);
  for (std::int32_t round = 0; round < m.impact.max_rounds; ++round) {
    bool any = false;
    for (int a = 0; a < m.market.n_assets; ++a) any = ladder_round(m, a, st, ss) || any;
    any = account_round(m, st, ss) || any;
    if (!any) break;
    ++ss.rounds;
    if (!feedback) break;
    update_shift(m, ss);
  }
  if (ss.rounds > st.most_rounds) st.most_rounds = ss.rounds;
}

}  // namespace liq
