// liqstress — per-path result rows held on the host for one batch of paths: the PathResult
// of the architecture. Kernels see it only through liq::PathOut views (kernels/path.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/path.h"

namespace liq {

struct PathRows {
  std::size_t n_rows = 0;
  int n_assets = 0;
  int n_portfolios = 0;
  std::vector<double> final_log_return;             // [n_rows × A]
  std::vector<double> min_log_return;               // [n_rows × A]
  std::vector<double> max_log_return;               // [n_rows × A]
  std::vector<double> weight;                       // [n_rows]
  std::vector<double> liquidated_usd;               // [n_rows × A × 2]
  std::vector<std::uint32_t> liquidated_positions;  // [n_rows × A × 2]
  std::vector<double> bad_debt_usd;                 // [n_rows]
  std::vector<double> adl_usd;                      // [n_rows]
  std::vector<double> adl_closed_usd;               // [n_rows]
  std::vector<double> insurance_fund_usd;           // [n_rows]
  std::vector<double> portfolio_pnl_usd;            // [n_rows × P]
  std::vector<std::uint8_t> portfolio_liquidated;   // [n_rows × P]
  std::vector<std::uint16_t> cascade_rounds;        // [n_rows]

  void resize(std::size_t rows, int assets, int portfolios = 0) {
    n_rows = rows;
    n_assets = assets;
    n_portfolios = portfolios;
    const std::size_t cells = rows * static_cast<std::size_t>(assets);
    final_log_return.assign(cells, 0.0);
    min_log_return.assign(cells, 0.0);
    max_log_return.assign(cells, 0.0);
    weight.assign(rows, 0.0);
    liquidated_usd.assign(cells * 2, 0.0);
    liquidated_positions.assign(cells * 2, 0);
    bad_debt_usd.assign(rows, 0.0);
    adl_usd.assign(rows, 0.0);
    adl_closed_usd.assign(rows, 0.0);
    insurance_fund_usd.assign(rows, 0.0);
    portfolio_pnl_usd.assign(rows * static_cast<std::size_t>(portfolios), 0.0);
    portfolio_liquidated.assign(rows * static_cast<std::size_t>(portfolios), 0);
    cascade_rounds.assign(rows, 0);
  }

  PathOut view() {
    PathOut o;
    o.final_log_return = final_log_return.data();
    o.min_log_return = min_log_return.data();
    o.max_log_return = max_log_return.data();
    o.weight = weight.data();
    o.liquidated_usd = liquidated_usd.data();
    o.liquidated_positions = liquidated_positions.data();
    o.bad_debt_usd = bad_debt_usd.data();
    o.adl_usd = adl_usd.data();
    o.adl_closed_usd = adl_closed_usd.data();
    o.insurance_fund_usd = insurance_fund_usd.data();
    o.portfolio_pnl_usd = n_portfolios > 0 ? portfolio_pnl_usd.data() : nullptr;
    o.portfolio_liquidated = n_portfolios > 0 ? portfolio_liquidated.data() : nullptr;
    o.cascade_rounds = cascade_rounds.data();
    return o;
  }
};

}  // namespace liq
