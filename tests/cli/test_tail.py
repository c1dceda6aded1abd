"""End to end: /tail, the typical path into each metric's tail (host/run/tail.cpp).

The reference is computed here with numpy from the file's own /paths rows, independently of
the code: the worst (1 − p) tail of a metric is its k = ⌈(1 − p)·N⌉ largest values (ties by
path order); the tail's mean log-return at the last step is the mean of those paths'
final_log_return, and its per-step liquidations add up to the mean of their liquidated_usd
(per-step values are exact sums in cents: the tolerance is a cent a step). The tail's paths
are simulated a second time by index: they must be the same paths, so these agree to rounding."""
import math
import os
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import CliTestCase, small_config  # noqa: E402

LEVELS = [0.9, 0.99]
EXTRA = f"""
[impact]
model = "sqrt"
half_life = "30m"

[output]
tail_levels = {LEVELS}
"""


def worst(x, p):
    k = math.ceil(round((1 - p) * len(x), 9))
    order = np.lexsort((np.arange(len(x)), -x))  # by value descending, then path order
    return np.sort(order[:k])


class Tail(CliTestCase):
    def run_tail(self, *args, extra=EXTRA, paths=500):
        text = small_config(paths=paths, extra=extra).replace(
            "vol = 0.6\n", "vol = 0.6\ndepth = 2.0e8\n").replace(
            "vol = 0.8\n", "vol = 0.8\ndepth = 1.0e8\n")
        cfg = self.write("t.toml", text)
        out = os.path.join(self.tmp, f"t{len(args)}.h5")
        self.run_liq("run", cfg, "-o", out, "--quiet", "--force", *args, check=0)
        return out

    def test_the_tail_means_are_those_of_the_tail_paths_rows(self):
        with h5py.File(self.run_tail(), "r") as f:
            liq = f["paths/liquidated_usd"][()]
            final = f["paths/final_log_return"][()]
            steps = int(f.attrs["steps"])
            for metric, x in [("total_liquidated_usd", liq.sum(axis=(1, 2))),
                              ("liquidated_usd/ETH/long", liq[:, 1, 0])]:
                self.assertEqual(sorted(f["tail/" + metric]), [str(p) for p in LEVELS])
                for p in LEVELS:
                    g = f[f"tail/{metric}/{p}"]
                    rows = worst(x, p)
                    self.assertEqual(g.attrs["level"], p)
                    self.assertEqual(g.attrs["paths"], len(rows), metric)
                    self.assertEqual(g.attrs["weight"], len(rows), metric)
                    np.testing.assert_allclose(g["log_return_mean"][-1, :],
                                               final[rows].mean(axis=0), rtol=0, atol=1e-9)
                    np.testing.assert_allclose(g["liquidated_usd_mean"][()].sum(axis=0),
                                               liq[rows].mean(axis=0), rtol=1e-12,
                                               atol=0.01 * steps)
            # The worst 1% of total liquidations falls further than the mean path.
            tail = f["tail/total_liquidated_usd/0.99/log_return_mean"][-1, 0]
            self.assertLess(tail, f["timeseries/log_return_mean"][-1, 0])

    def test_the_same_bytes_whatever_the_thread_count(self):
        a, b = self.run_tail("--threads", "1"), self.run_tail("--threads", "2", "--seed", "7")
        with h5py.File(a, "r") as f, h5py.File(b, "r") as g:
            for name in ["log_return_mean", "liquidated_usd_mean", "forced_flow_usd_mean"]:
                path = "tail/total_liquidated_usd/0.99/" + name
                np.testing.assert_array_equal(f[path][()], g[path][()], err_msg=name)

    def test_no_levels_no_tail(self):
        with h5py.File(self.run_tail(extra="[output]\ntail_levels = []\n", paths=50), "r") as f:
            self.assertNotIn("tail", f)
            self.assertIn("log_return_mean", f["timeseries"])


if __name__ == "__main__":
    unittest.main()
