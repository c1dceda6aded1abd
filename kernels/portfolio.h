// liqstress — cross-margin accounts (MODEL.md §3, SPEC.md [[portfolio]]): one collateral pool
// over several assets, liquidated as a whole when equity falls below its maintenance margin.
// Accounts cannot be laddered; each live account is evaluated every step. Evaluation uses
// each position's adverse extreme of the step (the low for longs, the high for shorts, Brownian-
// bridge extremes included): a conservative reading of continuous monitoring, because the
// extremes of different assets need not happen at the same moment.
// P&L is the change of the account's equity over the horizon, marked to market at spot at
// the start: equity = collateral + Σ s·q·(S − E) − Σ s·q·F, s = +1 long, −1 short.
#pragma once

#include <math.h>

#include <cstdint>

#include "book.h"
#include "fmath.h"
#include "macros.h"

namespace liq {

constexpr int kMaxPortfolios = 32;

struct PortfolioAccount {
  double collateral_usd = 0.0;
  std::int32_t begin = 0;  // positions [begin, end) of the PortfolioView arrays
  std::int32_t end = 0;
};

struct PortfolioView {
  std::int32_t n_accounts = 0;
  const PortfolioAccount* accounts = nullptr;
  const std::int32_t* asset = nullptr;      // per position
  const double* signed_quantity = nullptr;  // s·q: coins, > 0 long, < 0 short
  const double* entry = nullptr;            // E, USD
  const double* mm_rate = nullptr;          // tier maintenance rate (by entry notional)
  const double* maint_amount = nullptr;     // tier cumulative amount, USD
};

/// Equity and maintenance margin of account `a` at the prices `price_of(position)`.
template <typename PriceOf>
LIQ_HD LIQ_FORCEINLINE void account_state(const PortfolioView& v, int a, const double* funding,
                                          PriceOf price_of, double& equity, double& maintenance,
                                          double& notional) {
  const PortfolioAccount& acc = v.accounts[a];
  equity = acc.collateral_usd;
  maintenance = 0.0;
  notional = 0.0;
  for (std::int32_t i = acc.begin; i < acc.end; ++i) {
    const double sq = v.signed_quantity[i];
    const double s = price_of(i);
    equity += sq * (s - v.entry[i]) - sq * funding[v.asset[i]];
    const double n = fabs(sq) * s;
    notional += n;
    maintenance += fm::fmax(v.mm_rate[i] * n - v.maint_amount[i], 0.0);
  }
}

}  // namespace liq
