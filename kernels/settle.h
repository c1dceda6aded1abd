// liqstress — settling one step (docs/MODEL.md §3): every liquidation of the step executes at
// its price moved by the step's final impact, P_x = P·e^{Δm}; fees go to the insurance fund,
// the fund pays the step's bad debt, and what it cannot pay is auto-deleveraged against
// profitable opposite positions, which leave the book (kernels/adl.h). Single source for both
// backends.
#pragma once

#include <math.h>

#include <cstdint>

#include "adl.h"
#include "book.h"
#include "cascade.h"
#include "fmath.h"
#include "path_state.h"
#include "portfolio.h"
#include "step.h"

namespace liq {

/// Settles the ladders of asset a that the step reached, at the step's impact on a.
LIQ_HD LIQ_FORCEINLINE void settle_ladders(const Model& m, int a, PathState& st, StepState& ss,
                                           StepMoney& money) {
  const double spot = m.market.spot[a];
  StepPrices pre;
  pre.start = start_price(m, ss, a);
  pre.diffusion_low = spot * fm::exp(ss.d_lo[a]);
  pre.diffusion_high = spot * fm::exp(ss.d_hi[a]);
  pre.end = spot * fm::exp(ss.y_end[a]);
  if (ss.shift[a] == 0.0) {  // the next step starts where this one ended: keep the price
    st.end_price[a] = pre.end;
    st.end_known[a] = true;
  }
  const double f = fm::exp(ss.shift[a]);
  for (std::int32_t g = m.book.asset_groups[a]; g < m.book.asset_groups[a + 1]; ++g) {
    settle_group(m.book, m.book.groups[g], st.step_begin[g], st.next[g], st.funding[a], pre, f,
                 st.adl, money);
  }
}

/// Settles a cross-margin account liquidated in this step: its positions close at their
/// pre-impact adverse prices moved by the step's impact. It keeps max(0, equity − fee); a
/// negative equity is bad debt, taken over by ADL at the prices that bring it to zero.
LIQ_HD LIQ_FORCEINLINE void settle_account(const Model& m, int i, PathState& st,
                                           const StepState& ss, StepMoney& money) {
  const PortfolioView& pf = m.portfolios;
  auto exec = [&](int j) {
    const int a = pf.asset[j];
    return adverse_price(m, ss, a, pf.signed_quantity[j]) * fm::exp(ss.shift[a]);
  };
  double equity, maintenance, notional;
  account_state(pf, i, st.funding, exec, equity, maintenance, notional);
  const double fee = fm::fmin(m.book.liquidation_fee * notional, fm::fmax(equity, 0.0));
  const double bad = fm::fmax(-equity, 0.0);
  money.fees += fee;
  money.bad += bad;
  st.pnl[i] = fm::fmax(equity - fee, 0.0) - st.equity0[i];
  if (bad <= 0.0 || notional <= 0.0) return;
  const double delta = bad / notional;  // closing at P·(1 ± δ) leaves equity 0
  for (std::int32_t j = pf.accounts[i].begin; j < pf.accounts[i].end; ++j) {
    const double sq = pf.signed_quantity[j];
    const int s = sq > 0.0 ? 0 : 1;
    money.bad_q[pf.asset[j]][s] += fabs(sq);
    money.bad_qbk[pf.asset[j]][s] += fabs(sq) * exec(j) * (sq > 0.0 ? 1.0 + delta : 1.0 - delta);
  }
}

/// Coins of asset a's `side` still open and in profit at `price` (ADL's counterparties).
LIQ_HD LIQ_FORCEINLINE double adl_pool(const Model& m, const PathState& st, int a,
                                       PositionSide side, double price) {
  const BookView& b = m.book;
  double pool = 0.0;
  for (std::int32_t g = b.asset_groups[a]; g < b.asset_groups[a + 1]; ++g) {
    const LadderGroup& grp = b.groups[g];
    if (grp.side != side) continue;
    for (std::int32_t i = st.next[g]; i < grp.end; ++i) {
      if (in_profit(side, b.entry[i], price, st.funding[a]))
        pool += open_fraction(b, grp, st.adl, i) * b.quantity[i];
    }
  }
  return pool;
}

/// ADL of the step's deficit: a fraction u = deficit / bad debt of every bankrupt position's
/// coins is taken over by the opposite side of its asset at its bankruptcy price. Returns the
/// notional closed (USD).
LIQ_HD LIQ_FORCEINLINE double deleverage(const Model& m, PathState& st, const StepState& ss,
                                         const StepMoney& money, double deficit) {
  const double u = deficit / money.bad;
  double closed = 0.0;
  for (int a = 0; a < m.market.n_assets; ++a) {
    for (int s = 0; s < 2; ++s) {
      if (money.bad_q[a][s] <= 0.0) continue;
      const double coins = u * money.bad_q[a][s], value = u * money.bad_qbk[a][s];
      const PositionSide other = s == 0 ? PositionSide::short_side : PositionSide::long_side;
      const double mark = m.market.spot[a] * fm::exp(ss.y_end[a] + ss.shift[a]);
      const double pool = adl_pool(m, st, a, other, mark);
      const double matched = fm::fmin(coins, pool);
      if (matched > 0.0 && st.adl.record(a, other, mark, st.funding[a], 1.0 - matched / pool)) {
        closed += value * (matched / coins);
        st.open_coins[a][side_index(other)] -= matched;
        st.fund.adl_unmatched += value * (1.0 - matched / coins);
      } else {
        st.fund.adl_unmatched += value;
      }
    }
  }
  return closed;
}

/// What one step settled, for the per-step sums.
struct StepSettlement {
  double deficit = 0.0;     // bad debt the fund could not pay
  double adl_closed = 0.0;  // notional ADL closed
};

/// Settles the step: executions at the final impact, fees in, then the fund pays the step's
/// bad debt; the rest is auto-deleveraged (MODEL.md §3).
LIQ_HD LIQ_FORCEINLINE StepSettlement settle_step(const Model& m, PathState& st, StepState& ss) {
  StepMoney money;
  money.clear(m.market.n_assets);
  for (int a = 0; a < m.market.n_assets; ++a)
    if (ss.touched[a]) settle_ladders(m, a, st, ss, money);
  for (int i = 0; i < m.portfolios.n_accounts; ++i)
    if (ss.account_hit[i]) settle_account(m, i, st, ss, money);
  FundLedger& fund = st.fund;
  fund.balance += money.fees;
  const double covered = fm::fmin(fund.balance, money.bad);
  fund.balance -= covered;
  fund.bad_debt += money.bad;
  StepSettlement out;
  out.deficit = money.bad - covered;
  fund.adl += out.deficit;
  if (out.deficit > 0.0 && m.book.adl == AdlRule::pro_rata) {
    out.adl_closed = deleverage(m, st, ss, money, out.deficit);
    fund.adl_closed += out.adl_closed;
  }
  return out;
}

}  // namespace liq
