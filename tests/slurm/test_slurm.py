#!/usr/bin/env python3
"""The Slurm batch templates of scripts/slurm/ on a real single-node Slurm.

Starts munged, slurmctld and slurmd (localslurm.py) with everything in a temporary folder,
inside private PID/network namespaces where the machine allows it (sandbox.py), submits
the templates with sbatch and checks them by their outputs: results files, logs, the
merged file against a one-piece run dataset by dataset, the summary table. Every wait is
bounded. Afterwards no Slurm or munge process is left (checked).

Where Slurm cannot run here (packages missing, not root, daemons failing) it says so and
executes the same job scripts directly with SLURM_ARRAY_TASK_ID and the other SLURM_*
variables they read set (and submit-batch.sh --local), so the scripts are still run.
LIQ_SLURM_FORCE_LOCAL=1 forces that mode.

    LIQSTRESS=build/release/liqstress /usr/bin/python3 tests/slurm/test_slurm.py -v
"""
import atexit
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))

import sandbox  # noqa: E402

if __name__ == "__main__":
    sandbox.maybe_reexec(__file__, sys.argv[1:])   # exits unless inside or impossible

import h5py  # noqa: E402
import numpy as np  # noqa: E402

import localslurm  # noqa: E402
from liqtest import small_config  # noqa: E402

SCRIPTS = os.path.join(ROOT, "scripts", "slurm")
BINARY = os.path.abspath(os.environ.get("LIQSTRESS", os.path.join(ROOT, "build/release/liqstress")))
JOB_TIMEOUT = 60      # seconds for any batch of jobs to finish
RUN_ENV = {"LIQSTRESS": BINARY, "LIQ_BACKEND": "cpu", "LIQ_THREADS": "1"}


def say(msg):
    print(f"[slurm test] {msg}", file=sys.stderr, flush=True)


def binary_has_mpi():
    p = subprocess.run([BINARY, "info"], capture_output=True, text=True, timeout=60)
    lines = [l for l in (p.stdout + p.stderr).splitlines() if re.search("mpi", l, re.I)]
    return any(not re.search(r"not (built|available)|without|: *(no|none)\b", l, re.I)
               for l in lines)


def sbatch_header(script, option):
    with open(script) as f:
        for line in f:
            m = re.match(rf"#SBATCH\s+--{option}=(\S+)", line)
            if m:
                return m.group(1)
    return None


def datasets(path):
    """{name: array} of every dataset under /paths, /timeseries and /summary."""
    out = {}
    with h5py.File(path, "r") as f:
        for group in ("paths", "timeseries", "summary"):
            if group not in f:
                continue

            def visit(name, obj, group=group):
                if isinstance(obj, h5py.Dataset):
                    out[f"/{group}/{name}"] = obj[()]
            f[group].visititems(visit)
    return out


class SlurmBatchTest(unittest.TestCase):
    slurm = None
    mode = None

    @classmethod
    def setUpClass(cls):
        if not os.access(BINARY, os.X_OK):
            raise unittest.SkipTest(f"no liqstress binary at {BINARY} (set LIQSTRESS)")
        cls.tmp = tempfile.mkdtemp(prefix="liq-slurm-test-")
        atexit.register(shutil.rmtree, cls.tmp, True)   # also after Ctrl-C/SIGTERM; runs
        # after LocalSlurm.stop (atexit is last-in first-out): jobs end before their files go
        cls.local_ids = iter(range(1000, 10**6))
        reason = None
        if os.environ.get("LIQ_SLURM_FORCE_LOCAL") == "1":
            reason = "LIQ_SLURM_FORCE_LOCAL=1"
        else:
            t0 = time.monotonic()
            slurm = localslurm.LocalSlurm(cpus=2)
            try:
                slurm.start(timeout=30)
                cls.slurm = slurm
                version = slurm.cmd("sinfo", "--version").stdout.strip()
                say(f"real Slurm ({version}) up in {time.monotonic() - t0:.1f} s, "
                    f"MpiDefault={slurm.mpi_default}, "
                    f"{'in private PID/network namespaces' if sandbox.in_sandbox() else 'unconfined'}"
                    + "".join(f"; {n}" for n in slurm.notes))
            except localslurm.SlurmUnavailable as e:
                reason = str(e)
        if cls.slurm is None:
            cls.mode = "local"
            say(f"Slurm is not available here ({reason}): executing the job scripts directly "
                "with SLURM_ARRAY_TASK_ID and the other SLURM_* variables set, and "
                "submit-batch.sh --local")
        else:
            cls.mode = "slurm"

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.slurm is not None:
                cls.slurm.stop()
                left = cls.slurm.leftovers()
                if left:
                    raise AssertionError("Slurm/munge processes left after stop(): " + ", ".join(left))
                say("Slurm stopped, no slurm/munge process left")
        finally:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # ------------------------------------------------------------------ helpers
    def setUp(self):
        self.dir = os.path.join(self.tmp, self._testMethodName)
        os.makedirs(os.path.join(self.dir, "logs"))

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def liq(self, *args):
        p = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=120,
                           cwd=self.dir)
        self.assertEqual(p.returncode, 0, f"liqstress {' '.join(args)}:\n{p.stdout}{p.stderr}")
        return p

    def submit(self, script, env, array=None, after=None, sbatch_args=()):
        """Submit a template (real sbatch), or run it here (local mode); returns the job id."""
        script = os.path.join(SCRIPTS, script)
        env = dict(RUN_ENV, **env)
        if self.mode == "slurm":
            argv = ["sbatch", "--parsable", *sbatch_args]
            if array:
                argv.append(f"--array={array}")
            if after:
                argv += [f"--dependency=afterok:{after}", "--kill-on-invalid-dep=yes"]
            p = self.slurm.cmd(*argv, script, cwd=self.dir, env=env)
            return p.stdout.strip().split(";")[0]
        return self.run_local(script, env, array)

    def run_local(self, script, env, array):
        """The job as Slurm would start it: in the submission folder, SLURM_* set, output to
        the #SBATCH --output pattern."""
        jobid = str(next(self.local_ids))
        name = sbatch_header(script, "job-name")
        pattern = sbatch_header(script, "output")
        tasks = [None]
        if array:
            lo, hi = (int(x) for x in array.split("-"))
            tasks = list(range(lo, hi + 1))
        for t in tasks:
            e = dict(os.environ, SLURM_JOB_ID=jobid, SLURM_JOB_NAME=name,
                     SLURM_SUBMIT_DIR=self.dir, SLURM_CPUS_PER_TASK="1", SLURM_NTASKS="1")
            e.update(env)
            log = pattern.replace("%x", name).replace("%j", jobid).replace("%A", jobid)
            if t is not None:
                e.update(SLURM_ARRAY_JOB_ID=jobid, SLURM_ARRAY_TASK_ID=str(t))
                log = log.replace("%a", str(t))
            with open(os.path.join(self.dir, log), "w") as out:
                p = subprocess.run(["bash", script], env=e, cwd=self.dir, stdout=out,
                                   stderr=subprocess.STDOUT, timeout=JOB_TIMEOUT)
            self.assertEqual(p.returncode, 0, f"{script} task {t}:\n" + self.read(log))
        return jobid

    def wait_ok(self, *jobids):
        """Bounded wait for the jobs (every array task), then all must have COMPLETED 0:0."""
        if self.mode != "slurm":
            return
        states = self.slurm.wait_jobs(jobids, timeout=JOB_TIMEOUT)
        bad = {k: v for k, v in states.items() if v[:2] != ("COMPLETED", "0:0")}
        if bad:
            logs = "\n".join(f"--- {p}\n{self.read(p)}" for p in
                             sorted(glob.glob(os.path.join(self.dir, "logs", "*"))))
            self.fail(f"jobs did not complete: {bad}\n{logs}")

    def read(self, rel):
        try:
            with open(os.path.join(self.dir, rel), errors="replace") as f:
                return f.read()
        except OSError as e:
            return f"<{e}>"

    def assertSameResults(self, a, b):
        da, db = datasets(os.path.join(self.dir, a)), datasets(os.path.join(self.dir, b))
        self.assertTrue(any(k.startswith("/paths/") for k in da), f"{a} has no /paths")
        self.assertTrue(any(k.startswith("/timeseries/") for k in da), f"{a} has no /timeseries")
        self.assertTrue(any(k.startswith("/summary/") for k in da), f"{a} has no /summary")
        self.assertEqual(sorted(da), sorted(db), f"datasets of {a} and {b}")
        for k in da:
            x, y = da[k], db[k]
            self.assertEqual(getattr(x, "shape", None), getattr(y, "shape", None), k)
            if isinstance(x, np.ndarray) and x.dtype.kind == "f":
                self.assertTrue(np.array_equal(x, y, equal_nan=True), f"{k} differs")
            else:
                self.assertTrue(np.array_equal(x, y), f"{k} differs")

    def scenarios(self):
        a = self.write("calm.toml", small_config(paths=200))
        b = self.write("stormy.toml", small_config(paths=200).replace("vol = 0.6", "vol = 0.9"))
        return a, b

    # -------------------------------------------------------------------- tests
    def test_scenario_array(self):
        self.scenarios()
        self.write("scenarios.txt", "# two small scenarios\ncalm.toml\n\nstormy.toml  # vol 0.9\n")
        job = self.submit("scenario-array.sbatch", {"SCENARIOS": "scenarios.txt"}, array="0-1")
        self.wait_ok(job)
        for task, name in enumerate(("calm", "stormy")):
            with h5py.File(os.path.join(self.dir, "results", f"{name}.h5"), "r") as f:
                self.assertEqual(f.attrs["format"], "liqstress-results")
                self.assertEqual(int(f.attrs["paths"]), 200)
                self.assertEqual(f["/paths/weight"].shape, (200,))
            log = f"logs/liq-scenario-{job}_{task}.out"
            self.assertTrue(os.path.exists(os.path.join(self.dir, log)), f"no log {log}")
            text = self.read(log)
            self.assertIn(f"scenario {name}", text)
            self.assertIn("# exit 0", text)
            self.assertIn("total liquidated", text)   # the end-of-run table
        with h5py.File(os.path.join(self.dir, "results", "stormy.h5"), "r") as f:
            self.assertIn("vol = 0.9", f.attrs["config"])

    def test_sweep_array_then_collect(self):
        self.write("sweepy.toml", small_config(paths=200))
        env = {"CONFIG": "sweepy.toml", "VARY": "--vary asset.BTC.vol=0.4:0.8:3",
               "RESULTS_DIR": "results/sweep"}
        array = self.submit("sweep-array.sbatch", env, array="0-2")
        table = self.submit("sweep-array.sbatch", dict(env, COLLECT="1"), after=array)
        self.wait_ok(array, table)
        for k in range(3):
            with h5py.File(os.path.join(self.dir, f"results/sweep/sweepy.{k}.h5"), "r") as f:
                self.assertIn(f"vol = {(0.4, 0.6, 0.8)[k]}", f.attrs["config"])
            self.assertIn("# exit 0", self.read(f"logs/liq-sweep-{array}_{k}.out"))
        logs = glob.glob(os.path.join(self.dir, "logs", f"liq-sweep-{table}*"))
        self.assertEqual(len(logs), 1, logs)
        text = self.read(os.path.relpath(logs[0], self.dir))
        self.assertIn("mean change (paired)", text)
        self.assertIn("asset.BTC.vol=0.8", text)
        self.assertIn("# exit 0", text)

    def test_shard_array_then_merge(self):
        self.write("shardy.toml", small_config(paths=250))
        self.liq("run", "shardy.toml", "-o", "direct.h5", "--backend", "cpu", "--threads", "1",
                 "--quiet")
        env = {"SCENARIO": "shardy.toml", "SHARD_PATHS": "100", "TOTAL_PATHS": "250"}
        array = self.submit("shard-array.sbatch", env, array="0-2")
        merge = self.submit("merge.sbatch", dict(env, SHARDS="3", COMPARE_WITH="direct.h5"),
                            after=array)
        self.wait_ok(array, merge)
        for i, (first, n) in enumerate(((0, 100), (100, 100), (200, 50))):
            with h5py.File(os.path.join(self.dir, f"results/shardy.shard-{i}.h5"), "r") as f:
                self.assertEqual((int(f.attrs["first_path"]), int(f.attrs["paths"])), (first, n))
            self.assertIn("# exit 0", self.read(f"logs/liq-shard-{array}_{i}.out"))
        self.assertSameResults("results/shardy.h5", "direct.h5")
        log = self.read(f"logs/liq-merge-{merge}.out")
        self.assertIn("from 3 shards", log)
        self.assertIn("total liquidated", log)          # the merged run's table
        self.assertIn("[B] - [A]", log)                 # compare against the direct run
        self.assertIn("# exit 0", log)
        if self.mode == "slurm":   # the merge started only after the last shard ended
            info = {}
            for j in (f"{array}_2", merge):
                out = self.slurm.cmd("scontrol", "-o", "show", "job", j).stdout
                info[j] = dict(kv.split("=", 1) for kv in out.split() if "=" in kv)
            self.assertGreaterEqual(info[merge]["StartTime"], info[f"{array}_2"]["EndTime"])

    def test_failed_shard_cancels_merge(self):
        if self.mode != "slurm":
            self.skipTest("dependency handling needs Slurm")
        self.write("broken.toml", small_config(paths=100).replace("vol = 0.6", "vol = -0.6"))
        env = {"SCENARIO": "broken.toml", "SHARD_PATHS": "50"}
        array = self.submit("shard-array.sbatch", env, array="0-1")
        merge = self.submit("merge.sbatch", dict(env, SHARDS="2"), after=array)
        states = self.slurm.wait_jobs([array, merge], timeout=JOB_TIMEOUT)
        self.assertEqual(states[f"{array}_0"][:2], ("FAILED", "2:0"), states)
        self.assertIn(states[merge][0], ("CANCELLED", "PENDING"), states)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "results", "broken.h5")))
        self.assertIn("asset.BTC.vol", self.read(f"logs/liq-shard-{array}_0.out"))

    def submit_batch(self, *args):
        argv = [os.path.join(SCRIPTS, "submit-batch.sh"), "--liqstress", BINARY,
                "--backend", "cpu", "--threads", "1", *args]
        if self.mode != "slurm":
            argv.insert(1, "--local")
        env = self.slurm.env if self.mode == "slurm" else dict(os.environ)
        p = subprocess.run(argv, capture_output=True, text=True, cwd=self.dir, env=env,
                           timeout=JOB_TIMEOUT * 2)
        self.assertEqual(p.returncode, 0, f"submit-batch.sh {' '.join(args)}:\n{p.stdout}{p.stderr}")
        ids = re.findall(r"job (\w+)", p.stdout)
        self.assertTrue(p.stdout.strip().splitlines()[-1].startswith("summary job "), p.stdout)
        self.wait_ok(*ids)
        return p.stdout

    def check_summary(self, results):
        text = self.read(f"{results}/summary.txt")
        self.assertIn("Scenarios", text)
        self.assertIn(f"[A] {results}/calm.h5", text)
        self.assertIn(f"[B] {results}/stormy.h5", text)
        self.assertIn("[B] - [A]", text)
        self.assertRegex(text, r"total_liquidated_usd\s+mean")
        with open(os.path.join(self.dir, results, "summary.json")) as f:
            summary = json.load(f)
        self.assertEqual(summary["format"], "liqstress-compare")
        self.assertEqual([x["path"] for x in summary["files"]],
                         [f"{results}/calm.h5", f"{results}/stormy.h5"])

    def test_submit_batch_scenarios_and_summary(self):
        self.scenarios()
        out = self.submit_batch("--results", "res", "calm.toml", "stormy.toml")
        self.assertRegex(out, r"scenario array job \w+: 2 scenario")
        self.check_summary("res")
        for name in ("calm", "stormy"):
            self.assertTrue(os.path.exists(os.path.join(self.dir, "res", f"{name}.h5")))
        self.assertEqual(len(glob.glob(os.path.join(self.dir, "logs", "liq-scenario-*_*.out"))), 2)
        self.assertEqual(len(glob.glob(os.path.join(self.dir, "logs", "liq-summary-*.out"))), 1)

    def test_submit_batch_shards_merge_and_summary(self):
        self.scenarios()
        out = self.submit_batch("--results", "res", "--shards", "2", "--paths", "200",
                                "calm.toml", "stormy.toml")
        self.assertEqual(len(re.findall(r"shard array job \w+: \w+ in 2 shard\(s\) of 100 paths; "
                                        r"merge job \w+", out)), 2, out)
        self.check_summary("res")
        self.liq("run", "calm.toml", "-o", "calm-direct.h5", "--backend", "cpu", "--threads", "1",
                 "--quiet")
        self.assertSameResults("res/calm.h5", "calm-direct.h5")
        self.assertEqual(len(glob.glob(os.path.join(self.dir, "logs", "liq-shard-*_*.out"))), 4)
        self.assertEqual(len(glob.glob(os.path.join(self.dir, "logs", "liq-merge-*.out"))), 2)

    def test_mpi_job(self):
        if not binary_has_mpi():
            self.skipTest("liqstress info names no MPI: this build has no MPI support yet")
        self.write("mpi.toml", small_config(paths=200))
        self.liq("run", "mpi.toml", "-o", "direct.h5", "--backend", "cpu", "--threads", "1",
                 "--quiet")
        env = {"SCENARIO": "mpi.toml", "OUTPUT": "results/mpi.h5"}
        if self.mode == "slurm":
            if self.slurm.mpi_default != "pmix":
                self.skipTest("Slurm here has no pmix (install libpmix2 libpmix-dev)")
            job = self.submit("mpi.sbatch", env, sbatch_args=["--ntasks=2"])
        else:
            if not shutil.which("mpirun"):
                self.skipTest("no Slurm and no mpirun here")
            # Open MPI as root (this machine's CI) needs both overrides; more ranks than
            # cores need oversubscription; its session folders go to the test's folder.
            job = self.run_local(os.path.join(SCRIPTS, "mpi.sbatch"),
                                 dict(RUN_ENV, **env, LIQ_LAUNCHER="mpirun", SLURM_NTASKS="2",
                                      OMPI_ALLOW_RUN_AS_ROOT="1",
                                      OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                                      OMPI_MCA_rmaps_base_oversubscribe="1",
                                      OMPI_MCA_orte_tmpdir_base=self.dir,
                                      TMPDIR=self.dir), None)
        self.wait_ok(job)
        self.assertIn("2 rank(s)", self.read(f"logs/liq-mpi-{job}.out"))
        self.assertSameResults("results/mpi.h5", "direct.h5")

    def test_mpi_job_refuses_serial_binary(self):
        if binary_has_mpi():
            self.skipTest("this liqstress has MPI")
        self.write("serial.toml", small_config(paths=100))
        p = subprocess.run(["bash", os.path.join(SCRIPTS, "mpi.sbatch")], cwd=self.dir,
                           env=dict(os.environ, **RUN_ENV, SCENARIO="serial.toml", SLURM_NTASKS="2"),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("built without MPI", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "results")))


if __name__ == "__main__":
    # SIGTERM (a timeout) unwinds like Ctrl-C, so atexit/tearDownClass stop the cluster.
    def _interrupt(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, _interrupt)
    unittest.main()
