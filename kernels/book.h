// liqstress — the liquidation ladder and who pays (docs/MODEL.md §3), single source for both
// backends. Positions of one group — asset, side and, normally, maintenance rate mm and
// amount A — are sorted by their liquidation price at zero funding, K, in the order the
// market reaches them (longs from the highest K down, shorts from the lowest up). Funding
// moves every liquidation price of a group by the same F·scale, so the set liquidated so far
// is always a prefix of the group: a path keeps one index per group.
//
// A step works in two phases (kernels/path.h):
// - rounds (advance_group): each round of the step's cascade moves a group's index to the
//   first position its reach does not touch, and adds the liquidated notional q·P_liq — the
//   forced flow — from prefix sums in O(1) after an O(log k) galloping search;
// - settlement (settle_group), once the step's impact is known: every position liquidated in
//   the step executes at its price moved by the step's own impact, P_x = P·f with
//   f = e^{Δm_step}, where P is P_liq for a position reached by the diffusion (bridge
//   included) or only by impact, the post-gap price for one reached only through a gap, and
//   the start price for one already past at the step's start. The margin left is then
//   linear in N = q·P_liq within a uniform group — q·P_bk = (1 − mm)·N + A for longs,
//   (1 + mm)·N − A for shorts — so fee and bad debt of the P = P_liq ranges are sums of
//   prefix sums whenever every position of the group is on the same side of the fee cap's
//   kink and of bankruptcy (decided from the group's bounds on N); otherwise, and for gaps
//   and already-past positions, positions are done one by one (each at most once per path).
#pragma once

#include <math.h>

#include <cstdint>

#include "adl.h"
#include "fmath.h"
#include "macros.h"
#include "market.h"
#include "position.h"

namespace liq {

constexpr int kMaxLadderGroups = 256;

/// One ladder: positions [begin, end) of the book arrays, in trigger order.
struct LadderGroup {
  std::int32_t asset = 0;
  PositionSide side = PositionSide::long_side;
  std::int32_t begin = 0;
  std::int32_t end = 0;
  double funding_scale = 1.0;  // ∂P_liq/∂F: 1/(1 − mm) for longs, 1/(1 + mm) for shorts
  // Settlement from prefix sums needs one mm and A in the group (`uniform`) and bounds on
  // N = q·K over it (K at zero funding), with the largest q to bound funding's share.
  std::int32_t uniform = 0;
  double mm = 0.0;
  double amount = 0.0;  // A, USD
  double n_min = 0.0;
  double n_max = 0.0;
  double q_max = 0.0;
};

/// The book as the kernels see it: flat arrays grouped by ladder (host/book/ladder.h builds it).
struct BookView {
  std::int32_t n_groups = 0;
  const LadderGroup* groups = nullptr;
  const double* trigger = nullptr;   // K: liquidation price at F = 0, USD
  const double* quantity = nullptr;  // q, coins
  const double* bankrupt = nullptr;  // bankruptcy price at F = 0, USD
  const double* entry = nullptr;     // E, USD (ADL: who is in profit)
  // Inclusive prefix sums within each group, in trigger order:
  const double* prefix_q = nullptr;   // Σ q
  const double* prefix_qk = nullptr;  // Σ q·K
  // Groups are sorted by asset: asset a's are [asset_groups[a], asset_groups[a + 1]).
  std::int32_t asset_groups[kMaxAssets + 1] = {};
  double open_coins[kMaxAssets][2] = {};  // coins open per asset and side at the start
  double liquidation_fee = 0.0;           // fraction of liquidated notional paid to the fund
  double fund_start_usd = 0.0;            // insurance fund at the start of every path
  AdlRule adl = AdlRule::pro_rata;
};

/// Where one asset's traded price went during one step before the step's own impact (USD).
struct StepPrices {
  double start;           // S_k, the step's start price
  double diffusion_low;   // Brownian-bridge minimum of the diffusion part (≤ start)
  double diffusion_high;  // Brownian-bridge maximum of the diffusion part (≥ start)
  double end;             // after the step's gaps (jumps, shocks)
};

/// A step's money, accumulated by settlement: fees and bad debt, and per (asset, side) the
/// coins and bankruptcy value q·P_bk of the positions with bad debt (what ADL takes over).
struct StepMoney {
  double fees = 0.0;
  double bad = 0.0;
  double bad_q[kMaxAssets][2];
  double bad_qbk[kMaxAssets][2];
  LIQ_HD void clear(int n_assets) {
    fees = bad = 0.0;
    for (int a = 0; a < n_assets; ++a)
      bad_q[a][0] = bad_q[a][1] = bad_qbk[a][0] = bad_qbk[a][1] = 0;
  }
  LIQ_HD void add(int asset, PositionSide side, double q, double p_bk, const Payout& pay) {
    fees += pay.fee;
    bad += pay.bad;
    if (pay.bad > 0.0) {
      bad_q[asset][side_index(side)] += q;
      bad_qbk[asset][side_index(side)] += q * p_bk;
    }
  }
};

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

/// The fraction of position i that ADL has left open (1 without ADL events on its side).
LIQ_HD LIQ_FORCEINLINE double open_fraction(const BookView& b, const LadderGroup& g,
                                            const AdlLedger& adl, std::int32_t i) {
  return adl.any(g.asset, g.side) ? adl.remaining(g.asset, g.side, b.entry[i]) : 1.0;
}

/// True when group g's sums may come from prefix sums (no ADL event reduced its positions).
LIQ_HD LIQ_FORCEINLINE bool prefix_summable(const BookView& b, const LadderGroup& g,
                                            const AdlLedger& adl) {
  return b.prefix_q != nullptr && !adl.any(g.asset, g.side);
}

/// One cascade round on group g: liquidates, from `next` on, every position whose liquidation
/// price the round's reach touches (the step's low for longs, high for shorts, moved by the
/// impact so far); adds their notional q·P_liq, coins and count. Returns the new `next`.
LIQ_HD LIQ_FORCEINLINE std::int32_t advance_group(const BookView& b, const LadderGroup& g,
                                                  std::int32_t next, double funding, double reach,
                                                  const AdlLedger& adl, double& notional_usd,
                                                  double& coins, std::uint32_t& count) {
  if (next >= g.end) return next;
  const double shift = funding * g.funding_scale;
  const bool is_long = g.side == PositionSide::long_side;
  const double first = b.trigger[next] + shift;
  if (is_long ? (first < reach) : (first > reach)) return next;  // the common case
  const std::int32_t e = first_unreached(b.trigger, next, g.end, shift, reach, is_long);
  if (prefix_summable(b, g, adl)) {
    const double q = range_sum(b.prefix_q, g.begin, next, e);
    notional_usd += range_sum(b.prefix_qk, g.begin, next, e) + shift * q;
    coins += q;
    count += static_cast<std::uint32_t>(e - next);
    return e;
  }
  for (std::int32_t i = next; i < e; ++i) {
    const double open = open_fraction(b, g, adl, i);
    if (open <= 0.0) continue;
    notional_usd += open * b.quantity[i] * (b.trigger[i] + shift);
    coins += open * b.quantity[i];
    ++count;
  }
  return e;
}

/// Where a settled position's price P comes from before the step's impact moves it.
enum class ExecBase : std::int32_t { trigger, fixed };

/// Per-position settlement of positions [from, to) of group g: P = P_liq (trigger) or the
/// fixed price `price`; executed at P·f.
LIQ_HD LIQ_FORCEINLINE void settle_each(const BookView& b, const LadderGroup& g, std::int32_t from,
                                        std::int32_t to, double funding, ExecBase base,
                                        double price, double f, const AdlLedger& adl,
                                        StepMoney& money) {
  const double shift = funding * g.funding_scale;
  for (std::int32_t i = from; i < to; ++i) {
    const double open = open_fraction(b, g, adl, i);
    if (open <= 0.0) continue;
    const double q = open * b.quantity[i];
    const double p_liq = b.trigger[i] + shift;
    const double p_x = (base == ExecBase::trigger ? p_liq : price) * f;
    const double p_bk = b.bankrupt[i] + funding;
    money.add(g.asset, g.side, q, p_bk,
              liquidation_payout(g.side, q, p_x, p_bk, q * p_liq, b.liquidation_fee));
  }
}

/// Settlement of positions [from, to) of a uniform group executed at P_liq·f, from prefix
/// sums when every position's N lies in one regime of the payout; false when they may not
/// (then the caller settles them one by one). Per position, left = c·N − A with
/// c = f − 1 + mm (longs) or 1 + mm − f (shorts): bad debt below N0 = A/c, the whole left
/// as fee up to N1 = A/(c − φ), the capped fee φ·N above.
LIQ_HD LIQ_FORCEINLINE bool settle_at_trigger_fast(const BookView& b, const LadderGroup& g,
                                                   std::int32_t from, std::int32_t to,
                                                   double funding, double f, StepMoney& money) {
  const double shift = funding * g.funding_scale;
  const bool is_long = g.side == PositionSide::long_side;
  const double k = static_cast<double>(to - from);
  const double sum_q = range_sum(b.prefix_q, g.begin, from, to);
  const double sum_n = range_sum(b.prefix_qk, g.begin, from, to) + shift * sum_q;
  const double c = is_long ? f - 1.0 + g.mm : 1.0 + g.mm - f;
  const double amount = g.amount, phi = b.liquidation_fee;
  const double n_lo = g.n_min + fm::fmin(shift, 0.0) * g.q_max;
  const double n_hi = g.n_max + fm::fmax(shift, 0.0) * g.q_max;
  enum { all_bad, all_left, all_capped, mixed } regime = mixed;
  if (c <= 0.0) {
    regime = (c < 0.0 || amount > 0.0) ? all_bad : all_left;  // c = A = 0: nothing left, no debt
  } else if (amount == 0.0) {
    regime = c > phi ? all_capped : all_left;
  } else if (c > phi && n_lo >= amount / (c - phi)) {
    regime = all_capped;
  } else if (n_lo >= amount / c && (c <= phi || n_hi <= amount / (c - phi))) {
    regime = all_left;
  } else if (n_hi < amount / c) {
    regime = all_bad;
  }
  if (regime == mixed) return false;
  if (regime == all_capped) {
    money.fees += phi * sum_n;
  } else if (regime == all_left) {
    money.fees += c * sum_n - k * amount;
  } else {
    const int s = side_index(g.side);
    money.bad += k * amount - c * sum_n;
    money.bad_q[g.asset][s] += sum_q;
    money.bad_qbk[g.asset][s] +=
        is_long ? (1.0 - g.mm) * sum_n + k * amount : (1.0 + g.mm) * sum_n - k * amount;
  }
  return true;
}

/// Settlement of positions [from, to) of group g executed at P_liq·f.
LIQ_HD LIQ_FORCEINLINE void settle_at_trigger(const BookView& b, const LadderGroup& g,
                                              std::int32_t from, std::int32_t to, double funding,
                                              double f, const AdlLedger& adl, StepMoney& money) {
  if (to <= from) return;
  if (g.uniform != 0 && prefix_summable(b, g, adl) &&
      settle_at_trigger_fast(b, g, from, to, funding, f, money))
    return;
  settle_each(b, g, from, to, funding, ExecBase::trigger, 0.0, f, adl, money);
}

/// Settles the positions [n0, n1) group g liquidated during one step, once the step's impact
/// factor f = e^{Δm} is known; `pre` are the step's prices before its own impact.
LIQ_HD LIQ_FORCEINLINE void settle_group(const BookView& b, const LadderGroup& g, std::int32_t n0,
                                         std::int32_t n1, double funding, const StepPrices& pre,
                                         double f, const AdlLedger& adl, StepMoney& money) {
  if (n1 <= n0) return;
  const double shift = funding * g.funding_scale;
  const bool is_long = g.side == PositionSide::long_side;
  const double diffusion = is_long ? pre.diffusion_low : pre.diffusion_high;
  const double reach = is_long ? fm::fmin(diffusion, pre.end) : fm::fmax(diffusion, pre.end);
  // [n0, a): past at the start; [a, d): reached by the diffusion; [d, e): only by a gap;
  // [e, n1): only by the step's impact.
  const std::int32_t a = first_unreached(b.trigger, n0, n1, shift, pre.start, is_long);
  const std::int32_t e = first_unreached(b.trigger, a, n1, shift, reach, is_long);
  const std::int32_t d = first_unreached(b.trigger, a, e, shift, diffusion, is_long);
  settle_each(b, g, n0, a, funding, ExecBase::fixed, pre.start, f, adl, money);
  settle_each(b, g, d, e, funding, ExecBase::fixed, pre.end, f, adl, money);
  if (d == e) {  // no gap range between them: one contiguous P_liq range
    settle_at_trigger(b, g, a, n1, funding, f, adl, money);
  } else {
    settle_at_trigger(b, g, a, d, funding, f, adl, money);
    settle_at_trigger(b, g, e, n1, funding, f, adl, money);
  }
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
    max_scale = fm::fmax(max_scale, grp.funding_scale);
    if (next[g] >= grp.end) continue;
    const double p_liq = b.trigger[next[g]] + funding * grp.funding_scale;
    if (grp.side == PositionSide::long_side) {
      t_long = fm::fmax(t_long, p_liq);
    } else {
      t_short = fm::fmin(t_short, p_liq);
    }
  }
  r.slack = kReachSlack * spot;
  r.long_log = t_long + r.slack > 0.0 ? fm::log((t_long + r.slack) / spot) : -HUGE_VAL;
  r.short_log = t_short - r.slack > 0.0 ? fm::log((t_short - r.slack) / spot) : -HUGE_VAL;
  r.funding_at = funding;
  r.max_scale = max_scale;
  r.valid = true;
}

}  // namespace liq
