"""End to end: `liqstress sweep` (issue 6, item 9): one result per grid point over two keys, all with
the same seed and paths (common random numbers), a table across points whose paired
differences between neighbouring points are narrower than unpaired ones; --list, --point
(a Slurm array task) and --collect; bad --vary is refused with exit code 2."""
import json
import os
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import CliTestCase, small_config  # noqa: E402

IMPACT = """
[impact]
model = "linear"
strength = 0.0
"""


class Sweep(CliTestCase):
    def config(self):
        text = (small_config(paths=600, extra=IMPACT)
                .replace("[asset.BTC]", "[asset.BTC]\ndepth = 5.0e7")
                .replace("[asset.ETH]", "[asset.ETH]\ndepth = 2.0e7"))
        return self.write("sw.toml", text)

    def test_grid_over_two_keys_with_common_random_numbers(self):
        cfg = self.config()
        out = os.path.join(self.tmp, "grid")
        vary = ["--vary", "impact.strength=0:2:3", "--vary", "asset.BTC.vol=0.5,0.7"]
        proc = self.run_liq("sweep", cfg, *vary, "-o", out, "--backend", "cpu", check=0)
        self.assertIn("common random numbers", proc.stdout)
        self.assertIn("impact.strength=2, asset.BTC.vol=0.7", proc.stdout)
        files = sorted(os.listdir(out))
        self.assertEqual(files, [f"sw.{k}.h5" for k in range(6)])
        seeds, settings = set(), []
        for k, name in enumerate(files):
            with h5py.File(os.path.join(out, name), "r") as f:
                seeds.add(int(f.attrs["seed"]))
                self.assertEqual(int(f.attrs["paths"]), 600)
                settings.append(f.attrs["config"])
                if k == 5:
                    self.assertIn("strength = 2", f.attrs["config"])
        self.assertEqual(len(seeds), 1)
        self.assertEqual(len(set(settings)), 6)
        j = json.loads(self.run_liq("sweep", cfg, *vary, "-o", out, "--collect", "--json",
                                    check=0).stdout)
        self.assertEqual(len(j["points"]), 6)
        self.assertEqual(j["points"][3]["settings"], ["impact.strength=1", "asset.BTC.vol=0.7"])
        narrower = 0
        for p in j["points"][1:]:
            c = p["mean_change"]
            self.assertIn("paired_ci", c)
            paired = c["paired_ci"][1] - c["paired_ci"][0]
            unpaired = c["unpaired_ci"][1] - c["unpaired_ci"][0]
            self.assertLess(paired, unpaired, p["settings"])
            narrower += 1
        self.assertEqual(narrower, 5)
        # More strength, same vol: more liquidated on average, beyond the paired interval.
        a, b = j["points"][0], j["points"][2]  # strength 0 and 1 at vol 0.5
        self.assertGreater(b["mean"], a["mean"])

    def test_list_point_and_collect(self):
        cfg = self.config()
        out = os.path.join(self.tmp, "arr")
        vary = ["--vary", "impact.strength=0,1"]
        proc = self.run_liq("sweep", cfg, *vary, "-o", out, "--list", check=0)
        self.assertIn("impact.strength=1", proc.stdout)
        self.assertFalse(os.path.exists(out))
        for k in ["1", "0"]:  # array tasks in any order
            self.run_liq("sweep", cfg, *vary, "-o", out, "--point", k, "--backend", "cpu",
                         check=0)
        proc = self.run_liq("sweep", cfg, *vary, "-o", out, "--collect", check=0)
        self.assertIn("mean change (paired)", proc.stdout)
        with h5py.File(os.path.join(out, "sw.0.h5"), "r") as f:
            np.testing.assert_array_equal(f["paths/cascade_rounds"][()] <= 1, True)

    def test_bad_vary_is_refused(self):
        cfg = self.config()
        for bad, msg in [("impact.strength=0:1", "FROM:TO:N"),
                         ("impact.strength=0:1:1", "N must be in"),
                         ("impact.strenght=0:1:2", "impact.strenght"),
                         ("asset.BTC.vol=-1,0.5", "must be >= 0"),
                         ("impact.strength", "expected KEY=")]:
            proc = self.run_liq("sweep", cfg, "--vary", bad, "-o", os.path.join(self.tmp, "b"),
                                check=2)
            self.assertIn(msg, proc.stderr, bad)
        proc = self.run_liq("sweep", cfg, "--vary", "impact.strength=0,1", "--point", "5",
                            "-o", os.path.join(self.tmp, "b"), check=2)
        self.assertIn("--point", proc.stderr)


if __name__ == "__main__":
    unittest.main()
