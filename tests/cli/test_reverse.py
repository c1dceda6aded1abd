"""End to end: `liqstress reverse` (reverse stress testing, host/app/reverse.cpp).

Known answers from closed forms, written here from docs/MODEL.md, not from the code:
- Zero volatility, one 10x long at spot 100 with maintenance rate 0.5%: its liquidation price
  is (E − M/q)/(1 − mm) = 90/0.995, and a shock of return s·r (r = −20%) liquidates it iff
  100·(1 + s·r) ≤ P_liq: s* = (1 − P_liq/100)/0.2, found to the search's relative tolerance.
- The same long under a driftless GBM (no shock), scaled in its volatility: the probability of
  liquidation over T = 1 day is the first-passage probability of docs/MODEL.md §3,
  P = N((ln(L/S0) − νT)/(σ√T)) + (L/S0)^{2ν/σ²} N((ln(L/S0) + νT)/(σ√T)), ν = −σ²/2; the scale
  s* at which it reaches 10% is found by bisection on that formula. Its 95% interval must
  cover s*: over 10 seeds at least 7 times (at the nominal 95% a miss of 4 or more has
  probability 0.001)."""
import json
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import CliTestCase  # noqa: E402

SPOT, LEVERAGE, MM = 100.0, 10.0, 0.005
P_LIQ = (SPOT - SPOT / LEVERAGE) / (1 - MM)

SCENARIO = """
[simulation]
paths = {paths}
horizon = "{horizon}"
step = "{step}"
seed = {seed}

[market]
assets = ["BTC"]
correlation = [[1.0]]

[asset.BTC]
spot = 100.0
vol = {vol}

{shock}

[book]
source = "csv"
path = "book.csv"
"""

BOOK = "asset,side,notional_usd,entry_price,leverage,maintenance_rate\nBTC,long,1000000,100,10,0.005\n"


def normal_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


def p_liquidated(sigma, t_years):
    """First passage of ln S below ln(L/S0) within T for a driftless GBM (MODEL.md §3)."""
    nu = -0.5 * sigma * sigma
    b = math.log(P_LIQ / SPOT)
    s = sigma * math.sqrt(t_years)
    return normal_cdf((b - nu * t_years) / s) + (P_LIQ / SPOT) ** (2 * nu / sigma ** 2) * \
        normal_cdf((b + nu * t_years) / s)


class Reverse(CliTestCase):
    def scenario(self, vol, shock="", paths=400, seed=1, horizon="1h", step="1m"):
        self.write("book.csv", BOOK)
        return self.write("s.toml", SCENARIO.format(paths=paths, seed=seed, vol=vol, shock=shock,
                                                    horizon=horizon, step=step))

    def reverse(self, cfg, *args, check=0):
        proc = self.run_liq("reverse", cfg, "--quiet", "-o", self.tmp, "--force", *args,
                            check=check)
        return json.loads(proc.stdout) if check == 0 and "--json" in args else proc

    def test_zero_volatility_finds_the_shock_that_reaches_the_liquidation_price(self):
        cfg = self.scenario(0.0, '[[shock]]\nat = "30m"\nreturns = { BTC = -0.2 }')
        out = self.reverse(cfg, "--metric", "total_liquidated_usd", "--target", "1",
                           "--scale", "shock", "--json")
        expected = (1 - P_LIQ / SPOT) / 0.2
        self.assertAlmostEqual(out["scale"], expected, delta=1e-3 * expected)
        self.assertGreaterEqual(out["value"], 1.0)
        scales = sorted(t["scale"] for t in out["trials"])
        below = [t for t in out["trials"] if t["scale"] < expected * (1 - 1e-3)]
        self.assertTrue(below and all(t["value"] == 0.0 for t in below))
        self.assertEqual(scales[0], 0.0)  # reached at s = 1, so bracketed from 0
        # The scenario at s* is written and runs: its shock is the scaled one.
        written = os.path.join(self.tmp, "s-reverse-shock.toml")
        with open(written) as fh:
            text = fh.read()
        self.assertIn("--scale shock at s* = ", text)
        self.run_liq("validate", written, check=0)

    def test_the_interval_of_the_scale_covers_the_closed_form(self):
        t_years = 1.0 / 365  # one day: the bridge monitors continuously at any step
        lo, hi = 0.05, 5.0  # bisection on σ for P(liquidated) = 10%
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if p_liquidated(mid, t_years) < 0.1 else (lo, mid)
        base_vol = 0.5
        expected = 0.5 * (lo + hi) / base_vol
        covered = 0
        for seed in range(1, 11):
            cfg = self.scenario(base_vol, paths=2000, seed=seed, horizon="1d", step="1h")
            out = self.reverse(cfg, "--metric", "total_liquidated_usd", "--statistic",
                               "exceed:0", "--target", "0.1", "--scale", "asset.BTC.vol",
                               "--tolerance", "0.002", "--json")
            ci = out["scale_ci"]
            covered += ci[0] <= expected <= ci[1]
            self.assertLess(abs(out["scale"] - expected), 0.25 * expected, out)
        self.assertGreaterEqual(covered, 7, f"s* = {expected:.4f} covered {covered} of 10 times")

    def test_a_target_out_of_reach_is_refused_with_the_largest_value_seen(self):
        cfg = self.scenario(0.0, '[[shock]]\nat = "30m"\nreturns = { BTC = -0.2 }')
        proc = self.reverse(cfg, "--metric", "bad_debt_usd", "--target", "1e12", check=2)
        self.assertIn("is not reached up to scale", proc.stderr)
        self.assertIn("the largest mean seen", proc.stderr)
        self.assertIn("above -100%", proc.stderr)

    def test_bad_directions_and_statistics_are_refused(self):
        cfg = self.scenario(0.3)
        proc = self.reverse(cfg, "--target", "1", check=2)
        self.assertIn("has no [[shock]]", proc.stderr)
        proc = self.reverse(cfg, "--target", "1", "--scale", "book.source", check=2)
        self.assertIn("--scale book.source: not a real-valued key", proc.stderr)
        proc = self.reverse(cfg, "--target", "1", "--scale", "asset.BTC.vol", "--statistic",
                            "var:1.5", check=2)
        self.assertIn("--statistic var:1.5", proc.stderr)
        proc = self.reverse(cfg, "--target", "1", "--scale", "asset.BTC.vol", "--metric",
                            "nonsense", check=2)
        self.assertIn("--metric nonsense", proc.stderr)


if __name__ == "__main__":
    unittest.main()
