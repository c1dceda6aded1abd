// liqstress — metrics and their per-path columns (see metrics.h).
#include "host/stats/metrics.h"

#include <algorithm>
#include <cmath>

namespace liq {

PathColumns::PathColumns(int assets, int portfolios)
    : n_assets_(assets),
      n_portfolios_(portfolios),
      final_lr_(assets),
      min_lr_(assets),
      max_lr_(assets),
      liquidated_(2 * static_cast<std::size_t>(assets)),
      loss_(portfolios) {}

void PathColumns::resize(std::size_t n) {
  for (auto* group : {&final_lr_, &min_lr_, &max_lr_, &liquidated_, &loss_})
    for (std::vector<double>& v : *group) v.resize(n, 0.0);
  for (std::vector<double>* v : {&total_, &bad_debt_, &adl_, &adl_closed_, &fund_, &weight_})
    v->resize(n, 0.0);
}

void PathColumns::add(const PathRows& rows) {
  put(size(), rows);
}

void PathColumns::put(std::size_t row, const PathRows& rows) {
  if (row + rows.n_rows > size()) resize(row + rows.n_rows);
  for (std::size_t r = 0; r < rows.n_rows; ++r) {
    const std::size_t at = row + r;
    double sum = 0.0;
    for (int a = 0; a < n_assets_; ++a) {
      const std::size_t i = r * static_cast<std::size_t>(n_assets_) + a;
      final_lr_[a][at] = rows.final_log_return[i];
      min_lr_[a][at] = rows.min_log_return[i];
      max_lr_[a][at] = rows.max_log_return[i];
      liquidated_[2 * a][at] = rows.liquidated_usd[2 * i];
      liquidated_[2 * a + 1][at] = rows.liquidated_usd[2 * i + 1];
      sum += rows.liquidated_usd[2 * i];
      sum += rows.liquidated_usd[2 * i + 1];
    }
    total_[at] = sum;
    bad_debt_[at] = rows.bad_debt_usd[r];
    adl_[at] = rows.adl_usd[r];
    adl_closed_[at] = rows.adl_closed_usd[r];
    fund_[at] = rows.insurance_fund_usd[r];
    weight_[at] = rows.weight[r];
    for (int p = 0; p < n_portfolios_; ++p)
      loss_[p][at] = -rows.portfolio_pnl_usd[r * static_cast<std::size_t>(n_portfolios_) + p];
  }
}

const std::vector<double>& PathColumns::ref(Column c, int index, int side) const {
  switch (c) {
    case Column::total:
      return total_;
    case Column::liquidated:
      return liquidated_.at(2 * static_cast<std::size_t>(index) + side);
    case Column::bad_debt:
      return bad_debt_;
    case Column::adl:
      return adl_;
    case Column::adl_closed:
      return adl_closed_;
    case Column::fund:
      return fund_;
    case Column::weight:
      return weight_;
    case Column::loss:
      return loss_.at(index);
    case Column::final_lr:
      return final_lr_.at(index);
    case Column::min_lr:
      return min_lr_.at(index);
    case Column::max_lr:
      return max_lr_.at(index);
  }
  return total_;
}

std::vector<double> PathColumns::column(Column c, int index, int side) const {
  return ref(c, index, side);
}

void PathCounts::add(const PathRows& rows) {
  if (liquidated_accounts.size() < static_cast<std::size_t>(rows.n_portfolios))
    liquidated_accounts.resize(static_cast<std::size_t>(rows.n_portfolios), 0);
  for (std::size_t r = 0; r < rows.n_rows; ++r) {
    const std::uint16_t rounds = rows.cascade_rounds[r];
    most_rounds = std::max(most_rounds, rounds);
    if (paths_by_rounds.size() <= rounds) paths_by_rounds.resize(rounds + std::size_t{1}, 0);
    ++paths_by_rounds[rounds];
    for (int p = 0; p < rows.n_portfolios; ++p)
      liquidated_accounts[p] +=
          rows.portfolio_liquidated[r * static_cast<std::size_t>(rows.n_portfolios) + p];
  }
}

std::vector<Metric> compute_metrics(const ColumnSource& c, const std::vector<std::string>& assets,
                                    const std::vector<std::string>& portfolios,
                                    const SummaryOptions& options) {
  std::vector<Metric> out;
  const std::vector<double> w = c.column(Column::weight);
  auto add = [&](std::string name, std::string label, Column col, int index = 0, int side = 0) {
    const std::vector<double> x = c.column(col, index, side);
    out.push_back(Metric{std::move(name), std::move(label), summarize(x, w, options)});
  };
  add("total_liquidated_usd", "total liquidated", Column::total);
  for (int a = 0; a < c.n_assets(); ++a) {
    for (int side = 0; side < 2; ++side) {
      const std::string s = side == 0 ? "long" : "short";
      add("liquidated_usd/" + assets[a] + "/" + s, assets[a] + " " + s, Column::liquidated, a,
          side);
    }
  }
  add("bad_debt_usd", "bad debt", Column::bad_debt);
  add("adl_usd", "ADL deficit", Column::adl);
  add("adl_closed_usd", "ADL closed notional", Column::adl_closed);
  for (int p = 0; p < c.n_portfolios(); ++p)
    add("portfolio_loss_usd/" + portfolios[p], "loss of " + portfolios[p], Column::loss, p);
  return out;
}

std::optional<std::size_t> find_value(const std::vector<double>& values, double value) {
  const auto it = std::find(values.begin(), values.end(), value);
  if (it == values.end()) return std::nullopt;
  return static_cast<std::size_t>(it - values.begin());
}

}  // namespace liq
