#!/usr/bin/env python3
"""liqstress — the SIGKILL campaign of the write path (README "Reliability"): a run with
--checkpoint over a previous result, killed with SIGKILL at random times (the first run and
each resume in turn), then resumed; after every kill the target must hold the previous result
or the complete new one, and every completed run must equal the uninterrupted run, dataset
for dataset, with no checkpoint or temporary left (tests/cli/faults.py). The test suite runs
5 kills (tests/cli/test_write_faults.py); this runs as many as asked.

    python3 scripts/kill_campaign.py [--kills 50] [--per-trial 5] [--seed 1] [--binary B]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
from faults import Trial  # noqa: E402
from test_write_faults import PATHS, scenario  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--per-trial", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "cpu", "liqstress"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="liqstress-kills-") as d:
        cfg, small = os.path.join(d, "s.toml"), os.path.join(d, "small.toml")
        with open(cfg, "w") as f:
            f.write(scenario(PATHS))
        with open(small, "w") as f:
            f.write(scenario(20))
        reference = os.path.join(d, "reference.h5")
        start = time.time()
        subprocess.run([args.binary, "run", cfg, "-o", reference, "--quiet", "--threads", "1",
                        "--backend", "cpu"], check=True, capture_output=True)
        duration = time.time() - start
        print(f"uninterrupted run: {PATHS} paths in {duration:.2f} s")
        kills = restarts = resumes = completed = trials = 0
        times = []
        while kills < args.kills:
            out = os.path.join(d, f"out{trials}.h5")
            subprocess.run([args.binary, "run", small, "-o", out, "--quiet", "--backend", "cpu"],
                           check=True, capture_output=True)
            trial = Trial(args.binary, cfg, out, reference, rng, 1.1 * duration)
            trial.run(kills=min(args.per_trial, args.kills - kills))
            trials += 1
            kills += len(trial.kill_times)
            times += trial.kill_times
            restarts += trial.restarts
            resumes += trial.resumes
            completed += trial.completed
            print(f"trial {trials}: kills at " + ", ".join(f"{t:.2f}" for t in trial.kill_times) +
                  f" s; {trial.resumes} resumes, {trial.restarts} restarts (killed before the "
                  f"first mark), {trial.completed} completed: equal to the uninterrupted run")
        print(f"{kills} kills in {trials} trials ({min(times):.2f} to {max(times):.2f} s into a "
              f"run or resume), {resumes} resumes, {restarts} restarts, {completed} completed "
              "runs: every one equal to the uninterrupted run; the previous result intact after "
              "every kill; no checkpoint or temporary left")


if __name__ == "__main__":
    main()
