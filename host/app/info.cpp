// liqstress — `liqstress info`: version, backends built, devices seen.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "host/app/commands.h"
#include "host/backend/backend.h"
#include "host/io/results_file.h"
#include "host/parallel/mpi.h"
#include "host/util/format.h"
#include "host/util/system.h"
#include "host/util/version.h"

#ifndef LIQ_CUDA_ARCHITECTURES
#define LIQ_CUDA_ARCHITECTURES ""
#endif

namespace liq {

int info_command(std::ostream& out) {
  out << "liqstress " << liqstress_version() << " (git " << git_commit() << ")\n";
  out << "results format: liqstress-results version " << kFormatVersion << ", rng philox4x32-10\n";
  out << "backends built:\n";
  out << "  cpu   OpenMP, " << omp_get_max_threads() << " threads available on " << cpu_model_name()
      << "; SIMD lanes of " << kLanes << " paths: " << simd_level_name(best_simd_level())
      << " (--simd)\n";
  if (cuda_built()) {
    out << "  cuda  CUDA architectures " << LIQ_CUDA_ARCHITECTURES
        << " (real = machine code, virtual = PTX)\n";
  } else {
    out << "  cuda  not built (nvcc was not found at configure time)\n";
  }
  if (mpi::built()) {
    out << "MPI: built";
    if (mpi::active())
      out << " (" << mpi::library_version() << "), this job has " << mpi::size() << " ranks";
    else
      out << ": run across ranks with mpirun -np R liqstress run ... (the same bytes as one "
             "process)";
    out << '\n';
  } else {
    out << "MPI: not built (no MPI found at configure time; Debian: libopenmpi-dev)\n";
  }
  std::string why;
  const std::vector<CudaDeviceInfo> devices = cuda_devices(why);
  if (devices.empty()) {
    out << "CUDA devices: none usable (" << why << ")\n";
  } else {
    out << "CUDA devices:\n";
    for (const CudaDeviceInfo& d : devices) {
      out << "  " << d.index << ": " << d.name << ", compute capability " << d.compute_major << '.'
          << d.compute_minor << ", " << format_si(static_cast<double>(d.memory_bytes), 3)
          << "B memory\n";
    }
  }
  return 0;
}

}  // namespace liq
