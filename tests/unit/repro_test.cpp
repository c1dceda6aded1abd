// liqstress unit tests — reproducibility of the price model (MODEL.md §2, STYLE.md habit 5):
// a path is a pure function of (seed, path index), so results are bitwise identical
// whatever the row it lands in, the batch split or the OpenMP thread count; and turning a
// feature on never shifts the randomness of the others (common random numbers).
#include <gtest/gtest.h>
#include <omp.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/path.h"
#include "tests/statistical/sim_helpers.h"

namespace {

using liq::test::run_paths;

/// Every feature on: 6 assets (two diffusion blocks), correlation, idiosyncratic and
/// market-wide jumps, Student-t innovations, a volatility schedule and two shock steps.
struct FullMarket {
  std::vector<double> vol_multiplier;
  std::vector<std::int32_t> shock_step{3, 9};
  std::vector<double> shock_log_return;
  liq::MarketParams p;

  FullMarket() : p(liq::test::make_params(6, 16, 30.0, 0xC0FFEE0123456789ull)) {
    std::vector<double> rho(36, 0.0);
    for (int i = 0; i < 6; ++i) {
      for (int j = 0; j < 6; ++j) rho[static_cast<std::size_t>(i * 6 + j)] = i == j ? 1.0 : 0.4;
    }
    liq::test::set_correlation(p, rho);
    for (int a = 0; a < 6; ++a) {
      p.vol[a] = 0.5 + 0.1 * a;
      p.drift[a] = 0.05 * a - 0.1;
      p.beta[a] = 0.8 + 0.3 * a;
      p.jump_count_mean[a] = 0.05 * (a + 1);
      p.jump_mean[a] = -0.03;
      p.jump_stdev[a] = 0.06;
    }
    p.market_jump_count_mean = 0.2;
    p.market_jump_mean = -0.05;
    p.market_jump_stdev = 0.04;
    p.innovations = liq::Innovations::student_t;
    p.dof = 4.0;
    vol_multiplier.assign(16, 1.0);
    for (int k = 4; k < 8; ++k) vol_multiplier[static_cast<std::size_t>(k)] = 2.0;
    shock_log_return.assign(2 * 6, -0.07);
    p.vol_multiplier = vol_multiplier.data();
    p.n_shock_steps = 2;
    p.shock_step = shock_step.data();
    p.shock_log_return = shock_log_return.data();
  }
  FullMarket(const FullMarket&) = delete;
  FullMarket& operator=(const FullMarket&) = delete;
};

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

bool same_rows(const liq::PathRows& a, const liq::PathRows& b) {
  return same_bytes(a.final_log_return, b.final_log_return) &&
         same_bytes(a.min_log_return, b.min_log_return) &&
         same_bytes(a.max_log_return, b.max_log_return) && same_bytes(a.weight, b.weight);
}

/// Rows [from, to) of `rows`, as a PathRows of their own.
liq::PathRows slice(const liq::PathRows& rows, std::size_t from, std::size_t to) {
  liq::PathRows s;
  s.resize(to - from, rows.n_assets);
  const std::size_t n = static_cast<std::size_t>(rows.n_assets);
  const auto copy = [&](const std::vector<double>& src, std::vector<double>& dst, std::size_t w) {
    std::memcpy(dst.data(), src.data() + from * w, (to - from) * w * sizeof(double));
  };
  copy(rows.final_log_return, s.final_log_return, n);
  copy(rows.min_log_return, s.min_log_return, n);
  copy(rows.max_log_return, s.max_log_return, n);
  copy(rows.weight, s.weight, 1);
  return s;
}

TEST(Repro, SamePathTwiceGivesIdenticalBits) {
  const FullMarket m;
  liq::PathRows rows;
  rows.resize(3, m.p.n_assets);
  const liq::PathOut out = rows.view();
  liq::simulate_path(m.p, 123456789u, 0, out);
  liq::simulate_path(m.p, 123456789u, 2, out);  // another row: the row only says where
  liq::simulate_path(m.p, 123456790u, 1, out);
  const std::size_t n = static_cast<std::size_t>(m.p.n_assets);
  EXPECT_EQ(
      std::memcmp(&rows.final_log_return[0], &rows.final_log_return[2 * n], n * sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(&rows.min_log_return[0], &rows.min_log_return[2 * n], n * sizeof(double)),
            0);
  EXPECT_EQ(std::memcmp(&rows.max_log_return[0], &rows.max_log_return[2 * n], n * sizeof(double)),
            0);
  EXPECT_NE(std::memcmp(&rows.final_log_return[0], &rows.final_log_return[n], n * sizeof(double)),
            0);
}

TEST(Repro, SplitRunsEqualTheWholeRun) {
  const FullMarket m;
  const std::size_t n = 1500, k = 601;
  const liq::PathRows whole = run_paths(m.p, 0, n);
  const liq::PathRows first = run_paths(m.p, 0, k);
  const liq::PathRows second = run_paths(m.p, k, n - k);
  EXPECT_TRUE(same_rows(slice(whole, 0, k), first));
  EXPECT_TRUE(same_rows(slice(whole, k, n), second));
  // Three uneven shards, the last one first.
  const liq::PathRows c = run_paths(m.p, 1000, 500);
  const liq::PathRows a = run_paths(m.p, 0, 7);
  const liq::PathRows b = run_paths(m.p, 7, 993);
  EXPECT_TRUE(same_rows(slice(whole, 0, 7), a));
  EXPECT_TRUE(same_rows(slice(whole, 7, 1000), b));
  EXPECT_TRUE(same_rows(slice(whole, 1000, 1500), c));
}

TEST(Repro, ThreadCountDoesNotChangeABit) {
  const FullMarket m;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const liq::PathRows one = run_paths(m.p, 5000, 1200);
  omp_set_num_threads(2);
  const liq::PathRows two = run_paths(m.p, 5000, 1200);
  omp_set_num_threads(3);
  const liq::PathRows three = run_paths(m.p, 5000, 1200);
  omp_set_num_threads(saved);
  EXPECT_TRUE(same_rows(one, two));
  EXPECT_TRUE(same_rows(one, three));
}

TEST(Repro, SeedChangesEveryPath) {
  FullMarket m;
  const liq::PathRows a = run_paths(m.p, 0, 100);
  m.p.seed ^= 1ull << 40;  // a high bit only
  const liq::PathRows b = run_paths(m.p, 0, 100);
  for (std::size_t r = 0; r < 100; ++r)
    EXPECT_NE(a.final_log_return[r * 6], b.final_log_return[r * 6]);
}

// ---- common random numbers: a feature's draws never shift another's ---------------------------

void expect_same_diffusion(const liq::StepShocks& a, const liq::StepShocks& b, int n) {
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(a.eps[i], b.eps[i]);
    EXPECT_EQ(a.log_u_min[i], b.log_u_min[i]);
    EXPECT_EQ(a.log_u_max[i], b.log_u_max[i]);
  }
}

TEST(CommonRandomNumbers, JumpsStudentTAndShocksLeaveTheDiffusionDrawsAlone) {
  FullMarket m;
  liq::MarketParams plain = m.p;
  plain.innovations = liq::Innovations::gaussian;
  for (int a = 0; a < 6; ++a) plain.jump_count_mean[a] = 0.0;
  plain.market_jump_count_mean = 0.0;
  const double shock[6] = {-0.1, -0.1, -0.1, -0.1, -0.1, -0.1};
  for (std::uint64_t path : {0ull, 17ull, 1ull << 33}) {
    for (std::int32_t step : {0, 5, 15}) {
      liq::StepShocks full{}, base{}, shocked{};
      liq::draw_step(m.p, path, step, nullptr, full);
      liq::draw_step(plain, path, step, nullptr, base);
      liq::draw_step(plain, path, step, shock, shocked);
      expect_same_diffusion(full, base, 6);
      expect_same_diffusion(shocked, base, 6);
      EXPECT_EQ(base.var_scale, 1.0);
      EXPECT_GT(full.var_scale, 0.0);
      for (int a = 0; a < 6; ++a) {
        EXPECT_EQ(base.gap[a], 0.0);
        EXPECT_EQ(shocked.gap[a], -0.1);
      }
    }
  }
}

TEST(CommonRandomNumbers, MoreAssetsKeepTheFirstAssetsDraws) {
  // Asset a's normal comes from diffusion slot a/4, word a%4, whatever the asset count;
  // with identity correlation, adding assets leaves the first ones' innovations unchanged.
  liq::MarketParams three = liq::test::make_params(3, 4, 10.0, 77u);
  liq::MarketParams seven = liq::test::make_params(7, 4, 10.0, 77u);
  for (std::uint64_t path : {0ull, 99ull}) {
    liq::StepShocks a{}, b{};
    liq::draw_step(three, path, 2, nullptr, a);
    liq::draw_step(seven, path, 2, nullptr, b);
    expect_same_diffusion(a, b, 3);
  }
}

}  // namespace
