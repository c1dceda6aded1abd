"""README.md's "Two commands" names every Debian package of scripts/setup.sh's two sets, and
only those: the **run** bullet the run set, the **test** bullet what the test set adds. The
bullets are written by hand, since they say why each package is there; this keeps them
equal to the script (`scripts/setup.sh --list run|test`), which is what is installed.

    python3 tests/docs/check_setup_lists.py SOURCE_DIR
"""
import os
import re
import subprocess
import sys


def listed(source_dir, name):
    out = subprocess.run(["bash", os.path.join(source_dir, "scripts", "setup.sh"), "--list", name],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def bullet(readme, name):
    """The text of the README bullet that starts with **name**, up to the next bullet."""
    m = re.search(r"^- \*\*" + name + r"\*\* —(.*?)(?=^- |^\S|\Z)", readme, re.M | re.S)
    if not m:
        raise SystemExit(f"README.md: no '- **{name}** —' bullet under \"Two commands\"")
    return m.group(1)


def names_in(text, known):
    """Package names among the `...` spans of text (split on '/' and spaces)."""
    found = set()
    for span in re.findall(r"`([^`]+)`", text):
        found |= {t for t in re.split(r"[/\s]+", span) if t in known}
    return found


def main(source_dir):
    with open(os.path.join(source_dir, "README.md")) as f:
        readme = f.read()
    run, test = listed(source_dir, "run"), listed(source_dir, "test")
    known = run | test
    bad = []
    for name, want in (("run", run), ("test", test - run)):
        have = names_in(bullet(readme, name), known)
        if missing := sorted(want - have):
            bad.append(f"README.md, bullet **{name}**: not named: {' '.join(missing)}")
        if extra := sorted(have - want):
            bad.append(f"README.md, bullet **{name}**: named but not in the {name} set of "
                       f"scripts/setup.sh: {' '.join(extra)}")
    for line in bad:
        print(line)
    if not bad:
        print(f"README.md names the {len(run)} run and {len(test - run)} test packages of "
              "scripts/setup.sh")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
