"""End to end: results and checkpoint files from strangers (issue 15, item 3). A results file
with a dataset of the wrong shape or type, a missing dataset, NaN or a negative weight, a
huge declared size or a cut-off tail is refused by merge, compare and sweep --collect with
exit code 2 and a message naming the file and the dataset — never a crash, a hang or an
allocation beyond what the file holds (the processes run under a 1 GiB address-space limit).
A checkpoint with one payload byte flipped resumes from the last good mark before it, and the
result equals the uninterrupted run."""
import os
import resource
import shutil
import struct
import subprocess
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import BINARY, CliTestCase, small_config  # noqa: E402

PATHS = 300


def limited():
    """Child processes: 1 GiB of address space (ASan builds are not run here)."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def scenario(paths=PATHS):
    return small_config(paths=paths).replace('horizon = "1h"', 'horizon = "20m"').replace(
        '"30m"', '"10m"').replace('duration = "15m"', 'duration = "5m"')


class HostileResults(CliTestCase):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._dir = tempfile.TemporaryDirectory(prefix="liqstress-hostile-")
        cfg = os.path.join(cls._dir.name, "s.toml")
        with open(cfg, "w") as f:
            f.write(scenario())
        cls.good = os.path.join(cls._dir.name, "good.h5")
        subprocess.run([BINARY, "run", cfg, "-o", cls.good, "--quiet", "--backend", "cpu"],
                       check=True, capture_output=True, timeout=120)

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def damaged(self, name, damage):
        path = os.path.join(self.tmp, name + ".h5")
        shutil.copy(self.good, path)
        with h5py.File(path, "r+") as f:
            damage(f)
        return path

    def refused(self, path, *needles, commands=("merge", "compare")):
        """merge and compare both refuse `path` with exit 2, naming it and each needle."""
        for args in (["merge", os.path.join(self.tmp, "m.h5"), path],
                     ["compare", self.good, path]):
            if args[0] not in commands:
                continue
            proc = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=60,
                                  preexec_fn=limited)
            msg = f"liqstress {args[0]} on {os.path.basename(path)}: {proc.stderr}"
            self.assertEqual(proc.returncode, 2, msg)
            self.assertIn(path, proc.stderr, msg)
            for needle in needles:
                self.assertIn(needle, proc.stderr, msg)
            self.assertNotIn("internal error", proc.stderr, msg)
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "m.h5")))

    def replace(self, f, name, data, **kw):
        del f[name]
        f.create_dataset(name, data=data, **kw)

    def test_the_intact_file_is_read(self):
        self.run_liq("compare", self.good, self.good, check=0)

    def test_wrong_shape(self):
        path = self.damaged("shape", lambda f: self.replace(f, "paths/weight",
                                                             np.ones(PATHS + 1)))
        self.refused(path, "/paths/weight", "shape [301]")
        path = self.damaged("shape2", lambda f: self.replace(
            f, "paths/liquidated_usd", np.zeros((PATHS, 3))))
        self.refused(path, "/paths/liquidated_usd")

    def test_wrong_type(self):
        path = self.damaged("type", lambda f: self.replace(
            f, "paths/bad_debt_usd", np.array([b"x"] * PATHS)))
        self.refused(path, "/paths/bad_debt_usd", "wrong type")
        path = self.damaged("attr", lambda f: f.attrs.__setitem__("paths", "many"))
        self.refused(path, "paths")

    def test_missing_datasets(self):
        for name in ["paths/cascade_rounds", "timeseries/exact_sums", "assets"]:
            path = self.damaged("missing-" + name.replace("/", "-"), lambda f: f.__delitem__(name))
            self.refused(path, "/" + name, "missing")
        path = self.damaged("no-summary", lambda f: f.__delitem__("summary"))
        self.refused(path, "/summary")

    def test_nan_and_negative_weights(self):
        def nan(f):
            f["paths/adl_usd"][7] = np.nan
        self.refused(self.damaged("nan", nan), "/paths/adl_usd row 7", "not a finite number")

        def negative(f):
            f["paths/weight"][3] = -1.0
        # compare reads no weights (its estimates come from /summary): merge recomputes them.
        self.refused(self.damaged("weight", negative), "/paths/weight row 3",
                     commands=("merge",))

        def summary_level(f):
            name = f["summary/metrics"][0].decode()
            f["summary/" + name + "/quantile_levels"][0] = np.inf
        self.refused(self.damaged("level", summary_level), "quantile_levels")

    def test_huge_declared_sizes(self):
        huge = 1 << 40

        def declare(f):
            f.attrs["paths"] = np.uint64(huge)
            for name in list(f["paths"]):
                shape = (huge,) + f["paths/" + name].shape[1:]
                dtype = f["paths/" + name].dtype
                del f["paths/" + name]
                f.create_dataset("paths/" + name, shape=shape, dtype=dtype,
                                 chunks=(1024,) + shape[1:], maxshape=(None,) + shape[1:])
        self.refused(self.damaged("huge", declare), "declares [1099511627776")

        def strings(f):
            del f["assets"]
            f.create_dataset("assets", shape=(huge,), dtype=h5py.string_dtype(), chunks=(64,))
        self.refused(self.damaged("huge-assets", strings), "/assets")

    def test_truncated_tail(self):
        size = os.path.getsize(self.good)
        for keep in (0.3, 0.9, 0.999):
            path = os.path.join(self.tmp, f"cut-{keep}.h5")
            shutil.copy(self.good, path)
            os.truncate(path, int(size * keep))
            self.refused(path)

    def test_sweep_collect_refuses_a_damaged_point(self):
        cfg = self.write("sw.toml", scenario(paths=50))
        out = os.path.join(self.tmp, "sweep")
        self.run_liq("sweep", cfg, "--vary", "asset.BTC.vol=0.5,0.7", "-o", out, "--quiet",
                     check=0)
        point = sorted(p for p in os.listdir(out) if p.endswith(".h5"))[1]
        with h5py.File(os.path.join(out, point), "r+") as f:
            self.replace(f, "paths/weight", np.ones(7))
        proc = subprocess.run([BINARY, "sweep", cfg, "--vary", "asset.BTC.vol=0.5,0.7", "-o", out,
                               "--collect"], capture_output=True, text=True, timeout=60,
                              preexec_fn=limited)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn(point, proc.stderr)
        self.assertIn("/paths/weight", proc.stderr)


def records(path):
    """(type, offset, payload offset, payload length) of every record of a checkpoint log."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    at = 8
    while at + 9 <= len(data):
        kind = data[at:at + 1]
        (length,) = struct.unpack_from("<Q", data, at + 1)
        if at + 9 + length + 4 > len(data):
            break
        out.append((kind, at, at + 9, length))
        at += 9 + length + 4
    return out


class HostileCheckpoint(CliTestCase):
    """A checkpoint with a flipped byte: the CRC-32 stops the read at the last good mark."""

    def run_to_checkpoint(self, cfg, out, ckpt):
        """A run killed after several marks (SIGTERM writes a last one)."""
        import signal
        import time
        proc = subprocess.Popen([BINARY, "run", cfg, "-o", out, "--threads", "1", "--backend",
                                 "cpu", "--quiet", "--checkpoint", ckpt, "--checkpoint-every",
                                 "0.01s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        end = time.time() + 60
        while time.time() < end and proc.poll() is None:
            if os.path.exists(ckpt) and sum(r[0] == b"M" for r in records(ckpt)) >= 4:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 143, "the run ended before it could be stopped: " + err)

    def test_a_flipped_payload_byte_resumes_from_the_last_good_mark(self):
        cfg = self.write("c.toml", scenario(paths=60000))
        reference = os.path.join(self.tmp, "ref.h5")
        self.run_liq("run", cfg, "-o", reference, "--quiet", "--backend", "cpu", check=0)
        out = os.path.join(self.tmp, "c.h5")
        ckpt = os.path.join(self.tmp, "c.ckpt")
        self.run_to_checkpoint(cfg, out, ckpt)
        recs = records(ckpt)
        marks = [i for i, r in enumerate(recs) if r[0] == b"M"]
        # A row record after the second mark: the read must stop before it, at that mark.
        victim = next(i for i in range(marks[1] + 1, len(recs)) if recs[i][0] == b"R")
        with open(ckpt, "r+b") as f:
            f.seek(recs[victim][2] + recs[victim][3] // 2)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0x40]))
        last_good = recs[max(m for m in marks if m < victim)]
        with open(ckpt, "rb") as f:
            f.seek(last_good[2])
            (done,) = struct.unpack("<Q", f.read(8))
        proc = self.run_liq("run", "--resume", ckpt, "--backend", "cpu", check=0)
        self.assertIn(f"at {done:,} paths", proc.stderr)
        with h5py.File(reference, "r") as a, h5py.File(out, "r") as b:
            names = []
            a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
            for name in names:
                np.testing.assert_array_equal(a[name][()], b[name][()], err_msg=name)

    def test_a_flipped_header_byte_is_refused(self):
        cfg = self.write("h.toml", scenario(paths=60000))
        out = os.path.join(self.tmp, "h.h5")
        ckpt = os.path.join(self.tmp, "h.ckpt")
        self.run_to_checkpoint(cfg, out, ckpt)
        header = records(ckpt)[0]
        with open(ckpt, "r+b") as f:
            f.seek(header[2] + 3)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 1]))
        proc = self.run_liq("run", "--resume", ckpt, check=2)
        self.assertIn(ckpt + ": damaged checkpoint", proc.stderr)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
