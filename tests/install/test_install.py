"""`cmake --install` into a temporary prefix, then the installed copy on its own: the files
are where README.md ("Layout", "Install") says, the shipped configs and docs equal the
sources, the installed binary runs from an empty folder (`info`; `run` without CONFIG on the
compiled-in scenario and tier table; `run` of installed configs), and the installed Python
reader reads its results (in place with PYTHONPATH, and `pip install`ed offline from the
installed archive, skipped without pip, setuptools and wheel).

    LIQ_CMAKE=cmake LIQ_BUILD_DIR=build/cpu LIQ_SOURCE_DIR=. python3 tests/install/test_install.py
"""
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py

CMAKE = os.environ.get("LIQ_CMAKE", "cmake")
BUILD_DIR = os.environ.get("LIQ_BUILD_DIR", "build/release")
SOURCE_DIR = os.environ.get("LIQ_SOURCE_DIR", os.getcwd())
VERSION = os.environ.get("LIQ_VERSION", "0.1.0")
TIERS = "binance-usdt-perp-2024-10"


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def have(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def tree(root):
    """Every file under root, as paths relative to it (no caches)."""
    found = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="liqstress-install-")
        cls.prefix = os.path.join(cls._tmp.name, "prefix")
        proc = subprocess.run([CMAKE, "--install", BUILD_DIR, "--prefix", cls.prefix],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise AssertionError(f"cmake --install failed:\n{proc.stdout}\n{proc.stderr}")
        cls.binary = os.path.join(cls.prefix, "bin", "liqstress")
        cls.share = os.path.join(cls.prefix, "share", "liqstress")
        cls.doc = os.path.join(cls.prefix, "share", "doc", "liqstress")

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def setUp(self):
        # An empty folder of its own for every test: nothing of the repository around.
        self._cwd = tempfile.TemporaryDirectory(prefix="liqstress-installed-cwd-")
        self.cwd = self._cwd.name

    def tearDown(self):
        self._cwd.cleanup()

    def liq(self, *args, check=0):
        proc = subprocess.run([self.binary, *args], cwd=self.cwd, capture_output=True, text=True,
                              timeout=300)
        self.assertEqual(proc.returncode, check, f"liqstress {' '.join(args)}\n"
                         f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    # ------------------------------------------------------------------ files

    def test_files_are_where_the_readme_says(self):
        self.assertTrue(os.access(self.binary, os.X_OK), self.binary)
        # configs/ whole: default.toml, the tier table, README.md, events/ (six and README).
        configs = os.path.join(SOURCE_DIR, "configs")
        shipped = tree(configs)
        self.assertLessEqual({"default.toml", f"{TIERS}.toml", "README.md", "events/README.md"},
                             shipped)
        self.assertGreaterEqual(len(glob.glob(os.path.join(configs, "events", "*.toml"))), 6)
        self.assertEqual(tree(os.path.join(self.share, "configs")), shipped)
        for rel in shipped:
            self.assertEqual(sha(os.path.join(self.share, "configs", rel)),
                             sha(os.path.join(configs, rel)), rel)
        # Docs: README.md, the results schema, docs/.
        docs = {"README.md": "README.md", "results/README.md": "results/README.md"}
        docs.update({f"docs/{rel}": f"docs/{rel}"
                     for rel in tree(os.path.join(SOURCE_DIR, "docs"))})
        self.assertEqual(tree(self.doc), set(docs))
        for installed, source in docs.items():
            self.assertEqual(sha(os.path.join(self.doc, installed)),
                             sha(os.path.join(SOURCE_DIR, source)), installed)
        # The Python reader: the package (in place) and the archive pip installs.
        package = os.path.join(SOURCE_DIR, "python", "liqstress")
        python = os.path.join(self.share, "python")
        self.assertEqual(tree(python),
                         {f"liqstress/{rel}" for rel in tree(package)} |
                         {f"liqstress-{VERSION}.tar.gz"})
        for rel in tree(package):
            self.assertEqual(sha(os.path.join(python, "liqstress", rel)),
                             sha(os.path.join(package, rel)), rel)
        # Nothing else: no libraries, headers or test programs.
        self.assertEqual(sorted(os.listdir(self.prefix)), ["bin", "share"])
        self.assertEqual(os.listdir(os.path.join(self.prefix, "bin")), ["liqstress"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.prefix, "share"))),
                         ["doc", "liqstress"])

    # ------------------------------------------------------------------ the binary

    def test_info_runs_from_an_empty_folder(self):
        proc = self.liq("info")
        self.assertIn(f"liqstress {VERSION}", proc.stdout)
        self.assertIn("backends built:", proc.stdout)

    def test_run_without_config_uses_the_compiled_in_scenario_and_tiers(self):
        proc = self.liq("run", "--paths", "50")
        self.assertIn("created folder 'results'", proc.stderr)
        out = os.path.join(self.cwd, "results", "default.h5")
        with h5py.File(out, "r") as f:
            self.assertEqual(int(f.attrs["paths"]), 50)
            self.assertEqual(int(f.attrs["steps"]), 1440)
            inputs = json.loads(f.attrs["inputs"])
        # Hashes of the texts compiled in, which are the sources' at build time.
        self.assertEqual(inputs, {
            "builtin:default.toml": sha(os.path.join(SOURCE_DIR, "configs", "default.toml")),
            f"builtin:{TIERS}": sha(os.path.join(SOURCE_DIR, "configs", f"{TIERS}.toml"))})

    def test_run_of_installed_configs(self):
        configs = os.path.join(self.share, "configs")
        # default.toml finds the tier table installed beside it.
        cfg = os.path.join(configs, "default.toml")
        self.liq("run", cfg, "--paths", "50", "-o", "default.h5", "--quiet")
        with h5py.File(os.path.join(self.cwd, "default.h5"), "r") as f:
            self.assertEqual(int(f.attrs["paths"]), 50)
            self.assertEqual(json.loads(f.attrs["inputs"]), {
                cfg: sha(cfg), os.path.join(configs, f"{TIERS}.toml"):
                    sha(os.path.join(configs, f"{TIERS}.toml"))})
        # An event: no table beside it, so the compiled-in one.
        event = os.path.join(configs, "events", "2025-10-10-crash.toml")
        self.liq("run", event, "--paths", "50", "-o", "event.h5", "--quiet")
        with h5py.File(os.path.join(self.cwd, "event.h5"), "r") as f:
            self.assertEqual(int(f.attrs["paths"]), 50)
            inputs = json.loads(f.attrs["inputs"])
        self.assertEqual(set(inputs), {event, f"builtin:{TIERS}"})
        # Every shipped scenario is valid where it is installed. Their output.path is
        # results/NAME.h5 under the current folder, which a scenario file does not create.
        events = sorted(glob.glob(os.path.join(configs, "events", "*.toml")))
        proc = self.liq("validate", *events, check=2)
        self.assertIn("folder 'results' does not exist", proc.stderr)
        os.mkdir(os.path.join(self.cwd, "results"))
        self.liq("validate", cfg, *events)

    # ------------------------------------------------------------------ the Python reader

    def results_file(self):
        out = os.path.join(self.cwd, "r.h5")
        self.liq("run", "--paths", "50", "-o", out, "--quiet")
        return out

    def read_with(self, env, out):
        script = ("import liqstress; r = liqstress.load(%r); print(liqstress.__file__); "
                  "print(r.n_paths)" % out)
        proc = subprocess.run([sys.executable, "-c", script], cwd=self.cwd, env=env,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        where, n = proc.stdout.split()
        self.assertEqual(int(n), 50)
        return where

    def test_python_reader_in_place(self):
        out = self.results_file()
        python = os.path.join(self.share, "python")
        env = dict(os.environ, PYTHONPATH=python)
        where = self.read_with(env, out)
        self.assertEqual(where, os.path.join(python, "liqstress", "__init__.py"))

    def test_python_reader_pip_installed_from_the_archive(self):
        pip = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True)
        if pip.returncode != 0:
            self.skipTest(f"no pip for {sys.executable} (Debian: python3-pip)")
        if not (have("setuptools") and have("wheel")):
            self.skipTest("no setuptools or wheel to build without network "
                          "(Debian: python3-setuptools python3-wheel)")
        archive = os.path.join(self.share, "python", f"liqstress-{VERSION}.tar.gz")
        target = os.path.join(self.cwd, "site")
        before = tree(self.prefix)
        # Offline: the installed setuptools, no index; --no-deps: Debian's h5py and numpy.
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps",
                               "--no-build-isolation", "--no-index", "--disable-pip-version-check",
                               "--no-cache-dir", "--target", target, archive],
                              cwd=self.cwd, capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(tree(self.prefix), before, "pip wrote into the installed copy")
        self.assertTrue(os.path.isfile(os.path.join(target, "liqstress", "py.typed")))
        out = self.results_file()
        where = self.read_with(dict(os.environ, PYTHONPATH=target), out)
        self.assertEqual(where, os.path.join(target, "liqstress", "__init__.py"))


if __name__ == "__main__":
    unittest.main()
