"""scripts/backtest.py: the scores against hand-computed values, a short rolling backtest end
to end, and no look-ahead (prices dated on or after the forecast day do not move its
forecast; an earlier price does).

References for the known answers: Kupiec (1995, J. Derivatives 3:73-84) LR_POF =
-2 ln[(1-p)^(T-x) p^x / ((1-x/T)^(T-x) (x/T)^x)]; Christoffersen (1998, Int. Econ. Rev.
39:841-862) LR_ind from the transition counts n_ij; the chi-square(1) 95% quantile 3.841459
(any table); the Basel Committee's (1996) traffic light for 250 days at 99% (green 0-4,
yellow 5-9, red 10+); Acerbi & Szekely (2014, MSCI) Z2 = 1 - sum L_t 1{L_t > VaR_t} /
(T alpha ES_t), and E[Z2] = 0 under the true distribution (checked on normal losses with
the closed-form VaR and ES, ES = phi(z)/alpha, tolerance K_SE = 4 standard errors)."""
import csv
import datetime as dt
import math
import os
import subprocess
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import BINARY, SOURCE_DIR, CliTestCase  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE_DIR, "scripts"))
import backtest as bt  # noqa: E402

SCRIPT = os.path.join(SOURCE_DIR, "scripts", "backtest.py")
K_SE = 4.0


class Scores(unittest.TestCase):
    def test_chi_square_one_tail(self):
        self.assertAlmostEqual(bt.chi2_sf1(3.841458820694124), 0.05, places=12)
        self.assertAlmostEqual(bt.chi2_sf1(6.634896601021214), 0.01, places=12)

    def test_kupiec_five_exceedances_in_250_days_at_1_percent(self):
        lr0 = 245 * math.log(0.99) + 5 * math.log(0.01)
        lr1 = 245 * math.log(245 / 250) + 5 * math.log(5 / 250)
        lr, p = bt.kupiec(5, 250, 0.01)
        self.assertAlmostEqual(lr, -2 * (lr0 - lr1), places=12)
        self.assertAlmostEqual(lr, 1.9568, places=3)
        self.assertAlmostEqual(p, math.erfc(math.sqrt(lr / 2)), places=12)
        self.assertEqual(bt.kupiec(0, 250, 0.01)[0], -2 * 250 * math.log(0.99))

    def test_christoffersen_on_a_hand_sequence(self):
        # pairs of 0001110000: n00 = 5, n01 = 1, n10 = 1, n11 = 2
        h = [0, 0, 0, 1, 1, 1, 0, 0, 0, 0]
        p0, p1, p = 1 / 6, 2 / 3, 3 / 9
        ll0 = 6 * math.log(1 - p) + 3 * math.log(p)
        ll1 = 5 * math.log(1 - p0) + math.log(p0) + math.log(1 - p1) + 2 * math.log(p1)
        lr, pv = bt.christoffersen(h)
        self.assertAlmostEqual(lr, -2 * (ll0 - ll1), places=12)
        self.assertAlmostEqual(pv, bt.chi2_sf1(lr), places=12)
        # pairs of 0011000100: n00 = 4, n01 = 2, n10 = 2, n11 = 1: p0 = p1 = p, LR = 0
        self.assertAlmostEqual(bt.christoffersen([0, 0, 1, 1, 0, 0, 0, 1, 0, 0])[0], 0.0, places=12)

    def test_traffic_light_thresholds(self):
        zones = {0: "green", 4: "green", 5: "yellow", 9: "yellow", 10: "red", 30: "red"}
        for hits, zone in zones.items():
            self.assertEqual(bt.traffic_light(hits), zone, hits)

    def test_z2_on_a_constructed_case(self):
        loss = np.zeros(40)
        loss[[3, 17]] = [0.3, 0.15]  # one exceedance of VaR 0.2 (0.3), one below it
        self.assertAlmostEqual(bt.z2(loss, np.full(40, 0.2), np.full(40, 0.25)),
                               1 - 0.3 / 0.25 / (40 * 0.025), places=12)

    def test_z2_is_zero_on_average_under_the_true_distribution(self):
        rng = np.random.default_rng(3)
        n, alpha = 400_000, 0.025
        z = 1.959963984540054  # standard normal 97.5% quantile
        es = math.exp(-z * z / 2) / math.sqrt(2 * math.pi) / alpha
        loss = rng.standard_normal(n)
        terms = loss * (loss > z) / (es * alpha)
        value = bt.z2(loss, np.full(n, z), np.full(n, es))
        self.assertLess(abs(value), K_SE * terms.std() / math.sqrt(n))
        self.assertLess(bt.z2(1.3 * loss, np.full(n, z), np.full(n, es)), -0.2)  # risk too low

    def test_var_and_es_of_an_equally_weighted_sample(self):
        loss = np.arange(1.0, 1001.0)
        w = np.full(1000, 1e-3)
        self.assertEqual(bt.var_es(loss, w, 0.99)[0], 990.0)
        self.assertAlmostEqual(bt.var_es(loss, w, 0.975)[1], np.mean(np.arange(976, 1001)))


class Rolling(CliTestCase):
    CUTOVER = dt.date(2021, 1, 31)

    def write_prices(self, bump_from=None, bump_before=None):
        """BTC, ETH: daily files to CUTOVER and snapshots after it, a seeded random walk;
        closes dated bump_from or later multiplied by 1.5 (the one dated bump_before by 1.02)."""
        folder = os.path.join(self.tmp, f"p{bump_from}{bump_before}")
        os.makedirs(folder, exist_ok=True)
        rng = np.random.default_rng(9)
        days = [dt.date(2020, 1, 1) + dt.timedelta(days=k) for k in range(420)]
        walk = np.exp(np.cumsum(rng.standard_normal((420, 2)) * [0.03, 0.04], axis=0))
        for a, (sym, spot) in enumerate([("BTC", 30000.0), ("ETH", 2000.0)]):
            rows = [(d, spot * walk[k, a] * (1.5 if (bump_from and d >= bump_from)
                                             else 1.02 if d == bump_before else 1.0))
                    for k, d in enumerate(days)]
            self.write_csv(folder, f"{sym}-USD-daily.csv", [r for r in rows if r[0] <= self.CUTOVER],
                           ["Date", "Close", "High", "Low", "Open", "Volume"])
            self.write_csv(folder, f"{sym}-USD-daily-snapshots.csv",
                           [r for r in rows if r[0] > self.CUTOVER], ["Date", "Close"])
        return folder

    @staticmethod
    def write_csv(folder, name, rows, header):
        with open(os.path.join(folder, name), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            for d, c in rows:
                w.writerow([d, repr(c)] + [""] * (len(header) - 2))

    def backtest(self, data, start, end, out, *extra):
        proc = subprocess.run([sys.executable, SCRIPT, "--data", data, "--liqstress", BINARY,
                               "--start", str(start), "--end", str(end), "--cutover",
                               str(self.CUTOVER), "--paths", "2000", "--window", "200",
                               "--out", out, *extra], capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        with open(os.path.join(out, "backtest.csv")) as f:
            return proc.stdout, list(csv.DictReader(f))

    def test_a_short_rolling_backtest_writes_its_table_csv_and_figure(self):
        for model in ("jumps", "regimes"):
            with self.subTest(model=model):
                self.short_backtest(model)

    def short_backtest(self, model):
        out = os.path.join(self.tmp, "bt" + model)
        text, rows = self.backtest(self.write_prices(), dt.date(2021, 2, 1), dt.date(2021, 2, 6),
                                   out, "--recalibrate-every", "3", "--model", model)
        self.assertEqual(len(rows), 6 * 3)  # six days, BTC, ETH and the portfolio
        self.assertEqual({r["position"] for r in rows}, {"BTC spot long", "ETH spot long",
                                                         "portfolio"})
        for r in rows:
            self.assertLess(float(r["var_975"]), float(r["var_99"]))
            self.assertLessEqual(float(r["var_975"]), float(r["es_975"]))
        self.assertIn("| BTC spot long | 6 |", text)
        for f in ("summary.csv", "backtest.png"):
            self.assertTrue(os.path.getsize(os.path.join(out, f)) > 0, f)

    def test_the_forecast_uses_no_price_dated_on_or_after_its_day(self):
        d = dt.date(2021, 2, 15)
        forecast = lambda rows: [(r["position"], r["var_99"], r["var_975"], r["es_975"])
                                 for r in rows]
        for model in ("jumps", "regimes"):
            _, base = self.backtest(self.write_prices(), d, d, os.path.join(self.tmp, "a"),
                                    "--model", model)
            _, later = self.backtest(self.write_prices(bump_from=d), d, d,
                                     os.path.join(self.tmp, "b"), "--model", model)
            _, earlier = self.backtest(self.write_prices(bump_before=d - dt.timedelta(days=1)),
                                       d, d, os.path.join(self.tmp, "c"), "--model", model)
            self.assertEqual(forecast(base), forecast(later), model)
            self.assertNotEqual(base[0]["realised_loss"], later[0]["realised_loss"], model)
            self.assertNotEqual(forecast(base), forecast(earlier), model)


if __name__ == "__main__":
    unittest.main()
