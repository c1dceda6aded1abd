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
#include "impact.h"
#include "macros.h"
#include "market.h"
#include "portfolio.h"

namespace liq {

/// Everything a path needs: plain data, copied by value to a device.
struct Model {
  MarketParams market;
  BookView book;
  PortfolioView portfolios;
  ImpactParams impact;
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
  std::uint16_t* cascade_rounds = nullptr;        // [rows] most liquidating rounds in a step
};

/// Simulates path `path` into row `row`. `step_sums` receives, per step, this path's
/// liquidated notional per (asset, side), net forced flow and end-of-step impact per asset
/// (cells of StepCells; exact sums across paths). Prices are traded prices: the price
/// model's log price x plus the impact m of forced flow (MODEL.md §4).
///
/// A step: the price model moves x; the impact left by earlier steps decays linearly in
/// log space from m to m·decay across the step (a Brownian bridge plus a linear function of
/// time is a Brownian bridge between the shifted end points, so the bridge extremes stay
/// exact); then rounds: liquidate what the prices reach (ladders and cross-margin accounts),
/// turn the step's net forced flow F into a shift Δm = Γ g(F), move the step's extreme in the
/// direction of each shift and its end price by Δm, and repeat until a round liquidates
/// nothing or max_rounds rounds have liquidated. A position liquidated in round r executes
/// at the prices of round r. With impact off there is one round.
LIQ_HD inline void simulate_path(const Model& m, std::uint64_t path, std::size_t row,
                                 const PathOut& out, const ExactSums& step_sums = {}) {
  const MarketParams& p = m.market;
  const BookView& book = m.book;
  const PortfolioView& pf = m.portfolios;
  const ImpactParams& ip = m.impact;
  const int n = p.n_assets;
  const bool has_book = book.n_groups > 0 || pf.n_accounts > 0;
  const bool feedback = ip.model != 0 && has_book;
  const StepCells cells{p.n_steps, n};
  double x[kMaxAssets], lo[kMaxAssets], hi[kMaxAssets], funding[kMaxAssets];
  double impact[kMaxAssets];  // m: log-price impact carried into the next step
  double liq_usd[kMaxAssets][2];
  std::uint32_t liq_count[kMaxAssets][2];
  StepPrices sp[kMaxAssets];
  ReachBounds reach[kMaxAssets];
  bool end_known[kMaxAssets];  // end_price[a] holds this step's (the next's start) price
  double end_price[kMaxAssets];
  for (int a = 0; a < n; ++a) {
    x[a] = lo[a] = hi[a] = funding[a] = impact[a] = 0.0;
    end_known[a] = false;
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
  std::uint16_t most_rounds = 0;

  StepShocks s;
  int next_shock = 0;
  for (std::int32_t k = 0; k < p.n_steps; ++k) {
    draw_step(p, path, k, shock_at_step(p, k, next_shock), s);
    const double v = p.vol_multiplier != nullptr ? p.vol_multiplier[k] : 1.0;
    // The step's traded log prices before its own impact: diffusion extremes and end.
    double d_lo[kMaxAssets], d_hi[kMaxAssets], y_end[kMaxAssets], drawdown[kMaxAssets];
    double start[kMaxAssets], y_start[kMaxAssets];  // start < 0: not computed yet
    for (int a = 0; a < n; ++a) {
      const double sigma = p.vol[a] * v;
      const double var = sigma * sigma * p.dt_years * s.var_scale;  // conditional step variance
      const double x0 = x[a];
      const double x1 = x0 + (p.drift[a] - 0.5 * sigma * sigma) * p.dt_years + sqrt(var) * s.eps[a];
      const double m0 = impact[a];
      impact[a] = m0 * ip.decay;
      const double y0 = x0 + m0;
      const double y1 = x1 + impact[a];
      d_lo[a] = bridge_min(y0, y1, var, s.u_min[a]);
      d_hi[a] = bridge_max(y0, y1, var, s.u_max[a]);
      x[a] = x1 + s.gap[a];
      y_end[a] = x[a] + impact[a];
      drawdown[a] = fmax(hi[a] - fmin(d_lo[a], y_end[a]), 0.0);
      // The step's start price: the previous step's end when that was computed (same value).
      y_start[a] = y0;
      start[a] = end_known[a] ? end_price[a] : -1.0;
      // Funding accrues on the step's start price (MODEL.md §3), longs pay when > 0.
      if (has_book && p.funding_step[a] != 0.0) {
        if (start[a] < 0.0) start[a] = p.spot[a] * exp(y0);
        funding[a] += p.funding_step[a] * start[a];
      }
    }

    double shift[kMaxAssets];  // Δm of the step so far
    double step_usd[kMaxAssets][2];
    double flow[kMaxAssets];
    bool priced[kMaxAssets];  // sp[a] holds the current round's prices
    for (int a = 0; a < n; ++a) {
      shift[a] = flow[a] = 0.0;
      step_usd[a][0] = step_usd[a][1] = 0.0;
      priced[a] = false;
    }
    std::uint16_t rounds = 0;
    for (std::int32_t round = 0; has_book && round < ip.max_rounds; ++round) {
      bool any = false;
      // Prices of this round: the pre-impact extremes and end, moved by the step's impact.
      auto price = [&](int a) {
        if (priced[a]) return;
        const double s0 = p.spot[a];
        if (start[a] < 0.0) start[a] = s0 * exp(y_start[a]);
        sp[a].start = start[a];
        sp[a].diffusion_low = s0 * exp(d_lo[a] + fmin(shift[a], 0.0));
        sp[a].diffusion_high = s0 * exp(d_hi[a] + fmax(shift[a], 0.0));
        sp[a].end = s0 * exp(y_end[a] + shift[a]);
        sp[a].low = fmin(sp[a].diffusion_low, sp[a].end);
        sp[a].high = fmax(sp[a].diffusion_high, sp[a].end);
        priced[a] = true;
      };
      for (int a = 0; a < n; ++a) {
        if (book.asset_groups[a] == book.asset_groups[a + 1]) continue;
        // Does the step reach any remaining position of this asset? Decided in log space,
        // so a quiet step costs no exp and no ladder lookups.
        ReachBounds& rb = reach[a];
        if (!rb.valid || fabs(funding[a] - rb.funding_at) * rb.max_scale > rb.slack)
          compute_reach(book, a, next, funding[a], p.spot[a], rb);
        const bool r_long = fmin(d_lo[a] + fmin(shift[a], 0.0), y_end[a] + shift[a]) <= rb.long_log;
        const bool r_short =
            fmax(d_hi[a] + fmax(shift[a], 0.0), y_end[a] + shift[a]) >= rb.short_log;
        if (!r_long && !r_short) continue;
        price(a);
        for (std::int32_t g = book.asset_groups[a]; g < book.asset_groups[a + 1]; ++g) {
          const LadderGroup& grp = book.groups[g];
          if (!(grp.side == 0 ? r_long : r_short)) continue;
          std::uint32_t count = 0;
          next[g] = liquidate_group(book, grp, next[g], funding[a], sp[a], step_usd[a][grp.side],
                                    count, tally);
          liq_count[a][grp.side] += count;
          if (count > 0) {
            rb.valid = false;  // the nearest remaining positions moved
            any = true;
          }
        }
      }
      for (int i = 0; i < pf.n_accounts; ++i) {
        if (!alive[i]) continue;
        for (std::int32_t j = pf.accounts[i].begin; j < pf.accounts[i].end; ++j) price(pf.asset[j]);
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
          any = true;
          const double fee = fmin(book.liquidation_fee * notional, fmax(equity, 0.0));
          tally.step_fees += fee;
          tally.step_bad += fmax(-equity, 0.0);
          pnl[i] = fmax(equity - fee, 0.0) - equity0[i];
          // The account is closed at market: it sells what it holds long, buys back its shorts.
          for (std::int32_t j = pf.accounts[i].begin; j < pf.accounts[i].end; ++j) {
            const StepPrices& q = sp[pf.asset[j]];
            const double sq = pf.signed_quantity[j];
            flow[pf.asset[j]] -= sq * (sq > 0 ? q.low : q.high);
          }
        }
      }
      if (!any) break;
      ++rounds;
      if (!feedback) break;
      // The step's net forced flow so far, and the impact it has on every asset.
      double total_flow[kMaxAssets];
      for (int a = 0; a < n; ++a) total_flow[a] = flow[a] + step_usd[a][1] - step_usd[a][0];
      step_impact(ip, n, total_flow, drawdown, shift);
      for (int a = 0; a < n; ++a) priced[a] = false;
    }
    if (rounds > most_rounds) most_rounds = rounds;

    for (int a = 0; a < n; ++a) {
      const double step_lo = fmin(d_lo[a] + fmin(shift[a], 0.0), y_end[a] + shift[a]);
      const double step_hi = fmax(d_hi[a] + fmax(shift[a], 0.0), y_end[a] + shift[a]);
      lo[a] = fmin(lo[a], step_lo);
      hi[a] = fmax(hi[a], step_hi);
      impact[a] += shift[a];
      end_known[a] = priced[a] && shift[a] == 0.0;
      if (end_known[a]) end_price[a] = sp[a].end;
    }
    if (!has_book) continue;
    settle_step(tally);
    for (int a = 0; a < n; ++a) {
      for (int side = 0; side < 2; ++side) {
        if (step_usd[a][side] > 0.0) {
          liq_usd[a][side] += step_usd[a][side];
          add_exact(step_sums, cells.liquidated(k, a, side), step_usd[a][side]);
        }
      }
      add_exact(step_sums, cells.flow(k, a), flow[a] + step_usd[a][1] - step_usd[a][0]);
      add_exact(step_sums, cells.impact(k, a), impact[a], kImpactScale);
    }
  }

  const std::size_t base = row * static_cast<std::size_t>(n);
  for (int a = 0; a < n; ++a) {
    out.final_log_return[base + a] = x[a] + impact[a];
    out.min_log_return[base + a] = lo[a];
    out.max_log_return[base + a] = hi[a];
  }
  out.weight[row] = 1.0;
  if (out.cascade_rounds != nullptr) out.cascade_rounds[row] = most_rounds;
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
            pf, i, funding,
            [&](int j) { return p.spot[pf.asset[j]] * exp(x[pf.asset[j]] + impact[pf.asset[j]]); },
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
