"""End to end: every historical scenario in configs/events/ validates, runs, and liquidates
the side the event is known for (flushes: more longs than shorts in the median path;
squeezes: more shorts). The side is read from each scenario's `# reported-side:` line."""
import glob
import os
import re
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import SOURCE_DIR, CliTestCase  # noqa: E402

EVENTS = sorted(glob.glob(os.path.join(SOURCE_DIR, "configs", "events", "*.toml")))
PATHS = "200"   # the six scenarios together take a few seconds on 2 cores


def reported_side(path):
    with open(path) as f:
        for line in f:
            m = re.match(r"#\s*reported-side:\s*(long|short)\s*$", line)
            if m:
                return m.group(1)
    return None


class EventScenarios(CliTestCase):
    def test_there_are_six_events(self):
        self.assertEqual(len(EVENTS), 6, EVENTS)

    def test_validate(self):
        for path in EVENTS:
            with self.subTest(event=os.path.basename(path)):
                proc = self.run_liq("validate", path, check=0)
                self.assertIn("[simulation]", proc.stdout)

    def test_run_liquidates_the_reported_side(self):
        for path in EVENTS:
            name = os.path.basename(path)
            with self.subTest(event=name):
                side = reported_side(path)
                self.assertIn(side, ("long", "short"), f"{name}: no '# reported-side:' line")
                out = os.path.join(self.tmp, name + ".h5")
                self.run_liq("run", path, "-o", out, "--paths", PATHS, "--backend", "cpu",
                             "--quiet", "--force", check=0)
                self.assertEqual(self.leftovers(), [])
                with h5py.File(out, "r") as f:
                    liq = f["paths/liquidated_usd"][()]
                    self.assertEqual(liq.shape[0], int(PATHS))
                longs = np.median(liq[:, :, 0].sum(axis=1))
                shorts = np.median(liq[:, :, 1].sum(axis=1))
                self.assertGreater(longs + shorts, 0.0, name)
                if side == "long":
                    self.assertGreater(longs, shorts, name)
                else:
                    self.assertGreater(shorts, longs, name)


if __name__ == "__main__":
    unittest.main()
