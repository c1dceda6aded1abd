"""The Python reader (python/liqstress) on real results files of the binary.

Every number the reader returns is compared with h5py's read of the same file, exactly;
dims, shapes and coordinates; the tidy summary table against /summary; refusal of files that
are not liqstress results of format_version 1; datasets added later are picked up; nothing
under /paths is read until asked; the pandas and xarray conversions (skipped when the module
is missing) and the core with both modules hidden; `pip install` into a folder (skipped
without pip and setuptools)."""
import math
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unittest
from unittest import mock

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from liqtest import BINARY, SOURCE_DIR, small_config  # noqa: E402

PACKAGE_DIR = os.path.join(SOURCE_DIR, "python")
sys.path.insert(0, PACKAGE_DIR)
import liqstress  # noqa: E402


def have(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


# Two assets and two portfolios (so that /paths/portfolio_* [N, 2] must be told apart from an
# asset axis by name), thresholds, price impact on; a shard (--first-path) for the path numbers.
EXTRA = """
[insurance_fund]
balance = 5.0e6
liquidation_fee = 0.005

[[portfolio]]
name = "fund-a"
collateral = 2.0e6
positions = [ { asset = "BTC", side = "long", notional = 1.5e7, entry = 99000.0 },
              { asset = "ETH", side = "short", notional = 5.0e6, entry = 4100.0 } ]

[[portfolio]]
name = "fund-b"
collateral = 1.0e6
positions = [ { asset = "ETH", side = "long", notional = 8.0e6, entry = 4000.0 } ]

[output]
thresholds = [1.0e7, 1.0e8]
"""
IMPACT = ["--set", "asset.BTC.depth=2.0e7", "asset.ETH.depth=1.0e7", 'impact.model="sqrt"',
          'impact.half_life="10m"']
# What format_version 1 names, and the dims the reader must give them.
V1_DIMS = {
    "paths/final_log_return": ("path", "asset"),
    "paths/min_log_return": ("path", "asset"),
    "paths/max_log_return": ("path", "asset"),
    "paths/weight": ("path",),
    "paths/liquidated_usd": ("path", "asset", "side"),
    "paths/liquidated_positions": ("path", "asset", "side"),
    "paths/bad_debt_usd": ("path",),
    "paths/adl_usd": ("path",),
    "paths/adl_closed_usd": ("path",),
    "paths/insurance_fund_usd": ("path",),
    "paths/portfolio_pnl_usd": ("path", "portfolio"),
    "paths/portfolio_liquidated": ("path", "portfolio"),
    "paths/cascade_rounds": ("path",),
    "timeseries/liquidated_usd_mean": ("step", "asset", "side"),
    "timeseries/liquidated_usd_std": ("step", "asset", "side"),
    "timeseries/forced_flow_usd_mean": ("step", "asset"),
    "timeseries/forced_flow_usd_std": ("step", "asset"),
    "timeseries/impact_mean": ("step", "asset"),
    "timeseries/impact_std": ("step", "asset"),
    "timeseries/adl_usd_mean": ("step",),
    "timeseries/adl_usd_std": ("step",),
    "timeseries/adl_closed_usd_mean": ("step",),
    "timeseries/adl_closed_usd_std": ("step",),
    "timeseries/exact_sums": ("timeseries_exact_sums_dim_0", "timeseries_exact_sums_dim_1"),
    "timeseries/exact_sums_adl": ("timeseries_exact_sums_adl_dim_0",
                                  "timeseries_exact_sums_adl_dim_1"),
    "timeseries/log_return_mean": ("step", "asset"),
    "timeseries/log_return_std": ("step", "asset"),
    "timeseries/exact_sums_price": ("timeseries_exact_sums_price_dim_0",
                                    "timeseries_exact_sums_price_dim_1"),
    # /tail/<metric>/<level>/<name>: one entry per name.
    "tail/*/log_return_mean": ("step", "asset"),
    "tail/*/liquidated_usd_mean": ("step", "asset", "side"),
    "tail/*/forced_flow_usd_mean": ("step", "asset"),
}


def v1_key(name):
    """The V1_DIMS entry of a dataset: /tail's datasets by their last component."""
    return "tail/*/" + name.rsplit("/", 1)[-1] if name.startswith("tail/") else name


def run_liq(*args):
    proc = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"liqstress {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")


def datasets_outside_summary(f):
    """name -> h5py.Dataset for every dataset but /summary's, /assets and /portfolios."""
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and not name.startswith("summary/") \
                and name not in ("assets", "portfolios"):
            out[name] = obj

    f.visititems(visit)
    return out


def plain(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


def same(a, b):
    """Exactly equal numbers (NaN equals NaN)."""
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or a == b


class ReaderTest(unittest.TestCase):
    """Results files made once for the class: `shard` (2 assets, 2 portfolios, thresholds,
    impact, paths [100, 400)), `default` (configs/default.toml: 4 assets, no portfolios) and
    `rows_off` (output.per_path = false, no thresholds)."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="liqstress-reader-")
        cls.tmp = cls._tmp.name
        cfg = os.path.join(cls.tmp, "small.toml")
        with open(cfg, "w") as fh:
            fh.write(small_config(paths=1000, extra=EXTRA))
        plain_cfg = os.path.join(cls.tmp, "plain.toml")
        with open(plain_cfg, "w") as fh:
            fh.write(small_config(paths=200))
        cls.files = {name: os.path.join(cls.tmp, f"{name}.h5")
                     for name in ("shard", "default", "rows_off")}
        run_liq("run", cfg, "-o", cls.files["shard"], "--backend", "cpu", "--quiet",
                "--first-path", "100", "--paths", "300", *IMPACT)
        run_liq("run", os.path.join(SOURCE_DIR, "configs", "default.toml"), "-o",
                cls.files["default"], "--backend", "cpu", "--quiet", "--paths", "200")
        run_liq("run", plain_cfg, "-o", cls.files["rows_off"], "--backend", "cpu", "--quiet",
                "--set", "output.per_path=false")

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def setUp(self):
        self._case_tmp = tempfile.TemporaryDirectory(prefix="liqstress-reader-case-")
        self.case_tmp = self._case_tmp.name

    def tearDown(self):
        self._case_tmp.cleanup()

    def copy(self, name, new):
        path = os.path.join(self.case_tmp, new)
        shutil.copyfile(self.files[name], path)
        return path

    # ------------------------------------------------------------------ numbers

    def test_every_variable_equals_h5py(self):
        for key, path in self.files.items():
            with self.subTest(file=key), liqstress.load(path) as r, h5py.File(path, "r") as f:
                expected = datasets_outside_summary(f)
                self.assertEqual(sorted(r.variables), sorted(expected))
                for name, ds in expected.items():
                    v = r[name]
                    data = ds[()]
                    got = v.read()
                    self.assertEqual(got.dtype, data.dtype, name)
                    self.assertEqual(got.shape, data.shape, name)
                    self.assertTrue(np.array_equal(got, data, equal_nan=got.dtype.kind == "f"),
                                    name)
                    self.assertTrue(np.array_equal(np.asarray(v), data,
                                                   equal_nan=got.dtype.kind == "f"), name)
                    self.assertEqual(v.shape, ds.shape, name)
                    self.assertEqual(v.dtype, ds.dtype, name)
                    self.assertEqual(v.units, plain(ds.attrs["units"]), name)
                    self.assertEqual(v.description, plain(ds.attrs["description"]), name)
                    self.assertEqual(v.attrs, {k: plain(ds.attrs[k]) for k in ds.attrs}, name)
                    if ds.ndim and ds.shape[0] > 20:  # a part read is the same part
                        self.assertTrue(np.array_equal(v[5:17], ds[5:17]), name)
                # Group-relative views are the same objects.
                self.assertEqual({f"paths/{k}": v for k, v in r.paths.items()},
                                 {k: v for k, v in r.variables.items() if k.startswith("paths/")})
                self.assertEqual(sorted(r.timeseries), sorted(f["timeseries"]))

    def test_selection_by_dimension_equals_h5py_columns(self):
        path = self.files["shard"]
        with liqstress.load(path) as r, h5py.File(path, "r") as f:
            liq = f["paths/liquidated_usd"][()]
            assets = [a.decode() for a in f["assets"][()]]
            portfolios = [p.decode() for p in f["portfolios"][()]]
            for j, sym in enumerate(assets):
                for s, side in enumerate(("long", "short")):
                    self.assertTrue(np.array_equal(
                        r.paths["liquidated_usd"].sel(asset=sym, side=side), liq[:, j, s]))
                    self.assertTrue(np.array_equal(
                        r.timeseries["liquidated_usd_mean"].sel(asset=sym, side=side),
                        f["timeseries/liquidated_usd_mean"][:, j, s]))
            for k, name in enumerate(portfolios):
                self.assertTrue(np.array_equal(r.paths["portfolio_pnl_usd"].sel(portfolio=name),
                                               f["paths/portfolio_pnl_usd"][:, k]))
            # Path labels are the run's path numbers: this shard holds [100, 400).
            self.assertTrue(np.array_equal(r.paths["min_log_return"].sel(path=107),
                                           f["paths/min_log_return"][7]))
            self.assertTrue(np.array_equal(r.paths["weight"].isel(path=slice(3, 9)),
                                           f["paths/weight"][3:9]))
            self.assertTrue(np.array_equal(r.timeseries["impact_mean"].sel(step=12),
                                           f["timeseries/impact_mean"][12]))
            for bad in ({"path": 99}, {"path": 400}, {"asset": "DOGE"}, {"side": "flat"},
                        {"portfolio": "fund-a"}):
                with self.assertRaises(KeyError, msg=bad):
                    r.paths["liquidated_usd"].sel(**bad)

    # ------------------------------------------------------------------ dims and metadata

    def test_dims_shapes_coords_and_provenance(self):
        for key, path in self.files.items():
            with self.subTest(file=key), liqstress.load(path) as r, h5py.File(path, "r") as f:
                n = int(f.attrs["paths"])
                first = int(f.attrs["first_path"])
                steps = int(f.attrs["steps"])
                assets = [a.decode() for a in f["assets"][()]]
                portfolios = [p.decode() for p in f["portfolios"][()]] if "portfolios" in f \
                    else []
                sizes = {"path": n, "step": steps, "asset": len(assets), "side": 2,
                         "portfolio": len(portfolios)}
                for name, v in r.variables.items():
                    self.assertIn(v1_key(name), V1_DIMS, "a dataset format_version 1 does not "
                                  "list")
                    self.assertEqual(v.dims, V1_DIMS[v1_key(name)], name)
                    for d, size in zip(v.dims, v.shape):
                        if d in sizes:
                            self.assertEqual(size, sizes[d], (name, d))
                self.assertEqual(r.has_paths, "paths" in f)
                self.assertEqual((r.n_paths, r.first_path, r.steps), (n, first, steps))
                self.assertEqual(r.step_seconds, float(f.attrs["step_seconds"]))
                self.assertEqual(r.assets, assets)
                self.assertEqual(r.portfolios, portfolios)
                c = r.coords
                self.assertTrue(np.array_equal(c["path"], np.arange(first, first + n)))
                self.assertTrue(np.array_equal(c["step"], np.arange(steps)))
                self.assertEqual(list(c["asset"]), assets)
                self.assertEqual(list(c["side"]), ["long", "short"])
                self.assertEqual(list(c["portfolio"]), portfolios)
                g = f["summary/total_liquidated_usd"]
                self.assertTrue(np.array_equal(c["level"], g["quantile_levels"][()]))
                self.assertTrue(np.array_equal(c["threshold"], g["thresholds"][()]))
                # Provenance: the root attributes as plain values; the config parsed.
                self.assertEqual(r.attrs, {k: plain(f.attrs[k]) for k in f.attrs})
                for k, v in r.attrs.items():
                    self.assertIsInstance(v, (str, int, float), k)
                self.assertEqual(r.config, tomllib.loads(f.attrs["config"]))
                self.assertEqual(r.format_version, 1)
                self.assertEqual(r.metrics, [m.decode() for m in f["summary/metrics"][()]])
                for name in ("paths", "timeseries", "summary"):
                    if name in f:
                        self.assertEqual(r.group_attrs[name]["description"],
                                         f[name].attrs["description"])
        with liqstress.load(self.files["shard"]) as r:
            self.assertEqual(r.first_path, 100)
            self.assertEqual(r.portfolios, ["fund-a", "fund-b"])
            self.assertEqual(len(r.assets), len(r.portfolios))  # the case dims must tell apart
        with liqstress.load(self.files["rows_off"]) as r:
            self.assertFalse(r.has_paths)
            self.assertEqual(r.paths, {})
            self.assertEqual(len(r.coords["threshold"]), 0)

    # ------------------------------------------------------------------ /summary

    def test_summary_table_equals_summary_datasets(self):
        for key, path in self.files.items():
            with self.subTest(file=key), liqstress.load(path) as r, h5py.File(path, "r") as f:
                records = r.summary_records()
                table = r.summary_table()
                self.assertEqual(table.dtype.names, liqstress.SUMMARY_COLUMNS)
                self.assertEqual(len(table), len(records))
                for row, rec in zip(table, records):
                    for col in liqstress.SUMMARY_COLUMNS:
                        if table.dtype[col].kind == "f":
                            self.assertTrue(same(row[col], rec[col]), col)
                        else:
                            self.assertEqual(str(row[col]), rec[col], col)
                # Expected rows straight from the datasets, in the table's order.
                expected = []
                nan = float("nan")
                for m in (x.decode() for x in f["summary/metrics"][()]):
                    g = f["summary"][m]
                    self.assertEqual(r.metric_attrs(m), {k: plain(g.attrs[k]) for k in g.attrs})
                    data = r.summary_data(m)
                    self.assertEqual(sorted(data), sorted(g))
                    for k in g:
                        self.assertTrue(np.array_equal(data[k], g[k][()], equal_nan=True), k)
                    units = {k: g[k].attrs["units"] for k in g}
                    for stat in ("mean", "stderr"):
                        expected.append((m, stat, nan, nan, g[stat][()], nan, nan, units[stat]))
                    for stat in ("var", "es"):
                        for k, q in enumerate(g["quantile_levels"][()]):
                            expected.append((m, stat, q, nan, g[stat][k], g[stat + "_ci"][k, 0],
                                             g[stat + "_ci"][k, 1], units[stat]))
                    for k, t in enumerate(g["thresholds"][()]):
                        expected.append((m, "exceedance", nan, t, g["exceedance"][k],
                                         g["exceedance_ci"][k, 0], g["exceedance_ci"][k, 1],
                                         units["exceedance"]))
                self.assertEqual(len(records), len(expected))
                for rec, exp in zip(records, expected):
                    got = tuple(rec[c] for c in liqstress.SUMMARY_COLUMNS)
                    self.assertEqual(got[:2], exp[:2])
                    self.assertEqual(got[7], exp[7], exp[:2])
                    for a, b in zip(got[2:7], exp[2:7]):
                        self.assertTrue(same(a, b), (exp[:4], a, b))
                        self.assertIsInstance(a, float)

    # ------------------------------------------------------------------ refusal

    def test_refuses_files_that_are_not_liqstress_results(self):
        other = os.path.join(self.case_tmp, "other.h5")
        with h5py.File(other, "w") as f:
            f.attrs["format"] = "something-else"
            f["paths/weight"] = np.ones(3)
        bare = os.path.join(self.case_tmp, "bare.h5")
        with h5py.File(bare, "w") as f:
            f["x"] = np.arange(3)
        newer = self.copy("shard", "newer.h5")
        with h5py.File(newer, "r+") as f:
            f.attrs["format_version"] = 2
        unversioned = self.copy("shard", "unversioned.h5")
        with h5py.File(unversioned, "r+") as f:
            del f.attrs["format_version"]
        text = os.path.join(self.case_tmp, "text.h5")
        with open(text, "w") as fh:
            fh.write("not HDF5\n")
        for path, words in [(other, "not a liqstress results file"),
                            (bare, "not a liqstress results file"),
                            (newer, "format_version 2"), (unversioned, "no format_version"),
                            (text, "not an HDF5 file")]:
            with self.subTest(file=os.path.basename(path)):
                with self.assertRaises(liqstress.ResultsFormatError) as cm:
                    liqstress.load(path)
                self.assertIsInstance(cm.exception, ValueError)
                self.assertIn(path, str(cm.exception))
                self.assertIn(words, str(cm.exception))
                self.assertEqual(cm.exception.path, path)
        missing = os.path.join(self.case_tmp, "missing.h5")
        with self.assertRaises(FileNotFoundError) as cm:
            liqstress.load(missing)
        self.assertIn(missing, str(cm.exception))
        with self.assertRaises(IsADirectoryError):
            liqstress.load(self.case_tmp)

    # ------------------------------------------------------------------ generic

    def test_datasets_added_later_are_picked_up(self):
        path = self.copy("shard", "newer-datasets.h5")
        with h5py.File(path, "r+") as f:
            n, steps = int(f.attrs["paths"]), int(f.attrs["steps"])
            a = len(f["assets"])
            closed = np.linspace(0.0, 1.0e6, n)
            adl_mean = np.linspace(0.0, 5.0, steps)
            tail = np.arange(steps * a, dtype=np.float64).reshape(steps, a)
            es_alt = f["summary/total_liquidated_usd/es"][()] * 1.5
            es_alt_ci = np.stack([es_alt * 0.9, es_alt * 1.1], axis=1)
            for name, data, units in [("paths/future_closed_usd", closed, "USD"),
                                      ("timeseries/future_usd_mean", adl_mean, "USD"),
                                      ("tail/total_liquidated_usd/min_log_return", tail,
                                       "log-return"),
                                      ("summary/total_liquidated_usd/es_alt", es_alt, "USD"),
                                      ("summary/total_liquidated_usd/es_alt_ci", es_alt_ci, "USD"),
                                      ("summary/total_liquidated_usd/median", 42.0, "USD")]:
                f[name] = data
                f[name].attrs["units"] = units
                f[name].attrs["description"] = f"test: {name}"
        with liqstress.load(path) as r:
            v = r.paths["future_closed_usd"]
            self.assertEqual((v.dims, v.units, v.description),
                             (("path",), "USD", "test: paths/future_closed_usd"))
            self.assertTrue(np.array_equal(v.read(), closed))
            self.assertEqual(r.timeseries["future_usd_mean"].dims, ("step",))
            self.assertTrue(np.array_equal(r.timeseries["future_usd_mean"].read(), adl_mean))
            t = r.group("tail")["total_liquidated_usd/min_log_return"]
            self.assertIs(t, r["tail/total_liquidated_usd/min_log_return"])
            self.assertEqual(t.dims, ("step", "asset"))
            self.assertEqual(t.units, "log-return")
            self.assertTrue(np.array_equal(t.read(), tail))
            rows = [x for x in r.summary_records() if x["metric"] == "total_liquidated_usd"]
            alt = [x for x in rows if x["statistic"] == "es_alt"]
            self.assertEqual([x["level"] for x in alt], list(r.coords["level"]))
            self.assertEqual([x["estimate"] for x in alt], list(es_alt))
            self.assertEqual([(x["ci_low"], x["ci_high"]) for x in alt],
                             [tuple(c) for c in es_alt_ci])
            median = [x for x in rows if x["statistic"] == "median"]
            self.assertEqual(len(median), 1)
            self.assertEqual(median[0]["estimate"], 42.0)
            self.assertTrue(math.isnan(median[0]["ci_low"]))

    # ------------------------------------------------------------------ lazy

    def test_nothing_under_paths_is_read_until_asked(self):
        path = self.files["shard"]
        read = []
        original = h5py.Dataset.__getitem__

        def spy(ds, *args, **kwargs):
            read.append(ds.name)
            return original(ds, *args, **kwargs)

        with mock.patch.object(h5py.Dataset, "__getitem__", spy), \
                mock.patch.object(h5py.Dataset, "read_direct", side_effect=AssertionError):
            with liqstress.load(path) as r:
                r.summary_table()
                _ = r.coords, r.config, r.attrs, r.paths["liquidated_usd"].dims
                _ = r.timeseries["impact_mean"].read()
                self.assertFalse([n for n in read if n.startswith("/paths/")], read)
                self.assertIn("/timeseries/impact_mean", read)
                r.paths["weight"][:10]
                self.assertEqual([n for n in read if n.startswith("/paths/")], ["/paths/weight"])

    def test_closed_file_keeps_metadata_and_refuses_reads(self):
        with liqstress.load(self.files["shard"]) as r:
            v = r.paths["weight"]
        self.assertEqual(v.shape, (300,))
        self.assertEqual(r.assets, ["BTC", "ETH"])
        with self.assertRaises(ValueError) as cm:
            v.read()
        self.assertIn("closed", str(cm.exception))

    # ------------------------------------------------------------------ conversions

    @unittest.skipUnless(have("pandas"), "pandas is not installed (Debian: python3-pandas)")
    def test_pandas_frames_hold_the_files_numbers(self):
        path = self.files["shard"]
        with liqstress.load(path) as r, h5py.File(path, "r") as f:
            frame = r.summary_frame()
            self.assertEqual(tuple(frame.columns), liqstress.SUMMARY_COLUMNS)
            self.assertEqual(len(frame), len(r.summary_records()))
            for rec, (_, row) in zip(r.summary_records(), frame.iterrows()):
                for c in liqstress.SUMMARY_COLUMNS:
                    if isinstance(rec[c], float):
                        self.assertTrue(same(row[c], rec[c]), c)
                    else:
                        self.assertEqual(row[c], rec[c], c)
            paths = r.paths_frame()
            self.assertEqual(paths.index.name, "path")
            self.assertEqual(list(paths.index), list(range(100, 400)))
            self.assertTrue(np.array_equal(paths["liquidated_usd/ETH/short"],
                                           f["paths/liquidated_usd"][:, 1, 1]))
            self.assertEqual(paths["liquidated_positions/BTC/long"].dtype, np.uint32)
            self.assertTrue(np.array_equal(paths["portfolio_pnl_usd/fund-b"],
                                           f["paths/portfolio_pnl_usd"][:, 1]))
            self.assertTrue(np.array_equal(paths["weight"], f["paths/weight"][()]))
            width = sum(int(np.prod(ds.shape[1:])) for ds in f["paths"].values())
            self.assertEqual(paths.shape, (300, width))
            part = r.paths_frame(names=["bad_debt_usd"], rows=slice(10, 20))
            self.assertEqual(list(part.index), list(range(110, 120)))
            self.assertTrue(np.array_equal(part["bad_debt_usd"], f["paths/bad_debt_usd"][10:20]))
            timeline = r.timeline_frame()
            self.assertEqual(timeline.index.name, "step")
            self.assertNotIn("exact_sums", " ".join(timeline.columns))
            self.assertTrue(np.array_equal(timeline["impact_mean/BTC"],
                                           f["timeseries/impact_mean"][:, 0]))
            series = r.paths["liquidated_usd"].to_pandas()
            self.assertEqual(series.index.names, ["path", "asset", "side"])
            self.assertEqual(series.loc[(105, "ETH", "long")], f["paths/liquidated_usd"][5, 1, 0])

    @unittest.skipUnless(have("xarray"), "xarray is not installed (Debian: python3-xarray)")
    def test_xarray_dataset_holds_the_files_numbers(self):
        path = self.files["shard"]
        with liqstress.load(path) as r, h5py.File(path, "r") as f:
            ds = r.to_xarray("paths")
            self.assertEqual(ds["liquidated_usd"].dims, ("path", "asset", "side"))
            self.assertEqual(ds.attrs["seed"], int(f.attrs["seed"]))
            self.assertEqual(ds["liquidated_usd"].attrs["units"], "USD")
            self.assertTrue(np.array_equal(
                ds["liquidated_usd"].sel(asset="ETH", side="short", path=250).values,
                f["paths/liquidated_usd"][150, 1, 1]))
            self.assertTrue(np.array_equal(ds["portfolio_pnl_usd"].sel(portfolio="fund-a"),
                                           f["paths/portfolio_pnl_usd"][:, 0]))
            every = r.to_xarray(rows=slice(0, 50))
            self.assertEqual(sorted(every.data_vars), sorted(r.variables))
            self.assertEqual(every.sizes["path"], 50)
            self.assertEqual(every.sizes["step"], r.steps)
            self.assertTrue(np.array_equal(every["timeseries/liquidated_usd_std"],
                                           f["timeseries/liquidated_usd_std"][()]))
            one = r.timeseries["forced_flow_usd_mean"].to_xarray()
            self.assertEqual(list(one["asset"].values), ["BTC", "ETH"])
            self.assertTrue(np.array_equal(one.values, f["timeseries/forced_flow_usd_mean"][()]))

    def test_core_works_without_pandas_and_xarray(self):
        """A fresh interpreter in which `import pandas` and `import xarray` fail."""
        script = f"""
import sys
sys.modules["pandas"] = None
sys.modules["xarray"] = None
sys.path.insert(0, {PACKAGE_DIR!r})
import liqstress
with liqstress.load({self.files["shard"]!r}) as r:
    assert len(r.summary_table()) == len(r.summary_records()) > 0
    assert r.paths["weight"].read().shape == (300,)
    for call, module in ((r.summary_frame, "pandas"), (r.paths_frame, "pandas"),
                         (r.to_xarray, "xarray"), (r.paths["weight"].to_xarray, "xarray")):
        try:
            call()
        except ImportError as e:
            assert "python3-" + module in str(e), str(e)
        else:
            raise AssertionError(call)
print("core ok")
"""
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("core ok", proc.stdout)

    # ------------------------------------------------------------------ install

    def test_pip_install_into_a_folder(self):
        pip = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True)
        if pip.returncode != 0:
            self.skipTest(f"no pip for {sys.executable} (Debian: python3-pip)")
        if not (have("setuptools") and have("wheel")):
            self.skipTest("no setuptools or wheel to build without network "
                          "(Debian: python3-setuptools python3-wheel)")
        # A copy of the source, so that the build's leftovers stay out of the tree.
        src = os.path.join(self.case_tmp, "src")
        ignore = shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
        shutil.copytree(PACKAGE_DIR, src, ignore=ignore)
        target = os.path.join(self.case_tmp, "site")
        # --no-build-isolation --no-index: build with the installed setuptools, offline.
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps",
                               "--no-build-isolation", "--no-index", "--disable-pip-version-check",
                               "--target", target, src], capture_output=True, text=True,
                              timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertTrue(os.path.isfile(os.path.join(target, "liqstress", "py.typed")))
        script = (f"import liqstress; print(liqstress.__file__); "
                  f"print(liqstress.load({self.files['shard']!r}).n_paths)")
        env = dict(os.environ, PYTHONPATH=target)
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=120, cwd=self.case_tmp, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        where, n = proc.stdout.split()
        self.assertTrue(where.startswith(os.path.join(target, "liqstress")), where)
        self.assertEqual(int(n), 300)


if __name__ == "__main__":
    unittest.main()
