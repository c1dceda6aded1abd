"""End to end: books in equilibrium (book.synthetic.history, docs/MODEL.md §3).

A book drawn around spot holds positions that an ordinary past would already have
liquidated, so the first hour carries a burst of liquidations. A book that survived its past
does not: on the default scenario, the first hour's liquidated notional equals the second
hour's within the noise. The two hours are compared path by path (the first hour of a 2h run
is the 1h run with the same seed: randomness is addressed by step), so the difference's
standard error is the sample's: tolerance k = 4 standard errors for "no burst", and the
burst without history must show at more than 10 (it is near 14 on this book)."""
import math
import os
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import SOURCE_DIR, CliTestCase  # noqa: E402

DEFAULT = os.path.join(SOURCE_DIR, "configs", "default.toml")
K_SE = 4.0
PATHS = 2000


class FirstHour(CliTestCase):
    def hours(self, history):
        totals = {}
        for horizon in ["1h", "2h"]:
            out = os.path.join(self.tmp, f"{history}-{horizon}.h5")
            self.run_liq("run", DEFAULT, "-o", out, "--quiet", "--paths", str(PATHS),
                         "--set", f"simulation.horizon={horizon}",
                         "--set", f"book.synthetic.history={history}", check=0)
            with h5py.File(out, "r") as f:
                totals[horizon] = f["paths/liquidated_usd"][()].sum(axis=(1, 2))
        first, second = totals["1h"], totals["2h"] - totals["1h"]
        d = first - second
        return first.mean(), second.mean(), d.mean() / (d.std(ddof=1) / math.sqrt(len(d)))

    def test_a_book_that_survived_its_past_has_no_first_hour_burst(self):
        first, second, z = self.hours("30d")
        self.assertGreater(second, 0.0)
        self.assertLess(abs(z), K_SE, f"first hour {first:.4g} USD, second {second:.4g} USD")

    def test_a_book_drawn_around_spot_has_one(self):
        first, second, z = self.hours("0s")
        self.assertGreater(z, 10.0, f"first hour {first:.4g} USD, second {second:.4g} USD")
        self.assertGreater(first, 1.5 * second)


if __name__ == "__main__":
    unittest.main()
