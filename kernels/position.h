// liqstress — one isolated-margin linear perpetual position (docs/MODEL.md §3): its
// liquidation and bankruptcy prices, and what its liquidation pays. Written once here and
// used by the ladder builder (host/book/ladder.cpp), the kernels (kernels/book.h, the per-position
// paths) and the tests' brute-force oracles.
#pragma once

#include <math.h>

#include <cstdint>

#include "fmath.h"
#include "macros.h"

namespace liq {

/// Which side of the market a position or ladder holds.
enum class PositionSide : std::int32_t { long_side = 0, short_side = 1 };

LIQ_HD LIQ_FORCEINLINE int side_index(PositionSide s) {
  return static_cast<int>(s);
}

/// P_liq at cumulative funding F = `funding` (USD per coin): the price at which the margin
/// left equals the maintenance margin, mm·q·P − A.
///   long : (E − M/q − A/q + F) / (1 − mm)     short: (E + M/q + A/q + F) / (1 + mm)
LIQ_HD LIQ_FORCEINLINE double liquidation_price(PositionSide side, double entry,
                                                double margin_per_coin, double amount_per_coin,
                                                double mm, double funding = 0.0) {
  const double per_coin = margin_per_coin + amount_per_coin;
  return side == PositionSide::long_side ? (entry - per_coin + funding) / (1.0 - mm)
                                         : (entry + per_coin + funding) / (1.0 + mm);
}

/// P_bk at cumulative funding F: the price at which the margin is gone.
///   long : E − M/q + F     short: E + M/q + F
LIQ_HD LIQ_FORCEINLINE double bankruptcy_price(PositionSide side, double entry,
                                               double margin_per_coin, double funding = 0.0) {
  return side == PositionSide::long_side ? entry - margin_per_coin + funding
                                         : entry + margin_per_coin + funding;
}

/// What one liquidation pays, USD.
struct Payout {
  double fee = 0.0;  // to the insurance fund
  double bad = 0.0;  // loss beyond bankruptcy (bad debt)
};

/// The rule of who pays (MODEL.md §3): a position of q coins with bankruptcy price p_bk,
/// executed at p_x, leaves q·(p_x − p_bk) of margin (longs; q·(p_bk − p_x) shorts). What is
/// left pays the fee, fee_rate × notional (notional = q·P_liq), capped by what is left; a
/// negative remainder is bad debt.
LIQ_HD LIQ_FORCEINLINE Payout liquidation_payout(PositionSide side, double q, double p_x,
                                                 double p_bk, double notional, double fee_rate) {
  const double left = side == PositionSide::long_side ? q * (p_x - p_bk) : q * (p_bk - p_x);
  Payout out;
  out.fee = fm::fmin(fee_rate * notional, fm::fmax(left, 0.0));
  out.bad = fm::fmax(-left, 0.0);
  return out;
}

/// True when a position entered at `entry` is in profit at mark price `price` and cumulative
/// funding `funding` (longs pay when F > 0): its equity exceeds its margin.
LIQ_HD LIQ_FORCEINLINE bool in_profit(PositionSide side, double entry, double price,
                                      double funding) {
  return side == PositionSide::long_side ? price - entry - funding > 0.0
                                         : entry + funding - price > 0.0;
}

}  // namespace liq
