"""End to end: scripts/report.py turns real results files into PNG figures and a
self-contained HTML page whose numbers are the files' /summary values, exactly; bad input
files are refused with exit code 2."""
import base64
import html.parser
import math
import os
import subprocess
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import SOURCE_DIR, CliTestCase, small_config  # noqa: E402

REPORT = os.path.join(SOURCE_DIR, "scripts", "report.py")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXTRA = """
[insurance_fund]
balance = 5.0e6
liquidation_fee = 0.005

[[portfolio]]
name = "fund-a"
collateral = 2.0e6
positions = [ { asset = "BTC", side = "long", notional = 1.5e7, entry = 99000.0 },
              { asset = "ETH", side = "short", notional = 5.0e6, entry = 4100.0 } ]

[output]
thresholds = [1.0e7, 1.0e8]
"""
# The same scenario and seed with and without price impact (depths set for the impact run).
IMPACT = ["--set", "asset.BTC.depth=2.0e7", "asset.ETH.depth=1.0e7", 'impact.model="sqrt"',
          'impact.half_life="10m"']
FIGURES = ["liquidations_total.png", "liquidations_by_asset.png", "var_es.png",
           "timeline_BTC.png", "timeline_ETH.png", "tail_BTC.png", "tail_ETH.png",
           "portfolio_loss.png"]
USD_STATS = {"mean", "stderr", "var", "var_ci", "es", "es_ci", "thresholds"}
CHECKED_STATS = ["mean", "stderr", "var", "var_ci", "es", "es_ci", "exceedance",
                 "exceedance_ci", "quantile_levels", "thresholds"]


class PageParser(html.parser.HTMLParser):
    """Collects the numeric cells (with their text) and the embedded images of the page."""

    def __init__(self):
        super().__init__()
        self.cells = []  # (attrs dict, text)
        self.images = []
        self.tags = set()
        self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "img":
            self.images.append(a.get("src", ""))
        if "data-value" in a:
            self._cell = (a, [])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1].append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.cells.append((self._cell[0], "".join(self._cell[1])))
            self._cell = None


class Report(CliTestCase):
    def report(self, *args):
        return subprocess.run([sys.executable, REPORT, *args], capture_output=True, text=True,
                              timeout=120)

    def make_results(self):
        cfg = self.write("small.toml", small_config(paths=300, extra=EXTRA))
        calm = os.path.join(self.tmp, "calm.h5")
        cascade = os.path.join(self.tmp, "cascade.h5")
        rows_off = os.path.join(self.tmp, "summary-only.h5")
        self.run_liq("run", cfg, "-o", calm, "--backend", "cpu", "--quiet", check=0)
        self.run_liq("run", cfg, "-o", cascade, "--backend", "cpu", "--quiet", *IMPACT, check=0)
        self.run_liq("run", cfg, "-o", rows_off, "--backend", "cpu", "--quiet", "--paths", "200",
                     "--set", "output.per_path=false", check=0)
        return [calm, cascade, rows_off]

    def test_figures_and_page_hold_the_files_numbers(self):
        files = self.make_results()
        out = os.path.join(self.tmp, "report")
        proc = self.report(*files, "-o", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        on_disk = {}
        for name in FIGURES:
            path = os.path.join(out, name)
            self.assertTrue(os.path.isfile(path), name)
            with open(path, "rb") as fh:
                on_disk[name] = fh.read()
            self.assertGreater(len(on_disk[name]), 1000, name)
            self.assertTrue(on_disk[name].startswith(PNG_MAGIC), name)
        with open(os.path.join(out, "index.html"), encoding="utf-8") as fh:
            page = fh.read()
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        for stem in ["calm", "cascade", "summary-only"]:
            self.assertIn(stem, page)
        # The file without /paths is drawn from its histograms, and the page says so.
        self.assertIn("summary-only: the file has no /paths", page)

        parser = PageParser()
        parser.feed(page)
        # Self-contained: every figure embedded as a data URI, nothing fetched from elsewhere.
        self.assertNotIn("script", parser.tags)
        self.assertNotIn("link", parser.tags)
        embedded = sorted(base64.b64decode(src.split(",", 1)[1]) for src in parser.images
                          if src.startswith("data:image/png;base64,"))
        self.assertEqual(len(embedded), len(parser.images))
        self.assertEqual(embedded, sorted(on_disk.values()))

        # Every numeric cell equals the file's value, exactly; every summary value is on the page.
        seen = set()
        handles = [h5py.File(p, "r") for p in files]
        try:
            for attrs, text in parser.cells:
                f = handles[int(attrs["data-file"])]
                metric, stat = attrs["data-metric"], attrs["data-stat"]
                g = f["summary"][metric]
                index = tuple(int(i) for i in attrs["data-index"].split(",")) \
                    if "data-index" in attrs else ()
                if stat.startswith("@"):
                    expected = g.attrs[stat[1:]]
                else:
                    expected = g[stat][()][index] if index else g[stat][()]
                got = float(attrs["data-value"])
                key = (attrs["data-file"], metric, stat, index)
                if math.isnan(float(expected)):
                    self.assertTrue(math.isnan(got), key)
                else:
                    self.assertEqual(got, float(expected), key)
                if stat in USD_STATS:  # USD millions, two decimals, comma separators
                    self.assertEqual(text.removeprefix("± "), f"{float(expected) / 1e6:,.2f}", key)
                seen.add(key)
            for k, f in enumerate(handles):
                metrics = [m.decode() if isinstance(m, bytes) else m
                           for m in f["summary/metrics"][()]]
                self.assertIn("portfolio_loss_usd/fund-a", metrics)
                for m in metrics:
                    for stat in CHECKED_STATS:
                        shape = f["summary"][m][stat].shape
                        for ix in np.ndindex(shape):  # () for a scalar
                            self.assertTrue((str(k), m, stat, ix) in seen,
                                            f"not on the page: {(k, m, stat, ix)}")
        finally:
            for f in handles:
                f.close()

        # Deterministic: the same files give the same bytes.
        again = os.path.join(self.tmp, "again")
        self.assertEqual(self.report(*files, "-o", again).returncode, 0)
        for name in FIGURES + ["index.html"]:
            with open(os.path.join(out, name), "rb") as a, open(os.path.join(again, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)

    def test_bad_input_files_exit_2_and_name_the_file(self):
        cfg = self.write("small.toml", small_config(paths=20))
        good = os.path.join(self.tmp, "good.h5")
        self.run_liq("run", cfg, "-o", good, "--backend", "cpu", "--quiet", check=0)
        newer = os.path.join(self.tmp, "newer.h5")
        with open(good, "rb") as src, open(newer, "wb") as dst:
            dst.write(src.read())
        with h5py.File(newer, "r+") as f:
            f.attrs["format_version"] = 2
        other = os.path.join(self.tmp, "other.h5")
        with h5py.File(other, "w") as f:
            f.attrs["format"] = "something-else"
        text = self.write("text.h5", "not HDF5\n")
        missing = os.path.join(self.tmp, "missing.h5")
        out = os.path.join(self.tmp, "report")
        for bad, words in [(missing, "no such file"), (text, "not an HDF5 file"),
                           (other, "not a liqstress results file"), (newer, "format_version 2")]:
            proc = self.report(good, bad, "-o", out)
            self.assertEqual(proc.returncode, 2, (bad, proc.stderr))
            self.assertIn(bad, proc.stderr)
            self.assertIn(words, proc.stderr)
            self.assertNotIn("Traceback", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "index.html")))


if __name__ == "__main__":
    unittest.main()
