"""End to end: one run across MPI ranks (issue 6, items 1-3, 6). `mpirun -np R liqstress run` gives,
for R = 1, 2 and 4 (oversubscribed), the single-process run's file: every dataset equal, and every
byte equal outside the root's provenance attributes (created_utc, mpi_ranks). A rank killed mid-run
ends the job with a non-zero exit code and no hang (bounded by a timeout) and leaves no results
file; bad input ends every rank with one message and exit code 2. Open MPI runs as root here, so
the test sets OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM), and points Open MPI's session and shared-memory
folders at a folder of its own, removed afterwards. Skipped, with the reason, when the binary was
built without MPI or mpirun is missing."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import BINARY, CliTestCase, small_config  # noqa: E402

MPIRUN = shutil.which("mpirun")


def mpi_built():
    try:
        info = subprocess.run([BINARY, "info"], capture_output=True, text=True, timeout=60).stdout
    except OSError:
        return False
    return "MPI: built" in info


@unittest.skipUnless(MPIRUN, "mpirun not found (Debian: openmpi-bin, scripts/setup.sh test)")
@unittest.skipUnless(mpi_built(), "liqstress was built without MPI (no MPI found at configure time)")
class MpiRanks(CliTestCase):
    def setUp(self):
        super().setUp()
        self.mpi_tmp = tempfile.mkdtemp(prefix="liqstress-ompi-")
        self.env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                        TMPDIR=self.mpi_tmp, OMPI_MCA_orte_tmpdir_base=self.mpi_tmp,
                        OMPI_MCA_btl_vader_backing_directory=self.mpi_tmp,
                        OMPI_MCA_btl="self,vader", OMPI_MCA_rmaps_base_oversubscribe="1")

    def tearDown(self):
        shutil.rmtree(self.mpi_tmp, ignore_errors=True)
        super().tearDown()

    def mpirun(self, ranks, *args, timeout=300):
        cmd = [MPIRUN, "-np", str(ranks), "--oversubscribe", "--bind-to", "none", BINARY, *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=self.env)

    def test_any_rank_count_gives_the_single_process_file(self):
        cfg = self.write("m.toml", small_config(paths=2500, extra="""
[impact]
model = "sqrt"
half_life = "20m"
[[portfolio]]
name = "fund-a"
collateral = 2.0e6
positions = [ { asset = "BTC", side = "long", notional = 1.5e7, entry = 99000.0 } ]
""").replace("[asset.BTC]", "[asset.BTC]\ndepth = 5.0e7").replace("[asset.ETH]", "[asset.ETH]\ndepth = 2.0e7"))
        one = os.path.join(self.tmp, "one.h5")
        # One thread everywhere: the provenance strings (device) then have the same length in
        # every file, whatever the machine's cores, and so the same layout.
        self.run_liq("run", cfg, "-o", one, "--backend", "cpu", "--threads", "1", "--quiet",
                     check=0)
        with open(one, "rb") as fh:
            one_bytes = fh.read()
        with h5py.File(one, "r") as f:
            reference = {}
            f.visititems(lambda n, o: reference.__setitem__(n, o[()])
                         if isinstance(o, h5py.Dataset) else None)
            first_chunk = min(f["paths"][n].id.get_chunk_info(0).byte_offset for n in f["paths"])
            self.assertEqual(f.attrs["mpi_ranks"], 1)
        for ranks in [1, 2, 4]:
            out = os.path.join(self.tmp, f"r{ranks}.h5")
            proc = self.mpirun(ranks, "run", cfg, "-o", out, "--backend", "cpu", "--threads", "1",
                               "--quiet")
            self.assertEqual(proc.returncode, 0, proc.stderr)
            with h5py.File(out, "r") as f:
                self.assertEqual(f.attrs["mpi_ranks"], ranks)
                for name, value in reference.items():
                    np.testing.assert_array_equal(f[name][()], value, err_msg=f"{ranks}: {name}")
                names = []
                f.visit(names.append)
                self.assertEqual(len(names), len(reference) + len(
                    [n for n in names if isinstance(f[n], h5py.Group)]))
            with open(out, "rb") as fh:
                data = fh.read()
            self.assertEqual(len(data), len(one_bytes), ranks)
            differ = np.flatnonzero(np.frombuffer(data, np.uint8) != np.frombuffer(one_bytes, np.uint8))
            # Only the root's provenance attributes (in the file's first kilobytes) may differ.
            last = int(differ.max()) if len(differ) else -1
            self.assertLess(last, first_chunk, ranks)
        self.assertEqual(self.leftovers(), [])

    def test_a_killed_rank_ends_the_job_without_hanging(self):
        cfg = os.path.join(os.environ.get("LIQ_SOURCE_DIR", "."), "configs", "default.toml")
        out = os.path.join(self.tmp, "k.h5")
        cmd = [MPIRUN, "-np", "2", "--oversubscribe", "--bind-to", "none", BINARY, "run", cfg,
               "-o", out, "--paths", "200000", "--threads", "1", "--backend", "cpu", "--quiet"]
        job = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=self.env)
        try:
            victim = None
            end = time.time() + 60
            while victim is None and time.time() < end:
                ps = subprocess.run(["pgrep", "-f", "-P", str(job.pid), "liqstress run"],
                                    capture_output=True, text=True).stdout.split()
                if len(ps) == 2:
                    victim = int(sorted(ps, key=int)[-1])
                time.sleep(0.2)
            self.assertIsNotNone(victim, "the ranks did not start")
            time.sleep(1.0)
            os.kill(victim, signal.SIGKILL)
            _, stderr = job.communicate(timeout=60)  # no hang: bounded
        finally:
            if job.poll() is None:
                job.kill()
                job.wait()
        self.assertNotEqual(job.returncode, 0)
        self.assertIn("signal 9", stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(self.leftovers(), [], "no temporary results file is left behind")

    def test_bad_input_ends_every_rank_with_one_message(self):
        proc = self.mpirun(2, "run", os.path.join(self.tmp, "missing.toml"), "-o",
                           os.path.join(self.tmp, "x.h5"))
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(proc.stderr.count("error: "), 1, proc.stderr)
        self.assertIn("missing.toml", proc.stderr)
        cfg = self.write("s.toml", small_config(paths=100))
        exists = self.write("exists.h5", "keep me")
        proc = self.mpirun(2, "run", cfg, "-o", exists)  # only rank 0 writes: only it can fail
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(proc.stderr.count("error: "), 1, proc.stderr)
        self.assertIn("exists", proc.stderr)
        with open(exists) as fh:
            self.assertEqual(fh.read(), "keep me")

    def test_checkpoint_across_ranks_and_resume(self):
        # Every rank keeps its own log; after the job is stopped (SIGTERM to mpirun, then its
        # kill), the same number of ranks resumes and writes the uninterrupted run's file.
        cfg = os.path.join(os.environ.get("LIQ_SOURCE_DIR", "."), "configs", "default.toml")
        out = os.path.join(self.tmp, "c.h5")
        ckpt = os.path.join(self.tmp, "c.ckpt")
        logs = [ckpt + ".rank0-of-2", ckpt + ".rank1-of-2"]
        cmd = [MPIRUN, "-np", "2", "--oversubscribe", "--bind-to", "none", BINARY, "run", cfg,
               "-o", out, "--paths", "24576", "--threads", "1", "--backend", "cpu", "--quiet",
               "--checkpoint", ckpt, "--checkpoint-every", "0.2s"]
        job = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=self.env)
        try:
            end = time.time() + 120
            while time.time() < end and job.poll() is None:
                if all(os.path.exists(p) and os.path.getsize(p) > 1_500_000 for p in logs):
                    break
                time.sleep(0.1)
            self.assertIsNone(job.poll(), "the run ended before it could be interrupted")
            time.sleep(0.5)
            job.send_signal(signal.SIGTERM)
            job.communicate(timeout=60)
        finally:
            if job.poll() is None:
                job.kill()
                job.wait()
        self.assertNotEqual(job.returncode, 0)
        self.assertFalse(os.path.exists(out))
        # A single process cannot resume it, and says how.
        proc = self.run_liq("run", "--resume", ckpt, check=2)
        self.assertIn("mpirun -np 2", proc.stderr)
        proc = self.mpirun(2, "run", "--resume", ckpt, "--threads", "1", "--backend", "cpu")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        reference = os.path.join(self.tmp, "ref.h5")
        self.run_liq("run", cfg, "-o", reference, "--paths", "24576", "--backend", "cpu",
                     "--quiet", check=0)
        with h5py.File(reference, "r") as a, h5py.File(out, "r") as b:
            names = []
            a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
            for name in names:
                np.testing.assert_array_equal(a[name][()], b[name][()], err_msg=name)
        for p in logs:
            self.assertFalse(os.path.exists(p), "the logs go once the results are committed")

    def test_sweep_deals_points_to_ranks(self):
        cfg = self.write("sw.toml", small_config(paths=300))
        out = os.path.join(self.tmp, "sweep")
        proc = self.mpirun(2, "sweep", cfg, "--vary", "asset.BTC.vol=0.4:0.8:3", "-o", out,
                           "--backend", "cpu")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.count("Sweep of"), 1)
        self.assertEqual(sorted(os.listdir(out)), ["sw.0.h5", "sw.1.h5", "sw.2.h5"])
        single = os.path.join(self.tmp, "single")
        self.run_liq("sweep", cfg, "--vary", "asset.BTC.vol=0.4:0.8:3", "-o", single,
                     "--backend", "cpu", check=0)
        for name in os.listdir(out):
            with h5py.File(os.path.join(out, name)) as a, h5py.File(os.path.join(single, name)) as b:
                np.testing.assert_array_equal(a["paths/liquidated_usd"][()],
                                              b["paths/liquidated_usd"][()])


if __name__ == "__main__":
    unittest.main()
