// liqstress — building the liquidation ladders and account views (see ladder.h).
#include "host/ladder.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>

#include "host/errors.h"

namespace liq {

Ladders::Ladders(const Scenario& sc, const Book& book, const TierTable& tiers)
    : liquidation_fee_(sc.insurance_fund.liquidation_fee),
      fund_start_usd_(sc.insurance_fund.balance_usd) {
  // Funding shifts every liquidation price of a position by F/(1 ∓ mm): positions share a
  // ladder when they share asset, side and — where the asset has funding — mm. Without
  // funding one ladder per (asset, side) is exact.
  using Key = std::tuple<std::int32_t, std::int32_t, double>;
  std::map<Key, std::vector<std::size_t>> by_group;
  for (std::size_t i = 0; i < book.positions.size(); ++i) {
    const Position& p = book.positions[i];
    const bool funded = sc.assets[static_cast<std::size_t>(p.asset)].funding_8h != 0.0;
    by_group[Key{p.asset, static_cast<std::int32_t>(p.side), funded ? p.mm_rate : -1.0}].push_back(
        i);
  }
  if (by_group.size() > static_cast<std::size_t>(kMaxLadderGroups)) {
    throw InputError(book.description + ": the book needs " + std::to_string(by_group.size()) +
                     " ladders (asset × side × maintenance rate, with funding on), more than " +
                     std::to_string(kMaxLadderGroups) +
                     "; use fewer distinct maintenance_rate values or set funding_8h = 0");
  }
  trigger_.reserve(book.positions.size());
  quantity_.reserve(book.positions.size());
  bankrupt_.reserve(book.positions.size());
  for (auto& [key, members] : by_group) {
    const auto [asset, side, mm_key] = key;
    const bool is_long = side == 0;
    // The order the market reaches them: longs from the highest liquidation price down,
    // shorts from the lowest up; ties broken by index so the order is total.
    std::vector<double> k(members.size());
    for (std::size_t j = 0; j < members.size(); ++j)
      k[j] = liquidation_price(book.positions[members[j]]);
    std::vector<std::size_t> order(members.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      return is_long ? k[x] > k[y] : k[x] < k[y];
    });
    LadderGroup g;
    g.asset = asset;
    g.side = side;
    g.begin = static_cast<std::int32_t>(trigger_.size());
    const double mm = mm_key >= 0.0 ? mm_key : 0.0;
    g.funding_scale = mm_key >= 0.0 ? (is_long ? 1.0 / (1.0 - mm) : 1.0 / (1.0 + mm)) : 0.0;
    for (std::size_t j : order) {
      const Position& p = book.positions[members[j]];
      trigger_.push_back(k[j]);
      quantity_.push_back(p.quantity);
      bankrupt_.push_back(bankruptcy_price(p));
    }
    g.end = static_cast<std::int32_t>(trigger_.size());
    groups_.push_back(g);
  }

  if (sc.portfolios.size() > static_cast<std::size_t>(kMaxPortfolios)) {
    throw InputError(sc.source_file.string() + ": " + std::to_string(sc.portfolios.size()) +
                     " [[portfolio]] accounts; liqstress evaluates at most " +
                     std::to_string(kMaxPortfolios) + " per run");
  }
  for (const PortfolioSpec& ps : sc.portfolios) {
    PortfolioAccount acc;
    acc.collateral_usd = ps.collateral_usd;
    acc.begin = static_cast<std::int32_t>(pf_asset_.size());
    for (const PortfolioPosition& pp : ps.positions) {
      const AssetSpec& as = sc.assets[static_cast<std::size_t>(pp.asset)];
      const TierRow& bracket = tiers.bracket(as.symbol, pp.notional_usd);
      const double q = pp.notional_usd / pp.entry_price;
      pf_asset_.push_back(pp.asset);
      pf_signed_quantity_.push_back(pp.side == Side::long_side ? q : -q);
      pf_entry_.push_back(pp.entry_price);
      pf_mm_rate_.push_back(bracket.maintenance_margin_rate);
      pf_maint_amount_.push_back(bracket.maintenance_amount_usd);
    }
    acc.end = static_cast<std::int32_t>(pf_asset_.size());
    accounts_.push_back(acc);
  }
}

BookView Ladders::book_view() const {
  BookView v;
  v.n_groups = static_cast<std::int32_t>(groups_.size());
  v.groups = groups_.empty() ? nullptr : groups_.data();
  v.trigger = trigger_.data();
  v.quantity = quantity_.data();
  v.bankrupt = bankrupt_.data();
  v.liquidation_fee = liquidation_fee_;
  v.fund_start_usd = fund_start_usd_;
  return v;
}

PortfolioView Ladders::portfolio_view() const {
  PortfolioView v;
  v.n_accounts = static_cast<std::int32_t>(accounts_.size());
  v.accounts = accounts_.empty() ? nullptr : accounts_.data();
  v.asset = pf_asset_.data();
  v.signed_quantity = pf_signed_quantity_.data();
  v.entry = pf_entry_.data();
  v.mm_rate = pf_mm_rate_.data();
  v.maint_amount = pf_maint_amount_.data();
  return v;
}

std::size_t Ladders::bytes() const {
  return groups_.size() * sizeof(LadderGroup) + 3 * trigger_.size() * sizeof(double) +
         accounts_.size() * sizeof(PortfolioAccount) + pf_asset_.size() * (4 + 4 * sizeof(double));
}

}  // namespace liq
