// liqstress bench peer — a plain C++ loop of the bench's price model (README "Bench"), written
// the way one would without liqstress: Random123's Philox4x32-10, Box–Muller, inverse-CDF
// Poisson jumps, a Cholesky product, and the Brownian-bridge minimum and maximum of every step
// (what liquidations are decided on). Scalar, one thread. Built and run by
// scripts/bench_peers.sh beside `liqstress bench --threads 1`; it shares no code with liqstress.
#include <Random123/philox.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

constexpr int kMaxAssets = 16;

/// The price model's parameters: the bench's four assets (default), or `--assets N` assets
/// with equal parameters and equicorrelation 0.5 (the whole-process comparison's workload,
/// scripts/peers/workload10.toml).
struct Params {
  int assets = 4;
  int steps = 1440;
  double dt = 60.0 / (365.0 * 86400.0);
  double corr[kMaxAssets][kMaxAssets] = {
      {1.0, 0.85, 0.75, 0.7}, {0.85, 1.0, 0.8, 0.7}, {0.75, 0.8, 1.0, 0.7}, {0.7, 0.7, 0.7, 1.0}};
  double vol[kMaxAssets] = {0.55, 0.75, 0.95, 1.1};
  double beta[kMaxAssets] = {1.0, 1.2, 1.5, 1.6};
  double jump_rate[kMaxAssets] = {6.0, 8.0, 10.0, 10.0};
  double jump_mean[kMaxAssets] = {-0.02, -0.03, -0.04, -0.04};
  double jump_sd[kMaxAssets] = {0.04, 0.05, 0.06, 0.07};
  double market_rate = 1.0, market_mean = -0.08, market_sd = 0.05;
};

/// N equal assets, daily steps (workload10.toml's values).
Params equal_assets(int n, int steps) {
  Params p;
  p.assets = n;
  p.steps = steps;
  p.dt = 1.0 / 365.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) p.corr[i][j] = i == j ? 1.0 : 0.5;
    p.vol[i] = 0.8;
    p.beta[i] = 1.0;
    p.jump_rate[i] = 10.0;
    p.jump_mean[i] = -0.04;
    p.jump_sd[i] = 0.06;
  }
  return p;
}

using Rng = r123::Philox4x32;

double u01(std::uint32_t x) { return (static_cast<double>(x) + 0.5) * 0x1p-32; }

struct Draw {
  Rng rng;
  Rng::key_type key;
  Rng::ctr_type ctr{};
  Rng::ctr_type next() {
    ++ctr[3];
    return rng(ctr, key);
  }
};

void box_muller(double u1, double u2, double& z0, double& z1) {
  const double r = std::sqrt(-2.0 * std::log(u1)), a = 2.0 * M_PI * u2;
  z0 = r * std::cos(a);
  z1 = r * std::sin(a);
}

int poisson(double mean, double u) {
  double p = std::exp(-mean), cdf = p;
  int n = 0;
  while (u > cdf && n < 50) p *= mean / ++n, cdf += p;
  return n;
}

double jump(Draw& d, double rate, double dt, double m, double s) {
  const Rng::ctr_type w = d.next();
  const int n = poisson(rate * dt, u01(w[0]));
  if (n == 0) return 0.0;
  double z0, z1;
  box_muller(u01(w[1]), u01(w[2]), z0, z1);
  return n * m + std::sqrt(static_cast<double>(n)) * s * z0;
}

double simulate(std::uint64_t path, const Params& p, const double (&L)[kMaxAssets][kMaxAssets]) {
  Draw d;
  d.key = {{static_cast<std::uint32_t>(path), static_cast<std::uint32_t>(path >> 32)}};
  const int n = p.assets;
  double x[kMaxAssets] = {}, lo[kMaxAssets] = {}, hi[kMaxAssets] = {};
  for (int k = 0; k < p.steps; ++k) {
    d.ctr[0] = static_cast<std::uint32_t>(k);
    double z[kMaxAssets + 3];
    for (int j = 0; j < n; j += 4) {
      const Rng::ctr_type w = d.next();
      box_muller(u01(w[0]), u01(w[1]), z[j], z[j + 1]);
      box_muller(u01(w[2]), u01(w[3]), z[j + 2], z[j + 3]);
    }
    const double market = jump(d, p.market_rate, p.dt, p.market_mean, p.market_sd);
    for (int a = 0; a < n; ++a) {
      double e = 0.0;
      for (int b = 0; b <= a; ++b) e += L[a][b] * z[b];
      const double var = p.vol[a] * p.vol[a] * p.dt;
      const double x1 = x[a] - 0.5 * var + std::sqrt(var) * e;
      const Rng::ctr_type u = d.next();
      const double dx = x1 - x[a];
      const double root = std::sqrt(dx * dx - 2.0 * var * std::log(u01(u[0])));
      const double root2 = std::sqrt(dx * dx - 2.0 * var * std::log(u01(u[1])));
      lo[a] = std::fmin(lo[a], 0.5 * (x[a] + x1 - root));
      hi[a] = std::fmax(hi[a], 0.5 * (x[a] + x1 + root2));
      x[a] = x1 + p.beta[a] * market +
             jump(d, p.jump_rate[a], p.dt, p.jump_mean[a], p.jump_sd[a]);
      lo[a] = std::fmin(lo[a], x[a]);
      hi[a] = std::fmax(hi[a], x[a]);
    }
  }
  double acc = 0.0;
  for (int a = 0; a < n; ++a) acc += x[a] + lo[a] + hi[a];
  return acc;
}

}  // namespace

//   plain_loop [PATHS]                     the bench's price model (4 assets, 1,440 minutes)
//   plain_loop PATHS ASSETS STEPS          ASSETS equal assets, STEPS daily steps
int main(int argc, char** argv) {
  const long paths = argc > 1 ? std::atol(argv[1]) : 8192;
  const Params p = argc > 3 ? equal_assets(std::atoi(argv[2]), std::atoi(argv[3])) : Params{};
  if (p.assets < 1 || p.assets > kMaxAssets || p.steps < 1 || paths < 1) {
    std::fprintf(stderr, "usage: plain_loop [PATHS [ASSETS STEPS]] (1 <= ASSETS <= 16)\n");
    return 2;
  }
  double L[kMaxAssets][kMaxAssets] = {};
  for (int i = 0; i < p.assets; ++i) {  // Cholesky
    for (int j = 0; j <= i; ++j) {
      double s = p.corr[i][j];
      for (int k = 0; k < j; ++k) s -= L[i][k] * L[j][k];
      L[i][j] = i == j ? std::sqrt(s) : s / L[j][j];
    }
  }
  const auto start = std::chrono::steady_clock::now();
  double checksum = 0.0;
  for (long i = 0; i < paths; ++i) checksum += simulate(static_cast<std::uint64_t>(i), p, L);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("plain loop: %ld paths x %d assets x %d steps in %.3f s: %.3g path-asset-steps/s "
              "(checksum %.6g)\n",
              paths, p.assets, p.steps, s, static_cast<double>(paths) * p.assets * p.steps / s,
              checksum);
  return 0;
}
