// liqstress — auto-deleveraging that closes positions (docs/MODEL.md §3), single source for
// both backends.
//
// When the insurance fund cannot pay a step's bad debt, the uncovered part of the bankrupt
// positions is taken over by traders on the opposite side of the same asset at the bankrupt
// positions' bankruptcy prices: those counterparties' positions are closed (they leave the
// book: less open interest, nothing left to liquidate later), and the deficit is covered.
// Rule "pro-rata": every opposite-side position of the asset that is still open and in
// profit at the step's end mark price is reduced by the same fraction λ, so that the coins
// closed equal the coins taken over (λ = 1 closes them all; what is still missing then stays
// uncovered and is reported as not matched). A reduced isolated position keeps its
// liquidation and bankruptcy prices (its margin and maintenance amount shrink in proportion).
//
// A path keeps its ADL events in a small ledger; a position's remaining fraction is the
// product of (1 − λ) over the events that reached it — a pure function of the position's
// entry price and the events, so the ladder stays a prefix per group and nothing per
// position is stored per path. Ladders of an (asset, side) with events fall back from
// prefix sums to per-position sums (ADL steps are the rare tail).
#pragma once

#include <cstdint>

#include "macros.h"
#include "position.h"

namespace liq {

enum class AdlRule : std::int32_t { none = 0, pro_rata = 1 };

/// Events a path can record; a further ADL step is not matched (its deficit stays, and
/// the path counts it in adl_unmatched_usd).
constexpr int kMaxAdlEvents = 16;

/// One ADL step on one (asset, side): positions of that side in profit at `price` and
/// cumulative funding `funding` keep the fraction `keep` of what they held.
struct AdlEvent {
  double price = 0.0;
  double funding = 0.0;
  double keep = 1.0;
  std::int32_t asset = 0;
  PositionSide side = PositionSide::long_side;
};

struct AdlLedger {
  std::int32_t n = 0;
  std::uint32_t touched = 0;  // bit 2·asset + side: that (asset, side) has events
  AdlEvent events[kMaxAdlEvents];

  LIQ_HD bool any(int asset, PositionSide side) const {
    return (touched >> (2 * asset + side_index(side))) & 1u;
  }
  /// The fraction of a position (asset, side, entry) that ADL has left open.
  LIQ_HD double remaining(int asset, PositionSide side, double entry) const {
    double keep = 1.0;
    for (std::int32_t i = 0; i < n; ++i) {
      const AdlEvent& e = events[i];
      if (e.asset == asset && e.side == side && in_profit(side, entry, e.price, e.funding))
        keep *= e.keep;
    }
    return keep;
  }
  /// Records an event; false when the ledger is full.
  LIQ_HD bool record(int asset, PositionSide side, double price, double funding, double keep) {
    if (n >= kMaxAdlEvents) return false;
    AdlEvent& e = events[n++];
    e.asset = asset;
    e.side = side;
    e.price = price;
    e.funding = funding;
    e.keep = keep;
    touched |= 1u << (2 * asset + side_index(side));
    return true;
  }
};

}  // namespace liq
