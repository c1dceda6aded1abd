#!/usr/bin/env python3
"""What can be checked of the CUDA kernels without a device (issue 13): no kernel spills, and
none uses more registers or a larger stack frame than the README's table says (README, "CUDA
backend": the figures of scripts/ptxas_report.sh). A change that makes a kernel spill or grow
fails here; one that shrinks it passes (update the table).

    check_ptxas.py SOURCE_DIR NVCC
"""
import os
import re
import subprocess
import sys


def readme_figures(root):
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    rows = re.findall(r"^\| `(\w+_kernel)` \| (\d+) \| ([\d,]+) B \| (\d+) \|$", text, re.M)
    return {name: (int(regs), int(stack.replace(",", "")), int(spills))
            for name, regs, stack, spills in rows}


def ptxas_figures(root, nvcc):
    out = subprocess.run([os.path.join(root, "scripts", "ptxas_report.sh"), "sm_90"],
                         capture_output=True, text=True, env={**os.environ, "NVCC": nvcc},
                         timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"ptxas_report.sh failed:\n{out.stdout}\n{out.stderr}")
    got = {}
    for line in out.stdout.splitlines():
        m = re.match(r"(\w+_kernel)\s+(\d+) registers\s+(\d+) B stack\s+(\d+) B spill stores\s+"
                     r"(\d+) B spill loads", line)
        if m:
            got[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4)) + int(m.group(5)))
    return got


def main(root, nvcc):
    want, got = readme_figures(root), ptxas_figures(root, nvcc)
    if not want or sorted(want) != sorted(got):
        print(f"kernels in the README's table {sorted(want)} and in ptxas's report {sorted(got)} "
              "differ")
        return 1
    bad = 0
    for name, (regs, stack, spills) in sorted(got.items()):
        w_regs, w_stack, _ = want[name]
        print(f"{name}: {regs} registers (README {w_regs}), {stack} B stack (README {w_stack}), "
              f"{spills} B spilled")
        if spills > 0 or regs > w_regs or stack > w_stack:
            print(f"  {name} spills or uses more than the README's table says")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
