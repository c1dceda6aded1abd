#!/usr/bin/env python3
"""liqstress — calibrate the price model (MODEL.md section 1) from daily closes.

Reads <DATA>/<SYM>-USD-daily.csv (columns Date,Close,High,Low,Open,Volume) and estimates,
from daily close-to-close log returns over a window of dates [--start, --end]:

  vol        diffusion volatility, annualised with 365 days: the standard deviation of the
             asset's returns on its "clean" days (no market-wide jump, no idiosyncratic jump
             of that asset), found by iterative clipping started from the MAD estimate
             (median absolute deviation x 1.4826); the MAD value is printed beside it.
  market     market-wide jumps: days on which BTC moves beyond K_M sigma_BTC (from its
  jumps      median) AND at least --sign-quota of the other assets move the same way.
             rate = days / years; mean, stdev of BTC's log move on those days (stdev with
             one day of BTC diffusion variance removed); beta_a = least-squares slope of
             asset a's move on BTC's move through the origin (the model has no intercept),
             beta_BTC = 1.
  jumps      idiosyncratic jumps: after removing the market component (r_a - beta_a r_BTC
             on market-jump days), days with |residual - median| > K_I sigma_a.
             rate = days / years; mean, stdev of the residual log move on those days
             (stdev with one day of the asset's diffusion variance removed).
  correlation  Pearson correlation of returns on days clean for every asset (no market-wide
             and no idiosyncratic jump in any asset), checked positive definite with
             numpy.linalg.eigvalsh, before and after rounding to 3 decimals.
  spot       the last close of the window.
  drift      0 (stress view: no expected return over a 24-hour horizon).

The clipping iterates: sigma -> flags -> sigma on clean days, until the flags repeat.
Everything is deterministic (no random numbers) and takes well under a second.

Usage:
  /usr/bin/python3 scripts/calibrate.py                      # table + TOML snippet on stdout
  /usr/bin/python3 scripts/calibrate.py --toml snippet.toml  # also write the snippet to a file
  /usr/bin/python3 scripts/calibrate.py --assets BTC,ETH,SOL,DOGE,XRP,BNB
  /usr/bin/python3 scripts/calibrate.py --check configs/default.toml   # compare with a config

Caveats (also in configs/README.md): daily closes cannot see intraday jumps or intraday
crashes that recover before 00:00 UTC, so jump rates are lower bounds and a jump's size is
its day's net move; only moves beyond the thresholds are seen as jumps, so rates are biased
low and mean sizes biased high in magnitude (truncation); a few events per asset in three
years give wide sampling errors (the table prints the counts).
"""

import argparse
import csv
import datetime as dt
import math
import os
import signal
import sys

import numpy as np

DAYS_PER_YEAR = 365.0
MAD_SCALE = 1.4826

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data", "prices"))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=DEFAULT_DATA,
                   help="folder with <SYM>-USD-daily.csv (default: ../shared/data/prices "
                        "relative to the repository root)")
    p.add_argument("--assets", default="BTC,ETH,SOL,DOGE",
                   help="comma-separated symbols; the first is the market reference (BTC)")
    p.add_argument("--start", default="2022-02-11", help="first close of the window (YYYY-MM-DD)")
    p.add_argument("--end", default="2025-02-11", help="last close of the window (YYYY-MM-DD)")
    p.add_argument("--k-idio", type=float, default=4.0,
                   help="idiosyncratic jump threshold in diffusion sigmas (default 4)")
    p.add_argument("--k-market", type=float, default=4.0,
                   help="market-wide jump threshold on BTC in BTC sigmas (default 4)")
    p.add_argument("--sign-quota", type=float, default=1.0,
                   help="fraction of the other assets that must move with BTC on a "
                        "market-wide jump day (default 1.0: all of them)")
    p.add_argument("--toml", metavar="FILE", help="also write the TOML snippet to FILE")
    p.add_argument("--check", metavar="CONFIG",
                   help="compare the calibrated keys of CONFIG with the estimates "
                        "(rounded as in the snippet); exit 1 on a mismatch")
    p.add_argument("--list-events", action="store_true",
                   help="print the market-wide and idiosyncratic jump days")
    return p.parse_args(argv)


def load_closes(data_dir, sym):
    path = os.path.join(data_dir, f"{sym}-USD-daily.csv")
    dates, closes = [], []
    with open(path, newline="") as f:
        rows = csv.DictReader(f)
        for i, row in enumerate(rows, start=2):
            try:
                d = dt.date.fromisoformat(row["Date"])
                c = float(row["Close"])
            except (KeyError, ValueError) as e:
                raise SystemExit(f"{path}:{i}: cannot read Date/Close: {e}")
            if not (c > 0 and math.isfinite(c)):
                raise SystemExit(f"{path}:{i}: Close must be a positive number, got {row['Close']}")
            dates.append(d)
            closes.append(c)
    return path, dates, closes


def window_returns(data_dir, syms, start, end):
    """Closes on every calendar day in [start, end] for all assets -> log returns [T, A]."""
    ndays = (end - start).days + 1
    closes = np.full((ndays, len(syms)), np.nan)
    for j, sym in enumerate(syms):
        path, dates, cl = load_closes(data_dir, sym)
        for d, c in zip(dates, cl):
            k = (d - start).days
            if 0 <= k < ndays:
                closes[k, j] = c
        missing = np.isnan(closes[:, j])
        if missing.any():
            first = start + dt.timedelta(days=int(np.argmax(missing)))
            raise SystemExit(f"{path}: no close for {first} (and {int(missing.sum()) - 1} other "
                             f"day(s)) in the window {start}..{end}; choose a window the "
                             f"data covers")
    r = np.diff(np.log(closes), axis=0)
    return closes, r


def mad_sigma(x):
    return MAD_SCALE * float(np.median(np.abs(x - np.median(x))))


def sample_jump_stats(x, diffusion_var):
    """mean and stdev of jump log sizes seen as whole-day moves; stdev with one day of
    diffusion variance removed (floored at 0); (0, 0) when there are no events."""
    n = len(x)
    if n == 0:
        return 0.0, 0.0
    mean = float(np.mean(x))
    if n == 1:
        return mean, 0.0
    var = float(np.var(x, ddof=1)) - diffusion_var
    return mean, math.sqrt(max(var, 0.0))


def calibrate(r, syms, k_idio, k_market, sign_quota, max_iter=100):
    T, A = r.shape
    med = np.median(r, axis=0)
    sigma = np.array([mad_sigma(r[:, a]) for a in range(A)])
    sigma_mad = sigma.copy()
    ref = 0  # BTC: the market reference
    others = [a for a in range(A) if a != ref]
    need = math.ceil(sign_quota * len(others) - 1e-12)

    prev = None
    for it in range(max_iter):
        # market-wide jump days
        big = np.abs(r[:, ref] - med[ref]) > k_market * sigma[ref]
        same = (np.sign(r[:, others]) == np.sign(r[:, [ref]])).sum(axis=1) >= need
        mkt = big & same
        # betas: slope through the origin on market days
        beta = np.ones(A)
        if mkt.any():
            xb = r[mkt, ref]
            for a in others:
                beta[a] = float(np.dot(r[mkt, a], xb) / np.dot(xb, xb))
        # idiosyncratic residuals and flags
        resid = r.copy()
        resid[mkt, :] = r[mkt, :] - np.outer(r[mkt, ref], beta)
        idio = np.abs(resid - med) > k_idio * sigma
        idio[mkt, ref] = False  # BTC's residual on a market day is 0 by construction
        clean = ~idio & ~mkt[:, None]
        sigma = np.array([float(np.std(r[clean[:, a], a], ddof=1)) for a in range(A)])
        state = (mkt.tobytes(), idio.tobytes())
        if state == prev:
            break
        prev = state
    else:
        raise SystemExit(f"clipping did not settle in {max_iter} iterations")
    iterations = it + 1

    years = T / DAYS_PER_YEAR
    all_clean = clean.all(axis=1)
    corr = np.corrcoef(r[all_clean, :], rowvar=False)

    nm = int(mkt.sum())
    m_mean, m_std = sample_jump_stats(r[mkt, ref], sigma[ref] ** 2)
    res = {
        "T": T, "years": years, "iterations": iterations, "need": need,
        "sigma_d": sigma, "sigma_mad_d": sigma_mad,
        "vol": sigma * math.sqrt(DAYS_PER_YEAR), "vol_mad": sigma_mad * math.sqrt(DAYS_PER_YEAR),
        "raw_vol": r.std(axis=0, ddof=1) * math.sqrt(DAYS_PER_YEAR),
        "beta": beta, "mkt": mkt, "idio": idio, "resid": resid, "clean_days": int(all_clean.sum()),
        "corr": corr,
        "market": {"n": nm, "rate": nm / years, "mean": m_mean, "stdev": m_std},
        "jumps": [],
    }
    mj = res["market"]
    model_var = sigma ** 2 * DAYS_PER_YEAR + mj["rate"] * beta ** 2 * (mj["mean"] ** 2 + mj["stdev"] ** 2)
    for a in range(A):
        x = resid[idio[:, a], a]
        mean, std = sample_jump_stats(x, sigma[a] ** 2)
        res["jumps"].append({"n": int(len(x)), "rate": len(x) / years, "mean": mean, "stdev": std,
                             "n_down": int((x < 0).sum())})
        j = res["jumps"][-1]
        model_var[a] += j["rate"] * (j["mean"] ** 2 + j["stdev"] ** 2)
    res["model_vol"] = np.sqrt(model_var)
    return res


def rounded(res, closes, syms):
    """The values as they go into TOML."""
    A = len(syms)
    corr = np.round(res["corr"], 3)
    for i in range(A):
        corr[i, i] = 1.0
    out = {"corr": corr, "assets": {}, "market": {
        "rate": round(res["market"]["rate"], 2),
        "mean": round(res["market"]["mean"], 4),
        "stdev": round(res["market"]["stdev"], 4)}}
    for a, s in enumerate(syms):
        j = res["jumps"][a]
        spot = float(closes[-1, a])
        digits = max(2, 5 - int(math.floor(math.log10(spot))))  # 6 significant figures at least
        out["assets"][s] = {
            "spot": round(spot, digits),
            "vol": round(float(res["vol"][a]), 3),
            "drift": 0.0,
            "beta": round(float(res["beta"][a]), 2),
            "jumps": {"rate": round(j["rate"], 2), "mean": round(j["mean"], 4),
                      "stdev": round(j["stdev"], 4)},
        }
    return out


def fmt_num(x):
    if x == 0:
        return "0.0"
    if abs(x) >= 1e4:
        s = f"{x:_.2f}".rstrip("0")
        return s + "0" if s.endswith(".") else s
    s = repr(float(x))
    return s


def toml_snippet(rv, syms, start, end):
    lines = [f"# calibrated by scripts/calibrate.py from daily closes {start}..{end}",
             "[market]",
             "assets = [" + ", ".join(f'"{s}"' for s in syms) + "]",
             "correlation = ["]
    for i, row in enumerate(rv["corr"]):
        sep = "," if i + 1 < len(syms) else ""
        lines.append("  [" + ", ".join(f"{v:.3f}" for v in row) + "]" + sep)
    lines.append("]")
    for s in syms:
        v = rv["assets"][s]
        j = v["jumps"]
        lines += ["", f"[asset.{s}]",
                  f"spot = {fmt_num(v['spot'])}",
                  f"vol = {fmt_num(v['vol'])}",
                  "drift = 0.0",
                  f"beta = {fmt_num(v['beta'])}",
                  f"jumps = {{ rate = {fmt_num(j['rate'])}, mean = {fmt_num(j['mean'])}, "
                  f"stdev = {fmt_num(j['stdev'])} }}"]
    m = rv["market"]
    lines += ["", "[market_jumps]", f"rate = {fmt_num(m['rate'])}", f"mean = {fmt_num(m['mean'])}",
              f"stdev = {fmt_num(m['stdev'])}"]
    return "\n".join(lines) + "\n"


def print_table(res, syms, closes, start, end, args):
    A = len(syms)
    print(f"liqstress calibration: daily close-to-close log returns {start}..{end} "
          f"({res['T']} returns, {res['years']:.3f} years of 365 days), data {args.data}")
    print(f"thresholds: idiosyncratic |r - median| > {args.k_idio:g} sigma; market-wide "
          f"|r_BTC - median| > {args.k_market:g} sigma_BTC with at least {res['need']} of the "
          f"{A - 1} other assets the same sign; clipping settled after {res['iterations']} "
          f"iterations")
    print()
    hdr = (f"{'asset':<6}{'spot':>12}{'vol':>8}{'vol MAD':>9}{'raw vol':>9}{'model':>7}{'beta':>7}"
           f"{'n jump':>8}{'rate/y':>8}{'mean':>9}{'stdev':>9}")
    print(hdr)
    print("-" * len(hdr))
    for a, s in enumerate(syms):
        j = res["jumps"][a]
        print(f"{s:<6}{closes[-1, a]:>12.6g}{res['vol'][a]:>8.3f}{res['vol_mad'][a]:>9.3f}"
              f"{res['raw_vol'][a]:>9.3f}{res['model_vol'][a]:>7.3f}{res['beta'][a]:>7.2f}{j['n']:>8d}{j['rate']:>8.2f}"
              f"{j['mean']:>9.4f}{j['stdev']:>9.4f}")
    m = res["market"]
    print(f"{'market':<6}{'':>12}{'':>8}{'':>9}{'':>9}{'':>7}{'':>7}{m['n']:>8d}{m['rate']:>8.2f}"
          f"{m['mean']:>9.4f}{m['stdev']:>9.4f}")
    print()
    print("vol: stdev on clean days x sqrt(365); vol MAD: 1.4826 x MAD x sqrt(365); raw vol: stdev "
          "of all days x sqrt(365);\nmodel: total vol the fitted model implies, "
          "sqrt(vol^2 + rate (mean^2 + stdev^2) + market rate beta^2 (mean^2 + stdev^2)), "
          "to compare with raw vol")
    print(f"correlation on {res['clean_days']} days clean for every asset:")
    print("      " + "".join(f"{s:>8}" for s in syms))
    for i, s in enumerate(syms):
        print(f"{s:<6}" + "".join(f"{res['corr'][i, k]:>8.3f}" for k in range(A)))


def list_events(res, syms, r, start):
    day = lambda t: start + dt.timedelta(days=int(t) + 1)  # return t ends at close t+1
    print("\nmarket-wide jump days (log returns):")
    for t in np.flatnonzero(res["mkt"]):
        print(f"  {day(t)}  " + "  ".join(f"{s} {r[t, a]:+.4f}" for a, s in enumerate(syms)))
    for a, s in enumerate(syms):
        ts = np.flatnonzero(res["idio"][:, a])
        print(f"{s} idiosyncratic jump days (residual log move): " +
              (", ".join(f"{day(t)} {res['resid'][t, a]:+.4f}" for t in ts) or "none"))


def check_config(path, rv, syms):
    try:
        import tomllib
    except ImportError:
        raise SystemExit("--check needs Python 3.11+ (tomllib)")
    with open(path, "rb") as f:
        cfg = tomllib.load(f)
    bad = []

    def cmp(key, got, want):
        if not (isinstance(got, (int, float)) and math.isclose(float(got), float(want),
                                                                rel_tol=0, abs_tol=1e-9)):
            bad.append(f"{path}: {key}: has {got!r}, calibration gives {want!r}")

    assets = cfg.get("market", {}).get("assets", [])
    if assets[:len(syms)] != syms:
        bad.append(f"{path}: market.assets: has {assets!r}, calibration covers {syms!r}")
    else:
        corr = cfg["market"]["correlation"]
        for i in range(len(syms)):
            for k in range(len(syms)):
                cmp(f"market.correlation[{i}][{k}]", corr[i][k], float(rv["corr"][i, k]))
        for s in syms:
            got, want = cfg.get("asset", {}).get(s, {}), rv["assets"][s]
            for key in ("spot", "vol", "drift", "beta"):
                cmp(f"asset.{s}.{key}", got.get(key), want[key])
            for key in ("rate", "mean", "stdev"):
                cmp(f"asset.{s}.jumps.{key}", got.get("jumps", {}).get(key), want["jumps"][key])
    for key in ("rate", "mean", "stdev"):
        cmp(f"market_jumps.{key}", cfg.get("market_jumps", {}).get(key), rv["market"][key])
    if bad:
        print("\n".join(bad), file=sys.stderr)
        return 1
    print(f"{path}: calibrated keys match the estimates")
    return 0


def main(argv=None):
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    args = parse_args(sys.argv[1:] if argv is None else argv)
    syms = [s.strip().upper() for s in args.assets.split(",") if s.strip()]
    if len(syms) < 2 or syms[0] != "BTC":
        raise SystemExit("--assets: need BTC first and at least one more asset")
    if len(set(syms)) != len(syms):
        raise SystemExit("--assets: repeated symbol")
    try:
        start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
    except ValueError as e:
        raise SystemExit(f"--start/--end: {e}")
    if (end - start).days < 60:
        raise SystemExit("window too short: need at least 60 days")

    closes, r = window_returns(args.data, syms, start, end)
    res = calibrate(r, syms, args.k_idio, args.k_market, args.sign_quota)

    ev = np.linalg.eigvalsh(res["corr"])
    rv = rounded(res, closes, syms)
    ev_r = np.linalg.eigvalsh(rv["corr"])

    print_table(res, syms, closes, start, end, args)
    print(f"eigenvalues: estimated min {ev.min():.4f}, rounded to 3 decimals min {ev_r.min():.4f} "
          f"({'positive definite' if ev_r.min() > 0 else 'NOT positive definite'})")
    if ev_r.min() <= 0:
        raise SystemExit("rounded correlation matrix is not positive definite")
    few = [s for s, j in zip(syms, res["jumps"]) if 0 < j["n"] < 3]
    few += ["market-wide"] if 0 < res["market"]["n"] < 3 else []
    if few:
        print(f"warning: fewer than 3 jump days for {', '.join(few)}: their mean and stdev rest "
              f"on one or two days (stdev 0 with one)", file=sys.stderr)
    if args.list_events:
        list_events(res, syms, r, start)

    snippet = toml_snippet(rv, syms, start, end)
    print("\n" + snippet, end="")
    if args.toml:
        with open(args.toml, "w") as f:
            f.write(snippet)
        print(f"# written to {args.toml}", file=sys.stderr)
    if args.check:
        return check_config(args.check, rv, syms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
