"""End to end: /summary and --summary-json (MODEL.md §5), --target-rel-ci, `merge` (shards equal
the run made in one piece, dataset for dataset) and `compare` (paired differences under
common random numbers), each with its refusals (exit code 2)."""
import hashlib
import json
import math
import os
import shutil
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import CliTestCase, small_config  # noqa: E402

PORTFOLIO = """
[insurance_fund]
balance = 5.0e6
liquidation_fee = 0.005

[output]
thresholds = [1.0e6, 1.0e7, 1.0e8]

[[portfolio]]
name = "fund-a"
collateral = 2.0e6
positions = [ { asset = "BTC", side = "long", notional = 1.5e7, entry = 99000.0 } ]
"""

METRICS = ["total_liquidated_usd", "liquidated_usd/BTC/long", "liquidated_usd/BTC/short",
           "liquidated_usd/ETH/long", "liquidated_usd/ETH/short", "bad_debt_usd", "adl_usd",
           "adl_closed_usd", "portfolio_loss_usd/fund-a"]


def names(ds):
    return [x.decode() if isinstance(x, bytes) else x for x in ds[()]]


def all_datasets(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out


class Summary(CliTestCase):
    def test_summary_matches_the_rows_and_the_json(self):
        cfg = self.write("s.toml", small_config(paths=400, extra=PORTFOLIO))
        out = os.path.join(self.tmp, "s.h5")
        js = os.path.join(self.tmp, "s.json")
        proc = self.run_liq("run", cfg, "-o", out, "--backend", "cpu", "--summary-json", js,
                            check=0)
        self.assertIn("VaR 99%", proc.stdout)
        self.assertIn("ES 95%", proc.stdout)
        with open(js) as fh:
            j = json.load(fh)
        with h5py.File(out, "r") as f:
            self.assertEqual(names(f["summary/metrics"]), METRICS)
            liq = f["paths/liquidated_usd"][()]
            columns = {"total_liquidated_usd": liq.sum(axis=(1, 2)),
                       "liquidated_usd/BTC/long": liq[:, 0, 0],
                       "bad_debt_usd": f["paths/bad_debt_usd"][()],
                       "portfolio_loss_usd/fund-a": -f["paths/portfolio_pnl_usd"][()][:, 0]}
            for name in METRICS:
                g = f["summary"][name]
                levels = g["quantile_levels"][()]
                np.testing.assert_array_equal(levels, [0.5, 0.9, 0.95, 0.975, 0.99, 0.999])
                self.assertEqual(g["var_ci"].shape, (6, 2))
                self.assertEqual(g["es_ci"].shape, (6, 2))
                self.assertEqual(g["exceedance_ci"].shape, (3, 2))
                self.assertEqual(g["histogram_edges"].shape[0], g["histogram_counts"].shape[0] + 1)
                self.assertAlmostEqual(g["histogram_counts"][()].sum(), 400.0)
                var, ci = g["var"][()], g["var_ci"][()]
                es, es_ci = g["es"][()], g["es_ci"][()]
                self.assertTrue(np.all(ci[:, 0] <= var) and np.all(var <= ci[:, 1]))
                self.assertTrue(np.all(es >= var - 1e-6))
                self.assertTrue(np.all(np.diff(var) >= 0))
                # JSON = file, number for number.
                m = j["metrics"][name]
                self.assertEqual(m["mean"], float(g["mean"][()]))
                self.assertEqual([v["value"] for v in m["var"]], list(var))
                self.assertEqual([v["ci"] for v in m["es"]], es_ci.tolist())
                if name in columns:
                    x = np.sort(columns[name])
                    n = len(x)
                    self.assertAlmostEqual(float(g["mean"][()]), x.mean(),
                                           delta=1e-9 * max(1.0, abs(x.mean())))
                    self.assertAlmostEqual(float(g["stderr"][()]), x.std(ddof=1) / math.sqrt(n),
                                           delta=1e-6 * max(1.0, x.std()))
                    for p, v in zip(levels, var):  # x_(ceil(n p)), MODEL.md §5
                        self.assertEqual(v, x[math.ceil(n * p - 1e-9) - 1])
                    for t, e in zip(g["thresholds"][()], g["exceedance"][()]):
                        self.assertAlmostEqual(e, (x > t).mean())
        self.assertEqual(j["paths"], 400)
        self.assertEqual(j["cascade"]["paths_at_the_cap"], 0)
        self.assertEqual(j["cascade"]["most_rounds_in_a_step"], 1)  # no impact: one round

    def test_summary_json_keeps_an_existing_file_without_force(self):
        cfg = self.write("s.toml", small_config(paths=50))
        js = self.write("keep.json", "precious")
        proc = self.run_liq("run", cfg, "-o", os.path.join(self.tmp, "r.h5"), "--backend", "cpu",
                            "--summary-json", js, check=2)
        self.assertIn("keep.json: exists", proc.stderr)
        with open(js) as fh:
            self.assertEqual(fh.read(), "precious")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "r.h5")))

    def test_target_rel_ci_adds_batches_until_the_interval_is_narrow(self):
        cfg = self.write("t.toml", small_config(paths=100, extra=PORTFOLIO))
        out = os.path.join(self.tmp, "t.h5")
        proc = self.run_liq("run", cfg, "-o", out, "--backend", "cpu", "--target-rel-ci", "0.02",
                            check=0)
        self.assertIn("stopped: target reached", proc.stdout)
        with h5py.File(out, "r") as f:
            n = int(f.attrs["paths"])
            self.assertGreater(n, 100)
            self.assertEqual(n % 100, 0)  # whole increments: independent of batch size
            self.assertEqual(f["paths/weight"].shape, (n,))
            x = f["paths/liquidated_usd"][()].sum(axis=(1, 2))
            lo, hi = f["summary/total_liquidated_usd/var_ci"][()][4]
            var = f["summary/total_liquidated_usd/var"][()][4]
            self.assertLess((hi - lo) / 2, 0.02 * var)
        # The same run in one piece of n paths: the same rows.
        one = os.path.join(self.tmp, "one.h5")
        self.run_liq("run", cfg, "-o", one, "--backend", "cpu", "--paths", str(n), check=0)
        with h5py.File(one, "r") as f:
            np.testing.assert_array_equal(f["paths/liquidated_usd"][()].sum(axis=(1, 2)), x)
        capped = os.path.join(self.tmp, "c.h5")
        proc = self.run_liq("run", cfg, "-o", capped, "--backend", "cpu", "--target-rel-ci",
                            "0.001", "--set", "simulation.max_paths=300", check=0)
        self.assertIn("stopped: simulation.max_paths reached", proc.stdout)
        with h5py.File(capped, "r") as f:
            self.assertEqual(int(f.attrs["paths"]), 300)


class Merge(CliTestCase):
    def make_runs(self):
        cfg = self.write("m.toml", small_config(paths=300, extra=PORTFOLIO))
        paths = {}
        for name, first, n in [("one", 0, 300), ("a", 0, 100), ("b", 100, 150), ("c", 250, 50)]:
            paths[name] = os.path.join(self.tmp, name + ".h5")
            self.run_liq("run", cfg, "-o", paths[name], "--backend", "cpu", "--first-path",
                         str(first), "--paths", str(n), "--quiet", check=0)
        return cfg, paths

    def test_merged_shards_equal_the_run_in_one_piece(self):
        cfg, p = self.make_runs()
        merged = os.path.join(self.tmp, "merged.h5")
        self.run_liq("merge", merged, p["c"], p["a"], p["b"], check=0)
        with h5py.File(p["one"], "r") as f, h5py.File(merged, "r") as g:
            # /tail is the one-piece run's own (its tail paths simulated again): merge does
            # not carry it (results/README.md).
            self.assertIn("tail", f)
            self.assertNotIn("tail", g)
            a = {k: v for k, v in all_datasets(f).items() if not k.startswith("tail/")}
            b = all_datasets(g)
            self.assertEqual(sorted(a), sorted(b))
            self.assertIn("summary/total_liquidated_usd/es_ci", a)
            for name in a:
                np.testing.assert_array_equal(a[name], b[name], err_msg=name)
            for key in ["seed", "first_path", "paths", "steps", "config", "format_version",
                        "inputs", "book_sha256"]:
                self.assertEqual(f.attrs[key], g.attrs[key], key)
            self.assertNotIn("mixed_inputs", g.attrs)

    def test_shards_from_other_inputs_are_refused_unless_allowed_and_then_recorded(self):
        book = self.write("book.csv", "asset,side,notional_usd,entry_price,leverage\n"
                                      "BTC,long,2000000,100000,20\nETH,short,500000,4000,10\n")
        text = small_config(paths=200).replace('source = "synthetic"',
                                               'source = "csv"\npath = "book.csv"')
        cfg = self.write("m.toml", text.split("[book.synthetic]")[0])
        a, b = os.path.join(self.tmp, "a.h5"), os.path.join(self.tmp, "b.h5")
        self.run_liq("run", cfg, "-o", a, "--first-path", "0", "--paths", "100", "--quiet",
                     check=0)
        with open(book, "a") as fh:  # the book changed between the shards
            fh.write("ETH,long,700000,3900,5\n")
        self.run_liq("run", cfg, "-o", b, "--first-path", "100", "--paths", "100", "--quiet",
                     check=0)
        with open(book, "rb") as fh:
            new_hash = hashlib.sha256(fh.read()).hexdigest()
        with h5py.File(a, "r") as f:
            old_hash = json.loads(f.attrs["inputs"])[os.path.abspath(book)]
            self.assertNotEqual(f.attrs["book_sha256"], "")
        merged = os.path.join(self.tmp, "m.h5")
        proc = self.run_liq("merge", merged, a, b, check=2)
        self.assertIn("b.h5: made from other inputs than " + a, proc.stderr)
        self.assertIn(f"{os.path.abspath(book)}: sha256 {old_hash[:8]}", proc.stderr)
        self.assertIn(new_hash[:8], proc.stderr)
        self.assertIn("--allow-mixed", proc.stderr)
        self.assertFalse(os.path.exists(merged))
        proc = self.run_liq("merge", merged, a, b, "--allow-mixed", check=0)
        self.assertIn("warning", proc.stderr)
        self.assertIn("mixed_inputs = 1", proc.stderr)
        with h5py.File(merged, "r") as g:
            self.assertEqual(g.attrs["mixed_inputs"], 1)
            shards = json.loads(g.attrs["shard_inputs"])
            self.assertEqual([s["file"] for s in shards], [a, b])
            self.assertEqual([s["first_path"] for s in shards], [0, 100])
            self.assertEqual([s["inputs"][os.path.abspath(book)] for s in shards],
                             [old_hash, new_hash])
            self.assertNotEqual(shards[0]["book_sha256"], shards[1]["book_sha256"])
            common = json.loads(g.attrs["inputs"])
            self.assertIn(os.path.abspath(cfg), common)  # the scenario file did not change
            self.assertNotIn(os.path.abspath(book), common)
            self.assertEqual(g.attrs["book_sha256"], "mixed")

    def test_overlapping_mismatched_or_incomplete_shards_are_refused(self):
        cfg, p = self.make_runs()
        out = os.path.join(self.tmp, "x.h5")
        proc = self.run_liq("merge", out, p["one"], p["b"], check=2)
        self.assertIn("overlap", proc.stderr)
        proc = self.run_liq("merge", out, p["a"], p["c"], check=2)
        self.assertIn("paths [100, 250) are missing", proc.stderr)
        other = os.path.join(self.tmp, "other.h5")
        self.run_liq("run", cfg, "-o", other, "--backend", "cpu", "--first-path", "100",
                     "--paths", "150", "--seed", "9", "--quiet", check=0)
        proc = self.run_liq("merge", out, p["a"], other, check=2)
        self.assertIn("seed", proc.stderr)
        changed = os.path.join(self.tmp, "changed.h5")
        self.run_liq("run", cfg, "-o", changed, "--backend", "cpu", "--first-path", "100",
                     "--paths", "150", "--set", "asset.BTC.vol=0.7", "--quiet", check=0)
        proc = self.run_liq("merge", out, p["a"], changed, check=2)
        self.assertIn("resolved scenarios differ", proc.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(self.leftovers(), [])


class Compare(CliTestCase):
    def test_paired_differences_under_common_random_numbers(self):
        cfg = self.write("c.toml", small_config(paths=2000, extra=PORTFOLIO))
        a = os.path.join(self.tmp, "a.h5")
        b = os.path.join(self.tmp, "b.h5")
        self.run_liq("run", cfg, "-o", a, "--backend", "cpu", "--quiet", check=0)
        # The same paths with a stronger shock: more liquidated on (almost) every path.
        self.run_liq("run", cfg, "-o", b, "--backend", "cpu", "--quiet", "--set",
                     "asset.BTC.vol=0.7", check=0)
        proc = self.run_liq("compare", a, b, check=0)
        self.assertIn("common random numbers", proc.stdout)
        j = json.loads(self.run_liq("compare", a, b, "--json", check=0).stdout)
        self.assertTrue(j["files"][1]["paired_with_first"])
        rows = {(r["metric"], r["statistic"]): r for r in j["rows"]}
        narrower = 0
        for key in [("total_liquidated_usd", "mean"), ("total_liquidated_usd", "VaR 90%"),
                    ("liquidated_usd/BTC/long", "mean"), ("total_liquidated_usd", "ES 90%")]:
            d = rows[key]["differences_to_first"][0]
            paired = d["paired_ci"][1] - d["paired_ci"][0]
            unpaired = d["unpaired_ci"][1] - d["unpaired_ci"][0]
            self.assertLess(paired, unpaired, key)
            narrower += 1
        self.assertEqual(narrower, 4)
        # A scenario compared with itself: exactly zero, and an interval of exactly zero.
        same = json.loads(self.run_liq("compare", a, a, "--json", check=0).stdout)
        for r in same["rows"]:
            d = r["differences_to_first"][0]
            self.assertEqual(d["value"], 0, r["statistic"])
            if "paired_ci" in d:
                self.assertEqual(d["paired_ci"], [0, 0])
                self.assertFalse(d["excludes_zero"])

    def test_files_with_other_levels_and_thresholds_are_matched_by_value(self):
        # Two real results of the same paths, written with different output.quantiles and
        # output.thresholds: each level and threshold is shown where the file has it and as
        # missing (JSON null) where it does not, never another level's value under its label.
        cfg = self.write("c.toml", small_config(paths=400))
        a = os.path.join(self.tmp, "a.h5")
        b = os.path.join(self.tmp, "b.h5")
        self.run_liq("run", cfg, "-o", a, "--backend", "cpu", "--quiet",
                     "--set", "output.quantiles=[0.5, 0.9, 0.99]",
                     "--set", "output.thresholds=[1e6, 1e7]", check=0)
        self.run_liq("run", cfg, "-o", b, "--backend", "cpu", "--quiet",
                     "--set", "output.quantiles=[0.9, 0.99, 0.999]",
                     "--set", "output.thresholds=[1e7, 1e8]", check=0)
        summary = {}
        for name, path in (("a", a), ("b", b)):
            with h5py.File(path, "r") as f:
                g = f["summary/total_liquidated_usd"]
                summary[name] = {
                    "var": dict(zip(g["quantile_levels"][()], g["var"][()])),
                    "es": dict(zip(g["quantile_levels"][()], g["es"][()])),
                    "exceedance": dict(zip(g["thresholds"][()], g["exceedance"][()]))}
        a_sum, b_sum = summary["a"], summary["b"]
        # The same paths: the levels both files have agree (a sanity check of the setup).
        self.assertEqual(a_sum["var"][0.99], b_sum["var"][0.99])
        self.assertNotEqual(b_sum["var"][0.9], a_sum["var"][0.5])

        j = json.loads(self.run_liq("compare", a, b, "--json", check=0).stdout)
        rows = {(r["metric"], r["statistic"]): r for r in j["rows"]}
        total = "total_liquidated_usd"
        expect = {  # statistic: (kind, level or threshold, in a, in b)
            "VaR 50%": ("var", 0.5, True, False), "ES 50%": ("es", 0.5, True, False),
            "VaR 90%": ("var", 0.9, True, True), "VaR 99%": ("var", 0.99, True, True),
            "ES 99%": ("es", 0.99, True, True), "VaR 99.9%": ("var", 0.999, False, True),
            "ES 99.9%": ("es", 0.999, False, True),
            "P(> 1.00M)": ("exceedance", 1e6, True, False),
            "P(> 10.00M)": ("exceedance", 1e7, True, True),
            "P(> 100.00M)": ("exceedance", 1e8, False, True)}
        for statistic, (kind, at, in_a, in_b) in expect.items():
            with self.subTest(statistic):
                r = rows[(total, statistic)]
                self.assertEqual(r["threshold" if kind == "exceedance" else "level"], at)
                ea, eb = r["estimates"]
                self.assertEqual(ea["value"] if ea else None,
                                 a_sum[kind][at] if in_a else None)
                self.assertEqual(eb["value"] if eb else None,
                                 b_sum[kind][at] if in_b else None)
                d = r["differences_to_first"][0]
                if in_a and in_b:
                    self.assertEqual(d["value"], 0)
                else:
                    self.assertIsNone(d)
        statistics = [r["statistic"] for r in j["rows"] if r["metric"] == total]
        self.assertEqual(len(statistics), 1 + 2 * 4 + 3)  # mean, 4 levels, 3 thresholds

        table = self.run_liq("compare", a, b, check=0).stdout
        lines = {}
        for line in table.splitlines():
            cells = [c for c in line.split("  ") if c.strip()]
            if len(cells) >= 3 and cells[0].strip() in expect and cells[0].strip() not in lines:
                lines[cells[0].strip()] = [c.strip() for c in cells[1:]]
            elif len(cells) >= 4 and cells[1].strip() in expect and cells[1].strip() not in lines:
                lines[cells[1].strip()] = [c.strip() for c in cells[2:]]
        self.assertEqual(lines["VaR 50%"][1:], ["missing", "missing"])
        self.assertEqual(lines["VaR 99.9%"][0], "missing")
        self.assertEqual(lines["VaR 99.9%"][2], "missing")
        self.assertTrue(lines["VaR 99.9%"][1].startswith(f"{b_sum['var'][0.999] / 1e6:,.2f} ("))
        self.assertTrue(lines["VaR 99%"][0].startswith(f"{a_sum['var'][0.99] / 1e6:,.2f} ("))
        self.assertTrue(lines["VaR 99%"][1].startswith(f"{b_sum['var'][0.99] / 1e6:,.2f} ("))
        self.assertEqual(lines["P(> 1.00M)"][1], "missing")
        self.assertEqual(lines["P(> 100.00M)"][0], "missing")
        self.assertIn("missing: not in that file", table)

    def test_other_formats_and_versions_are_refused(self):
        cfg = self.write("c.toml", small_config(paths=50))
        a = os.path.join(self.tmp, "a.h5")
        self.run_liq("run", cfg, "-o", a, "--backend", "cpu", "--quiet", check=0)
        proc = self.run_liq("compare", a, cfg, check=2)
        self.assertIn("c.toml: not an HDF5 file", proc.stderr)
        v2 = os.path.join(self.tmp, "v2.h5")
        shutil.copy(a, v2)
        with h5py.File(v2, "r+") as f:
            f.attrs["format_version"] = np.int32(2)
        proc = self.run_liq("compare", a, v2, check=2)
        self.assertIn("v2.h5: results format_version 2; this liqstress reads format_version 1",
                      proc.stderr)
        other = os.path.join(self.tmp, "other.h5")
        with h5py.File(other, "w") as f:
            f.attrs["format"] = "something-else"
        proc = self.run_liq("compare", a, other, check=2)
        self.assertIn("not a liqstress results file", proc.stderr)
        proc = self.run_liq("merge", os.path.join(self.tmp, "m.h5"), a, v2, check=2)
        self.assertIn("format_version 2", proc.stderr)


if __name__ == "__main__":
    unittest.main()
