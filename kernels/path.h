// liqstress — one path of the whole model, single source for both backends: the price model
// of MODEL.md §1 (kernels/market.h) driving the liquidation ladder and its accounting (§3,
// kernels/book.h) and the cross-margin accounts (kernels/portfolio.h). Owns Model (all the
// POD inputs), PathOut (views of the per-path output rows) and simulate_path.
#pragma once

#include <math.h>

#include <cstddef>
#include <cstdint>

#include "book.h"
#include "exact_sum.h"
#include "macros.h"
#include "market.h"
#include "portfolio.h"

namespace liq {

/// Everything a path needs: plain data, copied by value to a device.
struct Model {
  MarketParams market;
  BookView book;
  PortfolioView portfolios;
};

/// Views of the per-path output rows; row r holds path first_path + r. Pointers left null
/// are not written (a price-only caller needs only the first four).
struct PathOut {
  double* final_log_return = nullptr;  // [rows × A] ln(S_T / S_0)
  double* min_log_return = nullptr;    // [rows × A] ln(min S / S_0), bridge included
  double* max_log_return = nullptr;    // [rows × A] ln(max S / S_0), bridge included
  double* weight = nullptr;            // [rows] likelihood ratio, 1 without importance sampling
  double* liquidated_usd = nullptr;    // [rows × A × 2] q·P_liq, long 0 / short 1
  std::uint32_t* liquidated_positions = nullptr;  // [rows × A × 2]
  double* bad_debt_usd = nullptr;                 // [rows]
  double* adl_usd = nullptr;                      // [rows]
  double* insurance_fund_usd = nullptr;           // [rows] at the horizon
  double* portfolio_pnl_usd = nullptr;            // [rows × P]
  std::uint8_t* portfolio_liquidated = nullptr;   // [rows × P]
};

/// Simulates path `path` into row `row`. `step_liquidations` receives, per (step, asset,
/// side), the notional this path liquidated in that step (exact sums across paths).
LIQ_HD inline void simulate_path(const Model& m, std::uint64_t path, std::size_t row,
                                 const PathOut& out, const ExactSums& step_liquidations = {}) {
  const MarketParams& p = m.market;
  const BookView& book = m.book;
  const PortfolioView& pf = m.portfolios;
  const int n = p.n_assets;
  double x[kMaxAssets], lo[kMaxAssets], hi[kMaxAssets], funding[kMaxAssets];
  double liq_usd[kMaxAssets][2];
  std::uint32_t liq_count[kMaxAssets][2];
  StepPrices sp[kMaxAssets];
  ReachBounds reach[kMaxAssets];
  bool reach_long[kMaxAssets], reach_short[kMaxAssets];
  bool end_known[kMaxAssets];  // end_price[a] holds this step's (the next's start) price
  double end_price[kMaxAssets];
  for (int a = 0; a < n; ++a) {
    x[a] = lo[a] = hi[a] = funding[a] = 0.0;
    reach_long[a] = reach_short[a] = end_known[a] = false;
    end_price[a] = 0.0;
    liq_usd[a][0] = liq_usd[a][1] = 0.0;
    liq_count[a][0] = liq_count[a][1] = 0;
  }
  std::int32_t next[kMaxLadderGroups];
  for (int g = 0; g < book.n_groups; ++g) next[g] = book.groups[g].begin;
  Tally tally;
  tally.fund = book.fund_start_usd;
  bool alive[kMaxPortfolios];
  double pnl[kMaxPortfolios], equity0[kMaxPortfolios];
  for (int a = 0; a < pf.n_accounts; ++a) {
    alive[a] = true;
    double maintenance, notional;
    account_state(
        pf, a, funding, [&](int i) { return p.spot[pf.asset[i]]; }, equity0[a], maintenance,
        notional);
    pnl[a] = 0.0;
  }

  StepShocks s;
  int next_shock = 0;
  for (std::int32_t k = 0; k < p.n_steps; ++k) {
    draw_step(p, path, k, shock_at_step(p, k, next_shock), s);
    const double v = p.vol_multiplier != nullptr ? p.vol_multiplier[k] : 1.0;
    for (int a = 0; a < n; ++a) {
      const double sigma = p.vol[a] * v;
      const double var = sigma * sigma * p.dt_years * s.var_scale;  // conditional step variance
      const double x0 = x[a];
      const double x1 = x0 + (p.drift[a] - 0.5 * sigma * sigma) * p.dt_years + sqrt(var) * s.eps[a];
      const double bmin = bridge_min(x0, x1, var, s.u_min[a]);
      const double bmax = bridge_max(x0, x1, var, s.u_max[a]);
      const double x2 = x1 + s.gap[a];
      const double step_lo = fmin(bmin, x2), step_hi = fmax(bmax, x2);
      lo[a] = fmin(lo[a], step_lo);
      hi[a] = fmax(hi[a], step_hi);
      x[a] = x2;
      if (book.n_groups == 0 && pf.n_accounts == 0) continue;
      const double s0 = p.spot[a];
      // The step's start price: the previous step's end when that was computed (same value).
      double start = end_known[a] ? end_price[a] : -1.0;
      auto start_price = [&]() {
        if (start < 0.0) start = s0 * exp(x0);
        return start;
      };
      // Funding accrues on the step's start price (MODEL.md §3), longs pay when > 0.
      if (p.funding_step[a] != 0.0) funding[a] += p.funding_step[a] * start_price();
      // Does the step reach any remaining position of this asset? Decided in log space, so
      // a quiet step costs no exp and no ladder lookups.
      ReachBounds& rb = reach[a];
      if (!rb.valid || fabs(funding[a] - rb.funding_at) * rb.max_scale > rb.slack)
        compute_reach(book, a, next, funding[a], s0, rb);
      reach_long[a] = step_lo <= rb.long_log;
      reach_short[a] = step_hi >= rb.short_log;
      end_known[a] = reach_long[a] || reach_short[a] || pf.n_accounts > 0;
      if (end_known[a]) {
        sp[a].start = start_price();
        sp[a].diffusion_low = s0 * exp(bmin);
        sp[a].diffusion_high = s0 * exp(bmax);
        sp[a].end = s0 * exp(x2);
        sp[a].low = fmin(sp[a].diffusion_low, sp[a].end);
        sp[a].high = fmax(sp[a].diffusion_high, sp[a].end);
        end_price[a] = sp[a].end;
      }
    }
    if (book.n_groups == 0 && pf.n_accounts == 0) continue;

    double step_usd[kMaxAssets][2];
    for (int a = 0; a < n; ++a) step_usd[a][0] = step_usd[a][1] = 0.0;
    for (int a = 0; a < n; ++a) {
      if (!reach_long[a] && !reach_short[a]) continue;
      for (std::int32_t g = book.asset_groups[a]; g < book.asset_groups[a + 1]; ++g) {
        const LadderGroup& grp = book.groups[g];
        if (!(grp.side == 0 ? reach_long[a] : reach_short[a])) continue;
        std::uint32_t count = 0;
        next[g] = liquidate_group(book, grp, next[g], funding[a], sp[a], step_usd[a][grp.side],
                                  count, tally);
        liq_count[a][grp.side] += count;
        if (count > 0) reach[a].valid = false;  // the nearest remaining positions moved
      }
    }
    for (int i = 0; i < pf.n_accounts; ++i) {
      if (!alive[i]) continue;
      double equity, maintenance, notional;
      account_state(
          pf, i, funding,
          [&](int j) {
            const StepPrices& q = sp[pf.asset[j]];
            return pf.signed_quantity[j] > 0 ? q.low : q.high;
          },
          equity, maintenance, notional);
      if (equity < maintenance) {
        alive[i] = false;
        const double fee = fmin(book.liquidation_fee * notional, fmax(equity, 0.0));
        tally.step_fees += fee;
        tally.step_bad += fmax(-equity, 0.0);
        pnl[i] = fmax(equity - fee, 0.0) - equity0[i];
      }
    }
    settle_step(tally);
    for (int a = 0; a < n; ++a) {
      for (int side = 0; side < 2; ++side) {
        if (step_usd[a][side] > 0.0) {
          liq_usd[a][side] += step_usd[a][side];
          add_exact(step_liquidations, (k * n + a) * 2 + side, step_usd[a][side]);
        }
      }
    }
  }

  const std::size_t base = row * static_cast<std::size_t>(n);
  for (int a = 0; a < n; ++a) {
    out.final_log_return[base + a] = x[a];
    out.min_log_return[base + a] = lo[a];
    out.max_log_return[base + a] = hi[a];
  }
  out.weight[row] = 1.0;
  if (out.liquidated_usd != nullptr) {
    for (int a = 0; a < n; ++a)
      for (int side = 0; side < 2; ++side) {
        out.liquidated_usd[(base + a) * 2 + side] = liq_usd[a][side];
        out.liquidated_positions[(base + a) * 2 + side] = liq_count[a][side];
      }
    out.bad_debt_usd[row] = tally.bad_debt;
    out.adl_usd[row] = tally.adl;
    out.insurance_fund_usd[row] = tally.fund;
  }
  if (out.portfolio_pnl_usd != nullptr) {
    const std::size_t pbase = row * static_cast<std::size_t>(pf.n_accounts);
    for (int i = 0; i < pf.n_accounts; ++i) {
      if (alive[i]) {
        double equity, maintenance, notional;
        account_state(
            pf, i, funding, [&](int j) { return p.spot[pf.asset[j]] * exp(x[pf.asset[j]]); },
            equity, maintenance, notional);
        pnl[i] = equity - equity0[i];
      }
      out.portfolio_pnl_usd[pbase + i] = pnl[i];
      out.portfolio_liquidated[pbase + i] = alive[i] ? 0 : 1;
    }
  }
}

/// The price model alone (no book, no accounts).
LIQ_HD inline void simulate_path(const MarketParams& p, std::uint64_t path, std::size_t row,
                                 const PathOut& out) {
  Model m;
  m.market = p;
  simulate_path(m, path, row, out);
}

}  // namespace liq
