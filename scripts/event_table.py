#!/usr/bin/python3
"""Reported vs simulated liquidations for the historical scenarios in configs/events/.

For every configs/events/*.toml: run it (or, with --no-run, read the result that a previous
run left in --results), then print one markdown row per event: the reported figure, the
simulated median and 5%-95% interval over paths of the same quantity, the long share, and
the reported price move next to the simulated median move.

What is reported comes from machine-readable lines in each scenario's header comment:

    # reported-usd: 5.0e8          liquidated notional reported for the event (USD)
    # reported-scope: shorts       what that figure counts: total | longs | shorts
    # reported-long-share: 0.84    share of longs in the reported total (optional)
    # reported-side: short         which side dominated: long | short
    # reported-move: max BTC=0.117 ETH=0.103   min (lows) or max (highs) or final, simple returns

Python 3 with h5py and numpy only (Debian's /usr/bin/python3 after scripts/setup.sh test).

    /usr/bin/python3 scripts/event_table.py                      # 2000 paths, build/release/liqstress
    /usr/bin/python3 scripts/event_table.py --paths 500 --binary /tmp/liqstress
    /usr/bin/python3 scripts/event_table.py --no-run --results build/events
"""
import argparse
import datetime
import glob
import os
import re
import subprocess
import sys
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_reported(path):
    """The `# reported-...:` lines of a scenario's header comment, as a dict."""
    rep = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"#\s*reported-([a-z-]+):\s*(.*?)\s*$", line)
            if m:
                rep[m.group(1)] = m.group(2)
    out = {"usd": float(rep["usd"]) if "usd" in rep else None,
           "scope": rep.get("scope", "total"),
           "long_share": rep.get("long-share"),
           "side": rep.get("side"),
           "move_kind": None, "move": {}}
    if "move" in rep:
        parts = rep["move"].split()
        out["move_kind"] = parts[0]
        for p in parts[1:]:
            sym, val = p.split("=")
            out["move"][sym] = float(val)
    return out


def usd(x):
    """$1.2B / $750M style."""
    if x is None:
        return "—"
    if abs(x) >= 1e9:
        return f"${x / 1e9:.1f}B"
    return f"${x / 1e6:.0f}M"


def pct(x):
    return f"{100 * x:+.1f}%".replace("-", "−")


def summarise(h5path, reported):
    with h5py.File(h5path, "r") as f:
        assets = [a.decode() if isinstance(a, bytes) else str(a) for a in f["assets"][()]]
        liq = f["paths/liquidated_usd"][()]            # [N, A, 2]
        ext = {"min": f["paths/min_log_return"][()], "max": f["paths/max_log_return"][()],
               "final": f["paths/final_log_return"][()]}
        rounds = f["paths/cascade_rounds"][()]
    longs = liq[:, :, 0].sum(axis=1)
    shorts = liq[:, :, 1].sum(axis=1)
    total = longs + shorts
    scope = {"total": total, "longs": longs, "shorts": shorts}[reported["scope"]]
    q05, q50, q95 = np.quantile(scope, [0.05, 0.5, 0.95])
    long_share = np.median(longs / np.maximum(total, 1e-300))
    moves = {}
    kind = reported["move_kind"] or "min"
    for i, a in enumerate(assets):
        moves[a] = float(np.expm1(np.median(ext[kind][:, i])))
    return dict(n=len(total), median=q50, q05=q05, q95=q95, long_share=long_share,
                longs_med=np.median(longs), shorts_med=np.median(shorts), moves=moves,
                move_kind=kind, rounds=float(np.median(rounds)), assets=assets)


def row(name, rep, s):
    scope = {"total": "", "longs": " longs", "shorts": " shorts"}[rep["scope"]]
    ratio = s["median"] / rep["usd"] if rep["usd"] else float("nan")
    verdict = "yes" if 0.5 <= ratio <= 2.0 else "no"
    rs = rep["long_share"] if rep["long_share"] else (f"mostly {rep['side']}" if rep["side"] else "—")
    kind = {"min": "low", "max": "high", "final": "close"}[s["move_kind"]]
    rmove = ", ".join(f"{a} {pct(v)}" for a, v in rep["move"].items()) or "—"
    smove = ", ".join(f"{a} {pct(s['moves'][a])}" for a in rep["move"] if a in s["moves"]) or "—"
    return (f"| {name} | {usd(rep['usd'])}{scope} | {usd(s['median'])} | "
            f"{usd(s['q05'])} – {usd(s['q95'])} | {ratio:.2f} ({verdict}) | "
            f"{s['long_share']:.2f} vs {rs} | {kind}: {rmove} | {smove} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", type=int, default=2000, help="paths per event (default 2000)")
    ap.add_argument("--binary", default=os.environ.get("LIQSTRESS", os.path.join(ROOT, "build/release/liqstress")))
    ap.add_argument("--events", default=os.path.join(ROOT, "configs/events"), help="folder of event scenarios")
    ap.add_argument("--results", default=os.path.join(ROOT, "build/events"), help="where results go / are read")
    ap.add_argument("--no-run", action="store_true", help="read existing results instead of running")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="extra --set KEY=VALUE for every run")
    args = ap.parse_args()

    files = sorted(glob.glob(os.path.join(args.events, "*.toml")))
    if not files:
        sys.exit(f"no scenarios in {args.events}")
    os.makedirs(args.results, exist_ok=True)
    lines = []
    for path in files:
        name = os.path.splitext(os.path.basename(path))[0]
        out = os.path.join(args.results, name + ".h5")
        if not args.no_run:
            cmd = [args.binary, "run", path, "-o", out, "--paths", str(args.paths), "--backend", "cpu",
                   "--threads", str(args.threads), "--quiet", "--force"]
            for kv in args.set:
                cmd += ["--set", kv]
            t0 = time.time()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr}")
            print(f"{name}: {time.time() - t0:.1f} s", file=sys.stderr)
        rep = read_reported(path)
        s = summarise(out, rep)
        lines.append(row(name, rep, s))
        n = s["n"]
    print(f"{n} paths per event, {datetime.date.today().isoformat()}, binary {args.binary}\n")
    print("| event | reported | simulated median | 90% interval (5%–95%) | median / reported (within 2×?) "
          "| long share: simulated vs reported | reported move | simulated median move |")
    print("| --- | ---: | ---: | ---: | ---: | --- | --- | --- |")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
