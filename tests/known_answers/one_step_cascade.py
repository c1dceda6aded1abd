#!/usr/bin/env python3
"""Known answer for tests/unit/cascade_test.cpp (Cascade.OneStepKnownAnswerToTheCent).

Written from docs/MODEL.md §3-§4 alone, position by position, without liqstress code: one
step of one hour, zero volatility, a -4% gap at the step's end, linear permanent impact
(eta = 1, depth $1M per 1%), three longs and one short. Prints every number the test checks.

    /usr/bin/python3 tests/known_answers/one_step_cascade.py
"""
import math

SPOT, GAP, DEPTH, ETA = 100.0, -0.04, 1.0e6, 1.0
FUND, FEE = 10_000.0, 0.005
# (side, notional, entry, leverage, mm); A = 0 (the rows give maintenance_rate).
BOOK = [("long", 1_000_000, 100.0, 25, 0.005),
        ("long", 600_000, 100.0, 20, 0.005),
        ("long", 500_000, 100.0, 10, 0.05),
        ("short", 300_000, 100.0, 10, 0.005)]


def prices(side, notional, entry, lev, mm):
    q = notional / entry
    m = notional / lev
    if side == "long":
        return q, (entry - m / q) / (1 - mm), entry - m / q
    return q, (entry + m / q) / (1 + mm), entry + m / q


pos = [dict(side=s, q=prices(s, n, e, l, mm)[0], pliq=prices(s, n, e, l, mm)[1],
            pbk=prices(s, n, e, l, mm)[2], entry=e) for (s, n, e, l, mm) in BOOK]

# Before the step's own impact: start 100, bridge minimum of a zero-volatility diffusion =
# 100 (no move), end after the gap.
start, d_low, d_high, end = SPOT, SPOT, SPOT, SPOT * (1 + GAP)


def impact(flow):  # linear, permanent: Delta m = -eta * 0.01 * |F| / D for net selling
    return ETA * 0.01 * flow / DEPTH


done = [False] * len(pos)
flow, dm, rounds = 0.0, 0.0, 0
while True:
    low = min(d_low * math.exp(min(dm, 0.0)), end * math.exp(dm))
    high = max(d_high * math.exp(max(dm, 0.0)), end * math.exp(dm))
    new = False
    for i, p in enumerate(pos):
        if done[i]:
            continue
        if (p["side"] == "long" and p["pliq"] >= low) or (p["side"] == "short" and p["pliq"] <= high):
            done[i] = new = True
            flow += (-1 if p["side"] == "long" else 1) * p["q"] * p["pliq"]
    if not new:
        break
    rounds += 1
    dm = impact(flow)

f = math.exp(dm)
fees = bad = 0.0
bankrupt_q = bankrupt_value = 0.0
notional = 0.0
for i, p in enumerate(pos):
    if not done[i]:
        continue
    long_ = p["side"] == "long"
    # P: start when past at the start; P_liq when the diffusion or only impact reached it;
    # the post-gap end when only the gap did.
    if (long_ and p["pliq"] >= start) or (not long_ and p["pliq"] <= start):
        base = start
    elif long_ and p["pliq"] < d_low and p["pliq"] >= end:
        base = end
    else:
        base = p["pliq"]
    px = base * f
    left = p["q"] * (px - p["pbk"]) if long_ else p["q"] * (p["pbk"] - px)
    n = p["q"] * p["pliq"]
    notional += n
    fees += min(FEE * n, max(left, 0.0))
    b = max(-left, 0.0)
    bad += b
    if b > 0:
        bankrupt_q += p["q"]
        bankrupt_value += p["q"] * p["pbk"]

fund = FUND + fees
covered = min(fund, bad)
fund -= covered
deficit = bad - covered
# ADL pro rata: a fraction u of the bankrupt longs' coins, closed against shorts in profit
# at the step's end mark price.
u = deficit / bad
coins, value = u * bankrupt_q, u * bankrupt_value
mark = end * f
pool = sum(p["q"] for i, p in enumerate(pos)
           if not done[i] and p["side"] == "short" and p["entry"] > mark)
matched = min(coins, pool)
closed = value * matched / coins

print(f"rounds {rounds}")
print(f"impact dm {dm:.12f}")
print(f"liquidated long notional {notional:.6f}")
print(f"fees {fees:.6f}")
print(f"bad debt {bad:.6f}")
print(f"fund {fund:.6f}")
print(f"adl deficit {deficit:.6f}")
print(f"adl closed {closed:.6f}")
print(f"log return {math.log(end * f / SPOT):.12f}")
print(f"short in profit coins {pool:.6f}, keeps {1 - matched / pool:.6f}")
