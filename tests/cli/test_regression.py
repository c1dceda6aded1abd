"""Regression (STYLE.md habit 8): the binary's summaries of a few fixed runs against summaries stored
in tests/regression/, so that a change of results is seen and then either fixed or accepted
on purpose. Update mode: LIQ_UPDATE_REGRESSION=1 rewrites the stored files from this build
(review the diff before committing it). Tolerance: 1e-9 relative (plus 1e-6 USD absolute) per
number — the runs are deterministic, so on the same platform they agree to the last bit; the
tolerance only absorbs last-bit differences of libm's exp/log between platforms. Cases: the
default scenario (no impact), the 10 Oct 2025 event (cascades with thinning liquidity, cross
impact) and the Jan 2023 squeeze (shorts). Liquidations are discrete and cascades amplify: a
last-bit difference of exp/log (glibc picks its code by CPU features) can move a position across
its liquidation price, so the stored files name the platform they were made on (machine, glibc,
FMA/AVX2) and the comparison is skipped, with the reason, on another."""
import json
import math
import os
import platform
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from liqtest import CliTestCase  # noqa: E402

ROOT = os.environ.get("LIQ_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
STORED = os.path.join(ROOT, "tests", "regression")
UPDATE = os.environ.get("LIQ_UPDATE_REGRESSION") == "1"
CASES = {
    "default": ("configs/default.toml", ["--paths", "400"]),
    "2025-10-10-crash": ("configs/events/2025-10-10-crash.toml", ["--paths", "200"]),
    "2023-01-short-squeeze": ("configs/events/2023-01-short-squeeze.toml", ["--paths", "200"]),
}
REL, ABS = 1e-9, 1e-6


def this_platform():
    flags = set()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    return {"machine": platform.machine(), "libc": " ".join(platform.libc_ver()),
            "fma": "fma" in flags, "avx2": "avx2" in flags}


def numbers(value, path=""):
    """Every number in a JSON value, with its path."""
    if isinstance(value, dict):
        for k in sorted(value):
            yield from numbers(value[k], f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from numbers(v, f"{path}[{i}]")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, float(value)
    elif value is None:
        yield path, None


class Regression(CliTestCase):
    def summary(self, config, args):
        out = os.path.join(self.tmp, "r.h5")
        js = os.path.join(self.tmp, "r.json")
        self.run_liq("run", os.path.join(ROOT, config), "-o", out, "--summary-json", js,
                     "--backend", "cpu", "--quiet", "--force", *args, check=0)
        with open(js) as fh:
            j = json.load(fh)
        return {"metrics": j["metrics"], "cascade": j["cascade"], "paths": j["paths"],
                "platform": this_platform()}

    def test_summaries_match_the_stored_ones(self):
        for name, (config, args) in CASES.items():
            with self.subTest(case=name):
                now = self.summary(config, args)
                stored_path = os.path.join(STORED, name + ".json")
                if UPDATE:
                    with open(stored_path, "w") as fh:
                        json.dump(now, fh, indent=1, sort_keys=True)
                        fh.write("\n")
                    continue
                self.assertTrue(os.path.exists(stored_path),
                                f"{stored_path} missing: run with LIQ_UPDATE_REGRESSION=1")
                with open(stored_path) as fh:
                    stored = json.load(fh)
                if stored.get("platform") != now["platform"]:
                    self.skipTest(f"stored on {stored.get('platform')}, this is "
                                  f"{now['platform']}: last-bit differences of libm may move "
                                  "liquidations; regenerate here with LIQ_UPDATE_REGRESSION=1")
                stored.pop("platform")
                now.pop("platform")
                a, b = dict(numbers(stored)), dict(numbers(now))
                self.assertEqual(sorted(a), sorted(b), "the summary's layout changed")
                bad = []
                for key, want in a.items():
                    got = b[key]
                    if want is None or got is None:
                        if want is not got:
                            bad.append((key, want, got))
                    elif not math.isclose(got, want, rel_tol=REL, abs_tol=ABS):
                        bad.append((key, want, got))
                self.assertEqual(bad[:10], [], f"{name}: {len(bad)} numbers changed "
                                 "(stored, now); if intended, LIQ_UPDATE_REGRESSION=1")


if __name__ == "__main__":
    unittest.main()
