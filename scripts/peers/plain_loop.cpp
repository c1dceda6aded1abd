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

constexpr int kAssets = 4;
constexpr int kSteps = 1440;
constexpr double kDt = 60.0 / (365.0 * 86400.0);
constexpr double kCorr[kAssets][kAssets] = {
    {1.0, 0.85, 0.75, 0.7}, {0.85, 1.0, 0.8, 0.7}, {0.75, 0.8, 1.0, 0.7}, {0.7, 0.7, 0.7, 1.0}};
constexpr double kVol[kAssets] = {0.55, 0.75, 0.95, 1.1};
constexpr double kBeta[kAssets] = {1.0, 1.2, 1.5, 1.6};
constexpr double kJumpRate[kAssets] = {6.0, 8.0, 10.0, 10.0};
constexpr double kJumpMean[kAssets] = {-0.02, -0.03, -0.04, -0.04};
constexpr double kJumpSd[kAssets] = {0.04, 0.05, 0.06, 0.07};
constexpr double kMarketRate = 1.0, kMarketMean = -0.08, kMarketSd = 0.05;

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

double jump(Draw& d, double rate, double m, double s) {
  const Rng::ctr_type w = d.next();
  const int n = poisson(rate * kDt, u01(w[0]));
  if (n == 0) return 0.0;
  double z0, z1;
  box_muller(u01(w[1]), u01(w[2]), z0, z1);
  return n * m + std::sqrt(static_cast<double>(n)) * s * z0;
}

double simulate(std::uint64_t path, const double (&L)[kAssets][kAssets]) {
  Draw d;
  d.key = {{static_cast<std::uint32_t>(path), static_cast<std::uint32_t>(path >> 32)}};
  double x[kAssets] = {}, lo[kAssets] = {}, hi[kAssets] = {};
  for (int k = 0; k < kSteps; ++k) {
    d.ctr[0] = static_cast<std::uint32_t>(k);
    double z[kAssets];
    const Rng::ctr_type w = d.next();
    box_muller(u01(w[0]), u01(w[1]), z[0], z[1]);
    box_muller(u01(w[2]), u01(w[3]), z[2], z[3]);
    const double market = jump(d, kMarketRate, kMarketMean, kMarketSd);
    for (int a = 0; a < kAssets; ++a) {
      double e = 0.0;
      for (int b = 0; b <= a; ++b) e += L[a][b] * z[b];
      const double var = kVol[a] * kVol[a] * kDt;
      const double x1 = x[a] - 0.5 * var + std::sqrt(var) * e;
      const Rng::ctr_type u = d.next();
      const double dx = x1 - x[a];
      const double root = std::sqrt(dx * dx - 2.0 * var * std::log(u01(u[0])));
      const double root2 = std::sqrt(dx * dx - 2.0 * var * std::log(u01(u[1])));
      lo[a] = std::fmin(lo[a], 0.5 * (x[a] + x1 - root));
      hi[a] = std::fmax(hi[a], 0.5 * (x[a] + x1 + root2));
      x[a] = x1 + kBeta[a] * market + jump(d, kJumpRate[a], kJumpMean[a], kJumpSd[a]);
      lo[a] = std::fmin(lo[a], x[a]);
      hi[a] = std::fmax(hi[a], x[a]);
    }
  }
  double acc = 0.0;
  for (int a = 0; a < kAssets; ++a) acc += x[a] + lo[a] + hi[a];
  return acc;
}

}  // namespace

int main(int argc, char** argv) {
  const long paths = argc > 1 ? std::atol(argv[1]) : 8192;
  double L[kAssets][kAssets] = {};
  for (int i = 0; i < kAssets; ++i) {  // Cholesky
    for (int j = 0; j <= i; ++j) {
      double s = kCorr[i][j];
      for (int k = 0; k < j; ++k) s -= L[i][k] * L[j][k];
      L[i][j] = i == j ? std::sqrt(s) : s / L[j][j];
    }
  }
  const auto start = std::chrono::steady_clock::now();
  double checksum = 0.0;
  for (long p = 0; p < paths; ++p) checksum += simulate(static_cast<std::uint64_t>(p), L);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("plain loop: %ld paths x %d assets x %d steps in %.3f s: %.3g path-asset-steps/s "
              "(checksum %.6g)\n",
              paths, kAssets, kSteps, s, static_cast<double>(paths) * kAssets * kSteps / s,
              checksum);
  return 0;
}
