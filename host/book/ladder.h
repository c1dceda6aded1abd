// liqstress — from a Book and the scenario's [[portfolio]] accounts to the kernels' views
// (kernels/book.h, kernels/portfolio.h): positions grouped into ladders by (asset, side,
// funding group) and sorted in the order the market reaches them. Owns the flat arrays the
// views point into.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "host/book/book.h"
#include "host/scenario/scenario.h"
#include "kernels/path.h"

namespace liq {

class Ladders {
 public:
  /// Builds the ladders of `book` and the accounts of `scenario.portfolios` (their
  /// maintenance rates from `tiers`). InputError when the book needs more ladder groups
  /// than kMaxLadderGroups or there are more than kMaxPortfolios accounts.
  Ladders(const Scenario& scenario, const Book& book, const TierTable& tiers);

  /// Views of this object's arrays (host memory): valid while it lives.
  BookView book_view() const;
  PortfolioView portfolio_view() const;

  std::size_t positions() const { return trigger_.size(); }
  std::size_t groups() const { return groups_.size(); }
  /// Bytes held by the arrays (for the memory estimate).
  std::size_t bytes() const;

 private:
  /// Sorts one group's members into trigger order and appends them to the arrays.
  LadderGroup build_group(const Scenario& sc, const Book& book, std::int32_t asset, Side side,
                          bool uniform, const std::vector<std::size_t>& members);

  std::vector<LadderGroup> groups_;
  std::vector<double> trigger_, quantity_, bankrupt_, entry_, prefix_q_, prefix_qk_;
  double liquidation_fee_ = 0.0;
  double fund_start_usd_ = 0.0;
  AdlRule adl_ = AdlRule::pro_rata;
  std::vector<PortfolioAccount> accounts_;
  std::vector<std::int32_t> pf_asset_;
  std::vector<double> pf_signed_quantity_, pf_entry_, pf_mm_rate_, pf_maint_amount_;
};

}  // namespace liq
