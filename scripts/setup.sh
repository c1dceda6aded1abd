#!/usr/bin/env bash
# liqstress — installs the Debian packages the build and the tests need. Idempotent: installs
# only what is missing, and says what it does. Nothing is downloaded from anywhere but the
# Debian archive. The CUDA toolkit (nvcc) is expected to be installed already; without it
# the build skips the CUDA backend.
set -euo pipefail

packages=(
  cmake g++ make pkg-config git
  libhdf5-dev hdf5-tools      # results files (HDF5 C API) and h5dump for inspection
  libcli11-dev                # command line
  libtomlplusplus-dev         # scenario files
  libgtest-dev                # tests
  librandom123-dev            # reference Philox for known-answer tests
  python3 python3-h5py python3-numpy   # end-to-end tests read results back with h5py
  python3-matplotlib          # scripts/report.py (figures), tested end to end
  python3-pandas python3-xarray   # optional for python/liqstress: its pandas/xarray conversions, tested
  python3-pip python3-setuptools python3-wheel   # tests/python: pip install ./python, offline
  libopenmpi-dev openmpi-bin  # one run across MPI ranks (mpirun)
  slurmctld slurmd slurm-client munge libpmix2 libpmix-dev   # tests/slurm: a real one-node Slurm
  iproute2 util-linux         # the Slurm test's namespace and second loopback address
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} Debian packages already installed"
else
  echo "setup: installing ${#missing[@]} missing Debian package(s): ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "setup: done"
fi

if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; then
  echo "setup: CUDA toolkit found ($( (command -v nvcc || echo /usr/local/cuda/bin/nvcc) )): the CUDA backend will be built"
else
  echo "setup: no CUDA toolkit (nvcc) found: the CUDA backend will not be built"
fi
