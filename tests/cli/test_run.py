"""End to end: `liqstress run` writes the promised HDF5 file (SPEC.md "Results file"),
reproducibly, atomically, and refuses bad input with exit code 2."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from faults import datasets  # noqa: E402
from liqtest import BINARY, CliTestCase, small_config  # noqa: E402

ROOT = os.environ.get("LIQ_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))

PATH_DATASETS = ["final_log_return", "min_log_return", "max_log_return", "weight",
                 "liquidated_usd", "liquidated_positions", "bad_debt_usd", "adl_usd",
                 "adl_closed_usd", "insurance_fund_usd"]
SHAPES = {"final_log_return": (2,), "min_log_return": (2,), "max_log_return": (2,), "weight": (),
          "liquidated_usd": (2, 2), "liquidated_positions": (2, 2), "bad_debt_usd": (),
          "adl_usd": (), "adl_closed_usd": (), "insurance_fund_usd": (), "portfolio_pnl_usd": (1,),
          "portfolio_liquidated": (1,)}
DTYPES = {"liquidated_positions": np.uint32, "portfolio_liquidated": np.uint8}
PORTFOLIO = """
[insurance_fund]
balance = 5.0e6
liquidation_fee = 0.005

[[portfolio]]
name = "fund-a"
collateral = 2.0e6
positions = [ { asset = "BTC", side = "long", notional = 1.5e7, entry = 99000.0 },
              { asset = "ETH", side = "short", notional = 5.0e6, entry = 4100.0 } ]
"""


class RunWritesResults(CliTestCase):
    def test_file_layout_attributes_and_values(self):
        cfg = self.write("small.toml", small_config(paths=300, extra=PORTFOLIO))
        out = os.path.join(self.tmp, "r.h5")
        proc = self.run_liq("run", cfg, "-o", out, "--backend", "cpu", check=0)
        self.assertIn("results: " + out, proc.stdout)
        self.assertIn("BTC", proc.stdout)  # the end-of-run tables
        self.assertIn("Liquidated notional", proc.stdout)
        self.assertIn("bad debt", proc.stdout)
        self.assertIn("fund-a", proc.stdout)
        self.assertIn("backend cpu", proc.stderr)
        with h5py.File(out, "r") as f:
            a = f.attrs
            self.assertEqual(a["format"], "liqstress-results")
            self.assertEqual(int(a["format_version"]), 1)
            self.assertEqual(int(a["seed"]), 7)
            self.assertEqual(int(a["first_path"]), 0)
            self.assertEqual(int(a["paths"]), 300)
            self.assertEqual(int(a["steps"]), 60)
            self.assertEqual(float(a["step_seconds"]), 60.0)
            self.assertEqual(a["backend"], "cpu")
            self.assertEqual(a["rng"], "philox4x32-10")
            for key in ["liqstress_version", "git_commit", "created_utc", "device"]:
                self.assertTrue(len(a[key]) > 0, key)
            resolved = tomllib.loads(a["config"])
            self.assertEqual(resolved["simulation"]["seed"], 7)
            self.assertEqual(resolved["market"]["assets"], ["BTC", "ETH"])
            self.assertEqual(resolved["asset"]["ETH"]["beta"], 1.3)
            self.assertEqual(resolved["asset"]["ETH"]["drift"], 0.0)  # default, written out
            assets = [s.decode() if isinstance(s, bytes) else s for s in f["assets"][()]]
            self.assertEqual(assets, ["BTC", "ETH"])
            for name in PATH_DATASETS + ["portfolio_pnl_usd", "portfolio_liquidated"]:
                d = f["paths"][name]
                self.assertEqual(d.shape, (300,) + SHAPES[name], name)
                self.assertEqual(d.dtype, DTYPES.get(name, np.float64), name)
                self.assertTrue(len(d.attrs["units"]) > 0, name)
                self.assertTrue(len(d.attrs["description"]) > 0, name)
                self.assertIsNotNone(d.chunks, name)
                self.assertEqual(d.compression, "gzip", name)
            for name in ["assets", "portfolios"]:
                self.assertTrue(len(f[name].attrs["description"]) > 0)
            self.assertEqual([x.decode() if isinstance(x, bytes) else x for x in f["portfolios"][()]],
                             ["fund-a"])
            # Liquidations: the synthetic book loses positions to the shock on every path.
            liq = f["paths/liquidated_usd"][()]
            count = f["paths/liquidated_positions"][()]
            self.assertTrue(np.all(liq[:, :, 0] > 0))  # longs, every path (−5%/−8% shock)
            self.assertTrue(np.all((liq > 0) == (count > 0)))
            bad, adl, fund = (f["paths"][n][()] for n in ["bad_debt_usd", "adl_usd", "insurance_fund_usd"])
            self.assertTrue(np.all(fund >= 0) and np.all(adl <= bad + 0.01))
            fees = fund - 5.0e6 + bad - adl
            self.assertTrue(np.all(fees >= -0.01))
            self.assertTrue(np.all(fees <= 0.005 * (liq.sum(axis=(1, 2)) + 2.0e7) + 0.01))
            # The timeline: per-step means add up to the per-path mean (cents rounding aside).
            ts = f["timeseries/liquidated_usd_mean"][()]
            self.assertEqual(ts.shape, (60, 2, 2))
            self.assertEqual(f["timeseries/liquidated_usd_std"].shape, (60, 2, 2))
            np.testing.assert_allclose(ts.sum(axis=0), liq.mean(axis=0), rtol=0, atol=0.01 * 60)
            self.assertGreater(ts[30, 0, 0], ts[29, 0, 0])  # the shock lands at the end of step 30
            for name in ["liquidated_usd_mean", "liquidated_usd_std"]:
                self.assertEqual(f["timeseries"][name].attrs["units"], "USD")
            pnl = f["paths/portfolio_pnl_usd"][()][:, 0]
            gone = f["paths/portfolio_liquidated"][()][:, 0]
            self.assertTrue(np.all(pnl[gone == 1] < 0))
            self.assertTrue(np.all(np.isfinite(pnl)))
            fin = f["paths/final_log_return"][()]
            lo = f["paths/min_log_return"][()]
            hi = f["paths/max_log_return"][()]
            self.assertTrue(np.all(f["paths/weight"][()] == 1.0))
            self.assertTrue(np.all(np.isfinite(fin)))
            self.assertTrue(np.all(lo <= fin) and np.all(fin <= hi))
            self.assertTrue(np.all(lo <= 0.0) and np.all(hi >= 0.0))
            # The shock (-5% BTC, -8% ETH) is in every path: the mean final return is well
            # below zero (1 h of diffusion has sd ≈ 0.6 %; jumps add about -1.2 %).
            self.assertLess(fin[:, 0].mean(), -0.04)
            self.assertLess(fin[:, 1].mean(), -0.07)
            # Paths differ from one another.
            self.assertGreater(len(np.unique(fin[:, 0])), 290)

    def test_default_scenario_runs_without_a_config(self):
        out = os.path.join(self.tmp, "d.h5")
        self.run_liq("run", "-o", out, "--paths", "20", "--quiet", check=0)
        with h5py.File(out, "r") as f:
            self.assertEqual(int(f.attrs["paths"]), 20)
            self.assertEqual(int(f.attrs["steps"]), 1440)
            self.assertEqual(f["paths/final_log_return"].shape[1], len(f["assets"]))

    def test_default_scenario_writes_its_results_from_any_folder(self):
        # No CONFIG, no -o: results/default.h5 under the current folder, whose results/ is
        # made when missing (an installed binary, run anywhere). A scenario file's output
        # folder must exist (AtomicWrites, test_errors).
        def run(*args):
            return subprocess.run([os.path.abspath(BINARY), "run", "--paths", "20", *args],
                                  cwd=self.tmp, capture_output=True, text=True, timeout=300)
        proc = run()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("created folder 'results' for the results", proc.stderr)
        with h5py.File(os.path.join(self.tmp, "results", "default.h5"), "r") as f:
            self.assertEqual(int(f.attrs["paths"]), 20)
        proc = run()  # the folder is there now, and so is the file
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("results/default.h5: exists; pass --force", proc.stderr)
        self.assertNotIn("created folder", proc.stderr)
        proc = run("--quiet", "--force")
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))

    def test_output_template_and_per_path_off(self):
        cfg = self.write("tmpl.toml", small_config(
            paths=10, extra=f'\n[output]\npath = "{self.tmp}/out-{{name}}.h5"\nper_path = false\n'))
        self.run_liq("run", cfg, "--quiet", check=0)
        out = os.path.join(self.tmp, "out-tmpl.h5")
        with h5py.File(out, "r") as f:
            self.assertNotIn("paths", f)
            self.assertIn("assets", f)


class Cascades(CliTestCase):
    def test_impact_writes_rounds_and_the_timeline(self):
        extra = PORTFOLIO + """
[impact]
model = "sqrt"
strength = 1.0
half_life = "10m"
cross = { BTC = { ETH = 0.5 } }
thinning = { flow = 2.0, drawdown = 0.1 }
"""
        cfg = self.write("cascade.toml",
                         small_config(paths=200, extra=extra)
                         .replace("[asset.ETH]", "[asset.ETH]\ndepth = 2.0e7")
                         .replace("[asset.BTC]", "[asset.BTC]\ndepth = 5.0e7"))
        out = os.path.join(self.tmp, "c.h5")
        off = os.path.join(self.tmp, "off.h5")
        proc = self.run_liq("run", cfg, "-o", out, "--backend", "cpu", check=0)
        self.assertIn("cascades:", proc.stdout)
        self.run_liq("run", cfg, "-o", off, "--backend", "cpu", "--set", "impact.model=none",
                     check=0)
        with h5py.File(out, "r") as f, h5py.File(off, "r") as g:
            rounds = f["paths/cascade_rounds"][()]
            self.assertEqual(rounds.dtype, np.uint16)
            self.assertTrue(np.all(rounds >= 1))  # the shock liquidates on every path
            self.assertTrue(np.any(rounds >= 2))  # and forced flow liquidates more
            self.assertTrue(np.all(g["paths/cascade_rounds"][()] == 1))
            flow = f["timeseries/forced_flow_usd_mean"][()]
            impact = f["timeseries/impact_mean"][()]
            self.assertEqual(flow.shape, (60, 2))
            self.assertEqual(impact.shape, (60, 2))
            self.assertEqual(f["timeseries/forced_flow_usd_std"].shape, (60, 2))
            self.assertEqual(f["timeseries/impact_std"].shape, (60, 2))
            # Net flow = shorts bought back − longs sold (+ accounts closed): at the shock
            # step, the long flush dominates.
            liq = f["timeseries/liquidated_usd_mean"][()]
            self.assertLess(flow[30, 0], 0)
            self.assertLessEqual(flow[30, 0], liq[30, 0, 1] - liq[30, 0, 0] + 1.5e7)
            self.assertLess(impact[30, 0], 0)  # forced selling pushed BTC down
            self.assertLess(impact[30, 1], 0)  # and, through cross-impact, ETH
            # Resilience: a 10-minute half-life leaves little of it 20 steps later.
            self.assertLess(abs(impact[50, 0]), abs(impact[30, 0]) / 2)
            # Feedback liquidates more than the same paths without it.
            self.assertGreater(f["paths/liquidated_usd"][()].sum(),
                               g["paths/liquidated_usd"][()].sum())
            np.testing.assert_array_equal(g["timeseries/impact_mean"][()], 0.0)
            # Cells: liquidated [60, 2, 2], flow and impact [60, 2]; ADL deficit and closed [60].
            self.assertEqual(f["timeseries/exact_sums"].shape, (60 * 2 * 4, 4))
            self.assertEqual(f["timeseries/exact_sums_adl"].shape, (60 * 2, 4))


def exact(value):
    """A dataset's value as bytes; tables with strings (pointers in memory) by their values."""
    value = np.asarray(value)
    return value.tobytes() if not value.dtype.hasobject else repr(value.tolist()).encode()


class Reproducibility(CliTestCase):
    def rows(self, path):
        with h5py.File(path, "r") as f:
            return {n: f["paths"][n][()] for n in PATH_DATASETS}

    def test_threads_give_identical_bytes(self):
        cfg = self.write("s.toml", small_config(paths=500))
        a, b = os.path.join(self.tmp, "t1.h5"), os.path.join(self.tmp, "t2.h5")
        self.run_liq("run", cfg, "-o", a, "--threads", "1", "--backend", "cpu", check=0)
        self.run_liq("run", cfg, "-o", b, "--threads", "2", "--backend", "cpu", check=0)
        ra, rb = self.rows(a), self.rows(b)
        for n in PATH_DATASETS:
            self.assertEqual(ra[n].tobytes(), rb[n].tobytes(), n)

    def test_simd_lanes_give_identical_bytes(self):
        # The shipped default (books in equilibrium, cascades on) with every lane width this
        # processor runs against the scalar kernels (--simd off): every dataset — rows, exact
        # per-step sums, summaries, tail paths — is the same bytes. 203 paths: full groups of 8
        # lanes and a last group of 3.
        runs = {}
        for level in ("off", "sse2", "avx2", "avx512", "auto"):
            out = os.path.join(self.tmp, f"{level}.h5")
            r = self.run_liq("run", os.path.join(ROOT, "configs", "default.toml"), "-o", out,
                             "--paths", "203", "--backend", "cpu", "--simd", level, "--quiet")
            if r.returncode == 2 and "this processor runs at most" in r.stderr:
                continue  # a wider set than this processor has: refused, as it should be
            self.assertEqual(r.returncode, 0, r.stderr)
            runs[level] = out
        self.assertGreaterEqual(len(runs), 3, runs)
        want, want_attrs = datasets(runs["off"])
        for level, out in runs.items():
            got, got_attrs = datasets(out)
            self.assertEqual(sorted(got), sorted(want), level)
            self.assertEqual(got_attrs, want_attrs, level)
            for n in want:
                self.assertEqual(exact(got[n]), exact(want[n]), f"--simd {level}: {n}")
        r = self.run_liq("run", os.path.join(ROOT, "configs", "default.toml"), "--paths", "8",
                         "--simd", "avx1024", "-o", os.path.join(self.tmp, "x.h5"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("--simd", r.stderr)

    def test_shards_equal_the_run_in_one_piece(self):
        cfg = self.write("s.toml", small_config(paths=500))
        whole = os.path.join(self.tmp, "whole.h5")
        p1, p2 = os.path.join(self.tmp, "p1.h5"), os.path.join(self.tmp, "p2.h5")
        self.run_liq("run", cfg, "-o", whole, "--quiet", check=0)
        self.run_liq("run", cfg, "-o", p1, "--first-path", "0", "--paths", "137", "--quiet", check=0)
        self.run_liq("run", cfg, "-o", p2, "--first-path", "137", "--paths", "363", "--quiet", check=0)
        w, a, b = self.rows(whole), self.rows(p1), self.rows(p2)
        with h5py.File(p2, "r") as f:
            self.assertEqual(int(f.attrs["first_path"]), 137)
            self.assertEqual(int(f.attrs["paths"]), 363)
        for n in PATH_DATASETS:
            self.assertEqual(np.concatenate([a[n], b[n]]).tobytes(), w[n].tobytes(), n)

    def test_seed_changes_paths_and_is_recorded(self):
        cfg = self.write("s.toml", small_config(paths=50))
        a, b = os.path.join(self.tmp, "a.h5"), os.path.join(self.tmp, "b.h5")
        self.run_liq("run", cfg, "-o", a, "--quiet", check=0)
        self.run_liq("run", cfg, "-o", b, "--seed", "8", "--quiet", check=0)
        with h5py.File(b, "r") as f:
            self.assertEqual(int(f.attrs["seed"]), 8)
            self.assertEqual(tomllib.loads(f.attrs["config"])["simulation"]["seed"], 8)
        self.assertNotEqual(self.rows(a)["final_log_return"].tobytes(),
                            self.rows(b)["final_log_return"].tobytes())


    def test_seed_varies_the_paths_over_one_book(self):
        # The synthetic book has its own seed (book.synthetic.seed, default 1): --seed and
        # simulation.seed draw other paths over the same book; another book seed, another book.
        cfg = self.write("s.toml", small_config(paths=50))
        runs = {"a": [], "b": ["--seed", "8"], "c": ["--set", "simulation.seed=9"],
                "d": ["--set", "book.synthetic.seed=2"]}
        book_line, config, book_sha = {}, {}, {}
        for name, args in runs.items():
            out = os.path.join(self.tmp, name + ".h5")
            proc = self.run_liq("run", cfg, "-o", out, "--backend", "cpu", *args, check=0)
            book_line[name] = [l for l in proc.stderr.splitlines() if "liqstress: book" in l]
            with h5py.File(out, "r") as f:
                config[name] = tomllib.loads(f.attrs["config"])
                book_sha[name] = f.attrs["book_sha256"]
        self.assertEqual(book_sha["a"], book_sha["b"])  # one book, by content
        self.assertEqual(book_sha["a"], book_sha["c"])
        self.assertNotEqual(book_sha["a"], book_sha["d"])
        self.assertEqual(book_line["a"], book_line["b"])
        self.assertEqual(book_line["a"], book_line["c"])
        self.assertIn("book seed 1)", book_line["a"][0])
        self.assertIn("book seed 2)", book_line["d"][0])
        for name, seed in (("a", 1), ("b", 1), ("c", 1), ("d", 2)):
            self.assertEqual(config[name]["book"]["synthetic"]["seed"], seed, name)
        self.assertEqual(config["b"]["simulation"]["seed"], 8)
        rows = {n: self.rows(os.path.join(self.tmp, n + ".h5")) for n in runs}
        self.assertNotEqual(rows["a"]["final_log_return"].tobytes(),
                            rows["b"]["final_log_return"].tobytes())
        # Same paths, another book: the prices agree, the liquidations do not.
        self.assertEqual(rows["a"]["final_log_return"].tobytes(),
                         rows["d"]["final_log_return"].tobytes())
        self.assertNotEqual(rows["a"]["liquidated_usd"].tobytes(),
                            rows["d"]["liquidated_usd"].tobytes())


class Provenance(CliTestCase):
    """Root attributes `inputs` (input file -> sha256) and `book_sha256` (results/README.md)."""

    def test_inputs_name_every_file_read_with_its_sha256(self):
        book = self.write("book.csv", "asset,side,notional_usd,entry_price,leverage\n"
                                      "BTC,long,2000000,100000,20\nETH,short,500000,4000,10\n")
        with open(os.path.join(ROOT, "configs", "binance-usdt-perp-2024-10.toml")) as fh:
            tiers = self.write("my-tiers.toml", fh.read())
        text = small_config(paths=20).replace(
            'source = "synthetic"', 'source = "csv"\npath = "book.csv"\n'
            'maintenance = "my-tiers.toml"')
        cfg = self.write("p.toml", text.split("[book.synthetic]")[0])
        out = os.path.join(self.tmp, "p.h5")
        self.run_liq("run", cfg, "-o", out, "--quiet", check=0)

        def sha(path):
            with open(path, "rb") as fh:
                return hashlib.sha256(fh.read()).hexdigest()

        with h5py.File(out, "r") as f:
            inputs = json.loads(f.attrs["inputs"])
            self.assertEqual(inputs, {os.path.abspath(p): sha(p) for p in (cfg, book, tiers)})
            self.assertRegex(f.attrs["book_sha256"], "^[0-9a-f]{64}$")
            self.assertEqual(f.attrs["format_version"], 1)
        # The built-in default scenario and tier table are named as such, hashed as compiled.
        out = os.path.join(self.tmp, "d.h5")
        cwd = os.getcwd()
        os.chdir(self.tmp)  # no configs/ here: the compiled-in tier table is used
        try:
            self.run_liq("run", "-o", out, "--paths", "5", "--quiet", check=0)
        finally:
            os.chdir(cwd)
        with h5py.File(out, "r") as f:
            inputs = json.loads(f.attrs["inputs"])
        self.assertEqual(inputs, {
            "builtin:default.toml": sha(os.path.join(ROOT, "configs", "default.toml")),
            "builtin:binance-usdt-perp-2024-10":
                sha(os.path.join(ROOT, "configs", "binance-usdt-perp-2024-10.toml"))})


class AtomicWrites(CliTestCase):
    def test_existing_file_is_kept_without_force(self):
        cfg = self.write("s.toml", small_config(paths=20))
        out = self.write("r.h5", "precious")
        proc = self.run_liq("run", cfg, "-o", out, check=2)
        self.assertIn("--force", proc.stderr)
        self.assertIn(out, proc.stderr)
        with open(out) as f:
            self.assertEqual(f.read(), "precious")
        self.assertEqual(self.leftovers(), [])
        self.run_liq("run", cfg, "-o", out, "--force", "--quiet", check=0)
        with h5py.File(out, "r") as f:
            self.assertEqual(int(f.attrs["paths"]), 20)

    def test_missing_output_folder_is_bad_input(self):
        cfg = self.write("s.toml", small_config(paths=20))
        proc = self.run_liq("run", cfg, "-o", os.path.join(self.tmp, "nope", "r.h5"), check=2)
        self.assertIn("nope", proc.stderr)

    def test_interrupted_run_leaves_no_file(self):
        cfg = self.write("s.toml", small_config(paths=50_000_000))
        out = os.path.join(self.tmp, "big.h5")
        for sig, code in [(signal.SIGINT, 130), (signal.SIGTERM, 143)]:
            proc = subprocess.Popen([BINARY, "run", cfg, "-o", out, "--quiet"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(1.5)
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=120)
            self.assertEqual(proc.returncode, code, err)
            self.assertIn("interrupted", err)
            self.assertFalse(os.path.exists(out))
            self.assertEqual(self.leftovers(), [])


class Backends(CliTestCase):
    def test_cuda_without_a_device_fails_with_exit_code_3(self):
        info = self.run_liq("info", check=0)
        self.assertIn("liqstress", info.stdout)
        self.assertIn("cpu", info.stdout)
        if "CUDA devices: none usable" not in info.stdout:
            self.skipTest("a CUDA device is usable here")
        cfg = self.write("s.toml", small_config(paths=10))
        out = os.path.join(self.tmp, "c.h5")
        proc = self.run_liq("run", cfg, "-o", out, "--backend", "cuda", check=3)
        self.assertIn("no usable CUDA device", proc.stderr)
        self.assertFalse(os.path.exists(out))
        proc = self.run_liq("run", cfg, "-o", out, "--backend", "auto", check=0)
        self.assertIn("backend cpu", proc.stderr)
        with h5py.File(out, "r") as f:
            self.assertEqual(f.attrs["backend"], "cpu")

    def test_bad_backend_name(self):
        cfg = self.write("s.toml", small_config(paths=10))
        proc = self.run_liq("run", cfg, "-o", os.path.join(self.tmp, "x.h5"), "--backend", "gpu", check=2)
        self.assertIn("--backend", proc.stderr)

    def test_bench_prints_both_rates_and_their_ratio(self):
        proc = self.run_liq("bench", "--backend", "cpu", "--paths", "64", "--repeats", "1", check=0)
        self.assertIn("full model: prices + book", proc.stdout)
        self.assertIn("price model alone", proc.stdout)
        self.assertIn("random numbers alone", proc.stdout)
        self.assertIn("full model / price model alone", proc.stdout)
        self.assertIn("price model / RNG bound", proc.stdout)


if __name__ == "__main__":
    unittest.main()
