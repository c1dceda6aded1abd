#!/usr/bin/env python3
"""The SIMD lane drawers (host/backend/lanes_{sse2,avx2,avx512}.cpp) are compiled for wider
instruction sets than the rest of the build. Each must define its two lane functions and nothing
else (global symbols):
a kernel function left out of line there (an inline function emitted as a weak symbol) could be
picked by the linker for every other caller, and an AVX-512 copy would then run on a processor
without AVX-512. The drawers are flattened to prevent that; this checks it with nm.

    check_lane_symbols.py OBJECT...    (the backend room's objects; others are ignored)
"""
import os
import re
import subprocess
import sys


def main(objects):
    objects = [p for arg in objects for p in arg.split(";")]  # CMake may pass one list
    lanes = [o for o in objects if re.search(r"lanes_(sse2|avx2|avx512)\.cpp\.o$", o)]
    if len(lanes) != 3:
        print(f"expected the three lane drawers' objects, got {lanes}")
        return 1
    bad = 0
    for obj in lanes:
        level = re.search(r"lanes_(\w+)\.cpp\.o$", obj).group(1)
        out = subprocess.run(["nm", "-C", "--defined-only", obj], capture_output=True, text=True,
                             check=True).stdout
        # Global or weak definitions: upper-case types, and weak ones (W, V, u).
        defined = [line.split(" ", 2)[2] for line in out.splitlines()
                   if len(line.split(" ", 2)) == 3 and (line.split(" ")[1].isupper()
                                                        or line.split(" ")[1] in "uvw")]
        defined = [d for d in defined if not d.startswith(("__asan", "__ubsan", "__odr_asan",
                                                            "__sancov"))]
        want = (f"liq::draw_lanes_{level}(", f"liq::simulate_lanes_{level}(")
        others = [d for d in defined if not d.startswith(want)]
        if len(defined) - len(others) != 2 or others:
            print(f"{os.path.basename(obj)}: defines {defined}; only {want} may be defined")
            bad += 1
    if bad == 0:
        print("the three lane objects define their two lane functions and nothing else")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
