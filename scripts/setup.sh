#!/usr/bin/env bash
# liqstress — installs the Debian 12 packages a command needs, and no more:
#
#   scripts/setup.sh run     what building and running the binary needs (scripts/run.sh)
#   scripts/setup.sh test    that, and what the tests need (scripts/test.sh, .ci/run)
#   scripts/setup.sh --list run|test    print the set's packages, one a line; install nothing
#
# Idempotent: installs only what is missing, and says what it installs. Nothing is
# downloaded from anywhere but the Debian archive. The CUDA toolkit (nvcc) is expected to be
# installed already; without it the build skips the CUDA backend.
set -euo pipefail

# Building and running: the compiler (its libgomp1 is OpenMP), CMake and make, git (the
# binary records the commit it was built from), and the libraries the binary is built on.
# No Open MPI: the build links it when it is installed (LIQ_MPI=AUTO) and otherwise makes a
# binary that runs as one process, which is all that running the default scenario needs.
# No Python: nothing in the build or the run uses it.
run_packages=(
  cmake make g++ libgomp1 git
  libhdf5-dev                 # results files (HDF5 C API)
  libcli11-dev                # command line
  libtomlplusplus-dev         # scenario files
  libfmt-dev                  # number formatting (host/util/format)
  nlohmann-json3-dev          # JSON outputs: --summary-json, compare/sweep --json, provenance
)

# The tests, on top of run's packages.
test_packages=(
  libgtest-dev                # GoogleTest: unit, statistical and gpu tests
  librandom123-dev            # reference Philox for the known-answer tests
  libasan8 libubsan1          # AddressSanitizer and UndefinedBehaviorSanitizer runtimes (asan preset)
  python3 python3-h5py python3-numpy   # end-to-end tests read results back with h5py; tests/layering
  python3-matplotlib          # scripts/report.py (figures), tested end to end
  python3-pandas python3-xarray   # optional for python/liqstress: its pandas/xarray conversions, tested
  python3-pip python3-setuptools python3-wheel   # tests/python and tests/install: offline pip installs of the reader
  libopenmpi-dev openmpi-bin pkg-config   # the binary under test links MPI; tests/cli/test_mpi runs mpirun (pkg-config: CMake's FindMPI fallback)
  slurmctld slurmd slurm-client munge libpmix2 libpmix-dev   # tests/slurm: a real one-node Slurm
  iproute2 util-linux         # the Slurm test's namespace and second loopback address
  hdf5-tools                  # h5dump, h5ls: to look into results files when a test fails
  clang-14 libclang-rt-14-dev libomp-14-dev   # scripts/fuzz.sh: libFuzzer harnesses (the fuzz preset; OpenMP for clang)
)

usage() {
  echo "usage: scripts/setup.sh [--list] run|test" >&2
  exit 2
}

list=0
if [ "${1:-}" = "--list" ]; then
  list=1
  shift
fi
[ $# -eq 1 ] || usage
case "$1" in
  run) packages=("${run_packages[@]}") ;;
  test) packages=("${run_packages[@]}" "${test_packages[@]}") ;;
  *) usage ;;
esac
set_name="$1"

if [ "$list" -eq 1 ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup ($set_name): all ${#packages[@]} Debian packages already installed"
else
  echo "setup ($set_name): installing ${#missing[@]} missing Debian package(s): ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "setup ($set_name): done"
fi

if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; then
  echo "setup: CUDA toolkit found ($( (command -v nvcc || echo /usr/local/cuda/bin/nvcc) )): the CUDA backend will be built"
else
  echo "setup: no CUDA toolkit (nvcc) found: the CUDA backend will not be built"
fi
