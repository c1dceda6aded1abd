#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz corpora (tests/fuzz/corpus/<target>/seed-*), from the
shipped configs and small hand-made inputs; with --liqstress BIN also small results files
made by that binary (tests/fuzz/data/results-*.h5, which the results harness damages).
Findings of fuzzing are kept beside the seeds as regress-* files
and are never rewritten by this script.

    python3 tests/fuzz/make_seeds.py [--liqstress build/cpu/liqstress]
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
import liqtest  # noqa: E402  (the small scenario of the end-to-end tests)


def put(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(CORPUS, target, "seed-" + name), "wb") as f:
        f.write(data)


def read(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


def scenario_seeds():
    put("scenario", "default.toml", read("configs/default.toml"))
    events = os.path.join(ROOT, "configs", "events")
    for name in sorted(os.listdir(events)):
        if name.endswith(".toml"):
            put("scenario", "event-" + name, read(os.path.join("configs", "events", name)))
    small = liqtest.small_config(paths=100)
    put("scenario", "small.toml", small)
    sets = ["simulation.paths=2e6", "impact.model=sqrt", "asset.BTC.vol=0.9",
            'simulation.horizon="2h"']
    put("scenario", "small-with-sets.toml", small + "\0" + "\0".join(sets))
    put("scenario", "tiers-rows.toml", small.replace('source = "synthetic"', 'source = "synthetic"\n'
        '[[book.tier]]\nmin_notional_usd = 0.0\nmax_notional_usd = 1e6\n'
        'maintenance_margin_rate = 0.01\nmax_leverage = 50.0\n'))


TIER_KEYS = ["asset", "min_notional_usd", "max_notional_usd", "maintenance_margin_rate",
             "max_leverage", "maintenance_amount_usd"]
TIER_ROWS = [("BTC", 0, 50000, 0.004, 125, 0), ("BTC", 50000, 600000, 0.005, 100, 50),
             ("ETH", 0, 50000, 0.005, 100, 0), ("ETH", 50000, 1e6, 0.0065, 75, 75),
             ("", 0, 1e7, 0.01, 50, 0)]


def tier_seeds():
    toml = 'name = "seed"\nsource = "hand-made"\n'
    for r in TIER_ROWS:
        toml += "[[tier]]\n" + "".join(
            f"{k} = {v!r}\n".replace("'", '"') if k == "asset" else f"{k} = {float(v)}\n"
            for k, v in zip(TIER_KEYS, r) if not (k == "asset" and v == ""))
    put("tiers", "small.toml", b"\0" + toml.encode())
    csv = ",".join(TIER_KEYS) + "\n" + "".join(",".join(str(v) for v in r) + "\n"
                                               for r in TIER_ROWS)
    put("tiers", "small.csv", b"\1" + csv.encode())
    shipped = read("configs/binance-usdt-perp-2024-10.toml").decode()
    head = shipped[:shipped.index("# ETH")] if "# ETH" in shipped else shipped[:6000]
    put("tiers", "binance-btc.toml", b"\0" + head.encode())


def book_seeds():
    put("book_csv", "every-column.csv",
        "# positions of a test book\n\n"
        "side, asset ,notional_usd,entry_price,leverage,margin_usd,maintenance_rate,account\n"
        "long,BTC,5000,100000,20,,,alice      # BTC bracket 1\n"
        "SHORT,BTC,100000,95000,10,,,bob     # BTC bracket 2\n"
        "   # an indented comment line\n"
        "long,ETH,2500,2500,5,600,,alice\n"
        "Short,ETH,1000,2400,200,,0.001,\r\n")
    put("book_csv", "required.csv",
        "asset,side,notional_usd,entry_price,leverage\n"
        "BTC,long,1e6,98000,50\nETH,short,2e5,2600,3\n")


def record(kind, payload):
    head = kind + struct.pack("<Q", len(payload))
    return head + payload + struct.pack("<I", zlib.crc32(head + payload))


def rows_payload(first, n, a, p):
    cells = [(8, a)] * 3 + [(8, 1), (8, 2 * a), (4, 2 * a)] + [(8, 1)] * 4 + [(8, p), (1, p), (2, 1)]
    out = struct.pack("<QQII", first, n, a, p)
    for size, c in cells:
        out += bytes((first + i) % 251 for i in range(size * c * n))
    return out


def mark_payload(done, goal, cells):
    return struct.pack("<QQI", done, goal, cells) + b"".join(
        struct.pack("<Q", done * 7 + i) for i in range(4 * cells))


def checkpoint_seeds():
    header = ("config_path=/tmp/s.toml\nset=simulation.paths=8\nresolved_config=[simulation]\\n"
              "paths = 8\noutput=/tmp/out.h5\nfirst_path=0\npaths=8\ntarget_rel_ci=0.05\n"
              "force=0\nranks=1\nblock=4\ninput=" + "ab" * 32 + " /tmp/s.toml\n"
              "book_sha256=" + "cd" * 32 + "\nliqstress_version=0.1.0\ngit_commit=abc\n")
    log = b"LIQCKPT1" + record(b"H", header.encode())
    one = log + record(b"R", rows_payload(0, 2, 2, 1)) + record(b"M", mark_payload(2, 8, 3))
    put("checkpoint", "one-mark.ckpt", one)
    two = one + record(b"R", rows_payload(2, 3, 2, 1)) + record(b"M", mark_payload(5, 8, 3))
    put("checkpoint", "two-marks.ckpt", two + record(b"R", rows_payload(5, 1, 2, 1))[:-3])
    put("checkpoint", "header-only.ckpt", log)


def results_seeds(binary):
    with tempfile.TemporaryDirectory() as tmp:
        cfgs = {
            "small": liqtest.small_config(paths=6),
            "portfolio": liqtest.small_config(paths=5, extra=(
                "\n[[portfolio]]\nname = \"desk\"\ncollateral = 2.0e6\npositions = [{ asset = "
                "\"BTC\", side = \"long\", notional = 1.5e7, entry = 99000.0 }]\n")),
        }
        for name, text in cfgs.items():
            cfg = os.path.join(tmp, name + ".toml")
            with open(cfg, "w") as f:
                f.write(text.replace('horizon = "1h"', 'horizon = "10m"').replace('"30m"', '"5m"')
                        .replace('duration = "15m"', 'duration = "2m"'))
            out = os.path.join(tmp, name + ".h5")
            proc = subprocess.run([binary, "run", cfg, "-o", out, "--quiet", "--threads", "1"],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{name}: liqstress exited {proc.returncode}: {proc.stderr}", file=sys.stderr)
                continue
            os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
            os.replace(out, os.path.join(HERE, "data", "results-" + name + ".h5"))
    # The results harness's inputs are programs of damage to those files (fuzz_results.cpp):
    # the first byte picks the file; alone, it reads the file intact.
    put("results", "small-intact", b"\0")
    put("results", "portfolio-intact", b"\1")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--liqstress", help="binary that writes the results-file seeds")
    args = ap.parse_args()
    scenario_seeds()
    tier_seeds()
    book_seeds()
    checkpoint_seeds()
    if args.liqstress:
        results_seeds(args.liqstress)


if __name__ == "__main__":
    main()
