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
  /usr/bin/python3 scripts/calibrate.py --regimes 2 --jumps off --scenario s.toml --liqstress BIN
  /usr/bin/python3 scripts/calibrate.py --innovations student-t --json estimates.json

Options --innovations student-t (degrees of freedom by maximum likelihood), --regimes 2 (a
two-state hidden Markov model), --scenario (a complete scenario, standard errors in
comments) and --json (estimates and standard errors) are described in configs/README.md.

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
import subprocess
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
    p.add_argument("--jumps", choices=["on", "off"], default=None,
                   help="find jump days by the thresholds (default on; off with student-t)")
    p.add_argument("--innovations", choices=["gaussian", "student-t"], default="gaussian",
                   help="student-t: also fit the degrees of freedom (maximum likelihood)")
    p.add_argument("--regimes", type=int, choices=[0, 2], default=0,
                   help="2: fit a two-state hidden Markov model (calm/stress regimes)")
    p.add_argument("--bootstrap", type=int, default=30,
                   help="series of the regimes' parametric bootstrap (default 30)")
    p.add_argument("--bootstrap-corr", type=int, default=200,
                   help="resamples of the correlations' bootstrap (default 200)")
    p.add_argument("--seed", type=int, default=1, help="seed of the bootstraps (default 1)")
    p.add_argument("--scenario", metavar="FILE",
                   help="write a complete runnable scenario, standard errors in comments")
    p.add_argument("--json", metavar="FILE",
                   help="write the estimates and their standard errors as JSON")
    p.add_argument("--liqstress", metavar="BIN",
                   help="check the written scenario with `BIN validate`")
    args = p.parse_args(argv)
    if args.jumps is None:
        args.jumps = "off" if args.innovations == "student-t" else "on"
    args.argv_echo = list(argv)
    return args


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


def calibrate(r, syms, k_idio, k_market, sign_quota, max_iter=100, jumps=True):
    """The threshold model. With jumps=False no day is a jump day: vol and correlation come
    from every day (the Student-t and regime fits carry the tails instead)."""
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
        mkt = big & same & jumps
        # betas: slope through the origin on market days
        beta = np.ones(A)
        if mkt.any():
            xb = r[mkt, ref]
            for a in others:
                beta[a] = float(np.dot(r[mkt, a], xb) / np.dot(xb, xb))
        # idiosyncratic residuals and flags
        resid = r.copy()
        resid[mkt, :] = r[mkt, :] - np.outer(r[mkt, ref], beta)
        idio = (np.abs(resid - med) > k_idio * sigma) & jumps
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


# ---------------------------------------------------------------------------------------------
# Standard errors of the threshold model
# ---------------------------------------------------------------------------------------------

def vol_se(x):
    """Standard error of the sample standard deviation of x, delta method on the squared
    deviations (uses the sample fourth moment: no normality assumed)."""
    x = np.asarray(x, float)
    n = len(x)
    if n < 3:
        return float("nan")
    d2 = (x - x.mean()) ** 2
    s = math.sqrt(d2.sum() / (n - 1))
    return math.sqrt(float(np.var(d2, ddof=1)) / n) / (2.0 * s)


def corr_se_bootstrap(x, n_boot, seed):
    """Standard errors of the Pearson correlation matrix of the rows (days) of x by the
    nonparametric bootstrap of days: n_boot resamples, fixed seed."""
    rng = np.random.default_rng(seed)
    n = len(x)
    draws = [np.corrcoef(x[rng.integers(0, n, n)], rowvar=False) for _ in range(n_boot)]
    return np.std(np.array(draws), axis=0, ddof=1)


def beta_se(y, x, beta):
    """Standard error of the least-squares slope through the origin of y on x."""
    if len(x) < 2:
        return float("nan")
    e = y - beta * x
    return math.sqrt(float(np.dot(e, e)) / (len(x) - 1) / float(np.dot(x, x)))


def jump_se(x, years, stdev):
    """Standard errors of (rate, mean, stdev) of jumps seen as the whole-day moves x: the
    count is Poisson (se of the rate sqrt(n) / years), the mean is a sample mean, the stdev
    sqrt(var(x) - diffusion var) by the delta method with var(sample var) = 2 var^2 / (n-1)."""
    n = len(x)
    rate_se = math.sqrt(n) / years
    if n < 2:
        return rate_se, float("nan"), float("nan")
    var = float(np.var(x, ddof=1))
    stdev_se = var * math.sqrt(2.0 / (n - 1)) / (2.0 * stdev) if stdev > 0 else float("nan")
    return rate_se, math.sqrt(var / n), stdev_se


def add_standard_errors(res, r, n_boot, seed):
    """Standard errors of every estimate of calibrate(), into res["se"]."""
    T, A = r.shape
    clean = ~res["idio"] & ~res["mkt"][:, None]
    root = math.sqrt(DAYS_PER_YEAR)
    se = {"vol": np.array([vol_se(r[clean[:, a], a]) * root for a in range(A)])}
    se["corr"] = corr_se_bootstrap(r[clean.all(axis=1)], n_boot, seed)
    mkt = res["mkt"]
    se["beta"] = np.array([0.0] + [beta_se(r[mkt, a], r[mkt, 0], res["beta"][a])
                                   for a in range(1, A)])
    m = res["market"]
    se["market"] = jump_se(r[mkt, 0], res["years"], m["stdev"])
    se["jumps"] = [jump_se(res["resid"][res["idio"][:, a], a], res["years"], j["stdev"])
                   for a, j in enumerate(res["jumps"])]
    res["se"] = se


# ---------------------------------------------------------------------------------------------
# Student-t degrees of freedom: maximum likelihood of the model's multivariate t
# ---------------------------------------------------------------------------------------------
# MODEL.md section 1: the day's diffusion is z / sqrt(W/nu) * sqrt((nu-2)/nu) with one W ~
# chi2_nu shared by all assets: a multivariate t with nu degrees of freedom and covariance C.
# For a fixed nu, location and scale Psi = C (nu-2)/nu are fitted by the EM algorithm of
# Liu & Rubin (1995, Statistica Sinica 5:19-39); nu maximises the profile log-likelihood,
# its standard error is 1/sqrt(-d2 logL / d nu2) (observed information of the profile).

NU_MAX = 200.0


def t_profile_loglik(r, nu, iters=500, tol=1e-10):
    """Log-likelihood of the multivariate t with nu degrees of freedom, location and scale
    at their maximum for this nu (EM)."""
    n, A = r.shape
    mu, psi = r.mean(axis=0), np.cov(r, rowvar=False) * (nu - 2.0) / nu
    prev = -np.inf
    for _ in range(iters):
        d = r - mu
        delta = np.einsum("ij,jk,ik->i", d, np.linalg.inv(psi), d)
        ll = (n * (math.lgamma((nu + A) / 2) - math.lgamma(nu / 2) - A / 2 * math.log(nu * math.pi))
              - n / 2 * np.linalg.slogdet(psi)[1] - (nu + A) / 2 * np.log1p(delta / nu).sum())
        if ll - prev < tol * n:
            break
        prev = ll
        w = (nu + A) / (nu + delta)
        mu = (w[:, None] * r).sum(axis=0) / w.sum()
        d = r - mu
        psi = (w[:, None] * d).T @ d / n
    return float(ll)


def golden_max(f, lo, hi, tol=1e-4):
    """Maximum of a unimodal f on [lo, hi] by golden-section search."""
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc > fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


def fit_student_t(r):
    """(nu, se of nu) by profile maximum likelihood over log(nu - 2); nu capped at NU_MAX
    (then the data do not tell a t from a Gaussian and the se is nan)."""
    f = lambda u: t_profile_loglik(r, 2.0 + math.exp(u))
    grid = np.linspace(math.log(0.05), math.log(NU_MAX - 2), 25)
    k = int(np.argmax([f(u) for u in grid]))
    u = golden_max(f, grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)])
    nu = 2.0 + math.exp(u)
    if nu > 0.95 * NU_MAX:
        return NU_MAX, float("nan")
    h = 0.01 * nu
    g = lambda v: t_profile_loglik(r, v)
    d2 = (g(nu + h) - 2 * g(nu) + g(nu - h)) / h ** 2
    return nu, (1.0 / math.sqrt(-d2) if d2 < 0 else float("nan"))


# ---------------------------------------------------------------------------------------------
# Regimes: a two-state Gaussian hidden Markov model of the daily returns
# ---------------------------------------------------------------------------------------------
# r_t | s_t ~ N(0, Sigma_s) for the A assets jointly, s_t a Markov chain with daily transition
# matrix P. Fitted by Baum-Welch (EM; Rabiner 1989, Proc. IEEE 77:257-286) with the scaled
# forward (Hamilton filter) and backward recursions; days flagged as jumps are treated as
# missing (their emission likelihood is 1). States are ordered by variance: 0 = calm,
# 1 = stress. MODEL.md's chain runs in continuous time with generator Q, P = exp(Q * 1 day);
# for two states exp(Q) has off-diagonals a = q01 (1 - e^-s)/s, b = q10 (1 - e^-s)/s with
# s = q01 + q10, so s = -ln(1 - a - b) and q = (a, b) s / (a + b): the matrix logarithm in
# closed form (it exists when a + b < 1; above 0.99 both are scaled down to sum to 0.99,
# with a warning: no continuous-time chain switches that fast).

def emission_loglik(r, covs, observed):
    """log N(r_t; 0, Sigma_s) per day and state, 0 on unobserved days."""
    T, A = r.shape
    out = np.zeros((T, len(covs)))
    for s, c in enumerate(covs):
        q = np.einsum("ij,jk,ik->i", r, np.linalg.inv(c), r)
        out[:, s] = -0.5 * (q + np.linalg.slogdet(c)[1] + A * math.log(2 * math.pi))
    out[~observed] = 0.0
    return out


def forward_backward(logb, P, p0):
    """Scaled forward-backward for two states: smoothed state probabilities gamma [T, 2],
    expected transition counts [2, 2], log-likelihood and the filtered probabilities."""
    m = logb.max(axis=1)
    b = np.exp(logb - m[:, None])
    T = len(b)
    (p00, p01), (p10, p11) = P.tolist()
    fwd, scale = np.empty((T, 2)), np.empty(T)
    a0, a1 = p0[0] * b[0, 0], p0[1] * b[0, 1]
    for t in range(T):
        if t:
            a0, a1 = (f0 * p00 + f1 * p10) * b[t, 0], (f0 * p01 + f1 * p11) * b[t, 1]
        c = a0 + a1
        f0, f1 = a0 / c, a1 / c
        fwd[t], scale[t] = (f0, f1), c
    bwd = np.ones((T, 2))
    xi = np.zeros((2, 2))
    for t in range(T - 2, -1, -1):
        u0, u1 = b[t + 1, 0] * bwd[t + 1, 0], b[t + 1, 1] * bwd[t + 1, 1]
        c = scale[t + 1]
        f0, f1 = fwd[t]
        xi += np.array([[f0 * p00 * u0, f0 * p01 * u1], [f1 * p10 * u0, f1 * p11 * u1]]) / c
        bwd[t] = ((p00 * u0 + p01 * u1) / c, (p10 * u0 + p11 * u1) / c)
    gamma = fwd * bwd
    gamma /= gamma.sum(axis=1, keepdims=True)
    return gamma, xi, float(np.log(scale).sum() + m.sum()), fwd


def hmm_init(r):
    c = np.cov(r, rowvar=False)
    return {"P": np.array([[0.97, 0.03], [0.10, 0.90]]), "p0": np.array([0.5, 0.5]),
            "covs": [0.6 * c, 2.5 * c]}


def hmm_mstep(r, observed, gamma, xi):
    covs = []
    for s in range(2):
        w = gamma[:, s] * observed
        covs.append((w[:, None] * r).T @ r / w.sum() + 1e-12 * np.eye(r.shape[1]))
    return {"P": xi / xi.sum(axis=1, keepdims=True), "p0": gamma[0], "covs": covs}


def fit_hmm(r, observed=None, start=None, max_iter=1000, tol=1e-8):
    """Baum-Welch fit; returns the parameters, states ordered calm (0) then stress (1),
    with the log-likelihood, smoothed and filtered state probabilities and the iterations."""
    observed = np.ones(len(r), bool) if observed is None else observed
    par, prev = start or hmm_init(r[observed]), -np.inf
    for it in range(max_iter):
        gamma, xi, ll, filt = forward_backward(emission_loglik(r, par["covs"], observed),
                                               par["P"], par["p0"])
        if ll - prev < tol * len(r):
            break
        prev = ll
        par = hmm_mstep(r, observed, gamma, xi)
    if np.trace(par["covs"][0]) > np.trace(par["covs"][1]):  # order: calm first
        gamma, filt = gamma[:, ::-1], filt[:, ::-1]
        par = {"P": par["P"][::-1, ::-1].copy(), "p0": par["p0"][::-1].copy(),
               "covs": par["covs"][::-1]}
    return dict(par, loglik=ll, gamma=gamma, filtered=filt, iterations=it + 1)


MAX_SWITCH = 0.99


def rates_per_day(P):
    """Generator rates (calm -> stress, stress -> calm) per day of the continuous-time chain
    whose one-day transition matrix is P (two states; see above)."""
    a, b = float(P[0, 1]), float(P[1, 0])
    if a + b > MAX_SWITCH:
        print(f"warning: the daily transition matrix {np.round(P, 4).tolist()} has no real "
              f"logarithm (switch probabilities sum to {a + b:.3f} >= 1): scaled to sum to "
              f"{MAX_SWITCH} (same stationary law)", file=sys.stderr)
        a, b = a * MAX_SWITCH / (a + b), b * MAX_SWITCH / (a + b)
    s = -math.log(1.0 - a - b)
    return a * s / (a + b), b * s / (a + b)


def regime_summary(fit):
    """What goes into the scenario: calm vols (annualised), stress vol multipliers per asset,
    correlation per state, rates per day, stationary and filtered stress probabilities."""
    sd = [np.sqrt(np.diag(c)) for c in fit["covs"]]
    q01, q10 = rates_per_day(fit["P"])
    return {"calm_vol": sd[0] * math.sqrt(DAYS_PER_YEAR), "ratio": sd[1] / sd[0],
            "corr": [c / np.outer(s, s) for c, s in zip(fit["covs"], sd)],
            "to_stress": q01, "to_calm": q10, "pi_stress": q01 / (q01 + q10),
            "filtered_stress": float(fit["filtered"][-1, 1])}


def simulate_hmm(fit, T, rng):
    """One series of T days from a fitted HMM, the chain started from its stationary law."""
    P = fit["P"]
    pi1 = P[0, 1] / (P[0, 1] + P[1, 0])
    u = rng.random(T)
    s = np.empty(T, int)
    s[0] = u[0] < pi1
    for t in range(1, T):
        s[t] = u[t] < P[s[t - 1], 1]
    chol = [np.linalg.cholesky(c) for c in fit["covs"]]
    z = rng.standard_normal((T, len(chol[0])))
    return np.where(s[:, None] == 1, z @ chol[1].T, z @ chol[0].T)


def no_regime_se(A):
    """nan standard errors (when the bootstrap is turned off)"""
    nan = float("nan")
    return {"calm_vol": np.full(A, nan), "ratio": np.full(A, nan), "to_stress": nan,
            "to_calm": nan, "pi_stress": nan, "corr": np.full((2, A, A), nan)}


def regime_standard_errors(fit, T, n_boot, seed):
    """Standard errors of regime_summary's numbers by a parametric bootstrap: n_boot series
    of T days simulated from the fit, each refitted from the fit (fixed seed)."""
    rng = np.random.default_rng(seed)
    keys = ("calm_vol", "ratio", "to_stress", "to_calm", "pi_stress")
    draws = {k: [] for k in keys + ("corr",)}
    for _ in range(n_boot):
        x = simulate_hmm(fit, T, rng)
        start = {"P": fit["P"], "p0": fit["p0"], "covs": fit["covs"]}
        s = regime_summary(fit_hmm(x, start=start))
        for k in keys:
            draws[k].append(s[k])
        draws["corr"].append(np.array(s["corr"]))
    return {k: np.std(np.array(v), axis=0, ddof=1) for k, v in draws.items()}


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


# ---------------------------------------------------------------------------------------------
# The extra fits and the complete scenario
# ---------------------------------------------------------------------------------------------

DEFAULT_OPEN_INTEREST = {"BTC": 3.5e10, "ETH": 2.0e10, "SOL": 6.0e9, "DOGE": 2.0e9}


def fit_extras(res, r, args):
    """Standard errors, and the Student-t and regime fits the options ask for, into res."""
    add_standard_errors(res, r, args.bootstrap_corr, args.seed)
    clean_days = (~res["idio"] & ~res["mkt"][:, None]).all(axis=1)
    if args.innovations == "student-t":
        res["dof"] = fit_student_t(r[clean_days])
    if args.regimes == 2:
        fit = fit_hmm(r, observed=clean_days)
        res["hmm"] = fit
        res["regimes"] = regime_summary(fit)
        res["regimes_se"] = (regime_standard_errors(fit, len(r), args.bootstrap, args.seed)
                             if args.bootstrap >= 2 else no_regime_se(len(r[0])))


def pm(se, digits):
    return "n/a" if not math.isfinite(se) else f"{se:.{digits}f}"


def matrix_lines(key, m, se=None):
    """A correlation matrix in TOML, 3 decimals, one row a line, s.e.s in a comment."""
    A = len(m)
    out = [f"{key} = ["]
    for i in range(A):
        row = "  [" + ", ".join(f"{m[i, k]:.3f}" for k in range(A)) + "]" + ("," if i + 1 < A else "")
        if se is not None:
            row += "   # ± " + ", ".join(pm(se[i, k], 3) for k in range(A))
        out.append(row)
    return out + ["]"]


def round_corr(c):
    """Rounded to 3 decimals; a matrix that is then not positive definite (a regime seen on a
    few days) is shrunk towards the identity in steps of 1% until it is, with a warning."""
    for shrink in np.arange(0.0, 1.0, 0.01):
        r = np.round((1 - shrink) * c + shrink * np.eye(len(c)), 3)
        np.fill_diagonal(r, 1.0)
        if np.linalg.eigvalsh(r).min() > 1e-6:
            if shrink:
                print(f"warning: correlation matrix shrunk by {shrink:.2f} towards the identity "
                      "to be positive definite", file=sys.stderr)
            return r
    raise SystemExit("a correlation matrix cannot be made positive definite")


def method_lines(res, args):
    m = ["# method: daily close-to-close log returns; vol = stdev on clean days x sqrt(365)"]
    if args.jumps == "on":
        m.append(f"#   with jump days found by iterative {args.k_market:g}/{args.k_idio:g}-sigma "
                 "clipping (configs/README.md, 'How default.toml was calibrated');")
    else:
        m.append("#   jumps off: no jump days, vol and correlation from every day;")
    if "dof" in res:
        m.append("#   Student-t dof: profile maximum likelihood of the model's multivariate t "
                 "(one mixing variable per day shared by the assets; EM for the scale, "
                 "Liu & Rubin 1995), s.e. from the profile's curvature;")
    if "regimes" in res:
        m.append("#   regimes: two-state Gaussian hidden Markov model of the joint returns "
                 "(Baum-Welch, Hamilton filter; jump days missing), states ordered by "
                 "variance; rates = matrix logarithm of the daily transition matrix; "
                 f"s.e.s by a parametric bootstrap of {args.bootstrap} series;")
    m.append("#   s.e.: vol by the delta method (sample 4th moment), correlation by a bootstrap of "
             f"days ({args.bootstrap_corr}), beta by least squares, jump rate Poisson "
             "sqrt(n)/years, jump mean/stdev by sample formulas")
    return m


def header_lines(res, syms, start, end, args):
    files = ", ".join(os.path.join(args.data, f"{s}-USD-daily.csv") for s in syms)
    return (["# liqstress scenario calibrated by scripts/calibrate.py: do not edit by hand, "
             "re-run instead",
             "#   " + " ".join(["scripts/calibrate.py"] + args.argv_echo),
             f"# data: {files}",
             f"# window: closes {start}..{end}: {res['T']} daily returns, {res['years']:.3f} "
             "years of 365 days",
             ] + method_lines(res, args) +
            ["# each calibrated key carries '# ± standard error'; the book, insurance fund and "
             "output are not estimated (configs/default.toml's example figures)", ""])


def simulation_lines(res):
    out = ["[simulation]", "paths = 20_000", 'horizon = "24h"', 'step = "1h"', "seed = 1",
           "drift_compensation = false"]
    if "dof" in res:
        nu, se = res["dof"]
        out += ['innovations = "student-t"', f"dof = {nu:.2f}                  # ± {pm(se, 2)}"]
    else:
        out.append('innovations = "gaussian"')
    return out + [""]


def asset_lines(res, rv, syms):
    out = []
    reg = res.get("regimes")
    for a, s in enumerate(syms):
        v, j, se = rv["assets"][s], res["jumps"][a], res["se"]
        js = se["jumps"][a]
        vol, vol_se_ = ((reg["calm_vol"][a], res["regimes_se"]["calm_vol"][a]) if reg
                        else (res["vol"][a], se["vol"][a]))
        out += [f"[asset.{s}]", f"spot = {fmt_num(v['spot'])}",
                f"vol = {vol:.3f}                 # ± {pm(vol_se_, 3)}"
                + (" (the calm regime's)" if reg else ""),
                "drift = 0.0",
                f"beta = {fmt_num(v['beta'])}                # ± {pm(se['beta'][a], 2)}",
                f"jumps = {{ rate = {fmt_num(v['jumps']['rate'])}, mean = "
                f"{fmt_num(v['jumps']['mean'])}, stdev = {fmt_num(v['jumps']['stdev'])} }}"
                f"   # {j['n']} days; ± {pm(js[0], 2)}, {pm(js[1], 4)}, {pm(js[2], 4)}", ""]
    return out


def market_lines(res, rv, syms):
    reg = res.get("regimes")
    corr = round_corr(reg["corr"][0]) if reg else rv["corr"]
    se = res["regimes_se"]["corr"][0] if reg else res["se"]["corr"]
    m, ms = rv["market"], res["se"]["market"]
    return (["[market]", "assets = [" + ", ".join(f'"{s}"' for s in syms) + "]"]
            + (["# the calm regime's correlation"] if reg else [f"# on {res['clean_days']} clean days"])
            + matrix_lines("correlation", corr, se) + ["",
            "[market_jumps]",
            f"rate = {fmt_num(m['rate'])}                 # {res['market']['n']} days; ± {pm(ms[0], 2)}",
            f"mean = {fmt_num(m['mean'])}              # ± {pm(ms[1], 4)}",
            f"stdev = {fmt_num(m['stdev'])}             # ± {pm(ms[2], 4)}", ""])


def regime_lines(res, syms):
    reg, se = res.get("regimes"), res.get("regimes_se")
    if not reg:
        return []
    mult = ", ".join(f"{s} = {reg['ratio'][a]:.3f}" for a, s in enumerate(syms))
    mult_se = ", ".join(pm(se["ratio"][a], 3) for a in range(len(syms)))
    return ([f"# regimes: stationary share of stress {reg['pi_stress']:.3f} ± "
             f"{pm(se['pi_stress'], 3)}; filtered P(stress) on the window's last day "
             f"{reg['filtered_stress']:.3f}; jump intensities are not regime-dependent here "
             "(jump_rate_multiplier 1)",
             "[[regime]]", 'name = "calm"',
             f"to = {{ stress = {reg['to_stress']:.5f} }}   # per day; ± {pm(se['to_stress'], 5)}",
             "", "[[regime]]", 'name = "stress"',
             f"vol_multiplier = {{ {mult} }}   # ± {mult_se}"]
            + matrix_lines("correlation", round_corr(reg["corr"][1]), se["corr"][1])
            + [f"to = {{ calm = {reg['to_calm']:.5f} }}   # per day; ± {pm(se['to_calm'], 5)}", ""])


def book_lines(syms):
    oi = ", ".join(f"{s} = {DEFAULT_OPEN_INTEREST.get(s, 1.0e9):.1e}" for s in syms)
    return ["[impact]", 'model = "none"', "", "[book]", 'source = "synthetic"',
            'maintenance = "binance-usdt-perp-2024-10"', "", "[book.synthetic]",
            "# not estimated: configs/default.toml's example figures (1.0e9 for assets it lacks)",
            f"open_interest = {{ {oi} }}", "long_share = 0.6",
            "leverage = { levels = [2, 5, 10, 20, 50, 100], weights = [0.15, 0.25, 0.3, 0.15, "
            "0.1, 0.05] }", "entry_spread = 0.06", "positions = 10_000", "seed = 20251010", "",
            "[insurance_fund]", "balance = 1.0e9", "liquidation_fee = 0.005", "",
            "[output]", 'path = "{name}.h5"             # beside the working directory', ""]


def scenario_text(res, rv, syms, start, end, args):
    lines = (header_lines(res, syms, start, end, args) + simulation_lines(res)
             + market_lines(res, rv, syms) + asset_lines(res, rv, syms)
             + regime_lines(res, syms) + book_lines(syms))
    return "\n".join(lines).rstrip("\n") + "\n"


def print_extras(res, syms):
    se = res["se"]
    print("standard errors: vol " + ", ".join(f"{s} {se['vol'][a]:.3f}" for a, s in enumerate(syms))
          + "; beta " + ", ".join(f"{s} {se['beta'][a]:.2f}" for a, s in enumerate(syms)))
    if "dof" in res:
        print(f"Student-t degrees of freedom: {res['dof'][0]:.2f} ± {pm(res['dof'][1], 2)}")
    if "regimes" in res:
        g, e = res["regimes"], res["regimes_se"]
        print("regimes (2-state HMM): calm vol " + ", ".join(
            f"{s} {g['calm_vol'][a]:.3f}" for a, s in enumerate(syms)) + "; stress/calm vol "
            + ", ".join(f"{s} {g['ratio'][a]:.3f} ± {e['ratio'][a]:.3f}" for a, s in enumerate(syms)))
        print(f"  rates per day: calm->stress {g['to_stress']:.5f} ± {e['to_stress']:.5f}, "
              f"stress->calm {g['to_calm']:.5f} ± {e['to_calm']:.5f}; stationary P(stress) "
              f"{g['pi_stress']:.3f}; filtered P(stress) on the last day {g['filtered_stress']:.3f}\n")


def estimates_json(res, syms):
    """The estimates and standard errors, unrounded, as plain lists and numbers."""
    L = lambda x: np.asarray(x, float).tolist()
    se = res["se"]
    out = {"assets": syms, "days": res["T"], "years": res["years"],
           "vol": L(res["vol"]), "vol_se": L(se["vol"]), "corr": L(res["corr"]),
           "corr_se": L(se["corr"]), "beta": L(res["beta"]), "beta_se": L(se["beta"]),
           "market": dict(res["market"], se=list(se["market"])),
           "jumps": [dict(j, se=list(e)) for j, e in zip(res["jumps"], se["jumps"])]}
    if "dof" in res:
        out["dof"], out["dof_se"] = res["dof"]
    if "regimes" in res:
        out["regimes"] = {k: L(v) for k, v in res["regimes"].items()}
        out["regimes_se"] = {k: L(v) for k, v in res["regimes_se"].items()}
    return out


def write_json(path, res, syms):
    import json
    with open(path, "w") as f:
        json.dump(estimates_json(res, syms), f, indent=1, default=float)


def write_scenario(args, text):
    with open(args.scenario, "w") as f:
        f.write(text)
    print(f"scenario written to {args.scenario}", file=sys.stderr)
    if args.liqstress:
        proc = subprocess.run([args.liqstress, "validate", args.scenario], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            raise SystemExit(f"liqstress validate {args.scenario} failed:\n{proc.stderr}")
        print(f"liqstress validate {args.scenario}: ok", file=sys.stderr)


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
    res = calibrate(r, syms, args.k_idio, args.k_market, args.sign_quota,
                    jumps=args.jumps == "on")
    fit_extras(res, r, args)

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
    print_extras(res, syms)
    if args.list_events:
        list_events(res, syms, r, start)
    if args.json:
        write_json(args.json, res, syms)
    if args.scenario:
        write_scenario(args, scenario_text(res, rv, syms, start, end, args))

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
