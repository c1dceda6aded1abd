"""End to end: scripts/calibrate.py recovers known parameters from daily series simulated by
liqstress itself, and turns the real prices into a scenario `liqstress validate` accepts.

How the series are made: liqstress paths are i.i.d., so a run of N paths of one day in one
step ("1d") gives, in /paths/final_log_return [N, A], N independent daily log returns of the
model of docs/MODEL.md §1 with known vol, correlation, jumps and Student-t mixing; the test
writes them as closes (spot · exp(cumulative sum)) in the <SYM>-USD-daily.csv format.
Regimes need a time series and a results file has no per-step prices, so the regime series
is assembled: a run started in "calm" and one started in "stress" (one step of a day: the
regime of the step is the initial one) give each regime's daily returns, and the day's
regime follows the two-state chain with P = exp(Q · 1 day), drawn here with numpy from the
closed form P = I + (1 − e^{−(a+b)})/(a+b) · Q (Norris, Markov Chains, §2.4) — the same
daily chain liqstress samples with a step of one day.

Tolerances: each estimate must be within K_SE = 4 of its own standard error (printed by the
script; their methods are in configs/README.md) of the simulated truth, with fixed seeds.
So that a wide standard error cannot make a test pass vacuously, each test also checks that
a clearly wrong truth (the named parameter moved by a stated amount) is rejected at K_SE."""
import csv
import datetime as dt
import json
import math
import os
import subprocess
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import BINARY, SOURCE_DIR, CliTestCase  # noqa: E402

K_SE = 4.0
SCRIPT = os.path.join(SOURCE_DIR, "scripts", "calibrate.py")
REAL_DATA = os.path.normpath(os.path.join(SOURCE_DIR, "..", "shared", "data", "prices"))
START = dt.date(2000, 1, 1)

SCENARIO = """
[simulation]
paths = {paths}
horizon = "1d"
step = "1d"
seed = {seed}
{simulation}

[market]
assets = ["BTC", "ETH"]
correlation = [[1.0, {rho}], [{rho}, 1.0]]

[asset.BTC]
spot = 100000.0
vol = {vol_btc}

[asset.ETH]
spot = 4000.0
vol = {vol_eth}
beta = {beta}
jumps = {{ rate = {idio_rate}, mean = {idio_mean}, stdev = 0.03 }}

[market_jumps]
rate = {mkt_rate}
mean = {mkt_mean}
stdev = 0.03

[book]
source = "synthetic"

[book.synthetic]
open_interest = {{ BTC = 0.0, ETH = 0.0 }}
positions = 1
{extra}
"""

BASE = dict(vol_btc=0.5, vol_eth=0.7, rho=0.7, beta=1.3, idio_rate=0.0, idio_mean=0.0,
            mkt_rate=0.0, mkt_mean=0.0, simulation="", extra="")


def day_jumps(rate, mean, stdev):
    """What a daily series shows of compound-Poisson jumps: days with at least one jump per
    year, and the mean and stdev of the day's jump sum on those days. N | N >= 1 is
    zero-truncated Poisson with mu = rate / 365: E = mu / (1 - e^-mu), E[N^2] = (mu + mu^2) /
    (1 - e^-mu); given N = n the sum is Normal(n mean, n stdev^2), so the day's mean is
    mean E, its variance stdev^2 E + mean^2 Var(N | N >= 1)."""
    mu = rate / 365.0
    p = 1.0 - math.exp(-mu)
    e1, e2 = mu / p, (mu + mu * mu) / p
    return 365.0 * p, mean * e1, math.sqrt(stdev ** 2 * e1 + mean ** 2 * (e2 - e1 ** 2))


class Calibrate(CliTestCase):
    def simulate(self, days, seed, **kw):
        """daily log returns [days, 2] of one-day liqstress paths"""
        text = SCENARIO.format(paths=days, seed=seed, **dict(BASE, **kw))
        cfg = self.write(f"s{seed}.toml", text)
        out = os.path.join(self.tmp, f"s{seed}.h5")
        self.run_liq("run", cfg, "-o", out, "--backend", "cpu", "--quiet", "--force", check=0)
        with h5py.File(out, "r") as f:
            return f["paths/final_log_return"][()]

    def write_series(self, r):
        """closes in <SYM>-USD-daily.csv files; returns the folder and the window's end"""
        folder = os.path.join(self.tmp, "prices")
        os.makedirs(folder, exist_ok=True)
        closes = np.exp(np.vstack([np.zeros(2), np.cumsum(r, axis=0)])) * [100000.0, 4000.0]
        for a, sym in enumerate(["BTC", "ETH"]):
            with open(os.path.join(folder, f"{sym}-USD-daily.csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["Date", "Close", "High", "Low", "Open", "Volume"])
                for t, c in enumerate(closes[:, a]):
                    w.writerow([START + dt.timedelta(days=t), repr(float(c)), "", "", "", ""])
        return folder, START + dt.timedelta(days=len(r))

    def calibrate(self, r, *options):
        folder, end = self.write_series(r)
        est = os.path.join(self.tmp, "est.json")
        scenario = os.path.join(self.tmp, "calibrated.toml")
        proc = subprocess.run([sys.executable, SCRIPT, "--data", folder, "--assets", "BTC,ETH",
                               "--start", str(START), "--end", str(end), "--json", est,
                               "--scenario", scenario, "--liqstress", BINARY, *options],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        with open(est) as f:
            return json.load(f)

    def assertRecovered(self, name, est, se, truth, wrong):
        self.assertTrue(math.isfinite(se) and se > 0, f"{name}: standard error {se}")
        self.assertLess(abs(est - truth), K_SE * se,
                        f"{name}: estimate {est:.5g}, truth {truth:.5g}, s.e. {se:.3g}")
        self.assertGreater(abs(est - wrong), K_SE * se,
                           f"{name}: a wrong truth {wrong:.5g} is not rejected (s.e. {se:.3g})")

    def test_vol_correlation_betas_and_jumps(self):
        # jumps much larger than a day's diffusion (4-sigma rule: BTC 0.105, ETH 0.147), so
        # the threshold sees nearly all of them (truncation bias well below one s.e.)
        r = self.simulate(6000, 11, idio_rate=12.0, idio_mean=0.30, mkt_rate=15.0,
                          mkt_mean=-0.20)
        e = self.calibrate(r)
        mkt, idio = day_jumps(15.0, -0.20, 0.03), day_jumps(12.0, 0.30, 0.03)
        self.assertRecovered("vol BTC", e["vol"][0], e["vol_se"][0], 0.5, 0.55)
        self.assertRecovered("vol ETH", e["vol"][1], e["vol_se"][1], 0.7, 0.77)
        self.assertRecovered("correlation", e["corr"][0][1], e["corr_se"][0][1], 0.7, 0.75)
        self.assertRecovered("beta ETH", e["beta"][1], e["beta_se"][1], 1.3, 1.4)
        m = e["market"]
        self.assertRecovered("market jump days/y", m["rate"], m["se"][0], mkt[0], 22.0)
        self.assertRecovered("market jump mean", m["mean"], m["se"][1], mkt[1], -0.23)
        self.assertRecovered("market jump stdev", m["stdev"], m["se"][2], mkt[2], 0.06)
        j = e["jumps"][1]
        self.assertRecovered("ETH jump days/y", j["rate"], j["se"][0], idio[0], 18.0)
        self.assertRecovered("ETH jump mean", j["mean"], j["se"][1], idio[1], 0.34)

    def test_student_t_degrees_of_freedom(self):
        r = self.simulate(5000, 12, simulation='innovations = "student-t"\ndof = 5.0')
        e = self.calibrate(r, "--innovations", "student-t")
        self.assertRecovered("dof", e["dof"], e["dof_se"], 5.0, 8.0)
        self.assertRecovered("vol BTC", e["vol"][0], e["vol_se"][0], 0.5, 0.56)
        self.assertRecovered("correlation", e["corr"][0][1], e["corr_se"][0][1], 0.7, 0.8)

    def test_regimes(self):
        to_stress, to_calm, ratio, days = 0.03, 0.15, 2.5, 4000
        regimes = (f'[[regime]]\nname = "calm"\nto = {{ stress = {to_stress} }}\n\n'
                   f'[[regime]]\nname = "stress"\nvol_multiplier = {ratio}\n'
                   f'correlation = [[1.0, 0.9], [0.9, 1.0]]\nto = {{ calm = {to_calm} }}\n')
        pools = [self.simulate(days, seed, extra=regimes,
                               simulation=f'initial_regime = "{name}"')
                 for seed, name in [(21, "calm"), (22, "stress")]]
        state = self.chain(to_stress, to_calm, days, np.random.default_rng(5))
        r = np.empty((days, 2))
        for s in (0, 1):
            r[state == s] = pools[s][: int((state == s).sum())]
        e = self.calibrate(r, "--regimes", "2", "--jumps", "off")
        g, se = e["regimes"], e["regimes_se"]
        self.assertRecovered("stress/calm vol BTC", g["ratio"][0], se["ratio"][0], ratio, 2.9)
        self.assertRecovered("stress/calm vol ETH", g["ratio"][1], se["ratio"][1], ratio, 2.9)
        self.assertRecovered("calm vol BTC", g["calm_vol"][0], se["calm_vol"][0], 0.5, 0.55)
        self.assertRecovered("stress correlation", g["corr"][1][0][1], se["corr"][1][0][1],
                             0.9, 0.85)
        self.assertRecovered("calm -> stress per day", g["to_stress"], se["to_stress"],
                             to_stress, 2 * to_stress)
        self.assertRecovered("stress -> calm per day", g["to_calm"], se["to_calm"],
                             to_calm, 2 * to_calm)

    @staticmethod
    def chain(a, b, days, rng):
        """the day's regime: a two-state chain with P = exp(Q * 1 day), stationary start"""
        s = a + b
        p01, p10 = a * (1 - math.exp(-s)) / s, b * (1 - math.exp(-s)) / s
        state = np.empty(days, int)
        state[0] = rng.random() < a / s
        u = rng.random(days)
        for t in range(1, days):
            state[t] = u[t] < (1 - p10 if state[t - 1] else p01)
        return state

    @unittest.skipUnless(os.path.isdir(REAL_DATA), f"no real data at {REAL_DATA}")
    def test_real_prices_give_a_scenario_liqstress_accepts(self):
        scenario = os.path.join(self.tmp, "real.toml")
        proc = subprocess.run([sys.executable, SCRIPT, "--assets", "BTC,ETH,SOL", "--start",
                               "2023-02-11", "--end", "2025-02-11", "--regimes", "2",
                               "--scenario", scenario], capture_output=True, text=True,
                              timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.run_liq("validate", scenario, check=0)
        with open(scenario) as f:
            text = f.read()
        self.assertIn("# window: closes 2023-02-11..2025-02-11: 731 daily returns", text)
        self.assertIn("BTC-USD-daily.csv", text)
        self.assertRegex(text, r"vol = 0\.\d+ +# ± 0\.\d+")
        cwd = os.getcwd()
        os.chdir(self.tmp)  # the scenario's output path is relative to the working directory
        try:
            self.run_liq("run", scenario, "--paths", "200", "--quiet", check=0)
        finally:
            os.chdir(cwd)


if __name__ == "__main__":
    unittest.main()
