// liqstress — metrics and their per-path columns (see metrics.h).
#include "host/stats/metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <type_traits>

namespace liq {

ColumnSpec column_spec(Column c, int index, int side, int assets, int portfolios) {
  const auto a = static_cast<std::size_t>(assets);
  const auto i = static_cast<std::size_t>(index);
  switch (c) {
    case Column::total:
      return {"liquidated_usd", 2 * a, 0, true, false};
    case Column::liquidated:
      return {"liquidated_usd", 2 * a, 2 * i + static_cast<std::size_t>(side), false, false};
    case Column::bad_debt:
      return {"bad_debt_usd"};
    case Column::adl:
      return {"adl_usd"};
    case Column::adl_closed:
      return {"adl_closed_usd"};
    case Column::fund:
      return {"insurance_fund_usd"};
    case Column::weight:
      return {"weight"};
    case Column::loss:
      return {"portfolio_pnl_usd", static_cast<std::size_t>(portfolios), i, false, true};
    case Column::final_lr:
      return {"final_log_return", a, i, false, false};
    case Column::min_lr:
      return {"min_log_return", a, i, false, false};
    case Column::max_lr:
      return {"max_log_return", a, i, false, false};
  }
  return {};
}

PathColumns::PathColumns(int assets, int portfolios)
    : n_assets_(assets), n_portfolios_(portfolios) {
  auto keep = [&](Column c, int index = 0, int side = 0) {
    kept_.push_back(Kept{c, index, side, column_spec(c, index, side, assets, portfolios), {}});
  };
  for (Column c : {Column::final_lr, Column::min_lr, Column::max_lr})
    for (int a = 0; a < assets; ++a) keep(c, a);
  for (int a = 0; a < assets; ++a)
    for (int side = 0; side < 2; ++side) keep(Column::liquidated, a, side);
  for (Column c : {Column::total, Column::bad_debt, Column::adl, Column::adl_closed, Column::fund,
                   Column::weight})
    keep(c);
  for (int p = 0; p < portfolios; ++p) keep(Column::loss, p);
}

void PathColumns::resize(std::size_t n) {
  for (Kept& k : kept_) k.values.resize(n, 0.0);
}

void PathColumns::add(const PathRows& rows) {
  put(size(), rows);
}

void PathColumns::put(std::size_t row, const PathRows& rows) {
  if (row + rows.n_rows > size()) resize(row + rows.n_rows);
  for (Kept& k : kept_) {
    const std::vector<double>* field = nullptr;
    rows.visit([&](const RecordField& f, const auto& values) {
      if constexpr (std::is_same_v<std::decay_t<decltype(values)>, std::vector<double>>) {
        if (std::string_view(f.name) == k.spec.field) field = &values;
      }
    });
    for (std::size_t r = 0; r < rows.n_rows; ++r)
      k.values[row + r] = column_value(k.spec, field->data() + r * k.spec.width);
  }
}

const std::vector<double>& PathColumns::ref(Column c, int index, int side) const {
  for (const Kept& k : kept_) {
    if (k.column == c && k.index == index && k.side == side) return k.values;
  }
  throw std::out_of_range("PathColumns: no such column");
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

std::vector<MetricColumn> metric_columns(const std::vector<std::string>& assets,
                                         const std::vector<std::string>& portfolios) {
  std::vector<MetricColumn> out;
  out.push_back({"total_liquidated_usd", "total liquidated", Column::total});
  for (std::size_t a = 0; a < assets.size(); ++a) {
    for (int side = 0; side < 2; ++side) {
      const std::string s = side == 0 ? "long" : "short";
      out.push_back({"liquidated_usd/" + assets[a] + "/" + s, assets[a] + " " + s,
                     Column::liquidated, static_cast<int>(a), side});
    }
  }
  out.push_back({"bad_debt_usd", "bad debt", Column::bad_debt});
  out.push_back({"adl_usd", "ADL deficit", Column::adl});
  out.push_back({"adl_closed_usd", "ADL closed notional", Column::adl_closed});
  for (std::size_t p = 0; p < portfolios.size(); ++p)
    out.push_back({"portfolio_loss_usd/" + portfolios[p], "loss of " + portfolios[p], Column::loss,
                   static_cast<int>(p)});
  return out;
}

std::vector<Metric> compute_metrics(const ColumnSource& c, const std::vector<std::string>& assets,
                                    const std::vector<std::string>& portfolios,
                                    const SummaryOptions& options) {
  std::vector<Metric> out;
  const std::vector<double> w = c.column(Column::weight);
  for (const MetricColumn& m : metric_columns(assets, portfolios)) {
    const std::vector<double> x = c.column(m.column, m.index, m.side);
    out.push_back(Metric{m.name, m.label, summarize(x, w, options)});
  }
  return out;
}

std::optional<std::size_t> find_value(const std::vector<double>& values, double value) {
  const auto it = std::find(values.begin(), values.end(), value);
  if (it == values.end()) return std::nullopt;
  return static_cast<std::size_t>(it - values.begin());
}

}  // namespace liq
