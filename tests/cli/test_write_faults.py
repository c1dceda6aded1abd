"""End to end: faults on the write path (issue 15, item 4). A full disk (a 1 MiB tmpfs), a
read-only output folder (the tmpfs remounted read-only), an output folder that vanishes
during the run, and SIGKILL at random points of a run with --checkpoint (5 kills here;
scripts/kill_campaign.py runs 50): no partial or clobbered result ever appears under the
target name, the previous result survives, and every resumed run equals the uninterrupted
one. The mounts need root and a kernel that allows them (CI's container may not): those
tests are skipped with the reason when mounting fails."""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from faults import Trial, read_bytes, same_results  # noqa: E402
from liqtest import BINARY, CliTestCase, small_config  # noqa: E402

PATHS = 60000  # about 3 s on one thread


def scenario(paths):
    return small_config(paths=paths).replace('horizon = "1h"', 'horizon = "20m"').replace(
        '"30m"', '"10m"').replace('duration = "15m"', 'duration = "5m"')


class Mounted:
    """A small tmpfs at `path`, unmounted on exit; SkipTest when mounting is not allowed."""

    def __init__(self, path, size="1m"):
        self.path, self.size = path, size

    def __enter__(self):
        os.makedirs(self.path, exist_ok=True)
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs",
                               self.path], capture_output=True, text=True)
        if proc.returncode != 0:
            why = proc.stderr.strip() or f"mount exited {proc.returncode}"
            raise unittest.SkipTest(f"cannot mount a tmpfs here ({why}): needs root and the "
                                    "right to mount")
        return self

    def remount_read_only(self):
        subprocess.run(["mount", "-o", "remount,ro", self.path], check=True)

    def __exit__(self, *exc):
        subprocess.run(["umount", self.path], capture_output=True)


class WriteFaults(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls._dir = tempfile.TemporaryDirectory(prefix="liqstress-faults-")
        d = cls._dir.name
        cls.cfg = os.path.join(d, "s.toml")
        with open(cls.cfg, "w") as f:
            f.write(scenario(PATHS))
        cls.small_cfg = os.path.join(d, "small.toml")
        with open(cls.small_cfg, "w") as f:
            f.write(scenario(20))
        cls.reference = os.path.join(d, "reference.h5")
        start = time.time()
        subprocess.run([BINARY, "run", cls.cfg, "-o", cls.reference, "--quiet", "--threads", "1",
                        "--backend", "cpu"], check=True, capture_output=True, timeout=300)
        cls.duration = time.time() - start

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def previous_result(self, out):
        self.run_liq("run", self.small_cfg, "-o", out, "--quiet", "--backend", "cpu", check=0)
        return read_bytes(out)

    def assert_no_temporaries(self, folder):
        self.assertEqual([p for p in os.listdir(folder) if ".tmp." in p], [])

    def test_full_disk(self):
        with Mounted(os.path.join(self.tmp, "full")) as m:
            out = os.path.join(m.path, "out.h5")
            previous = self.previous_result(out)
            for extra in ([], ["--checkpoint", os.path.join(m.path, "c.ckpt")]):
                proc = self.run_liq("run", self.cfg, "-o", out, "--force", "--quiet",
                                    "--backend", "cpu", *extra)
                self.assertEqual(proc.returncode, 3, proc.stderr)
                self.assertIn("No space left on device", proc.stderr)
                self.assertIn(m.path, proc.stderr)
                self.assertEqual(read_bytes(out), previous, "the previous result survives")
                self.assert_no_temporaries(m.path)
            self.run_liq("compare", out, out, check=0)

    def test_read_only_folder(self):
        with Mounted(os.path.join(self.tmp, "ro")) as m:
            out = os.path.join(m.path, "out.h5")
            previous = self.previous_result(out)
            m.remount_read_only()
            proc = self.run_liq("run", self.cfg, "-o", out, "--force", "--quiet", check=2)
            self.assertIn(f"{out}: folder '{m.path}' is not writable", proc.stderr)
            proc = self.run_liq("run", self.cfg, "-o", os.path.join(self.tmp, "x.h5"), "--quiet",
                                "--checkpoint", os.path.join(m.path, "c.ckpt"), check=2)
            self.assertIn("c.ckpt: cannot create the checkpoint", proc.stderr)
            self.assertEqual(read_bytes(out), previous)
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.h5")))

    def test_output_folder_vanishes(self):
        folder = os.path.join(self.tmp, "vanishing")
        os.makedirs(folder)
        out = os.path.join(folder, "out.h5")
        proc = subprocess.Popen([BINARY, "run", self.cfg, "-o", out, "--quiet", "--threads", "1",
                                 "--backend", "cpu"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        end = time.time() + 30
        while not any(".tmp." in p for p in os.listdir(folder)) and time.time() < end:
            time.sleep(0.02)
        shutil.rmtree(folder)
        _, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 3, err)
        self.assertIn(out, err)
        self.assertFalse(os.path.exists(out))
        # The folder made again while a run writes: the run still never commits a result that
        # is not whole (its temporary went with the old folder).
        os.makedirs(folder)
        proc = subprocess.Popen([BINARY, "run", self.cfg, "-o", out, "--quiet", "--threads", "1",
                                 "--backend", "cpu"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        while not any(".tmp." in p for p in os.listdir(folder)) and time.time() < end + 30:
            time.sleep(0.02)
        shutil.rmtree(folder)
        os.makedirs(folder)
        _, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 3, err)
        self.assertEqual(os.listdir(folder), [])

    def test_sigkill_at_random_points_then_resume(self):
        rng = random.Random(15)
        out = os.path.join(self.tmp, "k.h5")
        self.previous_result(out)
        trial = Trial(BINARY, self.cfg, out, self.reference, rng, 1.1 * self.duration)
        trial.run(kills=3)
        out2 = os.path.join(self.tmp, "k2.h5")
        self.previous_result(out2)
        trial2 = Trial(BINARY, self.cfg, out2, self.reference, rng, 1.1 * self.duration)
        trial2.run(kills=2)
        self.assertEqual(len(trial.kill_times) + len(trial2.kill_times), 5)
        self.assertTrue(same_results(out2, self.reference))


if __name__ == "__main__":
    unittest.main()
