"""End to end: bad scenarios and bad usage give exit code 2 with a message that names the
file, line and key (SPEC.md "Exit codes"), and leave no results file behind."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import SOURCE_DIR, CliTestCase, small_config  # noqa: E402


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("error:")]


class ValidateBuildsWhatRunBuilds(CliTestCase):
    """`validate` (and `sweep`, before any point runs) builds the book, tier table, ladders and
    accounts and checks the results target as `run` does: what `run` refuses, they refuse, with
    the same message and exit code 2."""

    def cases(self):
        text = small_config(paths=20)
        self.write("book.csv", "asset,side,notional_usd,entry_price,leverage\n"
                               "BTC,long,1000,100000,10\n"
                               "BTC,long,1000,abc,10\n")
        csv = text.replace('source = "synthetic"', 'source = "csv"\npath = "book.csv"')
        return {
            # A CSV row that does not parse: found only when the book is read.
            "csv row": (csv.split("[book.synthetic]")[0], "book.csv:3: column 'entry_price'"),
            # A tier table named but not to be found: found only when tiers are loaded.
            "tier table": (text.replace('source = "synthetic"', 'source = "synthetic"\n'
                                        'maintenance = "no-such-table"'),
                           'unknown tier table "no-such-table"'),
            # Three positions for 10 bn of open interest: a drawn position is beyond the
            # largest bracket, found only when the book is drawn.
            "synthetic draws": (text.replace("positions = 1000", "positions = 3")
                                .replace("BTC = 1.0e9", "BTC = 1.0e10"),
                                "book.synthetic.positions: a drawn BTC position"),
        }

    def test_book_and_tier_problems_are_refused_as_run_refuses_them(self):
        for label, (text, expected) in self.cases().items():
            with self.subTest(label):
                cfg = self.write(f"{label.replace(' ', '_')}.toml", text)
                out = os.path.join(self.tmp, "r.h5")
                run = self.run_liq("run", cfg, "-o", out, check=2)
                self.assertFalse(os.path.exists(out))
                validate = self.run_liq("validate", cfg, check=2)
                self.assertEqual(len(error_lines(run.stderr)), 1, run.stderr)
                self.assertIn(expected, error_lines(run.stderr)[0])
                self.assertEqual(error_lines(validate.stderr), error_lines(run.stderr))
                self.assertNotIn("ok (", validate.stdout)
                # sweep checks every point before it runs one: nothing is written.
                folder = os.path.join(self.tmp, "sweep-" + label.replace(" ", "_"))
                sweep = self.run_liq("sweep", cfg, "--vary", "simulation.seed=1,2", "-o", folder,
                                     check=2)
                self.assertIn(error_lines(run.stderr)[0].removeprefix("error: "), sweep.stderr)
                self.assertIn("(sweep point ", sweep.stderr)
                self.assertFalse(os.path.exists(folder) and os.listdir(folder), label)

    def test_results_target_is_checked_as_run_checks_it(self):
        cfg = self.write("t.toml", small_config(paths=20).replace(
            "[book]", '[output]\npath = "no-such-folder/{name}.h5"\n\n[book]'))
        run = self.run_liq("run", cfg, check=2)
        validate = self.run_liq("validate", cfg, check=2)
        self.assertIn("no-such-folder/t.h5: folder 'no-such-folder' does not exist",
                      error_lines(run.stderr)[0])
        self.assertEqual(error_lines(validate.stderr), error_lines(run.stderr))
        # An existing target: run needs --force, validate says so and passes.
        os.mkdir(os.path.join(self.tmp, "out"))
        cfg = self.write("t.toml", small_config(paths=20).replace(
            "[book]", f'[output]\npath = "{self.tmp}/out/{{name}}.h5"\n\n[book]'))
        self.run_liq("run", cfg, "--quiet", check=0)
        run = self.run_liq("run", cfg, "--quiet", check=2)
        self.assertIn("exists; pass --force", run.stderr)
        validate = self.run_liq("validate", cfg, check=0)
        self.assertIn("(exists: `run` needs --force", validate.stdout)

    def test_sweep_refuses_an_existing_point_file_before_running_any(self):
        cfg = self.write("w.toml", small_config(paths=20))
        folder = os.path.join(self.tmp, "sw")
        os.mkdir(folder)
        self.write("sw/w.1.h5", "an earlier result")
        proc = self.run_liq("sweep", cfg, "--vary", "simulation.seed=1,2", "-o", folder, check=2)
        self.assertIn("w.1.h5: exists; pass --force", proc.stderr)
        self.assertEqual(sorted(os.listdir(folder)), ["w.1.h5"])  # point 0 did not run
        self.run_liq("sweep", cfg, "--vary", "simulation.seed=1,2", "-o", folder, "--force",
                     "--quiet", check=0)


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

    def test_validate_keys_prints_the_key_reference(self):
        proc = self.run_liq("validate", "--keys", check=0)
        with open(os.path.join(SOURCE_DIR, "docs", "scenario-keys.md")) as fh:
            self.assertEqual(proc.stdout, fh.read())
        self.run_liq("validate", check=2)  # neither files nor --keys

    def test_bad_usage(self):
        self.run_liq("run", "--paths", "x", check=2)
        self.run_liq("frobnicate", check=2)
        cfg = self.write("s.toml", small_config(paths=3))
        self.run_liq("run", cfg, "-o", os.path.join(self.tmp, "z.h5"), "--paths", "0", check=2)


if __name__ == "__main__":
    unittest.main()
