"""End to end: answers that do not depend on the time step (docs/MODEL.md §4). For every
shipped event, the mean total liquidated notional and the mean bad debt at the event's step,
at 1/5 and at 1/15 of it agree within K = 4 standard errors of their difference
(|m_fine − m_Δ| ≤ 4·sqrt(se_fine² + se_Δ²); independent runs, since different steps draw
different random numbers). 2,000 paths per run, fixed seeds (the scenarios'); the README's
table is the same script at 4,000 paths."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import BINARY, SOURCE_DIR  # noqa: E402


class Convergence(unittest.TestCase):
    def test_event_means_agree_across_steps(self):
        proc = subprocess.run(
            [sys.executable, os.path.join(SOURCE_DIR, "scripts", "convergence.py"), "--paths",
             "2000", "--check", "--binary", BINARY],
            capture_output=True, text=True, timeout=600)
        print(proc.stdout)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout.count("| yes ("), 12, "six events × two finer steps")


if __name__ == "__main__":
    unittest.main()
