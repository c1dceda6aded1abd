// liqstress — the liquidation ladder and who pays (MODEL.md §3), single source for both
// backends. Positions of one group — asset, side and, normally, maintenance rate mm and
// amount A — are sorted by their liquidation price at zero funding, K, in the order the
// market reaches them (longs from the highest K down, shorts from the lowest up). Funding
// moves every liquidation price of a group by the same F·scale, so the set liquidated so far
// is always a prefix of the group: a path keeps one index per group.
// A step costs one comparison per group when nothing is liquidated; otherwise binary
// searches split what the step reached into positions already past at the step's start,
// positions the diffusion reached (executed at P_liq) and positions reached only through a
// gap (executed at the post-gap price). The middle range — nearly all liquidations — is
// summed from prefix sums in O(1): for a diffusion crossing the margin left is exactly
// mm·N − A (N = q·P_liq), so fee and bad debt are linear in N for every position whose N
// is above the group's kink (flagged "regular" at build time, with room for funding to move
// N by a fraction kFundingRoom). The rest is O(1) per position.
#pragma once

#include <math.h>

#include <cstdint>

#include "macros.h"
#include "market.h"

namespace liq {

constexpr int kMaxLadderGroups = 256;
/// How far funding may move a position's liquidation notional, as a fraction, before the
/// prefix-sum shortcut stops trusting the build-time "regular" flags (then: per position).
constexpr double kFundingRoom = 0.05;

/// One ladder: positions [begin, end) of the book arrays, in trigger order.
struct LadderGroup {
  std::int32_t asset = 0;
  std::int32_t side = 0;  // 0 long, 1 short
  std::int32_t begin = 0;
  std::int32_t end = 0;
  double funding_scale = 1.0;  // ∂P_liq/∂F: 1/(1 − mm) for longs, 1/(1 + mm) for shorts
  // Shortcut for diffusion crossings, valid only when `uniform` (one mm and A in the group):
  // fee = fee_slope·N − fee_amount per regular position, no bad debt.
  std::int32_t uniform = 0;
  double fee_slope = 0.0;
  double fee_amount = 0.0;
  double trigger_min = 0.0;  // smallest K in the group
};

/// The book as the kernels see it: flat arrays grouped by ladder (host/ladder.h builds it).
struct BookView {
  std::int32_t n_groups = 0;
  const LadderGroup* groups = nullptr;
  const double* trigger = nullptr;   // K: liquidation price at F = 0, USD
  const double* quantity = nullptr;  // q, coins
  const double* bankrupt = nullptr;  // bankruptcy price at F = 0, USD
  // Inclusive prefix sums within each group, in trigger order:
  const double* prefix_q = nullptr;                // Σ q
  const double* prefix_qk = nullptr;               // Σ q·K
  const std::int32_t* prefix_irregular = nullptr;  // Σ [position not regular]
  // Groups are sorted by asset: asset a's are [asset_groups[a], asset_groups[a + 1]).
  std::int32_t asset_groups[kMaxAssets + 1] = {};
  double liquidation_fee = 0.0;  // fraction of liquidated notional paid to the fund
  double fund_start_usd = 0.0;   // insurance fund at the start of every path
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

/// Per-position liquidation of positions [from, to) of a group (see liquidate_group).
LIQ_HD LIQ_FORCEINLINE void liquidate_each(const BookView& b, const LadderGroup& g,
                                           std::int32_t from, std::int32_t to, double funding,
                                           const StepPrices& s, double& notional_usd, Tally& t) {
  const double shift = funding * g.funding_scale;
  const bool is_long = g.side == 0;
  for (std::int32_t i = from; i < to; ++i) {
    const double p_liq = b.trigger[i] + shift;
    const double q = b.quantity[i];
    const double p_x = execution_price(g.side, p_liq, s);
    const double p_bk = b.bankrupt[i] + funding;
    const double n = q * p_liq;
    // What is left of the margin at execution; negative = bad debt.
    const double left = is_long ? q * (p_x - p_bk) : q * (p_bk - p_x);
    t.step_fees += fmin(b.liquidation_fee * n, fmax(left, 0.0));
    t.step_bad += fmax(-left, 0.0);
    notional_usd += n;
  }
}

/// The first index in [lo, hi) whose liquidation price K + shift the price x does not reach
/// (longs: K + shift < x; shorts: K + shift > x). Triggers are in reaching order. Galloping
/// from lo, then binary search: O(log k) for an answer k positions away — a step usually
/// reaches only a few positions of a ladder.
LIQ_HD LIQ_FORCEINLINE std::int32_t first_unreached(const double* trigger, std::int32_t lo,
                                                    std::int32_t hi, double shift, double x,
                                                    bool is_long) {
  auto reached = [&](std::int32_t i) {
    const double p = trigger[i] + shift;
    return is_long ? (p >= x) : (p <= x);
  };
  std::int32_t step = 1;
  std::int32_t probe = lo;
  while (probe < hi && reached(probe)) {
    lo = probe + 1;
    probe = lo + step;
    step *= 2;
  }
  if (probe < hi) hi = probe;
  while (lo < hi) {
    const std::int32_t mid = lo + (hi - lo) / 2;
    if (reached(mid)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/// Sum over [from, to) of a group's inclusive prefix array.
template <typename T>
LIQ_HD LIQ_FORCEINLINE T range_sum(const T* prefix, std::int32_t begin, std::int32_t from,
                                   std::int32_t to) {
  return prefix[to - 1] - (from > begin ? prefix[from - 1] : T(0));
}

/// Liquidates in group g every position whose liquidation price the step reached, from
/// `next` on; adds notional (q·P_liq), counts, fees and bad debt. `funding` is the asset's
/// cumulative funding per coin F. Returns the new `next`. Identical, up to the order of
/// floating-point additions, to liquidating the positions one by one.
LIQ_HD LIQ_FORCEINLINE std::int32_t liquidate_group(const BookView& b, const LadderGroup& g,
                                                    std::int32_t next, double funding,
                                                    const StepPrices& s, double& notional_usd,
                                                    std::uint32_t& count, Tally& t) {
  if (next >= g.end) return next;
  const double shift = funding * g.funding_scale;
  const bool is_long = g.side == 0;
  const double reach = is_long ? s.low : s.high;
  const double first = b.trigger[next] + shift;
  if (is_long ? (first < reach) : (first > reach)) return next;  // the common case

  // [next, a): already past at the start; [a, d): reached by the diffusion; [d, e): by a gap.
  const std::int32_t a = first_unreached(b.trigger, next, g.end, shift, s.start, is_long);
  const std::int32_t e = first_unreached(b.trigger, a, g.end, shift, reach, is_long);
  const double diffusion_reach = is_long ? s.diffusion_low : s.diffusion_high;
  const std::int32_t d = first_unreached(b.trigger, a, e, shift, diffusion_reach, is_long);
  liquidate_each(b, g, next, a, funding, s, notional_usd, t);
  liquidate_each(b, g, d, e, funding, s, notional_usd, t);
  if (d > a) {
    const bool shortcut = g.uniform != 0 && b.prefix_irregular != nullptr &&
                          fabs(shift) <= kFundingRoom * g.trigger_min &&
                          range_sum(b.prefix_irregular, g.begin, a, d) == 0;
    if (shortcut) {
      // N_i = q_i (K_i + shift): Σ N = Σ qK + shift Σ q; fee = slope·N − amount each.
      const double n =
          range_sum(b.prefix_qk, g.begin, a, d) + shift * range_sum(b.prefix_q, g.begin, a, d);
      t.step_fees += g.fee_slope * n - g.fee_amount * static_cast<double>(d - a);
      notional_usd += n;
    } else {
      liquidate_each(b, g, a, d, funding, s, notional_usd, t);
    }
  }
  count += static_cast<std::uint32_t>(e - next);
  return e;
}

/// How far, as a fraction of spot, funding may move an asset's liquidation prices before
/// its ReachBounds are recomputed.
constexpr double kReachSlack = 1e-3;

/// Log-returns (ln(S / S0)) that a step's low must reach for any remaining long of an asset
/// to be liquidated, and its high for any short: one comparison per asset and step decides
/// whether the step needs prices and ladders at all. Conservative by `slack` USD, so it stays
/// valid while funding moves by less than slack / max_scale; recomputed after liquidations.
struct ReachBounds {
  double long_log = -HUGE_VAL;  // no long reached while the step's low stays above it
  double short_log = HUGE_VAL;  // no short reached while the step's high stays below it
  double funding_at = 0.0;      // F when computed
  double max_scale = 0.0;       // largest funding scale of the asset's ladders
  double slack = 0.0;           // USD
  bool valid = false;
};

LIQ_HD LIQ_FORCEINLINE void compute_reach(const BookView& b, int asset, const std::int32_t* next,
                                          double funding, double spot, ReachBounds& r) {
  double t_long = -HUGE_VAL, t_short = HUGE_VAL, max_scale = 0.0;
  for (std::int32_t g = b.asset_groups[asset]; g < b.asset_groups[asset + 1]; ++g) {
    const LadderGroup& grp = b.groups[g];
    max_scale = fmax(max_scale, grp.funding_scale);
    if (next[g] >= grp.end) continue;
    const double p_liq = b.trigger[next[g]] + funding * grp.funding_scale;
    if (grp.side == 0) {
      t_long = fmax(t_long, p_liq);
    } else {
      t_short = fmin(t_short, p_liq);
    }
  }
  r.slack = kReachSlack * spot;
  r.long_log = t_long + r.slack > 0.0 ? log((t_long + r.slack) / spot) : -HUGE_VAL;
  r.short_log = t_short - r.slack > 0.0 ? log((t_short - r.slack) / spot) : -HUGE_VAL;
  r.funding_at = funding;
  r.max_scale = max_scale;
  r.valid = true;
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
