// liqstress — everything a run simulates, built from a Scenario in one place: the market
// (host/model/market_model.h), the tier table and book (host/book/book.h) and their ladders and
// accounts (host/book/ladder.h). Owns the arrays the kernels' Model points into.
#pragma once

#include <utility>

#include "host/book/book.h"
#include "host/book/ladder.h"
#include "host/model/market_model.h"
#include "host/scenario/scenario.h"
#include "kernels/path.h"

namespace liq {

class ModelInputs {
 public:
  explicit ModelInputs(const Scenario& scenario)
      : ModelInputs(scenario, load_tier_table(scenario)) {}
  /// With the scenario's tier table already loaded (host/run/run_setup.h records its provenance
  /// before the book is read).
  ModelInputs(const Scenario& scenario, TierTable tiers)
      : market_(scenario),
        tiers_(std::move(tiers)),
        book_(load_book(scenario, tiers_)),
        ladders_(scenario, book_, tiers_),
        impact_(impact_params(scenario)) {}
  ModelInputs(const ModelInputs&) = delete;
  ModelInputs& operator=(const ModelInputs&) = delete;

  /// The full model: prices, book and accounts (views valid while this object lives).
  Model model() const {
    Model m;
    m.market = market_.params();
    m.book = ladders_.book_view();
    m.portfolios = ladders_.portfolio_view();
    m.impact = impact_;
    return m;
  }
  /// The price model alone (no book, no accounts).
  Model prices_only() const {
    Model m;
    m.market = market_.params();
    return m;
  }
  /// The importance tilt of `scenario` from now on (the automatic tilt, once chosen).
  void set_importance(const Scenario& scenario) { market_.set_importance(scenario); }
  const Book& book() const { return book_; }
  const Ladders& ladders() const { return ladders_; }

 private:
  MarketModel market_;
  TierTable tiers_;
  Book book_;
  Ladders ladders_;
  ImpactParams impact_;
};

}  // namespace liq
