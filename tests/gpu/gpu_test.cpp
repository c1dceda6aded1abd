// liqstress tests — the CUDA backend against its oracle, the CPU backend (ARCHITECTURE.md):
// Philox known answers on the device (ours and cuRAND's device API), the same paths on
// both backends, and terminal moments on the device. Skipped with the reason where no GPU
// is usable (or the build has no CUDA backend).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/book/book.h"
#include "host/book/ladder.h"
#include "host/model/market_model.h"
#include "host/model/model_inputs.h"
#include "host/scenario/config.h"
#include "kernels/path.h"
#include "kernels/philox.h"
#if defined(LIQ_HAVE_CUDA)
#include "tests/gpu/device_kat.h"
#endif
#include "tests/unit/same_bytes.h"

namespace liq {
namespace {

/// Skips the current test, saying why, unless a CUDA device is usable.
#define LIQ_REQUIRE_GPU()                                                              \
  do {                                                                                 \
    std::string why_;                                                                  \
    if (cuda_devices(why_).empty()) GTEST_SKIP() << "no usable CUDA device: " << why_; \
  } while (0)

/// A four-asset market with every random feature on: both kinds of jumps, Student-t
/// innovations, a shock and a volatility schedule.
struct TestMarket {
  std::vector<double> vol_multiplier;
  std::vector<std::int32_t> shock_step{30};
  std::vector<double> shock_lr{-0.05, -0.08, -0.1, -0.12};
  MarketParams p;
  explicit TestMarket(int steps, Innovations inn) : vol_multiplier(steps, 1.0) {
    for (int k = 30; k < 60 && k < steps; ++k) vol_multiplier[k] = 2.5;
    p.seed = 20251010;
    p.n_assets = 4;
    p.n_steps = steps;
    p.dt_years = 60.0 / (365.0 * 86400.0);
    p.sqrt_dt = std::sqrt(p.dt_years);
    p.innovations = inn;
    p.dof = 4.0;
    const double rho[4][4] = {
        {1, .85, .75, .7}, {.85, 1, .8, .7}, {.75, .8, 1, .7}, {.7, .7, .7, 1}};
    // Cholesky by hand (the host code has its own, tested separately).
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j <= i; ++j) {
        double s = rho[i][j];
        for (int k = 0; k < j; ++k) s -= p.chol[i * kMaxAssets + k] * p.chol[j * kMaxAssets + k];
        p.chol[i * kMaxAssets + j] = i == j ? std::sqrt(s) : s / p.chol[j * kMaxAssets + j];
      }
    const double vol[4] = {0.55, 0.75, 0.95, 1.1};
    for (int a = 0; a < 4; ++a) {
      p.vol[a] = vol[a];
      p.beta[a] = 1.0 + 0.2 * a;
      p.jump_count_mean[a] = 50.0 * p.dt_years * (a + 1);
      p.jump_mean[a] = -0.02;
      p.jump_stdev[a] = 0.04;
    }
    p.market_jump_count_mean = 20.0 * p.dt_years;
    p.market_jump_mean = -0.05;
    p.market_jump_stdev = 0.03;
    p.vol_multiplier = vol_multiplier.data();
    p.n_shock_steps = steps > 30 ? 1 : 0;
    p.shock_step = shock_step.data();
    p.shock_log_return = shock_lr.data();
  }
};

TEST(GpuPhilox, DeviceMatchesHostAndCurandDeviceApi) {
  LIQ_REQUIRE_GPU();
#if defined(LIQ_HAVE_CUDA)
  std::mt19937_64 gen(42);
  const std::size_t n = 4096;
  std::vector<std::uint32_t> c(4 * n), k(2 * n), ours, theirs;
  for (auto& x : c) x = static_cast<std::uint32_t>(gen());
  for (auto& x : k) x = static_cast<std::uint32_t>(gen());
  c[0] = c[1] = c[2] = c[3] = k[0] = k[1] = 0;  // Random123's first known answer
  test::device_philox_pairs(c, k, ours, theirs);
  EXPECT_EQ(ours[0], 0x6627e8d5u);
  EXPECT_EQ(ours[3], 0x9b00dbd8u);
  for (std::size_t i = 0; i < n; ++i) {
    const U32x4 host = philox4x32<10>(U32x4{{c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3]}},
                                      k[2 * i], k[2 * i + 1]);
    for (int j = 0; j < 4; ++j) {
      ASSERT_EQ(ours[4 * i + j], host.v[j]) << "case " << i;
      ASSERT_EQ(theirs[4 * i + j], host.v[j]) << "case " << i << " (cuRAND device API)";
    }
  }
#endif
}

TEST(GpuBackend, SamePathsAsTheCpuOracle) {
  LIQ_REQUIRE_GPU();
  for (Innovations inn : {Innovations::gaussian, Innovations::student_t}) {
    TestMarket m(240, inn);
    const std::size_t n = 8192;
    PathRows cpu, gpu;
    cpu.resize(n, 4);
    gpu.resize(n, 4);
    Model model;
    model.market = m.p;
    StepSums sums_cpu, sums_gpu;
    make_cpu_backend(0)->simulate(model, 1000, cpu, sums_cpu);
    std::string why;
    make_cuda_backend(cuda_devices(why).front())->simulate(model, 1000, gpu, sums_gpu);
    // Same draws and one math library (kernels/fmath.h; no contraction on either side):
    // the same bytes.
    EXPECT_EQ(first_difference(cpu.final_log_return, gpu.final_log_return), -1);
    EXPECT_EQ(first_difference(cpu.min_log_return, gpu.min_log_return), -1);
    EXPECT_EQ(first_difference(cpu.max_log_return, gpu.max_log_return), -1);
    for (std::size_t r = 0; r < n; ++r) ASSERT_EQ(gpu.weight[r], 1.0);
  }
}

TEST(GpuBackend, TerminalMomentsOfMertonJumpDiffusion) {
  LIQ_REQUIRE_GPU();
  // One asset-column of TestMarket without shocks or schedule: mean and variance of the
  // terminal log-return against MODEL.md §1, k = 5 standard errors over 2^20 paths.
  TestMarket m(60, Innovations::gaussian);
  m.p.vol_multiplier = nullptr;
  m.p.n_shock_steps = 0;
  const std::size_t n = std::size_t{1} << 20;
  PathRows rows;
  rows.resize(n, 4);
  std::string why;
  Model model;
  model.market = m.p;
  StepSums sums;
  make_cuda_backend(cuda_devices(why).front())->simulate(model, 0, rows, sums);
  const double T = m.p.dt_years * m.p.n_steps;
  for (int a = 0; a < 4; ++a) {
    const double lam = m.p.jump_count_mean[a] / m.p.dt_years, mj = m.p.jump_mean[a],
                 sj = m.p.jump_stdev[a];
    const double lamM = m.p.market_jump_count_mean / m.p.dt_years, b = m.p.beta[a];
    const double mM = m.p.market_jump_mean, sM = m.p.market_jump_stdev;
    const double mean = -0.5 * m.p.vol[a] * m.p.vol[a] * T + lam * T * mj + lamM * T * b * mM;
    const double var = m.p.vol[a] * m.p.vol[a] * T + lam * T * (mj * mj + sj * sj) +
                       lamM * T * b * b * (mM * mM + sM * sM);
    double s1 = 0;
    for (std::size_t r = 0; r < n; ++r) s1 += rows.final_log_return[r * 4 + a];
    const double nd = static_cast<double>(n), m1 = s1 / nd;
    double c2 = 0, c4 = 0;
    for (std::size_t r = 0; r < n; ++r) {
      const double d = rows.final_log_return[r * 4 + a] - m1;
      c2 += d * d;
      c4 += d * d * d * d;
    }
    const double v = c2 / (nd - 1), mu4 = c4 / nd;
    // k = 5 standard errors: SE(mean) = sqrt(var/n), SE(sample variance) = sqrt((μ4 − v²)/n)
    // (the large-sample variance of s², e.g. Kendall & Stuart, Advanced Theory, §10.5).
    const double k = 5.0;
    EXPECT_NEAR(m1, mean, k * std::sqrt(var / nd)) << "asset " << a;
    EXPECT_NEAR(v, var, k * std::sqrt((mu4 - v * v) / nd)) << "asset " << a;
  }
}

/// A scenario whose book is liquidated in bulk: jumps, a shock through many liquidation
/// prices, funding, an insurance fund that runs out, and a cross-margin account.
constexpr const char* kBookScenario = R"(
[simulation]
paths = 8192
horizon = "1d"
step = "5m"
seed = 77
[market]
assets = ["BTC", "ETH"]
correlation = [[1.0, 0.8], [0.8, 1.0]]
[asset.BTC]
spot = 100000.0
vol = 0.9
funding_8h = 0.0003
jumps = { rate = 300.0, mean = -0.03, stdev = 0.05 }
[asset.ETH]
spot = 4000.0
vol = 1.1
beta = 1.4
[market_jumps]
rate = 100.0
mean = -0.06
stdev = 0.04
[[shock]]
at = "6h"
returns = { BTC = -0.06, ETH = -0.09 }
vol_multiplier = 2.0
duration = "2h"
[book]
source = "synthetic"
[book.synthetic]
open_interest = { BTC = 2.0e9, ETH = 1.0e9 }
positions = 20000
[insurance_fund]
balance = 2.0e6
liquidation_fee = 0.005
[[portfolio]]
name = "fund-a"
collateral = 2.0e6
positions = [ { asset = "BTC", side = "long", notional = 1.5e7, entry = 99000.0 } ]
)";

/// Runs kBookScenario (with `overrides`) on both backends and compares them byte for byte:
/// both run the kernels' one math library (kernels/fmath.h) without fused multiply-adds, so
/// every row and every exact per-step sum is the same.
void compare_book_run(const std::vector<std::string>& overrides) {
  const Scenario sc = load_scenario_text(kBookScenario, "gpu-book.toml",
                                         std::filesystem::current_path(), "gpu-book", overrides);
  const ModelInputs inputs(sc);
  const Model model = inputs.model();
  const std::size_t n = static_cast<std::size_t>(sc.simulation.paths);
  PathRows cpu, gpu;
  cpu.resize(n, 2, 1);
  gpu.resize(n, 2, 1);
  StepSums sums_cpu, sums_gpu;
  sums_cpu.reset(StepCells{model.market.n_steps, 2}.total());
  sums_gpu.reset(StepCells{model.market.n_steps, 2}.total());
  make_cpu_backend(0)->simulate(model, 0, cpu, sums_cpu);
  std::string why;
  make_cuda_backend(cuda_devices(why).front())->simulate(model, 0, gpu, sums_gpu);
  EXPECT_EQ(first_difference(cpu.final_log_return, gpu.final_log_return), -1);
  EXPECT_EQ(first_difference(cpu.min_log_return, gpu.min_log_return), -1);
  EXPECT_EQ(first_difference(cpu.liquidated_usd, gpu.liquidated_usd), -1);
  EXPECT_EQ(first_difference(cpu.liquidated_positions, gpu.liquidated_positions), -1);
  EXPECT_EQ(first_difference(cpu.bad_debt_usd, gpu.bad_debt_usd), -1);
  EXPECT_EQ(first_difference(cpu.adl_usd, gpu.adl_usd), -1);
  EXPECT_EQ(first_difference(cpu.insurance_fund_usd, gpu.insurance_fund_usd), -1);
  EXPECT_EQ(first_difference(cpu.portfolio_pnl_usd, gpu.portfolio_pnl_usd), -1);
  EXPECT_EQ(first_difference(cpu.cascade_rounds, gpu.cascade_rounds), -1);
  EXPECT_EQ(first_difference(sums_cpu.words, sums_gpu.words), -1);
}

TEST(GpuBackend, LadderBridgeAndAccountsMatchTheCpuOracle) {
  LIQ_REQUIRE_GPU();
  compare_book_run({});
}

TEST(GpuBackend, CascadesMatchTheCpuOracle) {
  LIQ_REQUIRE_GPU();
  compare_book_run({"impact.model=sqrt", "asset.BTC.depth=2e8", "asset.ETH.depth=1e8",
                    "impact.half_life=\"30m\"", "impact.cross.BTC.ETH=0.6",
                    "impact.thinning.flow=2.0", "impact.thinning.drawdown=0.2"});
}

}  // namespace
}  // namespace liq
