"""End to end: long runs that survive (issue 6, item 7). A run with --checkpoint interrupted by
SIGTERM writes its checkpoint and exits 143; `run --resume` continues it and the result equals
the uninterrupted run, dataset for dataset. A run killed with SIGKILL resumes from its last
checkpoint and gives the same result again. Refusals: an existing checkpoint without --force,
a scenario or a CSV book whose content changed since the checkpoint, a checkpoint written by
another binary, options beside --resume."""
import hashlib
import os
import signal
import struct
import subprocess
import sys
import time
import unittest
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from faults import datasets  # noqa: E402
from liqtest import BINARY, CliTestCase, small_config  # noqa: E402

ROOT = os.environ.get("LIQ_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT = os.path.join(ROOT, "configs", "default.toml")
PATHS = "16384"  # about 10 s on one thread of the CI machine: long enough to interrupt


class Checkpoint(CliTestCase):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._ref_dir = tempfile.TemporaryDirectory(prefix="liqstress-ckpt-ref-")
        cls.reference = os.path.join(cls._ref_dir.name, "full.h5")
        subprocess.run([BINARY, "run", DEFAULT, "-o", cls.reference, "--paths", PATHS, "--quiet",
                        "--backend", "cpu"], check=True, capture_output=True, timeout=600)

    @classmethod
    def tearDownClass(cls):
        cls._ref_dir.cleanup()

    def start(self, out, ckpt):
        return subprocess.Popen([BINARY, "run", DEFAULT, "-o", out, "--paths", PATHS, "--threads",
                                 "1", "--backend", "cpu", "--quiet", "--checkpoint", ckpt,
                                 "--checkpoint-every", "0.5s"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_for_marks(self, ckpt, proc, size=2_000_000, timeout=60):
        """Waits until the checkpoint has grown past `size` bytes (a few batches and marks)."""
        end = time.time() + timeout
        while time.time() < end:
            if os.path.exists(ckpt) and os.path.getsize(ckpt) > size:
                time.sleep(0.7)  # at least one more mark after that
                return
            if proc.poll() is not None:
                self.fail("the run ended before it could be interrupted: " + proc.stderr.read())
            time.sleep(0.05)
        self.fail("the checkpoint did not grow")

    def assert_equals_reference(self, out):
        a, attrs_a = datasets(self.reference)
        b, attrs_b = datasets(out)
        self.assertEqual(sorted(a), sorted(b))
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
        self.assertEqual(attrs_a, attrs_b)

    def test_sigterm_writes_a_checkpoint_and_resume_equals_the_uninterrupted_run(self):
        out = os.path.join(self.tmp, "r.h5")
        ckpt = os.path.join(self.tmp, "r.ckpt")
        proc = self.start(out, ckpt)
        self.wait_for_marks(ckpt, proc)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 143, stderr)
        self.assertIn("--resume " + ckpt, stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(self.leftovers(), [])
        proc = self.run_liq("run", "--resume", ckpt, "--backend", "cpu", check=0)
        self.assertIn("resumed from", proc.stderr)
        self.assert_equals_reference(out)
        self.assertFalse(os.path.exists(ckpt), "the checkpoint is removed once results are safe")

    def test_sigkill_loses_at_most_the_paths_since_the_last_checkpoint(self):
        out = os.path.join(self.tmp, "k.h5")
        ckpt = os.path.join(self.tmp, "k.ckpt")
        proc = self.start(out, ckpt)
        self.wait_for_marks(ckpt, proc)
        proc.kill()
        proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        self.assertNotEqual(self.leftovers(), [], "SIGKILL leaves the temporary results file")
        proc = self.run_liq("run", "--resume", ckpt, "--backend", "cpu", check=0)
        self.assertIn("resumed from", proc.stderr)
        resumed_at = int(proc.stderr.split("resumed from")[1].split(" at ")[1].split()[0]
                         .replace(",", ""))
        self.assertGreater(resumed_at, 0)
        self.assert_equals_reference(out)
        self.assertEqual(self.leftovers(), [], "the resume removes the killed run's temporary file")

    def test_refusals(self):
        out = os.path.join(self.tmp, "x.h5")
        ckpt = self.write("x.ckpt", "not a checkpoint")
        proc = self.run_liq("run", DEFAULT, "-o", out, "--paths", "10", "--checkpoint", ckpt,
                            check=2)
        self.assertIn("x.ckpt: exists", proc.stderr)
        proc = self.run_liq("run", "--resume", ckpt, check=2)
        self.assertIn("not a liqstress checkpoint", proc.stderr)
        proc = self.run_liq("run", DEFAULT, "--resume", ckpt, check=2)
        self.assertIn("--resume takes the scenario", proc.stderr)
        # A scenario that changed since the checkpoint was written.
        with open(DEFAULT) as fh:
            text = fh.read()
        cfg = self.write("s.toml", text)
        good = os.path.join(self.tmp, "good.ckpt")
        proc = subprocess.Popen([BINARY, "run", cfg, "-o", out, "--paths", PATHS, "--threads", "1",
                                 "--backend", "cpu", "--quiet", "--checkpoint", good,
                                 "--checkpoint-every", "0.2s"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.wait_for_marks(good, proc, size=100_000)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 143)
        self.write("s.toml", text.replace("seed = 20251010", "seed = 20251011"))
        proc = self.run_liq("run", "--resume", good, check=2)
        self.assertIn("changed since the checkpoint", proc.stderr)

    def interrupted(self, cfg, out, ckpt):
        """A run of `cfg` interrupted by SIGTERM after its first checkpoint marks."""
        proc = subprocess.Popen([BINARY, "run", cfg, "-o", out, "--threads", "1", "--backend",
                                 "cpu", "--quiet", "--checkpoint", ckpt, "--checkpoint-every",
                                 "0.2s"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.wait_for_marks(ckpt, proc, size=100_000)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 143)

    def test_resume_refuses_a_book_whose_content_changed(self):
        # The CSV book is the same path in the resolved scenario: only its content tells.
        book = self.write("book.csv", "asset,side,notional_usd,entry_price,leverage\n"
                                      "BTC,long,2000000,100000,20\nETH,short,500000,4000,10\n")
        text = small_config(paths=2_000_000).replace('source = "synthetic"',
                                                     'source = "csv"\npath = "book.csv"')
        cfg = self.write("c.toml", text.split("[book.synthetic]")[0])
        out, ckpt = os.path.join(self.tmp, "c.h5"), os.path.join(self.tmp, "c.ckpt")
        self.interrupted(cfg, out, ckpt)
        with open(book, "rb") as fh:
            old = hashlib.sha256(fh.read()).hexdigest()
        with open(book, "a") as fh:
            fh.write("ETH,long,700000,3900,5\n")
        with open(book, "rb") as fh:
            new = hashlib.sha256(fh.read()).hexdigest()
        proc = self.run_liq("run", "--resume", ckpt, check=2)
        self.assertIn(f"error: {os.path.abspath(book)}: changed since the checkpoint {ckpt} was "
                      f"written (sha256 {old[:8]}… then, {new[:8]}… now)", proc.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertTrue(os.path.exists(ckpt), "a refused resume keeps the checkpoint")

    def test_resume_refuses_another_binary(self):
        cfg = self.write("b.toml", small_config(paths=2_000_000))
        out, ckpt = os.path.join(self.tmp, "b.h5"), os.path.join(self.tmp, "b.ckpt")
        self.interrupted(cfg, out, ckpt)
        # Rewrite the checkpoint's header record (type, u64 length, payload, CRC-32) as if
        # another build of liqstress had written it.
        with open(ckpt, "rb") as fh:
            data = fh.read()
        self.assertEqual(data[:8], b"LIQCKPT1")
        n = struct.unpack("<Q", data[9:17])[0]
        payload = data[17:17 + n].decode()
        self.assertIn("git_commit=", payload)
        lines = [("git_commit=0000000" if l.startswith("git_commit=") else l)
                 for l in payload.split("\n")]
        new = "\n".join(lines).encode()
        head = data[8:9] + struct.pack("<Q", len(new))
        record = head + new + struct.pack("<I", zlib.crc32(head + new) & 0xFFFFFFFF)
        with open(ckpt, "wb") as fh:
            fh.write(data[:8] + record + data[17 + n + 4:])
        proc = self.run_liq("run", "--resume", ckpt, check=2)
        self.assertIn(f"error: {ckpt}: written by liqstress ", proc.stderr)
        self.assertIn("(git 0000000), but this is liqstress ", proc.stderr)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
