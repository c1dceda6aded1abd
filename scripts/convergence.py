#!/usr/bin/python3
"""Convergence in the step: do the answers of a scenario move when `simulation.step` shrinks?

For every scenario given (default: configs/events/*.toml), run it at its own step Δ, at Δ/5
and at Δ/15 (the same horizon and seed; different steps draw different random numbers, so the
runs are independent), and compare the mean total liquidated notional and mean bad debt:
each finer run must agree with the run at Δ within K standard errors of the difference,
|m_fine − m_Δ| ≤ K·sqrt(se_fine² + se_Δ²) (K = 4, docs/MODEL.md §4). Prints a markdown table
(step, means with 95% intervals, run time) and, with --check, exits 1 when a row disagrees.

    /usr/bin/python3 scripts/convergence.py --paths 4000                # the README's table
    /usr/bin/python3 scripts/convergence.py --paths 2000 --check        # the test suite's check
    /usr/bin/python3 scripts/convergence.py configs/events/2025-10-10-crash.toml --binary X
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K = 4.0  # standard errors a finer step's mean may differ by
Z95 = 1.959963984540054
METRICS = ["total_liquidated_usd", "bad_debt_usd"]
DIVISORS = [1, 5, 15]


def seconds(text):
    m = re.fullmatch(r"\s*([0-9.]+)\s*([smhd])\s*", text)
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def duration(s):
    """A duration string liqstress reads, exact for whole seconds."""
    if abs(s - round(s)) > 1e-9:
        raise ValueError(f"step {s} s is not a whole number of seconds")
    return f"{int(round(s))}s"


def scenario_step(path):
    with open(path) as f:
        for line in f:
            m = re.match(r'\s*step\s*=\s*"([^"]+)"', line)
            if m:
                return seconds(m.group(1))
    raise ValueError(f"{path}: no simulation.step")


def run(binary, scenario, step_s, paths, threads):
    with tempfile.TemporaryDirectory() as tmp:
        js = os.path.join(tmp, "s.json")
        cmd = [binary, "run", scenario, "-o", os.path.join(tmp, "r.h5"), "--force", "--quiet",
               "--backend", "cpu", "--paths", str(paths), "--summary-json", js,
               "--set", f'simulation.step="{duration(step_s)}"']
        if threads:
            cmd += ["--threads", str(threads)]
        t0 = time.time()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.time() - t0
        with open(js) as f:
            m = json.load(f)["metrics"]
    return {k: (m[k]["mean"], m[k]["stderr"]) for k in METRICS}, elapsed


def usd(x):
    a = abs(x)
    if a >= 1e9:
        return f"${x / 1e9:.2f}B"
    if a >= 1e6:
        return f"${x / 1e6:.1f}M"
    return f"${x / 1e3:.0f}k"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("--paths", type=int, default=4000)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "release", "liqstress"))
    ap.add_argument("--check", action="store_true", help="exit 1 when a finer step disagrees")
    args = ap.parse_args()
    scenarios = args.scenarios or sorted(glob.glob(os.path.join(ROOT, "configs", "events", "*.toml")))
    print(f"| scenario | step | mean total liquidated (95% CI) | mean bad debt (95% CI) | "
          f"run time ({args.paths:,} paths) | agrees with step Δ (K = {K:g}) |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    bad = []
    for sc in scenarios:
        name = os.path.splitext(os.path.basename(sc))[0]
        base = scenario_step(sc)
        ref = None
        for d in DIVISORS:
            step = base / d
            res, elapsed = run(args.binary, sc, step, args.paths, args.threads)
            cells = []
            for k in METRICS:
                mean, se = res[k]
                cells.append(f"{usd(mean)} ({usd(mean - Z95 * se)} – {usd(mean + Z95 * se)})")
            verdict = "Δ"
            if ref is None:
                ref = res
            else:
                gaps = []
                for k in METRICS:
                    (m0, s0), (m1, s1) = ref[k], res[k]
                    sd = (s0 * s0 + s1 * s1) ** 0.5
                    z = abs(m1 - m0) / sd if sd > 0 else (0.0 if m1 == m0 else float("inf"))
                    gaps.append(z)
                    if z > K:
                        bad.append(f"{name} at Δ/{d}: {k} differs by {z:.1f} standard errors")
                verdict = "yes" if max(gaps) <= K else "NO"
                verdict += " (" + ", ".join(f"{g:.1f}σ" for g in gaps) + ")"
            label = duration(step) if d > 1 else f"{duration(step)} (Δ)"
            print(f"| {name} | {label} | {cells[0]} | {cells[1]} | {elapsed:.1f} s | {verdict} |",
                  flush=True)
    for b in bad:
        print("disagrees: " + b, file=sys.stderr)
    return 1 if (args.check and bad) else 0


if __name__ == "__main__":
    sys.exit(main())
