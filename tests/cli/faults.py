"""Fault injection on the write path, shared by tests/cli/test_write_faults.py and
scripts/kill_campaign.py: runs with --checkpoint killed with SIGKILL at random times (the first
run and each resume in turn), then resumed to completion. After every kill the target holds
the previous result, byte for byte, or the complete new one (the kill came after the commit);
the completed run equals the uninterrupted one, dataset for dataset; no temporary is left."""
import os
import subprocess

import h5py
import numpy as np

# What a resume says when the kill came before the checkpoint's first mark (or before its
# header was complete): the run starts over.
START_OVER = ("holds no completed mark", "damaged checkpoint (no header)",
              "not a liqstress checkpoint")


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
        attrs = {k: f.attrs[k] for k in ["seed", "first_path", "paths", "config"]}
    return out, attrs


def same_results(a, b):
    """Whether two results files hold the same datasets and run attributes."""
    (da, aa), (db, ab) = datasets(a), datasets(b)
    if sorted(da) != sorted(db) or aa != ab:
        return False
    return all(np.array_equal(da[n], db[n], equal_nan=da[n].dtype.kind == "f") for n in da)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class Trial:
    """One run of `cfg` into `out` (over a previous result, with --force), killed `kills` times."""

    def __init__(self, binary, cfg, out, reference, rng, duration):
        self.binary, self.cfg, self.out, self.reference = binary, cfg, out, reference
        self.ckpt = out + ".ckpt"
        self.rng, self.duration = rng, duration
        self.previous = read_bytes(out)
        self.kill_times, self.restarts, self.resumes, self.completed = [], 0, 0, 0

    def command(self):
        if os.path.exists(self.ckpt):
            self.resumes += 1
            return ["run", "--resume", self.ckpt, "--threads", "1", "--backend", "cpu", "--quiet"]
        return ["run", self.cfg, "-o", self.out, "--force", "--threads", "1", "--backend", "cpu",
                "--quiet", "--checkpoint", self.ckpt, "--checkpoint-every", "0.05s"]

    def check_target(self, when):
        if read_bytes(self.out) == self.previous:
            return
        if not same_results(self.out, self.reference):
            raise AssertionError(f"{when}: {self.out} is neither the previous result nor the "
                                 "complete new one")

    def run(self, kills):
        """Kills the run `kills` times, then lets it finish; raises AssertionError on a fault."""
        for _ in range(kills + 100):
            args = self.command()
            proc = subprocess.Popen([self.binary, *args], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
            if len(self.kill_times) < kills:
                t = self.rng.uniform(0.0, self.duration)
                try:
                    proc.wait(timeout=t)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.communicate()
                    self.kill_times.append(t)
                    self.check_target(f"after a kill at {t:.2f} s")
                    continue
            _, err = proc.communicate(timeout=300)
            if proc.returncode == 2 and any(s in err for s in START_OVER):
                os.remove(self.ckpt)  # killed before its first mark: start over
                self.restarts += 1
                continue
            if proc.returncode != 0:
                raise AssertionError(f"liqstress {' '.join(args)} exited {proc.returncode}: {err}")
            self.check_complete()
            if len(self.kill_times) == kills:
                return
            # Finished before the next kill: run again over this result and go on killing.
            self.previous = read_bytes(self.out)
        raise AssertionError("the run never finished")

    def check_complete(self):
        self.completed += 1
        if os.path.exists(self.ckpt):
            raise AssertionError("the checkpoint is left behind after the commit")
        if not same_results(self.out, self.reference):
            raise AssertionError("the resumed run differs from the uninterrupted one")
        folder = os.path.dirname(self.out)
        leftovers = [p for p in os.listdir(folder) if ".tmp." in p]
        if leftovers:
            raise AssertionError(f"temporaries left behind: {leftovers}")
