// liqstress — building the liquidation ladders and account views (see ladder.h).
#include "host/book/ladder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>

#include "host/util/errors.h"

namespace liq {

LadderGroup Ladders::build_group(const Scenario& sc, const Book& book, std::int32_t asset,
                                 Side side, bool uniform, const std::vector<std::size_t>& members) {
  const bool is_long = side == Side::long_side;
  const bool funded = sc.assets[static_cast<std::size_t>(asset)].funded();
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
  g.side = position_side(side);
  g.begin = static_cast<std::int32_t>(trigger_.size());
  const Position& first = book.positions[members.front()];
  g.funding_scale =
      funded ? (is_long ? 1.0 / (1.0 - first.mm_rate) : 1.0 / (1.0 + first.mm_rate)) : 0.0;
  // One mm and A: settlement at P_liq·f is linear in N = q·K (kernels/book.h), given bounds
  // on N over the group.
  g.uniform = uniform ? 1 : 0;
  g.mm = first.mm_rate;
  g.amount = first.maint_amount_usd;
  g.n_min = HUGE_VAL;
  g.n_max = 0.0;
  double sum_q = 0.0, sum_qk = 0.0;
  for (std::size_t j : order) {
    const Position& p = book.positions[members[j]];
    trigger_.push_back(k[j]);
    quantity_.push_back(p.quantity);
    bankrupt_.push_back(bankruptcy_price(p));
    entry_.push_back(p.entry_price);
    sum_q += p.quantity;
    sum_qk += p.quantity * k[j];
    prefix_q_.push_back(sum_q);
    prefix_qk_.push_back(sum_qk);
    g.n_min = std::min(g.n_min, p.quantity * k[j]);
    g.n_max = std::max(g.n_max, p.quantity * k[j]);
    g.q_max = std::max(g.q_max, p.quantity);
  }
  g.end = static_cast<std::int32_t>(trigger_.size());
  return g;
}

Ladders::Ladders(const Scenario& sc, const Book& book, const TierTable& tiers)
    : liquidation_fee_(sc.insurance_fund.liquidation_fee),
      fund_start_usd_(sc.insurance_fund.balance_usd),
      adl_(sc.insurance_fund.adl == AdlRuleSpec::none ? AdlRule::none : AdlRule::pro_rata) {
  // Positions share a ladder when they share asset, side, maintenance rate and amount: then
  // funding moves all their liquidation prices by the same F/(1 ∓ mm) and diffusion
  // crossings can be summed from prefix sums (kernels/book.h). A CSV book with very many
  // distinct maintenance rates falls back to one ladder per (asset, side) — per maintenance
  // rate where the asset has funding, which exactness needs — without the shortcut.
  using Key = std::tuple<std::int32_t, Side, double, double>;
  auto group_positions = [&](bool uniform) {
    std::map<Key, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < book.positions.size(); ++i) {
      const Position& p = book.positions[i];
      const bool funded = sc.assets[static_cast<std::size_t>(p.asset)].funded();
      const Key key = uniform ? Key{p.asset, p.side, p.mm_rate, p.maint_amount_usd}
                              : Key{p.asset, p.side, funded ? p.mm_rate : -1.0, -1.0};
      groups[key].push_back(i);
    }
    return groups;
  };
  bool uniform = true;
  std::map<Key, std::vector<std::size_t>> by_group = group_positions(true);
  if (by_group.size() > static_cast<std::size_t>(kMaxLadderGroups)) {
    uniform = false;
    by_group = group_positions(false);
  }
  if (by_group.size() > static_cast<std::size_t>(kMaxLadderGroups)) {
    throw InputError(book.description + ": the book needs " + std::to_string(by_group.size()) +
                     " ladders (asset × side × maintenance rate, with funding on), more than " +
                     std::to_string(kMaxLadderGroups) +
                     "; use fewer distinct maintenance_rate values or set funding_8h = 0");
  }
  const std::size_t n_positions = book.positions.size();
  for (std::vector<double>* v :
       {&trigger_, &quantity_, &bankrupt_, &entry_, &prefix_q_, &prefix_qk_})
    v->reserve(n_positions);
  for (auto& [key, members] : by_group) {
    groups_.push_back(build_group(sc, book, std::get<0>(key), std::get<1>(key), uniform, members));
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
  v.entry = entry_.data();
  v.prefix_q = prefix_q_.data();
  v.prefix_qk = prefix_qk_.data();
  // groups_ come out of a map keyed by asset first: each asset's groups are contiguous.
  for (const LadderGroup& g : groups_) v.asset_groups[g.asset + 1] += 1;
  for (int a = 0; a < kMaxAssets; ++a) v.asset_groups[a + 1] += v.asset_groups[a];
  v.liquidation_fee = liquidation_fee_;
  v.fund_start_usd = fund_start_usd_;
  v.adl = adl_;
  for (const LadderGroup& g : groups_) {
    v.open_coins[g.asset][side_index(g.side)] += g.end > g.begin ? prefix_q_[g.end - 1] : 0.0;
  }
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
  return groups_.size() * sizeof(LadderGroup) + 6 * trigger_.size() * sizeof(double) +
         accounts_.size() * sizeof(PortfolioAccount) + pf_asset_.size() * (4 + 4 * sizeof(double));
}

}  // namespace liq
