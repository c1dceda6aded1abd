// liqstress — per-path result rows held on the host for one batch of paths: the
// PathResult of the architecture. Grows with the model (books, liquidations, portfolios
// in later versions); kernels see it only through liq::PathOut views.
#pragma once

#include <cstddef>
#include <vector>

#include "kernels/market.h"

namespace liq {

struct PathRows {
  std::size_t n_rows = 0;
  int n_assets = 0;
  std::vector<double> final_log_return;  // [n_rows * n_assets]
  std::vector<double> min_log_return;    // [n_rows * n_assets]
  std::vector<double> max_log_return;    // [n_rows * n_assets]
  std::vector<double> weight;            // [n_rows]

  void resize(std::size_t rows, int assets) {
    n_rows = rows;
    n_assets = assets;
    const std::size_t cells = rows * static_cast<std::size_t>(assets);
    final_log_return.assign(cells, 0.0);
    min_log_return.assign(cells, 0.0);
    max_log_return.assign(cells, 0.0);
    weight.assign(rows, 0.0);
  }

  PathOut view() {
    return PathOut{final_log_return.data(), min_log_return.data(), max_log_return.data(),
                   weight.data()};
  }
};

}  // namespace liq
