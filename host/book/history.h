// liqstress — books in equilibrium (book.synthetic.history, docs/MODEL.md §3): a synthetic
// book is what survived its own past. A position opens at a uniform time of the past H at the
// price of that moment, and is kept only if the price has not touched its liquidation price
// since. Each position draws its own past exactly in continuous time: the log price at its
// opening (age s back from spot) is Normal(−ν s, σ² s) with ν = μ − σ²/2, and the lowest
// (highest) log price between then and now is that Brownian bridge's extreme, one uniform —
// the bridge formula the simulation itself monitors with (kernels/distributions.h).
#pragma once

#include <cstdint>
#include <functional>

#include "host/scenario/scenario.h"
#include "kernels/philox.h"

namespace liq {

/// The law of an asset's past: annualised volatility and drift, and how far back positions open.
struct HistoryLaw {
  double vol = 0.0;
  double drift = 0.0;
  double history_s = 0.0;
};

/// The opening of a position that survived to t = 0: ln(E / spot) and its age.
struct Opening {
  double log_entry = 0.0;
  double age_s = 0.0;
};

/// The opening of a `side` position whose liquidation price is liq_over_entry · E, conditional
/// on its survival, by rejection: attempt k uses the four words draw(k) (age, two for the
/// normal, the bridge's uniform). After kAttempts rejections (probability < 1e-12 for the
/// shipped tier tables' leverage) the position opens at spot now (age 0), which survives.
Opening surviving_opening(Side side, double liq_over_entry, const HistoryLaw& law,
                          const std::function<U32x4(std::uint32_t)>& draw);

constexpr std::uint32_t kHistoryAttempts = 4096;

}  // namespace liq
