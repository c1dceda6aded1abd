"""End to end: importance sampling ([importance], docs/MODEL.md §5).

Known answer from a closed form, written here from docs/MODEL.md §1: a Merton jump-diffusion's
log-return over T is X = −σ²T/2 + σ√T Z + Σ_{i≤N} J_i, N ~ Poisson(λT), J ~ Normal(m, s²), so
P(X < x) = Σ_n Poisson(n; λT) Φ((x + σ²T/2 − n m)/√(σ²T + n s²)) (a Poisson mixture of
normals). A long spot position of notional N in a [[portfolio]] with ample collateral loses
N(1 − e^X), so P(loss > L) = P(X < ln(1 − L/N)); the thresholds are set where that is 1e-4 and
1e-6. With the tilted law the /summary exceedance must be within k = 4 standard errors (its
95% interval's half-width / 1.96) of the closed form, the variance at 1e-4 at least 10 times
smaller than plain sampling's p(1 − p)/n at the same paths, the interval must cover the closed
form in at least 7 of 10 seeds (at the nominal 95%, 4 or more misses have probability 0.001),
and the weights must average 1 (E_Q[dP/dQ] = 1) within 4 standard errors."""
import json
import math
import os
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import CliTestCase  # noqa: E402

SIGMA, RATE, MEAN, STDEV, T = 0.5, 20.0, -0.05, 0.05, 1.0 / 365
NOTIONAL = 1.0e6
K_SE = 4.0
PATHS = 20000
TILT = """
[importance]
jump_rate_multiplier = 20.0
jump_mean_shift = -0.05
diffusion_shift = -1.0
"""


def normal_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


def p_below(x):
    lt, total, pn = RATE * T, 0.0, math.exp(-RATE * T)
    for n in range(60):
        total += pn * normal_cdf((x + 0.5 * SIGMA ** 2 * T - n * MEAN) /
                                 math.sqrt(SIGMA ** 2 * T + n * STDEV ** 2))
        pn *= lt / (n + 1)
    return total


def log_return_at(p):
    lo, hi = -3.0, 0.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if p_below(mid) < p else (lo, mid)
    return 0.5 * (lo + hi)


PROBABILITIES = [1e-4, 1e-6]
THRESHOLDS = [NOTIONAL * (1 - math.exp(log_return_at(p))) for p in PROBABILITIES]

SCENARIO = f"""
[simulation]
paths = {PATHS}
horizon = "1d"
step = "1h"
seed = {{seed}}

[market]
assets = ["BTC"]
correlation = [[1.0]]

[asset.BTC]
spot = 100000.0
vol = {SIGMA}
jumps = {{{{ rate = {RATE}, mean = {MEAN}, stdev = {STDEV} }}}}

[book]
source = "synthetic"

[book.synthetic]
open_interest = {{{{ BTC = 1.0e6 }}}}
positions = 10

[[portfolio]]
name = "spot"
collateral = 1.0e9
positions = [ {{{{ asset = "BTC", side = "long", notional = {NOTIONAL}, entry = 100000.0 }}}} ]

[output]
thresholds = [{THRESHOLDS[0]!r}, {THRESHOLDS[1]!r}]
tail_levels = []
"""


class ImportanceSampling(CliTestCase):
    def run_is(self, seed=1, tilt=TILT, *args):
        cfg = self.write(f"s{seed}.toml", SCENARIO.format(seed=seed) + tilt)
        out = os.path.join(self.tmp, f"s{seed}-{len(args)}.h5")
        self.run_liq("run", cfg, "-o", out, "--quiet", "--force", *args, check=0)
        return out

    def exceedance(self, path):
        with h5py.File(path, "r") as f:
            g = f["summary/portfolio_loss_usd/spot"]
            return g["exceedance"][()], g["exceedance_ci"][()]

    def test_tail_probabilities_match_the_closed_form(self):
        p, ci = self.exceedance(self.run_is())
        for i, truth in enumerate(PROBABILITIES):
            se = (ci[i][1] - ci[i][0]) / 2 / 1.96
            self.assertLess(abs(p[i] - truth), K_SE * se, f"{p[i]} vs {truth} (se {se})")
        se = (ci[0][1] - ci[0][0]) / 2 / 1.96
        plain = PROBABILITIES[0] * (1 - PROBABILITIES[0]) / PATHS
        self.assertGreater(plain / se ** 2, 10.0, "variance reduction at 1e-4")

    def test_intervals_cover_and_weights_average_one(self):
        covered = 0
        for seed in range(1, 11):
            path = self.run_is(seed)
            _, ci = self.exceedance(path)
            covered += ci[0][0] <= PROBABILITIES[0] <= ci[0][1]
            if seed == 1:
                with h5py.File(path, "r") as f:
                    w = f["paths/weight"][()]
                self.assertLess(abs(w.mean() - 1), K_SE * w.std(ddof=1) / math.sqrt(len(w)))
                self.assertTrue(np.all(w > 0))
        self.assertGreaterEqual(covered, 7, f"covered {covered} of 10")

    def test_the_same_weights_whatever_threads_and_shards(self):
        one = self.run_is(3, TILT, "--threads", "1")
        two = self.run_is(3, TILT, "--threads", "2", "--paths", "5000", "--first-path", "7000")
        with h5py.File(one, "r") as f, h5py.File(two, "r") as g:
            np.testing.assert_array_equal(f["paths/weight"][7000:12000], g["paths/weight"][()])

    def test_without_a_tilt_every_weight_is_one(self):
        with h5py.File(self.run_is(1, ""), "r") as f:
            np.testing.assert_array_equal(f["paths/weight"][()], 1.0)
            self.assertNotIn("[importance]", f.attrs["config"])

    def test_compare_pairs_weighted_paths(self):
        # B holds twice A's position: its loss is 2·A's on every path, so B − A is A's weighted
        # mean loss (the /summary mean), which the unweighted mean of the rows is not.
        a = self.run_is(1)
        text = SCENARIO.format(seed=1).replace(f"notional = {NOTIONAL}",
                                               f"notional = {2 * NOTIONAL}") + TILT
        b = os.path.join(self.tmp, "b.h5")
        self.run_liq("run", self.write("b.toml", text), "-o", b, "--quiet", check=0)
        proc = self.run_liq("compare", a, b, "--json", check=0)
        row = next(r for r in json.loads(proc.stdout)["rows"]
                   if r["metric"] == "portfolio_loss_usd/spot" and r["statistic"] == "mean")
        d = row["differences_to_first"][0]
        with h5py.File(a, "r") as f:
            weighted = f["summary/portfolio_loss_usd/spot/mean"][()]
            loss = -f["paths/portfolio_pnl_usd"][()][:, 0]
        self.assertAlmostEqual(d["value"], weighted, delta=1e-9 * abs(weighted))
        self.assertGreater(abs(loss.mean() - weighted), 10 * 1e-9 * abs(weighted))
        self.assertLess(d["paired_ci"][0], weighted)
        self.assertGreater(d["paired_ci"][1], weighted)
        self.assertLess(d["paired_ci"][1] - d["paired_ci"][0],
                        d["unpaired_ci"][1] - d["unpaired_ci"][0])

    def test_with_regimes_the_weights_stay_exact(self):
        # Two regimes with the same parameters are the Merton model: the closed form holds,
        # the chain switching beneath it. With a stressed regime (twice the volatility, three
        # times the jump intensities) the weights must still average 1 (E_Q[dP/dQ] = 1, k
        # standard errors): a tilt that took the base intensity instead of the step's regime's
        # in ln w would miss it by a factor exp(ΣΔλ(κ − 1)).
        same = ('\n[[regime]]\nname = "a"\nto = { b = 2.0 }\n'
                '\n[[regime]]\nname = "b"\nto = { a = 2.0 }\n')
        p, ci = self.exceedance(self.run_is(1, TILT + same))
        se = (ci[0][1] - ci[0][0]) / 2 / 1.96
        self.assertLess(abs(p[0] - PROBABILITIES[0]), K_SE * se, f"{p[0]} (se {se})")
        stressed = ('\n[[regime]]\nname = "calm"\nto = { stressed = 4.0 }\n'
                    '\n[[regime]]\nname = "stressed"\nvol_multiplier = 2.0\n'
                    'jump_rate_multiplier = 3.0\nto = { calm = 4.0 }\n')
        with h5py.File(self.run_is(2, TILT + stressed), "r") as f:
            w = f["paths/weight"][()]
            self.assertIn("regime_share", f["timeseries"])
        self.assertTrue(np.all(w > 0))
        self.assertLess(abs(w.mean() - 1), K_SE * w.std(ddof=1) / math.sqrt(len(w)))

    def test_the_automatic_tilt_with_regimes_is_refused(self):
        regimes = ('\n[[regime]]\nname = "a"\nto = { b = 2.0 }\n'
                   '\n[[regime]]\nname = "b"\nto = { a = 2.0 }\n')
        tilt = (f'\n[importance]\nmetric = "portfolio_loss_usd/spot"\n'
                f'threshold = {THRESHOLDS[0]!r}\n')
        cfg = self.write("auto-regimes.toml", SCENARIO.format(seed=1) + tilt + regimes)
        proc = self.run_liq("run", cfg, "-o", os.path.join(self.tmp, "x.h5"), check=2)
        self.assertIn("importance.metric", proc.stderr)
        self.assertIn("regime", proc.stderr)

    def test_a_mean_shift_of_jumps_without_spread_is_refused(self):
        cfg = self.write("bad.toml", SCENARIO.format(seed=1).replace(
            f"stdev = {STDEV}", "stdev = 0.0") + TILT)
        proc = self.run_liq("run", cfg, "-o", os.path.join(self.tmp, "bad.h5"), check=2)
        self.assertIn("importance.jump_mean_shift", proc.stderr)


if __name__ == "__main__":
    unittest.main()
