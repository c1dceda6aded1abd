#!/usr/bin/env python3
"""liqstress — rolling one-day-ahead VaR/ES backtest, out of sample.

For each forecast day d of [--start, --end]: calibrate the price model (scripts/calibrate.py)
on the trailing --window days of closes strictly before d (closes dated d-window-1 .. d-1;
nothing dated d or later is read by the calibration), write a one-day scenario, simulate
--paths one-day paths with liqstress (one step of a day, no impact, a one-position book that
no metric here uses), and forecast from /paths/final_log_return (spot positions, long one
USD of each asset) and /paths/portfolio_pnl_usd (a cross-margin [[portfolio]], --portfolio)
the 99% and 97.5% VaR and the 97.5% ES of the day's loss. The realised loss is the day's
close-to-close move from d-1 to d. Recalibration may be weekly (--recalibrate-every 7) with
a simulation every day; with regimes the filtered state probability is updated every day.

Scores (per position): exceedances at 99% and 97.5%; Kupiec's proportion-of-failures LR test
(Kupiec 1995, J. Derivatives 3:73-84) and Christoffersen's independence LR test
(Christoffersen 1998, Int. Econ. Rev. 39:841-862), both chi-square(1); the Basel traffic
light on the 99% exceedances of the last 250 days (green 0-4, yellow 5-9, red 10+; Basel
Committee 1996, "Supervisory framework for the use of backtesting"); and Acerbi-Szekely's
Z2 for the 97.5% ES (Acerbi & Szekely 2014, "Backtesting Expected Shortfall", MSCI Research
Insight): Z2 = 1 - sum_t L_t 1{L_t > VaR_t} / (T alpha ES_t), alpha = 2.5%, L the loss;
E[Z2] = 0 when the forecasts are right, Z2 < 0 when the risk is underestimated. Its critical
values are simulated under the forecast distributions (draws of each day's realised loss
from that day's simulated paths), as the paper prescribes; the paper's approximate fixed
thresholds (-0.70 at 5%, -1.8 at 0.01%) are printed beside them.

Data: --data holds <SYM>-USD-daily.csv (00:00 UTC closes) and <SYM>-USD-daily-snapshots.csv
(00:00 Europe/Berlin, 1-2 hours earlier); closes up to --cutover come from the daily files,
later ones from the snapshots. Returns are taken only between consecutive calendar days that
every asset has (a gap, e.g. ETH's 2025-02-12..2025-06-18, is skipped, not bridged).

Outputs in --out: backtest.csv (one row per day and position), summary.csv, backtest.png.
"""

import argparse
import csv
import datetime as dt
import math
import os
import subprocess
import sys
import types

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calibrate as cal  # noqa: E402

LEVELS = (0.99, 0.975)
ES_LEVEL = 0.975
Z2_DRAWS = 2000
Z2_PUBLISHED = (-0.70, -1.8)  # Acerbi & Szekely 2014: 5% and 0.01% thresholds


# ---------------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------------

def chi2_sf1(x):
    """P(chi-square with 1 degree of freedom > x) = erfc(sqrt(x / 2))."""
    return math.erfc(math.sqrt(max(x, 0.0) / 2.0))


def xlogy(x, y):
    return 0.0 if x == 0 else x * math.log(y)


def kupiec(hits, T, p):
    """Kupiec's proportion-of-failures LR statistic and its chi-square(1) p-value for `hits`
    exceedances in T days at exceedance probability p."""
    phat = hits / T
    ll0 = xlogy(T - hits, 1 - p) + xlogy(hits, p)
    ll1 = xlogy(T - hits, 1 - phat) + xlogy(hits, phat)
    lr = -2.0 * (ll0 - ll1)
    return lr, chi2_sf1(lr)


def christoffersen(hit_seq):
    """Christoffersen's independence LR statistic (first-order Markov alternative) and its
    chi-square(1) p-value for a 0/1 exceedance sequence."""
    h = np.asarray(hit_seq, int)
    n = np.zeros((2, 2))
    for a, b in zip(h[:-1], h[1:]):
        n[a, b] += 1
    p01 = n[0, 1] / max(n[0].sum(), 1)
    p11 = n[1, 1] / max(n[1].sum(), 1)
    p = (n[0, 1] + n[1, 1]) / max(n.sum(), 1)
    ll0 = xlogy(n[0, 0] + n[1, 0], 1 - p) + xlogy(n[0, 1] + n[1, 1], p)
    ll1 = (xlogy(n[0, 0], 1 - p01) + xlogy(n[0, 1], p01) + xlogy(n[1, 0], 1 - p11)
           + xlogy(n[1, 1], p11))
    lr = -2.0 * (ll0 - ll1)
    return lr, chi2_sf1(lr)


def traffic_light(hits_99_last_250):
    """Basel traffic-light zone for the number of 99% exceedances in 250 days."""
    return "green" if hits_99_last_250 <= 4 else "yellow" if hits_99_last_250 <= 9 else "red"


def z2(loss, var, es, alpha=1 - ES_LEVEL):
    """Acerbi-Szekely Z2 for losses (positive = loss) against VaR and ES forecasts at
    tail probability alpha."""
    loss, var, es = (np.asarray(x, float) for x in (loss, var, es))
    return float(1.0 - np.sum(loss * (loss > var) / es) / (len(loss) * alpha))


# ---------------------------------------------------------------------------------------------
# Forecasts from simulated losses
# ---------------------------------------------------------------------------------------------

def var_es(loss, weight, q):
    """VaR and ES at level q of a weighted sample of losses (weights sum to 1)."""
    o = np.argsort(loss)
    x, w = loss[o], weight[o]
    cw = np.cumsum(w)
    k = min(int(np.searchsorted(cw, q - 1e-12)), len(x) - 1)
    var = x[k]
    tail = np.sum(w[k + 1:] * x[k + 1:]) + (cw[k] - q) * var
    return float(var), float(tail / (1 - q))


class Forecast:
    """One day's forecast for one position, and Z2 draws under it."""

    def __init__(self, loss, weight, rng):
        self.var = {q: var_es(loss, weight, q)[0] for q in LEVELS}
        self.es = var_es(loss, weight, ES_LEVEL)[1]
        self.draws = loss[rng.choice(len(loss), Z2_DRAWS, p=weight)]


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

def read_closes(path, since=None, until=None):
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            d = dt.date.fromisoformat(row["Date"])
            if (since is None or d > since) and (until is None or d <= until):
                out[d] = float(row["Close"])
    return out


def load_prices(data, syms, cutover):
    """{sym: {date: close}}: daily files up to cutover, snapshots after it."""
    prices = {}
    for s in syms:
        c = read_closes(os.path.join(data, f"{s}-USD-daily.csv"), until=cutover)
        snap = os.path.join(data, f"{s}-USD-daily-snapshots.csv")
        if os.path.exists(snap):
            c.update(read_closes(snap, since=cutover))
        prices[s] = c
    return prices


def window_returns(prices, syms, first, last):
    """Log returns [T, A] between consecutive days both in [first, last] that every asset
    has, and the closes of the last such day."""
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    have = [d for d in days if all(d in prices[s] for s in syms)]
    rows = [[math.log(prices[s][d] / prices[s][d - dt.timedelta(days=1)]) for s in syms]
            for d in have if d - dt.timedelta(days=1) in have]
    if not have:
        raise SystemExit(f"no common closes in {first}..{last}")
    return np.array(rows), np.array([[prices[s][have[-1]] for s in syms]])


def realised(prices, syms, d):
    y = d - dt.timedelta(days=1)
    if not all(d in prices[s] and y in prices[s] for s in syms):
        return None
    return np.array([math.log(prices[s][d] / prices[s][y]) for s in syms])


# ---------------------------------------------------------------------------------------------
# Calibration and simulation of one day
# ---------------------------------------------------------------------------------------------

def cal_args(args):
    return types.SimpleNamespace(
        data=args.data, k_idio=4.0, k_market=4.0, sign_quota=1.0, seed=1, bootstrap=0,
        bootstrap_corr=2, argv_echo=["(backtest)"],
        innovations="student-t" if args.model == "student-t" else "gaussian",
        jumps="on" if args.model == "jumps" else "off",
        regimes=2 if args.model == "regimes" else 0)


def fit(r, closes, syms, ca):
    res = cal.calibrate(r, syms, ca.k_idio, ca.k_market, ca.sign_quota, jumps=ca.jumps == "on")
    cal.fit_extras(res, r, ca)
    return res, cal.rounded(res, closes, syms)


def stress_probability(res, r, ca, syms):
    """P(stress tomorrow): the Hamilton filter over today's window (its jump days missing)
    with the last fit's parameters, one day ahead."""
    h = res["hmm"]
    now = cal.calibrate(r, syms, ca.k_idio, ca.k_market, ca.sign_quota, jumps=ca.jumps == "on")
    clean = (~now["idio"] & ~now["mkt"][:, None]).all(axis=1)
    _, _, _, filt = cal.forward_backward(cal.emission_loglik(r, h["covs"], clean), h["P"], h["p0"])
    return float((filt[-1] @ h["P"])[1])


def portfolio_block(rv, syms, portfolio):
    pos = ", ".join(f'{{ asset = "{a}", side = "{side}", notional = {n!r}, '
                    f'entry = {cal.fmt_num(rv["assets"][a]["spot"])} }}'
                    for a, side, n in portfolio)
    return (f'\n[[portfolio]]\nname = "book"\ncollateral = {1e3 * sum(n for _, _, n in portfolio)!r}\n'
            f"positions = [{pos}]\n")


def simulate(text, args, seed, regime=None):
    """Run the scenario for one day: final log returns [N, A] and portfolio P&L [N]."""
    import h5py
    cfg = os.path.join(args.work, "day.toml")
    out = os.path.join(args.work, "day.h5")
    with open(cfg, "w") as f:
        f.write(text)
    sets = ['simulation.horizon="1d"', 'simulation.step="1d"', f"simulation.seed={seed}",
            "book.synthetic.positions=1", "book.synthetic.open_interest={"
            + ", ".join(f"{a} = 0.0" for a in args.syms) + "}"]
    if regime:
        sets.append(f'simulation.initial_regime="{regime}"')
    cmd = [args.liqstress, "run", cfg, "-o", out, "--paths", str(args.paths), "--quiet",
           "--force", "--backend", "cpu"]
    for s in sets:
        cmd += ["--set", s]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"liqstress failed:\n{proc.stderr}")
    with h5py.File(out, "r") as f:
        pnl = f["paths/portfolio_pnl_usd"][:, 0] if "portfolios" in f else None
        return f["paths/final_log_return"][()], pnl


def day_losses(text, args, seed, p_stress):
    """Simulated losses [N', P] of the positions (spot longs of one USD, then the portfolio)
    and their weights: with regimes, a calm-start and a stress-start run mixed by P(stress)."""
    runs = [(None, 1.0)] if p_stress is None else [("calm", 1 - p_stress), ("stress", p_stress)]
    losses, weights = [], []
    for regime, w in runs:
        r, pnl = simulate(text, args, seed, regime)
        cols = [1.0 - np.exp(r[:, a]) for a in range(r.shape[1])]
        if pnl is not None:
            cols.append(-pnl)
        losses.append(np.column_stack(cols))
        weights.append(np.full(len(r), w / len(r)))
    return np.vstack(losses), np.concatenate(weights)


def realised_losses(rr, portfolio, syms):
    out = list(1.0 - np.exp(rr))
    if portfolio:
        out.append(-sum((1 if side == "long" else -1) * n * (math.exp(rr[syms.index(a)]) - 1)
                        for a, side, n in portfolio))
    return out


# ---------------------------------------------------------------------------------------------
# The rolling loop, the scores, the outputs
# ---------------------------------------------------------------------------------------------

def run_backtest(args, syms, portfolio):
    prices = load_prices(args.data, syms, args.cutover)
    ca, rng = cal_args(args), np.random.default_rng(args.seed)
    rows, fitted, text = [], None, None
    d = args.start
    while d <= args.end:
        rr = realised(prices, syms, d)
        if rr is not None:
            r, closes = window_returns(prices, syms, d - dt.timedelta(days=args.window + 1),
                                       d - dt.timedelta(days=1))
            if fitted is None or (d - fitted).days >= args.recalibrate_every:
                res, rv = fit(r, closes, syms, ca)
                fitted = d
            rv_today = dict(rv, assets={s: dict(rv["assets"][s], spot=float(closes[0, a]))
                                        for a, s in enumerate(syms)})
            text = cal.scenario_text(res, rv_today, syms,
                                     fitted - dt.timedelta(days=args.window + 1),
                                     fitted - dt.timedelta(days=1), ca)
            if portfolio:
                text += portfolio_block(rv_today, syms, portfolio)
            p_stress = stress_probability(res, r, ca, syms) if "hmm" in res else None
            loss, w = day_losses(text, args, args.seed + d.toordinal(), p_stress)
            for j, real in enumerate(realised_losses(rr, portfolio, syms)):
                rows.append((d, j, Forecast(loss[:, j], w, rng), real, p_stress))
            if args.progress:
                print(f"{d} forecast done", file=sys.stderr)
        d += dt.timedelta(days=1)
    return rows


def score(rows_j, name):
    T = len(rows_j)
    loss = np.array([r[3] for r in rows_j])
    out = {"position": name, "days": T, "first": rows_j[0][0], "last": rows_j[-1][0]}
    for q in LEVELS:
        hits = loss > np.array([r[2].var[q] for r in rows_j])
        lr, p = kupiec(int(hits.sum()), T, 1 - q)
        lri, pi = christoffersen(hits)
        out.update({f"hits_{q}": int(hits.sum()), f"expected_{q}": T * (1 - q),
                    f"kupiec_lr_{q}": lr, f"kupiec_p_{q}": p, f"chr_lr_{q}": lri, f"chr_p_{q}": pi})
        if q == 0.99:
            out["traffic_light_hits"] = int(hits[-250:].sum())
            out["traffic_light"] = traffic_light(out["traffic_light_hits"]) + (
                "" if T >= 250 else f" (only {T} days)")
    var = np.array([r[2].var[ES_LEVEL] for r in rows_j])
    es = np.array([r[2].es for r in rows_j])
    out["z2"] = z2(loss, var, es)
    sims = np.array([z2(np.array([r[2].draws[k] for r in rows_j]), var, es)
                     for k in range(Z2_DRAWS)])
    out["z2_crit_5"], out["z2_crit_0.01"] = np.quantile(sims, 0.05), np.quantile(sims, 0.0001)
    out["z2_p"] = float(np.mean(sims <= out["z2"]))
    return out


def write_csv(path, rows, names):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "position", "var_99", "var_975", "es_975", "realised_loss",
                    "exceed_99", "exceed_975", "p_stress"])
        for d, j, fc, real, ps in rows:
            w.writerow([d, names[j], f"{fc.var[0.99]:.6g}", f"{fc.var[0.975]:.6g}",
                        f"{fc.es:.6g}", f"{real:.6g}", int(real > fc.var[0.99]),
                        int(real > fc.var[0.975]), "" if ps is None else f"{ps:.4f}"])


SUMMARY_COLS = [("position", "{}"), ("days", "{}"), ("hits_0.99", "{}"), ("expected_0.99", "{:.1f}"),
                ("kupiec_p_0.99", "{:.3f}"), ("chr_p_0.99", "{:.3f}"), ("hits_0.975", "{}"),
                ("expected_0.975", "{:.1f}"), ("kupiec_p_0.975", "{:.3f}"),
                ("chr_p_0.975", "{:.3f}"), ("traffic_light", "{}"), ("z2", "{:.3f}"),
                ("z2_crit_5", "{:.3f}"), ("z2_p", "{:.3f}")]


def summary_table(scores):
    head = "| " + " | ".join(c for c, _ in SUMMARY_COLS) + " |"
    lines = [head, "|" + " --- |" * len(SUMMARY_COLS)]
    for s in scores:
        lines.append("| " + " | ".join(f.format(s[c]) for c, f in SUMMARY_COLS) + " |")
    return "\n".join(lines)


def write_summary(path, scores):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(scores[0].keys()))
        w.writeheader()
        w.writerows(scores)


def plot(path, rows, names, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(len(names), 1, figsize=(10, 2.6 * len(names)), sharex=True,
                             squeeze=False)
    for j, (ax, name) in enumerate(zip(axes[:, 0], names)):
        rj = [r for r in rows if r[1] == j]
        d = [r[0] for r in rj]
        real = np.array([r[3] for r in rj])
        v99 = np.array([r[2].var[0.99] for r in rj])
        ax.plot(d, -real, lw=0.7, color="0.3", label="realised P&L")
        ax.plot(d, -v99, lw=1, color="tab:red", label="−VaR 99%")
        ax.plot(d, [-r[2].var[0.975] for r in rj], lw=1, color="tab:orange", label="−VaR 97.5%")
        ax.plot(d, [-r[2].es for r in rj], lw=0.8, ls="--", color="tab:purple", label="−ES 97.5%")
        hit = real > v99
        ax.scatter(np.array(d)[hit], -real[hit], color="tab:red", s=14, zorder=3,
                   label="99% exceedance")
        ax.set_ylabel(name)
        ax.legend(loc="upper left", fontsize=7, ncol=5, framealpha=0.8)
    axes[0, 0].set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def parse_portfolio(text, syms):
    out = []
    for item in filter(None, (t.strip() for t in (text or "").split(","))):
        a, side, n = item.split(":")
        if a not in syms or side not in ("long", "short"):
            raise SystemExit(f"--portfolio: bad item {item!r} (SYM:long|short:NOTIONAL)")
        out.append((a, side, float(n)))
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=cal.DEFAULT_DATA)
    p.add_argument("--assets", default="BTC,ETH")
    p.add_argument("--start", default="2025-06-20", help="first forecast day")
    p.add_argument("--end", default="2026-08-21", help="last forecast day")
    p.add_argument("--cutover", default="2025-02-11",
                   help="last day taken from the daily files; later closes from the snapshots")
    p.add_argument("--window", type=int, default=365, help="trailing calibration window, days")
    p.add_argument("--recalibrate-every", type=int, default=7, help="days between calibrations")
    p.add_argument("--model", choices=["jumps", "student-t", "regimes"], default="jumps")
    p.add_argument("--paths", type=int, default=20000)
    p.add_argument("--portfolio", default="BTC:long:1e6,ETH:short:5e5",
                   help="SYM:long|short:NOTIONAL,... ('' for none)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--liqstress", default=os.environ.get("LIQSTRESS", "build/release/liqstress"))
    p.add_argument("--out", default="results/backtest")
    p.add_argument("--progress", action="store_true")
    a = p.parse_args(argv)
    a.start, a.end, a.cutover = (dt.date.fromisoformat(x) for x in (a.start, a.end, a.cutover))
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    syms = args.syms = [s.strip().upper() for s in args.assets.split(",")]
    portfolio = parse_portfolio(args.portfolio, syms)
    os.makedirs(args.out, exist_ok=True)
    args.work = args.out
    rows = run_backtest(args, syms, portfolio)
    if not rows:
        raise SystemExit("no forecast day has a realised return")
    names = [f"{s} spot long" for s in syms] + (["portfolio"] if portfolio else [])
    scores = [score([r for r in rows if r[1] == j], n) for j, n in enumerate(names)]
    write_csv(os.path.join(args.out, "backtest.csv"), rows, names)
    write_summary(os.path.join(args.out, "summary.csv"), scores)
    title = (f"{args.model} model, {args.window}-day trailing window, recalibrated every "
             f"{args.recalibrate_every} days, {args.paths} paths a day")
    plot(os.path.join(args.out, "backtest.png"), rows, names, title)
    for f in ("day.toml", "day.h5"):
        if os.path.exists(os.path.join(args.out, f)):
            os.remove(os.path.join(args.out, f))
    print(f"backtest {rows[0][0]}..{rows[-1][0]}: {title}")
    print(summary_table(scores))
    print(f"Z2: simulated 5% critical value per row (z2_crit_5) and p-value (z2_p); the "
          f"published approximate thresholds are {Z2_PUBLISHED[0]} (5%) and {Z2_PUBLISHED[1]} (0.01%)")
    print(f"written: {args.out}/backtest.csv, summary.csv, backtest.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
