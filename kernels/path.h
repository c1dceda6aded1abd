// liqstress — one path of the whole model, single source for both backends: per step, the
// prices before the step's own impact (kernels/step.h), the cascade's rounds
// (kernels/cascade.h), settlement (kernels/settle.h), then the step's bookkeeping. Owns
// PathOut (views of the per-path output rows) and simulate_path.
#pragma once

#include <math.h>

#include <cstddef>
#include <cstdint>

#include "cascade.h"
#include "exact_sum.h"
#include "fmath.h"
#include "macros.h"
#include "path_state.h"
#include "record.h"
#include "settle.h"
#include "step.h"

namespace liq {

/// Views of the per-path output rows, one per field of the record (kernels/record.h); row r
/// holds path first_path + r, a field of shape per_asset holds [rows × A] values, and so on.
/// Pointers left null are not written (a price-only caller needs only the first four).
struct PathOut {
#define LIQ_RECORD_VIEW(name, type, shape, units, text) type* name = nullptr;
  LIQ_PATH_RECORD(LIQ_RECORD_VIEW)
#undef LIQ_RECORD_VIEW
};

/// The state of a path at t = 0 (every field set: the CPU lanes reuse a PathState).
LIQ_HD LIQ_FORCEINLINE void begin_path(const Model& m, PathState& st) {
  const MarketParams& p = m.market;
  for (int a = 0; a < p.n_assets; ++a) {
    st.x[a] = st.flow_memory[a] = st.m[a] = st.peak_x[a] = st.lo[a] = st.hi[a] = 0.0;
    st.funding[a] = st.end_price[a] = 0.0;
    st.open_coins[a][0] = m.book.open_coins[a][0];
    st.open_coins[a][1] = m.book.open_coins[a][1];
    st.end_known[a] = false;
    st.reach[a].valid = false;
    st.liq_usd[a][0] = st.liq_usd[a][1] = 0.0;
    st.liq_count[a][0] = st.liq_count[a][1] = 0;
  }
  for (int g = 0; g < m.book.n_groups; ++g) st.next[g] = st.step_begin[g] = m.book.groups[g].begin;
  st.fund = FundLedger{};
  st.fund.balance = m.book.fund_start_usd;
  st.adl.n = 0;
  st.adl.touched = 0;
  st.most_rounds = 0;
  st.log_weight = 0.0;
  const PortfolioView& pf = m.portfolios;
  for (int i = 0; i < pf.n_accounts; ++i) {
    st.alive[i] = true;
    st.pnl[i] = 0.0;
    double maintenance, notional;
    account_state(
        pf, i, st.funding, [&](int j) { return p.spot[pf.asset[j]]; }, st.equity0[i], maintenance,
        notional);
  }
}

/// The end of step k: the path's extremes and impact state move on; the step's sums.
LIQ_HD LIQ_FORCEINLINE void end_step(const Model& m, std::int32_t k, const StepSettlement& settled,
                                     PathState& st, const StepState& ss, const ExactSums& sums) {
  const int n = m.market.n_assets;
  const StepCells cells = step_cells(m.market);
  // Under importance sampling every value is taken with the path's running likelihood ratio
  // W_k: E_Q[W_k f(path up to k)] = E_P[f], so the sums' means are estimates under P.
  const ImportanceParams& is = m.market.importance;
  const double w = is.on && is.weighted_sums ? fm::exp(st.log_weight) : 1.0;
  if (m.market.n_regimes > 0) add_exact(sums, cells.regime(k, ss.shocks.regime), 1.0, 1.0);
  for (int a = 0; a < n; ++a) {
    st.lo[a] = fm::fmin(st.lo[a], ss.low[a]);
    st.hi[a] = fm::fmax(st.hi[a], ss.high[a]);
    const double flow = ss.ladder_usd[a][1] - ss.ladder_usd[a][0] + ss.account_flow[a];
    st.flow_memory[a] = ss.q_pre[a] + flow;
    st.m[a] = ss.m_pre[a] + ss.shift[a];
    add_exact(sums, cells.price(k, a), w * (st.x[a] + st.m[a]), kImpactScale);
    if (!has_book(m)) continue;
    for (int side = 0; side < 2; ++side) {
      if (ss.ladder_usd[a][side] > 0.0) {
        st.liq_usd[a][side] += ss.ladder_usd[a][side];
        add_exact(sums, cells.liquidated(k, a, side), w * ss.ladder_usd[a][side]);
      }
    }
    add_exact(sums, cells.flow(k, a), w * flow);
    add_exact(sums, cells.impact(k, a), w * st.m[a], kImpactScale);
  }
  if (has_book(m)) {
    add_exact(sums, cells.adl(k), w * settled.deficit);
    add_exact(sums, cells.adl_closed(k), w * settled.adl_closed);
  }
}

/// Writes path `st`'s row `row`.
LIQ_HD LIQ_FORCEINLINE void write_row(const Model& m, const PathState& st, std::size_t row,
                                      const PathOut& out) {
  const MarketParams& p = m.market;
  const int n = p.n_assets;
  const std::size_t base = row * static_cast<std::size_t>(n);
  for (int a = 0; a < n; ++a) {
    out.final_log_return[base + a] = st.x[a] + st.m[a];
    out.min_log_return[base + a] = st.lo[a];
    out.max_log_return[base + a] = st.hi[a];
  }
  out.weight[row] = m.market.importance.on ? fm::exp(st.log_weight) : 1.0;
  if (out.cascade_rounds != nullptr) out.cascade_rounds[row] = st.most_rounds;
  if (out.liquidated_usd != nullptr) {
    for (int a = 0; a < n; ++a)
      for (int side = 0; side < 2; ++side) {
        out.liquidated_usd[(base + a) * 2 + side] = st.liq_usd[a][side];
        out.liquidated_positions[(base + a) * 2 + side] = st.liq_count[a][side];
      }
    out.bad_debt_usd[row] = st.fund.bad_debt;
    out.adl_usd[row] = st.fund.adl;
    if (out.adl_closed_usd != nullptr) out.adl_closed_usd[row] = st.fund.adl_closed;
    out.insurance_fund_usd[row] = st.fund.balance;
  }
  if (out.portfolio_pnl_usd != nullptr) {
    const PortfolioView& pf = m.portfolios;
    const std::size_t pbase = row * static_cast<std::size_t>(pf.n_accounts);
    for (int i = 0; i < pf.n_accounts; ++i) {
      double pnl = st.pnl[i];
      if (st.alive[i]) {
        double equity, maintenance, notional;
        account_state(
            pf, i, st.funding,
            [&](int j) {
              return p.spot[pf.asset[j]] * fm::exp(st.x[pf.asset[j]] + st.m[pf.asset[j]]);
            },
            equity, maintenance, notional);
        pnl = equity - st.equity0[i];
      }
      out.portfolio_pnl_usd[pbase + i] = pnl;
      out.portfolio_liquidated[pbase + i] = st.alive[i] ? 0 : 1;
    }
  }
}

/// Step k of a path whose random inputs are drawn (ss.shocks): its prices, the cascade's
/// rounds, settlement and the step's bookkeeping. The CPU backend's SIMD lanes draw the
/// inputs of several paths at once and then run this per path (host/backend/lanes.h).
LIQ_HD LIQ_FORCEINLINE void run_step(const Model& m, std::int32_t k, PathState& st, StepState& ss,
                                     const ExactSums& step_sums) {
  advance_step(m, k, st, ss);
  run_cascade(m, st, ss);
  const StepSettlement settled = has_book(m) ? settle_step(m, st, ss) : StepSettlement{};
  end_step(m, k, settled, st, ss, step_sums);
}

/// The state of a path before its first step's draws (kernels/market.h draw_step keeps the
/// regime and the Student-t mixing variable in ss.shocks across steps).
LIQ_HD LIQ_FORCEINLINE void begin_path(const Model& m, PathState& st, StepState& ss) {
  ss.shocks.regime = 0;
  ss.shocks.var_scale = 1.0;
  begin_path(m, st);
}

/// Simulates path `path` into row `row`. `step_sums` receives, per step, this path's
/// liquidated notional per (asset, side), net forced flow and end-of-step impact per asset,
/// and the step's ADL deficit and closed notional (cells of StepCells; exact sums across
/// paths). Prices are traded prices: the price model's log price x plus the impact m of
/// forced flow (MODEL.md §4).
LIQ_HD inline void simulate_path(const Model& m, std::uint64_t path, std::size_t row,
                                 const PathOut& out, const ExactSums& step_sums = {}) {
  PathState st;
  StepState ss;
  begin_path(m, st, ss);
  int next_shock = 0;
  for (std::int32_t k = 0; k < m.market.n_steps; ++k) {
    draw_step(m.market, path, k, shock_at_step(m.market, k, next_shock), ss.shocks);
    run_step(m, k, st, ss, step_sums);
  }
  write_row(m, st, row, out);
}

/// The price model alone (no book, no accounts).
LIQ_HD inline void simulate_path(const MarketParams& p, std::uint64_t path, std::size_t row,
                                 const PathOut& out) {
  Model m;
  m.market = p;
  simulate_path(m, path, row, out);
}

}  // namespace liq
