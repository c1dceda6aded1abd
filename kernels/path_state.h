// liqstress — what one path carries from step to step (PathState) and what one step holds
// while its cascade runs (StepState), and the model they run on (Model). Plain data, in
// registers or local memory on a GPU and on the stack on the CPU.
#pragma once

#include <cstdint>

#include "adl.h"
#include "book.h"
#include "impact.h"
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

/// The insurance fund and what it could not pay, over one path (USD).
struct FundLedger {
  double balance = 0.0;        // insurance fund
  double bad_debt = 0.0;       // losses beyond bankruptcy
  double adl = 0.0;            // deficit the fund could not pay (auto-deleveraged)
  double adl_closed = 0.0;     // notional of opposite positions ADL closed, at bankruptcy prices
  double adl_unmatched = 0.0;  // notional ADL found no position in profit to close against
};

struct PathState {
  double x[kMaxAssets];            // fundamental log-return ln(S/S0), without impact
  double flow_memory[kMaxAssets];  // Q: decaying cumulative net forced flow, USD
  double m[kMaxAssets];            // log-price impact at the last step's end
  double peak_x[kMaxAssets];       // running peak of x at step ends (thinning)
  double lo[kMaxAssets];           // running extremes of the traded log-return
  double hi[kMaxAssets];
  double funding[kMaxAssets];        // cumulative funding per coin F, USD
  double open_coins[kMaxAssets][2];  // coins still open per side (endogenous funding)
  double liq_usd[kMaxAssets][2];
  std::uint32_t liq_count[kMaxAssets][2];
  double end_price[kMaxAssets];  // the last step's end price, when end_known
  bool end_known[kMaxAssets];
  ReachBounds reach[kMaxAssets];
  std::int32_t next[kMaxLadderGroups];        // per ladder: first position not liquidated
  std::int32_t step_begin[kMaxLadderGroups];  // per ladder: `next` when this step began
  bool alive[kMaxPortfolios];
  double pnl[kMaxPortfolios];
  double equity0[kMaxPortfolios];
  FundLedger fund;
  AdlLedger adl;
  std::uint16_t most_rounds = 0;
  double log_weight = 0.0;  // log dP/dQ of the path so far (importance sampling)
};

/// One step of one path. Log prices are traded log-returns ln(S/S0) before the step's own
/// impact; `shift` is that impact so far (Δm of the cascade's rounds).
struct StepState {
  StepShocks shocks;           // the step's random inputs (the Student-t block's W carries over)
  double y_start[kMaxAssets];  // at the step's start
  double d_lo[kMaxAssets];     // Brownian-bridge extremes of the diffusion part
  double d_hi[kMaxAssets];
  double y_end[kMaxAssets];     // after the step's gaps
  double start[kMaxAssets];     // S_k in USD, or < 0 when not computed yet
  double q_pre[kMaxAssets];     // flow memory at the step's end before its own flow
  double m_pre[kMaxAssets];     // impact of q_pre
  double drawdown[kMaxAssets];  // fundamental log drawdown (thinning)
  double shift[kMaxAssets];     // the step's own impact so far
  double low[kMaxAssets];       // extremes over the step's rounds, impact included
  double high[kMaxAssets];
  double ladder_usd[kMaxAssets][2];  // notional liquidated from the ladders, per side
  double account_flow[kMaxAssets];   // net flow of liquidated cross-margin accounts
  bool touched[kMaxAssets];          // the step reached a position of this asset
  bool account_hit[kMaxPortfolios];  // the account was liquidated in this step
  std::uint16_t rounds = 0;
};

}  // namespace liq
