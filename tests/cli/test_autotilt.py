"""End to end: the automatic importance tilt ([importance] metric and threshold, docs/MODEL.md
§5): cross-entropy iterations on pilot batches choose the tilt.

Known answer from outside the code: test_importance.py's Merton jump-diffusion and its closed
form (a Poisson mixture of normals, written there from docs/MODEL.md §1), the long position's
loss thresholds at P = 1e-4 and 1e-6. With the tilt chosen for `portfolio_loss_usd/spot >`
each threshold, the /summary exceedance must be within k = 4 standard errors of the closed
form and, at 1e-4, its variance at least 10 times smaller than plain sampling's p(1 − p)/n at
the same paths. The choice must not depend on threads, and the resolved scenario (`validate`,
the results' `config`) must name it: run again, that scenario gives the same paths and
weights without a pilot."""
import json
import math
import os
import re
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import CliTestCase  # noqa: E402
from test_importance import K_SE, PATHS, PROBABILITIES, SCENARIO, THRESHOLDS  # noqa: E402

METRIC = "portfolio_loss_usd/spot"


def auto(threshold, extra=""):
    return f'\n[importance]\nmetric = "{METRIC}"\nthreshold = {threshold!r}\n{extra}'


class AutomaticTilt(CliTestCase):
    def run_auto(self, name, tilt, *args, seed=1, check=0):
        cfg = self.write(f"{name}.toml", SCENARIO.format(seed=seed) + tilt)
        out = os.path.join(self.tmp, f"{name}.h5")
        proc = self.run_liq("run", cfg, "-o", out, "--force", *args, check=check)
        return out, proc

    def test_tail_probabilities_match_the_closed_form(self):
        for i, (truth, threshold) in enumerate(zip(PROBABILITIES, THRESHOLDS)):
            path, proc = self.run_auto(f"p{i}", auto(threshold))
            self.assertIn("cross-entropy iteration 1: level", proc.stderr)
            self.assertIn("importance tilt chosen by cross-entropy", proc.stdout)
            with h5py.File(path, "r") as f:
                g = f[f"summary/{METRIC}"]
                p, ci = g["exceedance"][()][i], g["exceedance_ci"][()][i]
                tilt = json.loads(f.attrs["importance_tilt"])
            self.assertTrue(tilt["reached"])
            self.assertEqual(tilt["threshold"], threshold)
            se = (ci[1] - ci[0]) / 2 / 1.96
            self.assertLess(abs(p - truth), K_SE * se, f"{p} vs {truth} (se {se})")
            if i == 0:
                plain = truth * (1 - truth) / PATHS
                self.assertGreater(plain / se ** 2, 10.0, "variance reduction at 1e-4")

    def test_reverse_chooses_the_tilt_once_and_keeps_it(self):
        # Every trial of `reverse` must differ in the scale alone: the first trial's pilot
        # chooses the tilt, the later trials (and the scenario written at s*) keep it.
        cfg = self.write("rev.toml", SCENARIO.format(seed=1) + auto(THRESHOLDS[0]))
        proc = self.run_liq("reverse", cfg, "--metric", METRIC, "--statistic",
                            f"exceed:{THRESHOLDS[0]!r}", "--target", "1e-3", "--scale",
                            "asset.BTC.vol", "--paths", "4000", "-o", self.tmp, "--force",
                            "--json", check=0)
        self.assertEqual(proc.stderr.count("cross-entropy iteration 1:"), 1, proc.stderr)
        result = json.loads(proc.stdout)
        self.assertGreater(len(result["trials"]), 3)
        self.assertGreater(result["scale"], 1.0)
        written = [f for f in os.listdir(self.tmp) if f.endswith(".toml") and f != "rev.toml"]
        self.assertEqual(len(written), 1, written)
        with open(os.path.join(self.tmp, written[0])) as fh:
            text = fh.read()
        self.assertRegex(text, r"jump_rate_multiplier = [0-9.e+-]+")
        # Run again, that scenario runs no pilot (every tilt key is given).
        again = self.run_liq("run", os.path.join(self.tmp, written[0]), "--paths", "100", "-o",
                             os.path.join(self.tmp, "again.h5"), check=0)
        self.assertNotIn("cross-entropy iteration", again.stderr)

    def test_sweep_chooses_the_tilt_once_for_every_point(self):
        cfg = self.write("sw.toml", SCENARIO.format(seed=1) + auto(THRESHOLDS[0]))
        out = os.path.join(self.tmp, "sweep")
        proc = self.run_liq("sweep", cfg, "--vary", "asset.BTC.vol=0.4,0.6", "--paths", "2000",
                            "-o", out, check=0)
        self.assertEqual(proc.stderr.count("cross-entropy iteration 1:"), 1, proc.stderr)
        tilts = []
        for name in sorted(os.listdir(out)):
            if name.endswith(".h5"):
                with h5py.File(os.path.join(out, name), "r") as f:
                    tilts.append(re.findall(r"^jump_rate_multiplier = .*$",
                                            f.attrs["config"], re.M))
        self.assertEqual(len(tilts), 2)
        self.assertEqual(len(tilts[0]), 1, tilts)
        self.assertEqual(tilts[0], tilts[1])

    def test_merge_keeps_the_tilt_its_shards_share(self):
        cfg = self.write("m.toml", SCENARIO.format(seed=1) + auto(THRESHOLDS[0]))
        parts = [os.path.join(self.tmp, f"part{i}.h5") for i in range(2)]
        for i, part in enumerate(parts):
            self.run_liq("run", cfg, "-o", part, "--first-path", str(1000 * i), "--paths",
                         "1000", "--quiet", check=0)
        merged = os.path.join(self.tmp, "merged.h5")
        self.run_liq("merge", merged, *parts, "--quiet", check=0)
        with h5py.File(parts[0], "r") as f:
            want = f.attrs["importance_tilt"]
        with h5py.File(merged, "r") as f:
            self.assertEqual(f.attrs["importance_tilt"], want)

    def test_the_same_tilt_whatever_threads_and_paths(self):
        one, _ = self.run_auto("t1", auto(THRESHOLDS[0]), "--threads", "1", "--quiet")
        two, _ = self.run_auto("t2", auto(THRESHOLDS[0]), "--threads", "2", "--quiet",
                               "--paths", "1000")
        with h5py.File(one, "r") as f, h5py.File(two, "r") as g:
            self.assertEqual(f.attrs["importance_tilt"], g.attrs["importance_tilt"])
            self.assertEqual(f.attrs["config"], g.attrs["config"])
            np.testing.assert_array_equal(f["paths/weight"][:1000], g["paths/weight"][()])

    def test_the_resolved_scenario_names_the_chosen_tilt(self):
        path, _ = self.run_auto("r", auto(THRESHOLDS[0]), "--quiet")
        cfg = os.path.join(self.tmp, "r.toml")
        shown = self.run_liq("validate", cfg, check=0).stdout
        with h5py.File(path, "r") as f:
            config = f.attrs["config"]
            tilt = json.loads(f.attrs["importance_tilt"])
            weights = f["paths/weight"][()]
        self.assertIn(config.strip(), shown)
        section = config[config.index("[importance]"):]
        rate = float(re.search(r"^jump_rate_multiplier = (\S+)$", section, re.M).group(1))
        self.assertEqual(rate, tilt["jump_rate_multiplier"])
        self.assertGreater(rate, 2.0)  # the tail is driven by the jumps: more of them
        shift = float(re.search(r"^diffusion_shift = (\S+)$", section, re.M).group(1))
        self.assertEqual(shift, tilt["diffusion_shift"]["BTC"])
        self.assertLess(shift, 0.0)  # and by falls
        # Run again, the resolved scenario gives every tilt key: no pilot, the same paths.
        again = os.path.join(self.tmp, "again.h5")
        proc = self.run_liq("run", self.write("again.toml", config), "-o", again, check=0)
        self.assertNotIn("cross-entropy", proc.stderr)
        with h5py.File(again, "r") as f:
            self.assertNotIn("importance_tilt", f.attrs)
            self.assertEqual(f.attrs["config"], config)
            np.testing.assert_array_equal(f["paths/weight"][()], weights)

    def test_keys_given_by_hand_stay(self):
        path, _ = self.run_auto("g", auto(THRESHOLDS[0], "jump_rate_multiplier = 7.5\n"),
                                "--quiet")
        with h5py.File(path, "r") as f:
            tilt = json.loads(f.attrs["importance_tilt"])
        self.assertEqual(tilt["jump_rate_multiplier"], 7.5)
        self.assertNotEqual(tilt["jump_mean_shift"]["BTC"], 0.0)

    def test_bad_keys_are_refused(self):
        cases = [(auto(1e5).replace(METRIC, "portfolio_loss_usd/nobody"), "importance.metric"),
                 (f'\n[importance]\nmetric = "{METRIC}"\n', "importance.threshold"),
                 ("\n[importance]\nthreshold = 1.0\n", "importance.metric"),
                 (auto(1e5, "market_jump_rate_multiplier = 1.0\nmarket_jump_mean_shift = 0.0\n"
                            "jump_rate_multiplier = 2.0\njump_mean_shift = 0.0\n"
                            "diffusion_shift = 0.0\n").replace(METRIC, "bad_debt"),
                  "importance.metric")]
        for k, (tilt, key) in enumerate(cases):
            cfg = self.write(f"bad{k}.toml", SCENARIO.format(seed=1) + tilt)
            for command in (["validate", cfg], ["run", cfg, "-o", os.path.join(self.tmp, "x.h5")]):
                proc = self.run_liq(*command, check=2)
                self.assertIn(key, proc.stderr)
                self.assertIn(f"bad{k}.toml", proc.stderr)


if __name__ == "__main__":
    unittest.main()
