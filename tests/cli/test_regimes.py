"""End to end: volatility regimes (docs/MODEL.md §1) in the results file — /regimes, the
per-step regime shares in /timeseries/regime_share against the two-state chain's closed form,
and `merge` adding the exact counts.

The known answers come from the continuous-time two-state chain with rates a (calm → stress)
and b (stress → calm) per day: the stationary law is π_stress = a / (a + b), and from calm at
t = 0, P(stress at t) = π_stress · (1 − e^{−(a + b) t}) (e.g. Norris, Markov Chains, §2.4).
Shares are means of n Bernoulli indicators: tolerance k = 4 standard errors,
√(p(1 − p)/n), with fixed seeds."""
import math
import os
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import CliTestCase, small_config  # noqa: E402

A_PER_DAY, B_PER_DAY = 2.0, 6.0  # calm → stress, stress → calm
K_SE = 4.0
N = 2000

REGIMES = f"""
[[regime]]
name = "calm"
to = {{ stress = {A_PER_DAY} }}

[[regime]]
name = "stress"
vol_multiplier = 3.0
jump_rate_multiplier = 2.0
to = {{ calm = {B_PER_DAY} }}
"""


def names(ds):
    return [x.decode() if isinstance(x, bytes) else x for x in ds[()]]


class RegimeShares(CliTestCase):
    def run_regimes(self, initial, out="r.h5", paths=N, first=0):
        text = small_config(paths=N, extra=REGIMES).replace(
            'seed = 7', f'seed = 7\ninitial_regime = "{initial}"')
        cfg = self.write(f"{initial}.toml", text)
        path = os.path.join(self.tmp, out)
        self.run_liq("run", cfg, "-o", path, "--backend", "cpu", "--first-path", str(first),
                     "--paths", str(paths), "--quiet", check=0)
        return cfg, path

    def test_the_stationary_start_keeps_the_stationary_law_at_every_step(self):
        _, path = self.run_regimes("stationary")
        pi = A_PER_DAY / (A_PER_DAY + B_PER_DAY)
        se = math.sqrt(pi * (1 - pi) / N)
        with h5py.File(path, "r") as f:
            self.assertEqual(names(f["regimes"]), ["calm", "stress"])
            share = f["timeseries/regime_share"][()]
            self.assertEqual(share.shape, (60, 2))
            np.testing.assert_allclose(share.sum(axis=1), 1.0, rtol=0, atol=1e-12)
            for k in [0, 30, 59]:
                self.assertLess(abs(share[k, 1] - pi), K_SE * se, f"step {k}")
            counts = share * N
            np.testing.assert_allclose(counts, np.round(counts), rtol=0, atol=1e-9)

    def test_a_calm_start_relaxes_towards_the_stationary_law(self):
        _, path = self.run_regimes("calm")
        pi = A_PER_DAY / (A_PER_DAY + B_PER_DAY)
        with h5py.File(path, "r") as f:
            share = f["timeseries/regime_share"][()]
            self.assertEqual(share[0, 1], 0.0)  # every path starts calm
            step_days = 60.0 / 86400.0
            for k in [20, 59]:
                p = pi * (1 - math.exp(-(A_PER_DAY + B_PER_DAY) * k * step_days))
                se = math.sqrt(p * (1 - p) / N)
                self.assertLess(abs(share[k, 1] - p), K_SE * se, f"step {k}: {share[k, 1]} vs {p}")

    def test_merged_shards_have_the_one_piece_shares(self):
        _, one = self.run_regimes("stationary", "one.h5", paths=300)
        _, a = self.run_regimes("stationary", "a.h5", paths=120)
        _, b = self.run_regimes("stationary", "b.h5", paths=180, first=120)
        merged = os.path.join(self.tmp, "m.h5")
        self.run_liq("merge", merged, a, b, check=0)
        with h5py.File(one, "r") as f, h5py.File(merged, "r") as g:
            self.assertEqual(names(f["regimes"]), names(g["regimes"]))
            for name in ["regime_share", "exact_sums_regimes"]:
                np.testing.assert_array_equal(f["timeseries/" + name][()],
                                              g["timeseries/" + name][()], err_msg=name)

    def test_a_run_without_regimes_has_no_regime_datasets(self):
        cfg = self.write("plain.toml", small_config(paths=50))
        path = os.path.join(self.tmp, "p.h5")
        self.run_liq("run", cfg, "-o", path, "--backend", "cpu", "--quiet", check=0)
        with h5py.File(path, "r") as f:
            self.assertNotIn("regimes", f)
            self.assertNotIn("regime_share", f["timeseries"])


if __name__ == "__main__":
    unittest.main()
