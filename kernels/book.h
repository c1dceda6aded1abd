// liqstress — the liquidation ladder and who pays (MODEL.md §3), single source for both
// backends. Positions of one (asset, side, funding group) are sorted by their liquidation
// price at zero funding, K, in the order the market reaches them (longs from the highest K
// down, shorts from the lowest up). Funding moves every liquidation price of a group by the
// same F·scale, so the set liquidated so far is always a prefix of the group: a path keeps
// one index per group, and a step costs one comparison per group plus O(1) per position
// it liquidates (each position is liquidated at most once per path).
#pragma once

#include <math.h>

#include <cstdint>

#include "macros.h"

namespace liq {

constexpr int kMaxLadderGroups = 256;

/// One ladder: positions [begin, end) of the book arrays, in trigger order.
struct LadderGroup {
  std::int32_t asset = 0;
  std::int32_t side = 0;  // 0 long, 1 short
  std::int32_t begin = 0;
  std::int32_t end = 0;
  double funding_scale = 1.0;  // ∂P_liq/∂F: 1/(1 − mm) for longs, 1/(1 + mm) for shorts
};

/// The book as the kernels see it: flat arrays grouped by ladder (host/ladder.h builds it).
struct BookView {
  std::int32_t n_groups = 0;
  const LadderGroup* groups = nullptr;
  const double* trigger = nullptr;   // K: liquidation price at F = 0, USD
  const double* quantity = nullptr;  // q, coins
  const double* bankrupt = nullptr;  // bankruptcy price at F = 0, USD
  double liquidation_fee = 0.0;      // fraction of liquidated notional paid to the fund
  double fund_start_usd = 0.0;       // insurance fund at the start of every path
};

/// Where one asset's traded price went during one step (USD).
struct StepPrices {
  double start;           // S_k, the step's start price
  double diffusion_low;   // Brownian-bridge minimum of the diffusion part (≤ start)
  double diffusion_high;  // Brownian-bridge maximum of the diffusion part (≥ start)
  double end;             // after the step's gaps (jumps, shocks)
  double low;             // min(diffusion_low, end): what decides long liquidations
  double high;            // max(diffusion_high, end): what decides short liquidations
};

/// One path's money: liquidations and their consequences.
struct Tally {
  double step_fees = 0.0;  // fees of the current step, USD
  double step_bad = 0.0;   // bad debt of the current step, USD
  double bad_debt = 0.0;   // over the path, USD
  double adl = 0.0;        // deficit auto-deleveraged after the fund ran out, USD
  double fund = 0.0;       // insurance fund balance, USD
};

/// Execution price of a position whose liquidation price p_liq the step reached (MODEL.md
/// §3): already past at the step's start → the start price; reached by the diffusion
/// (bridge included) → its liquidation price; reached only through a gap → the post-gap price.
LIQ_HD LIQ_FORCEINLINE double execution_price(int side, double p_liq, const StepPrices& s) {
  if (side == 0) {
    if (p_liq >= s.start) return s.start;
    if (p_liq >= s.diffusion_low) return p_liq;
    return s.end;
  }
  if (p_liq <= s.start) return s.start;
  if (p_liq <= s.diffusion_high) return p_liq;
  return s.end;
}

/// Liquidates in group g every position whose liquidation price the step reached, from
/// `next` on; adds notional (q·P_liq), counts, fees and bad debt. `funding` is the asset's
/// cumulative funding per coin F. Returns the new `next`.
LIQ_HD LIQ_FORCEINLINE std::int32_t liquidate_group(const BookView& b, const LadderGroup& g,
                                                    std::int32_t next, double funding,
                                                    const StepPrices& s, double& notional_usd,
                                                    std::uint32_t& count, Tally& t) {
  const double shift = funding * g.funding_scale;
  const bool is_long = g.side == 0;
  while (next < g.end) {
    const double p_liq = b.trigger[next] + shift;
    if (is_long ? (p_liq < s.low) : (p_liq > s.high)) break;
    const double q = b.quantity[next];
    const double p_x = execution_price(g.side, p_liq, s);
    const double p_bk = b.bankrupt[next] + funding;
    const double n = q * p_liq;
    // What is left of the margin at execution; negative = bad debt.
    const double left = is_long ? q * (p_x - p_bk) : q * (p_bk - p_x);
    t.step_fees += fmin(b.liquidation_fee * n, fmax(left, 0.0));
    t.step_bad += fmax(-left, 0.0);
    notional_usd += n;
    ++count;
    ++next;
  }
  return next;
}

/// End of a step: fees in, then the fund pays the step's bad debt; what it cannot pay is
/// auto-deleveraged (MODEL.md §3).
LIQ_HD LIQ_FORCEINLINE void settle_step(Tally& t) {
  t.fund += t.step_fees;
  const double covered = fmin(t.fund, t.step_bad);
  t.fund -= covered;
  t.adl += t.step_bad - covered;
  t.bad_debt += t.step_bad;
  t.step_fees = 0.0;
  t.step_bad = 0.0;
}

}  // namespace liq
