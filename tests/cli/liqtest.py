"""Helpers for liqstress's end-to-end tests: run the binary, write small scenarios, read
results back with h5py."""
import os
import subprocess
import tempfile
import textwrap
import unittest

BINARY = os.environ.get("LIQSTRESS", "build/release/liqstress")
SOURCE_DIR = os.environ.get("LIQ_SOURCE_DIR", os.getcwd())

# A small but complete scenario: two assets, one hour in one-minute steps, both kinds of
# jumps, a shock with a volatility multiplier. {paths} and extra text are filled per test.
SMALL = textwrap.dedent("""\
    [simulation]
    paths = {paths}
    horizon = "1h"
    step = "1m"
    seed = 7

    [market]
    assets = ["BTC", "ETH"]
    correlation = [[1.0, 0.8], [0.8, 1.0]]

    [asset.BTC]
    spot = 100000.0
    vol = 0.6
    jumps = {{ rate = 200.0, mean = -0.01, stdev = 0.02 }}

    [asset.ETH]
    spot = 4000.0
    vol = 0.8
    beta = 1.3

    [market_jumps]
    rate = 100.0
    mean = -0.02
    stdev = 0.01

    [[shock]]
    at = "30m"
    returns = {{ BTC = -0.05, ETH = -0.08 }}
    vol_multiplier = 2.0
    duration = "15m"

    [book]
    source = "synthetic"

    [book.synthetic]
    open_interest = {{ BTC = 1.0e9, ETH = 5.0e8 }}
    positions = 1000
    {extra}""")


def small_config(paths=300, extra=""):
    return SMALL.format(paths=paths, extra=extra)


class CliTestCase(unittest.TestCase):
    """A test case with its own temporary folder."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="liqstress-test-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run_liq(self, *args, timeout=300, check=None):
        proc = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout)
        if check is not None and proc.returncode != check:
            self.fail(f"liqstress {' '.join(args)} exited {proc.returncode}, expected {check}\n"
                      f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    def leftovers(self, folder=None):
        """Temporary result files left in a folder (there must be none)."""
        folder = folder or self.tmp
        return [f for f in os.listdir(folder) if ".tmp" in f]
