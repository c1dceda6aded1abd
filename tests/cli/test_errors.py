"""End to end: bad scenarios and bad usage give exit code 2 with a message that names the
file, line and key (SPEC.md "Exit codes"), and leave no results file behind."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import CliTestCase, small_config  # noqa: E402


class BadScenarios(CliTestCase):
    # (what to change, the text expected in the message: file:line: key)
    CASES = [
        ("vol", ("vol = 0.6", "vol = -0.3"), ":13: asset.BTC.vol"),
        ("unknown key", ("beta = 1.3", "beta = 1.3\nbetta = 1.0"), ":20: asset.ETH.betta"),
        ("unknown table", ("[market_jumps]", "[market_jump]"), ":21: market_jump"),
        ("negative paths", ("paths = 300", "paths = -5"), ":2: simulation.paths"),
        ("horizon not a multiple", ('step = "1m"', 'step = "7m"'), "simulation"),
        ("bad duration", ('horizon = "1h"', 'horizon = "1 hour"'), ":3: simulation.horizon"),
        ("not PSD", ("[[1.0, 0.8], [0.8, 1.0]]", "[[1.0, 1.2], [1.2, 1.0]]"), ":9: market.correlation"),
        ("shock on unknown asset", ("ETH = -0.08 }", "XRP = -0.08 }"), "shock"),
        ("syntax", ("[market]", "[market"), ":7:"),
    ]

    def test_each_bad_scenario_is_refused_with_file_line_and_key(self):
        for label, (old, new), expected in self.CASES:
            with self.subTest(label):
                text = small_config(paths=300)
                self.assertIn(old, text, label)
                cfg = self.write("bad.toml", text.replace(old, new, 1))
                out = os.path.join(self.tmp, "bad.h5")
                proc = self.run_liq("run", cfg, "-o", out, check=2)
                self.assertIn("bad.toml", proc.stderr, label)
                self.assertIn(expected, proc.stderr, label)
                self.assertFalse(os.path.exists(out), label)
                self.assertEqual(self.leftovers(), [], label)
                proc = self.run_liq("validate", cfg, check=2)
                self.assertIn(expected, proc.stderr, label)

    def test_missing_file(self):
        proc = self.run_liq("run", os.path.join(self.tmp, "absent.toml"), check=2)
        self.assertIn("absent.toml", proc.stderr)

    def test_set_overrides(self):
        cfg = self.write("s.toml", small_config(paths=300))
        out = os.path.join(self.tmp, "s.h5")
        proc = self.run_liq("run", cfg, "-o", out, "--set", "asset.BTC.volatility=0.5", check=2)
        self.assertIn("asset.BTC.volatility", proc.stderr)
        proc = self.run_liq("run", cfg, "-o", out, "--set", "asset.BTC.vol=-1", check=2)
        self.assertIn("--set asset.BTC.vol", proc.stderr)
        self.assertFalse(os.path.exists(out))
        proc = self.run_liq("validate", cfg, "--set", "simulation.paths=2e3", check=0)
        self.assertIn("paths = 2000", proc.stdout)

    def test_validate_prints_the_resolved_scenario_with_defaults(self):
        cfg = self.write("good.toml", small_config(paths=300))
        proc = self.run_liq("validate", cfg, check=0)
        self.assertIn("ok", proc.stdout)
        self.assertIn("seed = 7", proc.stdout)
        self.assertIn("drift = 0", proc.stdout)  # a default, printed
        self.assertIn("quantiles", proc.stdout)

    def test_bad_usage(self):
        self.run_liq("run", "--paths", "x", check=2)
        self.run_liq("frobnicate", check=2)
        cfg = self.write("s.toml", small_config(paths=3))
        self.run_liq("run", cfg, "-o", os.path.join(self.tmp, "z.h5"), "--paths", "0", check=2)


if __name__ == "__main__":
    unittest.main()
