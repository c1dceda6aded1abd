// liqstress tests — volatility regimes (docs/MODEL.md §1): a two-state Markov chain per path,
// calm ⇄ stressed at rates a (calm → stressed) and b per day. Known answers of the two-state
// chain: from calm, P(stressed at t) = a/(a+b)·(1 − e^{−(a+b)t}); from the stationary law the
// share stays b/(a+b) in calm; and the terminal variance of the log-return is
// σ²·E[∫ v(t)² dt] = σ²T·(π_calm·1 + π_stressed·m²) for a stressed multiplier m. Shares are
// checked per step with the binomial standard error, the variance with its batch standard
// error; k = 4 throughout (fixed seeds).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "host/model/market_model.h"
#include "host/model/path_rows.h"
#include "host/model/step_sums.h"
#include "tests/statistical/sim_helpers.h"

namespace liq::test {
namespace {

constexpr double kA = 0.5, kB = 2.0;  // per day
constexpr double kK = 4.0;

Scenario two_regimes(int initial, double stressed_vol) {
  Scenario sc;
  sc.source_file = "regimes.toml";
  sc.simulation.paths = 1;
  sc.simulation.horizon_s = 2.0 * 86400.0;
  sc.simulation.step_s = 3600.0;
  sc.simulation.seed = 77;
  AssetSpec btc;
  btc.symbol = "BTC";
  btc.spot = 100.0;
  btc.vol = 0.6;
  sc.assets = {btc};
  sc.correlation = {1.0};
  RegimeSpec calm, stressed;
  calm.name = "calm";
  calm.rates_per_day = {0.0, kA};
  stressed.name = "stressed";
  stressed.vol_multiplier = {stressed_vol};
  stressed.rates_per_day = {kB, 0.0};
  sc.regimes = {calm, stressed};
  sc.initial_regime = initial;
  return sc;
}

struct Shares {
  std::vector<double> stressed;  // per step
  std::size_t n = 0;
};

Shares run(const Scenario& sc, std::size_t n, PathRows* rows_out = nullptr) {
  const MarketModel market(sc);
  Model m;
  m.market = market.params();
  const StepCells cells{m.market.n_steps, 1, m.market.n_regimes};
  PathRows rows;
  rows.resize(n, 1);
  StepSums sums;
  sums.reset(cells.total());
  const ExactSums sink = sums.view();
  for (std::size_t i = 0; i < n; ++i) simulate_path(m, i, i, rows.view(), sink);
  Shares s;
  s.n = n;
  for (int k = 0; k < m.market.n_steps; ++k)
    s.stressed.push_back(sums.mean(cells.regime(k, 1), n, 1.0));
  if (rows_out != nullptr) *rows_out = std::move(rows);
  return s;
}

TEST(Regimes, FromCalmTheStressedShareFollowsTheTwoStateLaw) {
  const Shares s = run(two_regimes(0, 2.0), 20000);
  for (std::size_t k = 0; k < s.stressed.size(); k += 6) {
    const double t = static_cast<double>(k + 1) / 24.0;  // step k ends at (k+1) hours
    // The regime of step k is drawn at its start from step k−1's: k transitions from calm.
    const double tk = static_cast<double>(k) / 24.0;
    const double p = kA / (kA + kB) * (1.0 - std::exp(-(kA + kB) * tk));
    const double se = std::sqrt(std::max(p * (1.0 - p), 1e-12) / static_cast<double>(s.n));
    EXPECT_NEAR(s.stressed[k], p, kK * se + 1e-12) << "step " << k << " (t = " << t << " d)";
  }
  EXPECT_EQ(s.stressed[0], 0.0) << "every path starts calm";
}

TEST(Regimes, FromTheStationaryLawTheShareStays) {
  const Shares s = run(two_regimes(-1, 2.0), 20000);
  const double pi = kA / (kA + kB);
  const double se = std::sqrt(pi * (1.0 - pi) / static_cast<double>(s.n));
  for (std::size_t k = 0; k < s.stressed.size(); k += 8)
    EXPECT_NEAR(s.stressed[k], pi, kK * se) << "step " << k;
}

TEST(Regimes, TerminalVarianceMixesTheRegimesVariances) {
  // Stationary start, multiplier 3 in the stressed regime: Var = σ²T(0.8 + 0.2·9) = 2.6σ²T.
  PathRows rows;
  run(two_regimes(-1, 3.0), 40000, &rows);
  const std::vector<double> x = column(rows.final_log_return, 1, 0);
  const CumulantEstimates e = cumulant_estimates(x);
  const double t = 2.0 / kDaysPerYear, sigma = 0.6, pi = kA / (kA + kB);
  std::printf("variance %.6g ± %.2g, expected %.6g\n", e.k[1].value, e.k[1].se,
              sigma * sigma * t * ((1 - pi) + pi * 9.0));
  const double want = sigma * sigma * t * ((1 - pi) + pi * 9.0);
  EXPECT_LE(std::fabs(e.k[1].value - want), kK * e.k[1].se) << "variance " << e.k[1].value;
  // Without regimes (multiplier 1 everywhere) the variance would be σ²T: far outside.
  EXPECT_GT(std::fabs(sigma * sigma * t - want), 10.0 * e.k[1].se);
}

}  // namespace
}  // namespace liq::test
