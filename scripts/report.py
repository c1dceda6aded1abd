#!/usr/bin/python3
"""Figures and a self-contained HTML page from liqstress results files.

    /usr/bin/python3 scripts/report.py RESULTS.h5 [MORE.h5 ...] -o DIR

Every file is one scenario, named by its file stem in legends and tables (the parent folder
is added when two files share a stem). DIR (created if missing) receives:

    liquidations_total.png     P(X > x) of the total liquidated notional per path, log-log
    liquidations_by_asset.png  the same per asset, longs solid and shorts dashed
    var_es.png                 VaR and ES at each quantile level with their 95% intervals:
                               total liquidations and bad debt
    timeline_<ASSET>.png       per step: mean net forced flow, mean liquidated notional
                               (longs, shorts) and mean price impact, each with the 95%
                               interval of the mean (mean +- 1.96 std / sqrt(n))
    tail_<ASSET>.png           the typical path into the tail (/tail): the mean price path and
                               liquidations per step over all paths against those over the
                               worst (1 - p) of total liquidations (and of bad debt)
    portfolio_loss.png         P(loss > x) per [[portfolio]] account (only when a file has one)
    index.html                 all figures embedded (base64 data URIs) with a sentence on how
                               to read each, and tables of every number in /summary

Numbers on the page are USD millions with two decimals and comma thousands separators
(`1,234.56` = $1,234.56M, rounded to nearest); probabilities are percentages with two
decimals. Every numeric cell carries the exact float64 from the file in `data-value`
(Python repr), plus `data-file` (index of the file on the command line), `data-metric`,
`data-stat` (a dataset of /summary/<metric>, or `@n` etc. for its attributes) and
`data-index` ("i" or "i,j"; absent for scalars), so the page can be checked against the
file value for value.

Figures whose data are absent are skipped with a note on the page; without /paths the
distributions are drawn from /summary's histograms (coarser, said in the legend). The output
is deterministic: the same files give the same bytes (no timestamps other than the files'
own created_utc).

Exit codes: 0 success; 2 bad input (a missing or unreadable file, a file that is not a
liqstress results file or of another format_version than 1, an output folder that cannot be
made). Files are read with the project's Python reader, python/liqstress (taken from this
repository's python/ folder, else from wherever it is installed). Needs h5py, numpy and
matplotlib (Debian: python3-h5py python3-numpy python3-matplotlib, installed by
scripts/setup.sh test; pip: scripts/requirements.txt).
"""
import argparse
import base64
import html
import io
import math
import os
import re
import sys

import numpy as np

_READER = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "python")
if os.path.isfile(os.path.join(_READER, "liqstress", "__init__.py")):
    sys.path.insert(0, _READER)  # the reader of this checkout, before any installed one
import liqstress  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

COLORS = plt.rcParams["axes.prop_cycle"].by_key()["color"]
SIDES = ("long", "short")
SUMMARY_VECTORS = ["var", "var_ci", "es", "es_ci", "exceedance", "exceedance_ci"]
PNG_META = {"Software": None}


class BadInput(Exception):
    pass


# ----------------------------------------------------------------------------- formatting

def usd_short(x, _pos=None):
    """$1.5B, $250M, $12K, $0 — for axis ticks."""
    if x == 0:
        return "$0"
    sign = "−" if x < 0 else ""
    a = abs(x)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= scale:
            return f"{sign}${a / scale:.3g}{suffix}"
    return f"{sign}${a:.3g}"


USD_FMT = FuncFormatter(usd_short)


def usd_m(x):
    """USD millions, two decimals, comma thousands separators: 1234560000.0 -> 1,234.56."""
    x = float(x)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    s = f"{x / 1e6:,.2f}"
    return "0.00" if s == "-0.00" else s


def pct(p):
    """A probability as a percentage with two decimals (two significant digits below 0.01%)."""
    p = float(p)
    if math.isnan(p):
        return "n/a"
    v = 100.0 * p
    if 0 < v < 0.005:
        return f"{v:.2g}%"
    return f"{v:.2f}%"


def level_label(q):
    return f"{100.0 * float(q):g}%"


def duration_label(seconds):
    s = float(seconds)
    for unit, n in (("d", 86400), ("h", 3600), ("min", 60)):
        if s >= n and s % n == 0:
            return f"{s / n:g} {unit}"
    return f"{s:g} s"


def esc(s):
    return html.escape(str(s), quote=True)


# ----------------------------------------------------------------------------- reading

class Scenario:
    """One results file, read into memory with the reader (per-path rows only as far as the
    figures need)."""

    def __init__(self, index, path):
        self.index = index
        self.path = path
        self.notes = []
        if not os.path.exists(path):
            raise BadInput(f"{path}: no such file")
        if not os.path.isfile(path):
            raise BadInput(f"{path}: not a file")
        try:
            with liqstress.load(path) as results:
                self._read(results)
        except liqstress.ResultsFormatError as e:  # names the file and what is wrong
            raise BadInput(str(e))
        except (KeyError, ValueError, TypeError, OSError) as e:
            raise BadInput(f"{path}: damaged or incomplete liqstress results file ({e})")

    def _read(self, r):
        self.attrs = r.attrs
        self.paths = r.n_paths
        self.steps = r.steps
        self.step_seconds = r.step_seconds
        self.assets = r.assets
        self.portfolios = r.portfolios
        try:
            self.config = r.config
        except liqstress.ResultsFormatError as e:  # absent, or not TOML
            self.config = {}
            self.notes.append(e.reason)

        # Per-path rows.
        self.rows = None
        p = r.paths
        if "liquidated_usd" in p:
            liq = p["liquidated_usd"].read()
            w = p["weight"].read() if "weight" in p else np.ones(liq.shape[0])
            self.rows = {"liquidated": liq, "weight": w, "total": liq.sum(axis=(1, 2))}
            if "portfolio_pnl_usd" in p:
                self.rows["portfolio_loss"] = -p["portfolio_pnl_usd"].read()

        # Time series.
        self.ts = {k: v.read() for k, v in r.timeseries.items() if k != "exact_sums"}

        # The typical path into the tail (/tail), for the total and bad debt.
        self.tail = {}
        for metric in ("total_liquidated_usd", "bad_debt_usd"):
            g = r.group("tail/" + metric)  # "0.99/log_return_mean", ...
            levels = sorted({k.split("/")[0] for k in g}, key=float)
            if levels and all(f"{p}/log_return_mean" in g for p in levels):
                self.tail[metric] = {float(p): {k.split("/")[1]: v.read() for k, v in g.items()
                                                if k.startswith(p + "/")} for p in levels}

        # Summary, every dataset and attribute of every metric.
        self.metrics = list(r.metrics)
        self.summary = {}
        for m in self.metrics:
            d = r.summary_data(m)
            d["@"] = r.metric_attrs(m)
            self.summary[m] = d

    def metric_label(self, m):
        d = self.summary.get(m)
        if d and d["@"].get("label"):
            return str(d["@"]["label"])
        return m


def assign_names(scenarios):
    stems = [os.path.splitext(os.path.basename(s.path))[0] for s in scenarios]
    for s, stem in zip(scenarios, stems):
        if stems.count(stem) > 1:
            parent = os.path.basename(os.path.dirname(os.path.abspath(s.path)))
            s.name = f"{parent}/{stem}"
        else:
            s.name = stem
    names = [s.name for s in scenarios]
    for s in scenarios:  # still equal (same folder name): number them
        if names.count(s.name) > 1:
            s.name = f"{s.name} #{s.index + 1}"
    for s in scenarios:
        s.color = COLORS[s.index % len(COLORS)]


def union(lists):
    out = []
    for lst in lists:
        for x in lst:
            if x not in out:
                out.append(x)
    return out


# ----------------------------------------------------------------------------- distributions

def ccdf_from_rows(x, w):
    """(x_i, P(X > x_i)) at the sorted distinct sample values, weighted, thinned for plotting
    (every point of the upper 1000 ranks kept, log-spaced ranks below)."""
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order]
    total = ws.sum()
    if total <= 0 or xs.size == 0:
        return np.array([]), np.array([])
    last = np.r_[xs[1:] != xs[:-1], True]  # last of each group of ties
    cum = np.cumsum(ws)
    xs, surv = xs[last], (total - cum[last]) / total
    n = xs.size
    keep = np.zeros(n, dtype=bool)
    keep[max(0, n - 1000):] = True
    keep[np.unique(np.clip(n - np.geomspace(1, n, 1000).astype(np.int64), 0, n - 1))] = True
    keep[0] = True
    return xs[keep], surv[keep]


def ccdf_from_hist(edges, counts):
    """P(X >= e_k) at the histogram's bin edges (the bins are [e_k, e_k+1))."""
    total = counts.sum()
    if total <= 0:
        return np.array([]), np.array([])
    surv = np.r_[counts[::-1].cumsum()[::-1], 0.0] / total
    return np.asarray(edges, dtype=float), surv


def positive_tail(x, p):
    ok = (x > 0) & (p > 0)
    return x[ok], p[ok]


def draw_ccdf(ax, x, p, **kw):
    x, p = positive_tail(x, p)
    if x.size:
        ax.step(x, p, where="post", **kw)
        return True
    return False


def log_usd_axis(axis, lo, hi):
    """Log-scale USD ticks: decades, plus 2x and 5x (and 3x) when the range is narrow."""
    decades = math.log10(hi / lo) if lo > 0 and hi > lo else 0.0
    subs = (1.0, 2.0, 3.0, 5.0) if decades < 1.5 else (1.0, 2.0, 5.0) if decades < 3 else (1.0,)
    axis.set_major_locator(LogLocator(base=10.0, subs=subs))
    axis.set_major_formatter(USD_FMT)
    axis.set_minor_formatter(NullFormatter())


def setup_ccdf_axes(ax, title, xlabel):
    ax.set_xscale("log")
    ax.set_yscale("log")
    log_usd_axis(ax.xaxis, *ax.get_xlim())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("P(X > x): share of paths above x")
    ax.grid(True, which="major", alpha=0.3)


def metric_ccdf(s, metric, rows_values):
    """The curve for one metric of one scenario: from rows when the file has them, else from
    /summary's histogram. Returns (x, p, source) or None."""
    if rows_values is not None and s.rows is not None:
        x, p = ccdf_from_rows(rows_values, s.rows["weight"])
        return x, p, "rows"
    d = s.summary.get(metric)
    if d is not None and "histogram_edges" in d and "histogram_counts" in d:
        x, p = ccdf_from_hist(d["histogram_edges"], d["histogram_counts"])
        return x, p, "histogram"
    return None


def legend_name(s, source):
    return s.name + (" (from /summary histogram)" if source == "histogram" else "")


def fig_liquidations_total(scenarios, notes):
    fig, ax = plt.subplots(figsize=(8, 5))
    drawn = False
    for s in scenarios:
        c = metric_ccdf(s, "total_liquidated_usd", s.rows["total"] if s.rows else None)
        if c is None:
            notes.append(f"{s.name}: no per-path rows and no total_liquidated_usd summary: "
                         "left out of the liquidation distribution")
            continue
        x, p, src = c
        drawn |= draw_ccdf(ax, x, p, color=s.color, label=legend_name(s, src))
    if not drawn:
        plt.close(fig)
        return None
    setup_ccdf_axes(ax, "Total liquidated notional per path (all assets, both sides)",
                    "x = liquidated notional over the horizon, USD (log scale)")
    ax.legend(title="scenario")
    fig.tight_layout()
    return fig


def fig_liquidations_by_asset(scenarios, notes):
    assets = union(s.assets for s in scenarios)
    if not assets:
        return None
    ncols = math.ceil(math.sqrt(len(assets)))
    nrows = math.ceil(len(assets) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 3.9 * nrows), squeeze=False)
    drawn = False
    for k, sym in enumerate(assets):
        ax = axes[k // ncols][k % ncols]
        for s in scenarios:
            if sym not in s.assets:
                continue
            j = s.assets.index(sym)
            for side, style in zip(range(2), ("-", "--")):
                metric = f"liquidated_usd/{sym}/{SIDES[side]}"
                vals = s.rows["liquidated"][:, j, side] if s.rows else None
                c = metric_ccdf(s, metric, vals)
                if c is None:
                    continue
                x, p, src = c
                drawn |= draw_ccdf(ax, x, p, color=s.color, linestyle=style)
        setup_ccdf_axes(ax, f"{sym}: liquidated notional per path", "x = USD (log scale)")
    for k in range(len(assets), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    if not drawn:
        plt.close(fig)
        return None
    handles = [Line2D([], [], color=s.color,
                      label=legend_name(s, "rows" if s.rows is not None else "histogram"))
               for s in scenarios]
    handles += [Line2D([], [], color="0.3", linestyle="-", label="longs liquidated"),
                Line2D([], [], color="0.3", linestyle="--", label="shorts liquidated")]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4),
               bbox_to_anchor=(0.5, 0.0), frameon=False)
    fig.suptitle("Liquidated notional per path, by asset and side", fontsize=13)
    fig.tight_layout(rect=(0, 0.06 + 0.02 * (len(handles) // 5), 1, 0.97))
    return fig


def fig_portfolio_loss(scenarios, notes):
    names = union(s.portfolios for s in scenarios)
    if not names:
        return None
    ncols = min(len(names), 2)
    nrows = math.ceil(len(names) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.5 * ncols, 4.3 * nrows), squeeze=False)
    drawn = False
    for k, name in enumerate(names):
        ax = axes[k // ncols][k % ncols]
        metric = f"portfolio_loss_usd/{name}"
        for s in scenarios:
            if name not in s.portfolios:
                continue
            j = s.portfolios.index(name)
            loss = s.rows["portfolio_loss"][:, j] if s.rows and "portfolio_loss" in s.rows else None
            if loss is not None:
                x, p = ccdf_from_rows(loss, s.rows["weight"])
                src = "rows"
            else:
                d = s.summary.get(metric)
                if d is None or "histogram_edges" not in d:
                    continue
                x, p = ccdf_from_hist(d["histogram_edges"], d["histogram_counts"])
                x, p = x[1:], p[1:]  # bin 0 lumps all gains and zeros together
                src = "histogram"
            ok = p > 0
            if ok.any():
                ax.step(x[ok], p[ok], where="post", color=s.color, label=legend_name(s, src))
                drawn = True
            d = s.summary.get(metric)
            if d is not None and "quantile_levels" in d:
                for q, v in zip(d["quantile_levels"], d["var"]):
                    if abs(float(q) - 0.99) < 1e-12:
                        ax.axvline(float(v), color=s.color, linestyle=":", linewidth=1)
        ax.set_yscale("log")
        ax.xaxis.set_major_formatter(USD_FMT)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.axvline(0.0, color="0.6", linewidth=0.8)
        ax.set_title(f"Account {name}: loss over the horizon (loss = −P&L)")
        ax.set_xlabel("x = loss, USD (negative = gain)")
        ax.set_ylabel("P(loss > x)")
        ax.grid(True, alpha=0.3)
        ax.legend(title="scenario (dotted: VaR 99%)", fontsize=8)
    for k in range(len(names), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    if not drawn:
        plt.close(fig)
        return None
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- VaR / ES

def var_es_panel(ax, scenarios, metric, title):
    have = [s for s in scenarios if metric in s.summary]
    if not have:
        ax.set_visible(False)
        return False
    levels = sorted(set(float(q) for s in have for q in s.summary[metric]["quantile_levels"]))
    slots = 2 * len(have)
    width = 0.8 / slots
    points = []  # (x, est, lo, hi, color, marker)
    for i, s in enumerate(have):
        d = s.summary[metric]
        for stat, marker, off in (("var", "o", 0), ("es", "s", 1)):
            for q, est, (lo, hi) in zip(d["quantile_levels"], d[stat], d[stat + "_ci"]):
                x = levels.index(float(q)) - 0.4 + width * (2 * i + off + 0.5)
                points.append((x, float(est), float(lo), float(hi), s.color, marker))
    ests = [p[1] for p in points if math.isfinite(p[1])]
    top_est = max(ests) if ests else 1.0
    cap = 2.0 * top_est if top_est > 0 else 1.0
    top = max([top_est] + [p[3] for p in points if math.isfinite(p[3]) and p[3] <= cap]) * 1.08
    if top <= 0:
        top = 1.0
    clipped = False
    for x, est, lo, hi, color, marker in points:
        hi_drawn = min(hi, top) if math.isfinite(hi) else top
        ax.errorbar([x], [est], yerr=[[max(est - lo, 0.0)], [max(hi_drawn - est, 0.0)]],
                    fmt=marker, color=color, markersize=5, capsize=3, linewidth=1.2)
        if not (math.isfinite(hi) and hi <= top):
            ax.plot([x], [top], marker="^", color=color, markersize=7, clip_on=False)
            clipped = True
    positive = [v for p in points for v in (p[1], p[2]) if v > 0 and math.isfinite(v)]
    spread = (max(positive) / min(positive)) if positive else 1.0
    has_zero = any(p[1] <= 0 for p in points)
    if positive and (spread > 50 or has_zero):
        lin = 10.0 ** math.floor(math.log10(max(min(positive), top / 1e4)))
        ax.set_yscale("symlog", linthresh=lin, linscale=0.5)
        ax.set_ylim(0.0, top * 1.5)
        scale_note = f"; symmetric-log scale, linear below {usd_short(lin)}"
    else:
        ax.set_ylim(0.0, top)
        scale_note = ""
    ax.yaxis.set_major_formatter(USD_FMT)
    ax.set_xticks(range(len(levels)))
    ax.set_xticklabels([level_label(q) for q in levels])
    ax.set_xlim(-0.5, len(levels) - 0.5)
    for k in range(1, len(levels)):
        ax.axvline(k - 0.5, color="0.85", linewidth=0.8)
    ax.set_xlabel("quantile level p (VaR_p: exceeded on a share 1 − p of paths; "
                  "ES_p: the mean beyond it)")
    ax.set_ylabel(f"USD per path{scale_note}")
    ax.set_title(title)
    ax.grid(True, axis="y", alpha=0.3)
    handles = [Patch(color=s.color, label=s.name) for s in have]
    handles += [Line2D([], [], color="0.3", marker="o", linestyle="", label="VaR"),
                Line2D([], [], color="0.3", marker="s", linestyle="", label="ES")]
    if clipped:
        handles.append(Line2D([], [], color="0.3", marker="^", linestyle="",
                              label="interval runs off the chart (see tables)"))
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              borderaxespad=0.0)
    return True


def fig_var_es(scenarios, notes):
    if not any(s.summary for s in scenarios):
        return None
    fig, axes = plt.subplots(2, 1, figsize=(11.5, 9))
    a = var_es_panel(axes[0], scenarios, "total_liquidated_usd",
                     "Total liquidated notional: VaR and ES with 95% intervals")
    b = var_es_panel(axes[1], scenarios, "bad_debt_usd",
                     "Bad debt (losses beyond bankruptcy): VaR and ES with 95% intervals")
    if not (a or b):
        plt.close(fig)
        return None
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- timeline

def band(ax, t, mean, std, n, color, label=None, linestyle="-", scale=1.0):
    ax.plot(t, mean * scale, color=color, linestyle=linestyle, linewidth=1.1, label=label)
    if std is not None and n > 0:
        half = 1.96 * std / math.sqrt(n) * scale
        ax.fill_between(t, mean * scale - half, mean * scale + half, color=color, alpha=0.2,
                        linewidth=0)


def fig_timeline(scenarios, sym, notes):
    have = [s for s in scenarios if sym in s.assets and "forced_flow_usd_mean" in s.ts
            and "liquidated_usd_mean" in s.ts and "impact_mean" in s.ts]
    if not have:
        return None
    steps = sorted(set(duration_label(s.step_seconds) for s in have))
    fig, axes = plt.subplots(3, 1, figsize=(10, 10), sharex=True)
    for s in have:
        j = s.assets.index(sym)
        t = (np.arange(s.steps) + 1) * s.step_seconds / 3600.0
        n = s.paths
        std = s.ts.get("forced_flow_usd_std")
        band(axes[0], t, s.ts["forced_flow_usd_mean"][:, j], None if std is None else std[:, j],
             n, s.color, label=s.name)
        lstd = s.ts.get("liquidated_usd_std")
        for side, style in ((0, "-"), (1, "--")):
            band(axes[1], t, s.ts["liquidated_usd_mean"][:, j, side],
                 None if lstd is None else lstd[:, j, side], n, s.color, linestyle=style)
        istd = s.ts.get("impact_std")
        band(axes[2], t, s.ts["impact_mean"][:, j], None if istd is None else istd[:, j], n,
             s.color, scale=100.0)
        if std is None or istd is None or lstd is None:
            notes.append(f"{s.name}: some /timeseries standard deviations are missing: "
                         "the timeline shows those means without a band")
    step = " / ".join(steps)
    axes[0].axhline(0.0, color="0.5", linewidth=0.8)
    axes[0].set_ylabel(f"USD per {step} step\n(buys > 0, sells < 0)")
    axes[0].set_title(f"{sym}: mean net forced flow per step (liquidated shorts bought back "
                      "minus liquidated longs sold)", fontsize=10)
    axes[0].legend(title="scenario (band: 95% interval of the mean)", fontsize=8)
    axes[1].set_ylabel(f"USD per {step} step")
    axes[1].set_title(f"{sym}: mean liquidated notional per step", fontsize=10)
    axes[1].legend(handles=[Line2D([], [], color="0.3", linestyle="-", label="longs"),
                            Line2D([], [], color="0.3", linestyle="--", label="shorts")],
                   fontsize=8)
    axes[2].axhline(0.0, color="0.5", linewidth=0.8)
    axes[2].set_ylabel("% of price\n(100 × log price impact)")
    axes[2].set_title(f"{sym}: mean price impact at the end of each step (traded price vs "
                      "the price without forced flow)", fontsize=10)
    axes[2].set_xlabel("time since the start of the scenario, hours")
    for ax in axes[:2]:
        ax.yaxis.set_major_formatter(USD_FMT)
    axes[2].yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.3g}%"))
    for ax in axes:
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"Cascade timeline, {sym} (means across paths; shaded: mean ± 1.96·std/√n)",
                 fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


def fig_tail(scenarios, sym):
    have = [s for s in scenarios if sym in s.assets and s.tail and "log_return_mean" in s.ts]
    if not have:
        return None
    fig, axes = plt.subplots(2, 1, figsize=(10, 8), sharex=True)
    for s in have:
        j = s.assets.index(sym)
        t = (np.arange(s.steps) + 1) * s.step_seconds / 3600.0
        axes[0].plot(t, 100 * np.expm1(s.ts["log_return_mean"][:, j]), color=s.color,
                     linewidth=1.1, label=f"{s.name}: all paths")
        liq = s.ts.get("liquidated_usd_mean")
        if liq is not None:
            axes[1].plot(t, liq[:, j, :].sum(axis=1), color=s.color, linewidth=1.1)
        for metric, style in (("total_liquidated_usd", "--"), ("bad_debt_usd", ":")):
            d = s.tail.get(metric)
            if d is None:
                continue
            for l, (p, lv) in enumerate(sorted(d.items())):
                label = f"{s.name}: worst {pct(1 - p)} of {metric}"
                axes[0].plot(t, 100 * np.expm1(lv["log_return_mean"][:, j]), color=s.color,
                             linestyle=style, linewidth=1.1 + l * 0.6, label=label)
                axes[1].plot(t, lv["liquidated_usd_mean"][:, j, :].sum(axis=1),
                             color=s.color, linestyle=style, linewidth=1.1 + l * 0.6)
    axes[0].axhline(0.0, color="0.5", linewidth=0.8)
    axes[0].set_ylabel("% from spot")
    axes[0].set_title(f"{sym}: mean traded price path, all paths and the tails", fontsize=10)
    axes[0].legend(fontsize=7)
    axes[1].set_ylabel("USD per step")
    axes[1].set_title(f"{sym}: mean liquidated notional per step (longs + shorts)", fontsize=10)
    axes[1].yaxis.set_major_formatter(USD_FMT)
    axes[1].set_xlabel("time since the start of the scenario, hours")
    for ax in axes:
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"The typical path into the tail, {sym}", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


# ----------------------------------------------------------------------------- HTML

def num_cell(value, text, s, metric, stat, index=None, cls="num"):
    idx = "" if index is None else f' data-index="{",".join(str(i) for i in index)}"'
    v = value
    rep = repr(int(v)) if isinstance(v, (int, np.integer)) else repr(float(v))
    return (f'<td class="{cls}" data-value="{esc(rep)}" data-file="{s.index}" '
            f'data-metric="{esc(metric)}" data-stat="{esc(stat)}"{idx}>{esc(text)}</td>')


def scenario_cell(s):
    return f'<td><span class="sw" style="background:{s.color}"></span>{esc(s.name)}</td>'


def interval_cells(ci, k, s, metric, stat, fmt):
    return (num_cell(ci[k, 0], fmt(ci[k, 0]), s, metric, stat, (k, 0)) +
            num_cell(ci[k, 1], fmt(ci[k, 1]), s, metric, stat, (k, 1)))


def table_means(scenarios, metrics):
    rows = []
    for m in metrics:
        for s in scenarios:
            d = s.summary.get(m)
            if d is None:
                continue
            at = d["@"]
            n = at.get("n")
            ne = at.get("effective_n")
            rows.append(
                "<tr>" + f"<td>{esc(s.metric_label(m))}</td><td><code>{esc(m)}</code></td>"
                + scenario_cell(s)
                + (num_cell(n, f"{int(n):,}", s, m, "@n", cls="int") if n is not None
                   else "<td></td>")
                + (num_cell(ne, f"{float(ne):,.1f}", s, m, "@effective_n") if ne is not None
                   else "<td></td>")
                + num_cell(d["mean"], usd_m(d["mean"]), s, m, "mean")
                + num_cell(d["stderr"], "± " + usd_m(d["stderr"]), s, m, "stderr")
                + "</tr>")
    return ("<table><thead><tr><th>metric</th><th>name in /summary</th><th>scenario</th>"
            "<th>paths n</th><th>effective n</th><th>mean, USD M</th><th>± std. error, USD M</th>"
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def table_var_es(scenarios, m):
    rows = []
    for s in scenarios:
        d = s.summary.get(m)
        if d is None:
            continue
        for k, q in enumerate(d["quantile_levels"]):
            rows.append(
                "<tr>" + scenario_cell(s)
                + num_cell(q, level_label(q), s, m, "quantile_levels", (k,))
                + num_cell(d["var"][k], usd_m(d["var"][k]), s, m, "var", (k,))
                + interval_cells(d["var_ci"], k, s, m, "var_ci", usd_m)
                + num_cell(d["es"][k], usd_m(d["es"][k]), s, m, "es", (k,))
                + interval_cells(d["es_ci"], k, s, m, "es_ci", usd_m)
                + "</tr>")
    if not rows:
        return ""
    return ("<table><thead><tr><th>scenario</th><th>level p</th><th>VaR_p</th>"
            "<th>95% CI low</th><th>95% CI high</th><th>ES_p</th><th>95% CI low</th>"
            "<th>95% CI high</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def table_exceedance(scenarios, m):
    rows = []
    for s in scenarios:
        d = s.summary.get(m)
        if d is None or len(d.get("thresholds", [])) == 0:
            continue
        for k, t in enumerate(d["thresholds"]):
            rows.append(
                "<tr>" + scenario_cell(s)
                + num_cell(t, usd_m(t), s, m, "thresholds", (k,))
                + num_cell(d["exceedance"][k], pct(d["exceedance"][k]), s, m, "exceedance", (k,))
                + interval_cells(d["exceedance_ci"], k, s, m, "exceedance_ci", pct)
                + "</tr>")
    if not rows:
        return ""
    return ("<table><thead><tr><th>scenario</th><th>threshold t, USD M</th><th>P(X &gt; t)</th>"
            "<th>95% CI low</th><th>95% CI high</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>")


def toml_text(v):
    """A config value as it reads in TOML (true, "30m", [1, 2])."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return "[" + ", ".join(toml_text(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_text(x)}" for k, x in v.items()) + " }"
    return str(v)


def flatten(obj, prefix=""):
    out = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        for i, v in enumerate(obj):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = obj
    return out


def scenario_tables(scenarios):
    head = ("<table><thead><tr><th>scenario</th><th>file</th><th>paths</th><th>first path</th>"
            "<th>seed</th><th>steps × step</th><th>backend, device</th><th>liqstress</th>"
            "<th>created (UTC)</th></tr></thead><tbody>")
    rows = []
    for s in scenarios:
        a = s.attrs
        rows.append(
            "<tr>" + scenario_cell(s) +
            f"<td><code>{esc(s.path)}</code></td><td class=\"int\">{s.paths:,}</td>"
            f"<td class=\"int\">{int(a.get('first_path', 0)):,}</td>"
            f"<td class=\"int\">{esc(a.get('seed', ''))}</td>"
            f"<td>{s.steps:,} × {esc(duration_label(s.step_seconds))}</td>"
            f"<td>{esc(a.get('backend', ''))}, {esc(a.get('device', ''))}</td>"
            f"<td>{esc(a.get('liqstress_version', ''))} "
            f"(<code>{esc(str(a.get('git_commit', ''))[:12])}</code>)</td>"
            f"<td>{esc(a.get('created_utc', ''))}</td></tr>")
    out = head + "".join(rows) + "</tbody></table>"
    if len(scenarios) > 1:
        flat = [flatten(s.config) for s in scenarios]
        keys = union(list(fl) for fl in flat)
        diff = [k for k in keys if len({repr(fl.get(k, "—")) for fl in flat}) > 1]
        if diff:
            out += ("<p>Scenario settings that differ between the files (from each file's "
                    "resolved <code>config</code> attribute):</p><table><thead><tr><th>key</th>"
                    + "".join(f"<th>{esc(s.name)}</th>" for s in scenarios)
                    + "</tr></thead><tbody>")
            for k in diff:
                out += (f"<tr><td><code>{esc(k)}</code></td>"
                        + "".join(f"<td><code>{esc(toml_text(fl[k]))}</code></td>" if k in fl
                                  else "<td>—</td>" for fl in flat)
                        + "</tr>")
            out += "</tbody></table>"
        else:
            out += "<p>The files' resolved scenarios are identical.</p>"
    return out


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
img { max-width: 100%; border: 1px solid #eee; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.88em; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.55em; }
th { background: #f4f4f4; } td.num, td.int { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #8a4b00; } .sw { display: inline-block; width: 0.8em; height: 0.8em;
       margin-right: 0.4em; vertical-align: baseline; }
details > summary { cursor: pointer; font-weight: 600; margin: 0.4em 0; }
"""


def png_bytes(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata=PNG_META)
    plt.close(fig)
    return buf.getvalue()


def safe_name(sym):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", sym)


def build(scenarios, outdir):
    notes = []
    figures = {}  # name -> png bytes

    def add(name, fig):
        if fig is not None:
            data = png_bytes(fig)
            figures[name] = data
            with open(os.path.join(outdir, name), "wb") as fh:
                fh.write(data)
            return name
        return None

    for s in scenarios:
        if s.rows is None:
            notes.append(f"{s.name}: the file has no /paths (output.per_path = false): its "
                         "distributions are drawn from the 64-bin histograms in /summary")
        if not s.summary:
            notes.append(f"{s.name}: the file has no /summary: no VaR/ES or tables for it")
        if not s.ts:
            notes.append(f"{s.name}: the file has no /timeseries: no cascade timeline for it")
        notes.extend(f"{s.name}: {n}" for n in s.notes)

    fig_total = add("liquidations_total.png", fig_liquidations_total(scenarios, notes))
    fig_assets = add("liquidations_by_asset.png", fig_liquidations_by_asset(scenarios, notes))
    fig_ve = add("var_es.png", fig_var_es(scenarios, notes))
    timelines = []
    for sym in union(s.assets for s in scenarios):
        name = add(f"timeline_{safe_name(sym)}.png", fig_timeline(scenarios, sym, notes))
        if name:
            timelines.append((sym, name))
    tails = []
    for sym in union(s.assets for s in scenarios):
        name = add(f"tail_{safe_name(sym)}.png", fig_tail(scenarios, sym))
        if name:
            tails.append((sym, name))
    has_portfolios = any(s.portfolios for s in scenarios)
    fig_port = add("portfolio_loss.png", fig_portfolio_loss(scenarios, notes)) \
        if has_portfolios else None

    def img(name, alt):
        b64 = base64.b64encode(figures[name]).decode("ascii")
        return (f'<figure><img src="data:image/png;base64,{b64}" alt="{esc(alt)}">'
                f"<figcaption><code>{esc(name)}</code></figcaption></figure>")

    def skipped(what):
        return f'<p class="note">Skipped: {esc(what)}.</p>'

    names = ", ".join(s.name for s in scenarios)
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             f"<title>liqstress report: {esc(names)}</title>\n<style>{CSS}</style>\n</head>\n"
             f"<body>\n<h1>liqstress report: {esc(names)}</h1>\n"]
    parts.append(
        "<p>Monte Carlo stress test of liquidation cascades in crypto perpetual futures. Each "
        "results file is one scenario, named by its file name; the same colour stands for the "
        "same scenario in every figure and table. Liquidated notional is the size of the "
        "positions closed by force (quantity × liquidation price), in US dollars, over the "
        "scenario's horizon; every statistic is across the simulated paths.</p>")
    parts.append("<h2>Scenarios</h2>" + scenario_tables(scenarios))

    parts.append("<h2>1. How much is liquidated: the distribution</h2>")
    parts.append(
        "<p>Each line shows, for every amount x on the horizontal axis, the share of simulated "
        "paths that liquidated more than x (the complementary distribution function P(X &gt; x)). "
        "Both axes are logarithmic, so the tail — the rare, large cascades — is visible: a line "
        "further to the right or higher up means more liquidations. Reading across at 0.01 "
        "gives the amount exceeded on 1% of paths (about the 99% VaR); the lowest step of a "
        "line is one path.</p>")
    parts.append(img(fig_total, "complementary distribution of total liquidations") if fig_total
                 else skipped("no file holds per-path liquidations or their summary"))
    parts.append("<p>Per asset: longs (solid) are liquidated when the price falls, shorts "
                 "(dashed) when it rises. Paths with nothing liquidated are off the log scale "
                 "(the line then starts below 1).</p>")
    parts.append(img(fig_assets, "complementary distribution of liquidations per asset and side")
                 if fig_assets else skipped("no per-asset liquidation data"))

    parts.append("<h2>2. Value at risk and expected shortfall</h2>")
    parts.append(
        "<p>At each quantile level p (horizontal axis), the circle is VaR<sub>p</sub> — the "
        "amount that a share 1 − p of paths exceed — and the square is ES<sub>p</sub>, the "
        "average over those worst paths (always at least VaR). Bars are the 95% intervals "
        "stored in the file (VaR: distribution-free, from order statistics; ES: asymptotic, "
        "see the README's Statistics section): where bars of two scenarios do not overlap, the "
        "difference is not sampling noise. Few paths lie beyond the highest levels, so their "
        "intervals are wide; a triangle marks an interval that runs off the chart (its end is "
        "in the tables below). Top: total liquidated notional; bottom: bad debt (losses beyond "
        "the positions' margin, paid by the insurance fund or auto-deleveraged).</p>")
    parts.append(img(fig_ve, "VaR and ES with 95% intervals") if fig_ve
                 else skipped("no file has a /summary"))

    parts.append("<h2>3. The cascade timeline</h2>")
    parts.append(
        "<p>How a cascade unfolds in time, per asset; the horizontal axis is hours since the "
        "start. Top: the mean net forced flow per time step — liquidated shorts bought back "
        "minus liquidated longs sold (negative = forced selling). Middle: the mean notional "
        "liquidated per step, longs solid and shorts dashed. Bottom: the mean price impact at "
        "the end of each step, in percent of the price (100 × the log of the traded price over "
        "the price the market would have had without forced flow; negative = pushed down). "
        "Lines are means across paths; the shaded band is the 95% interval of that mean, "
        "mean ± 1.96·std/√n with n the number of paths — it shows how precisely the mean is "
        "known, not how much single paths vary (that spread is √n times wider). Without price "
        "impact (impact.model = \"none\") the bottom panel is flat at zero.</p>")
    if timelines:
        for sym, name in timelines:
            parts.append(img(name, f"cascade timeline for {sym}"))
    else:
        parts.append(skipped("no file has /timeseries"))
    parts.append(
        "<p>The typical path into the tail: what a day in the worst 1% (output.tail_levels) of "
        "total liquidations — dashed — or of bad debt — dotted — looks like, against the mean "
        "over all paths (solid): the mean price path from spot and the mean liquidations per "
        "step over the paths of that tail (/tail in the results file).</p>")
    if tails:
        for sym, name in tails:
            parts.append(img(name, f"typical path into the tail for {sym}"))
    else:
        parts.append(skipped("no file has /tail"))

    parts.append("<h2>4. Portfolio losses</h2>")
    if fig_port:
        parts.append(
            "<p>For each cross-margin account of the scenario ([[portfolio]]), the share of paths "
            "on which its loss (−P&amp;L over the horizon, marked to market) exceeds x; the "
            "vertical axis is logarithmic, the horizontal linear (left of zero: gains). The "
            "dotted vertical line is the account's 99% VaR.</p>")
        parts.append(img(fig_port, "portfolio loss distributions"))
    elif has_portfolios:
        parts.append(skipped("the files name portfolios but hold neither their per-path P&L "
                             "nor their summary"))
    else:
        parts.append(skipped("no scenario defines a [[portfolio]] account, so there are no "
                             "portfolio losses to show"))

    parts.append("<h2>5. The numbers (from <code>/summary</code>)</h2>")
    parts.append(
        "<p>Every number below is read from the files' <code>/summary</code> groups. Money is in "
        "<b>USD millions with two decimals</b> and comma thousands separators "
        "(<code>1,234.56</code> = $1,234.56 million ≈ $1.23 billion, rounded to the nearest "
        "0.01; "
        "∞ = an interval without upper end); probabilities are percentages with two "
        "decimals (two significant digits below 0.01%). Intervals are 95% intervals. "
        "Each number's exact value as stored (float64) is in the cell's "
        "<code>data-value</code> attribute.</p>")
    metrics = union(s.metrics for s in scenarios)
    if metrics:
        parts.append("<h3>Means</h3>" + table_means(scenarios, metrics))
        for m in metrics:
            label = next(s.metric_label(m) for s in scenarios if m in s.summary)
            is_open = " open" if m in ("total_liquidated_usd", "bad_debt_usd") else ""
            ve = table_var_es(scenarios, m)
            ex = table_exceedance(scenarios, m)
            parts.append(f"<details{is_open}><summary>{esc(label)} "
                         f"(<code>{esc(m)}</code>): VaR, ES"
                         + (" and exceedance" if ex else "") + "</summary>"
                         + "<p>VaR and expected shortfall, USD millions:</p>" + ve
                         + (("<p>Probability of exceeding each configured threshold "
                             "(95% Wilson intervals):</p>" + ex) if ex else "")
                         + "</details>")
    else:
        parts.append(skipped("no file has a /summary"))

    if notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f'<li class="note">{esc(n)}</li>'
                                                    for n in notes) + "</ul>")
    parts.append("<p><small>Made by <code>scripts/report.py</code> from "
                 + ", ".join(f"<code>{esc(os.path.basename(s.path))}</code>" for s in scenarios)
                 + ". Schema: <code>results/README.md</code>.</small></p>\n</body>\n</html>\n")
    page = "\n".join(parts)
    with open(os.path.join(outdir, "index.html"), "w", encoding="utf-8") as fh:
        fh.write(page)
    return sorted(figures), notes


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="PNG figures and a self-contained HTML page (DIR/index.html) from liqstress "
                    "results files; one scenario per file.")
    ap.add_argument("files", nargs="+", metavar="RESULTS.h5")
    ap.add_argument("-o", "--out", required=True, metavar="DIR",
                    help="output folder (created if missing)")
    args = ap.parse_args(argv)
    plt.rcParams.update({"svg.hashsalt": "liqstress", "figure.max_open_warning": 0})
    try:
        scenarios = [Scenario(i, p) for i, p in enumerate(args.files)]
        try:
            os.makedirs(args.out, exist_ok=True)
        except OSError as e:
            raise BadInput(f"{args.out}: cannot create the output folder ({e.strerror})")
        if not os.path.isdir(args.out):
            raise BadInput(f"{args.out}: not a folder")
    except BadInput as e:
        print(f"report.py: {e}", file=sys.stderr)
        return 2
    assign_names(scenarios)
    figures, notes = build(scenarios, args.out)
    for n in notes:
        print(f"report.py: note: {n}", file=sys.stderr)
    print(f"report: {os.path.join(args.out, 'index.html')} ({len(figures)} figures: "
          f"{', '.join(figures)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
