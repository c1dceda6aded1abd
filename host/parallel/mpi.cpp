// liqstress — MPI ranks (see mpi.h).
#include "host/parallel/mpi.h"

#include <cstdlib>
#include <ostream>
#include <stdexcept>

#ifdef LIQ_HAVE_MPI
#include <mpi.h>
#endif

namespace liq::mpi {

namespace {

bool g_initialised = false;
int g_rank = 0, g_size = 1, g_local_rank = 0, g_local_size = 1;

#ifdef LIQ_HAVE_MPI
/// A launcher (mpirun/mpiexec, srun with PMI/PMIx) started this process.
bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}
#endif

}  // namespace

Session::Session(int& argc, char**& argv) {
#ifdef LIQ_HAVE_MPI
  if (!launched_by_mpi()) return;
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  g_initialised = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &g_local_rank);
  MPI_Comm_size(node, &g_local_size);
  MPI_Comm_free(&node);
  // Errors in MPI calls come back as codes: liqstress reports them and aborts the job.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
#else
  (void)argc;
  (void)argv;
#endif
}

Session::~Session() {
#ifdef LIQ_HAVE_MPI
  if (g_initialised) MPI_Finalize();
#endif
}

bool built() {
#ifdef LIQ_HAVE_MPI
  return true;
#else
  return false;
#endif
}

bool active() {
  return g_initialised && g_size > 1;
}
int rank() {
  return g_rank;
}
int size() {
  return g_size;
}
int local_rank() {
  return g_local_rank;
}
int local_size() {
  return g_local_size;
}

std::string library_version() {
#ifdef LIQ_HAVE_MPI
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(text, &len);
  std::string v(text, static_cast<std::size_t>(len));
  const std::size_t comma = v.find(',');
  return comma == std::string::npos ? v : v.substr(0, comma);
#else
  return "";
#endif
}

void abort(int code) {
#ifdef LIQ_HAVE_MPI
  if (g_initialised) MPI_Abort(MPI_COMM_WORLD, code);
#else
  (void)code;
#endif
}

int agree(int code, const std::string& message, std::ostream& err) {
#ifdef LIQ_HAVE_MPI
  if (!active()) {
    if (code != 0) err << "error: " << message << '\n';
    return code;
  }
  // The lowest failing rank speaks for all.
  int mine = code != 0 ? g_rank : g_size, first = g_size;
  check(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "agreeing on errors");
  if (first == g_size) return 0;
  int agreed = code;
  check(MPI_Bcast(&agreed, 1, MPI_INT, first, MPI_COMM_WORLD), "agreeing on errors");
  if (first == 0) {
    if (g_rank == 0) err << "error: " << message << '\n';
  } else if (g_rank == first) {
    send(0, 99, message);
  } else if (g_rank == 0) {
    err << "error: [rank " << first << "] " << receive(first, 99) << '\n';
  }
  return agreed;
#else
  if (code != 0) err << "error: " << message << '\n';
  return code;
#endif
}

void send(int dest, int tag, const std::string& bytes) {
#ifdef LIQ_HAVE_MPI
  check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD),
        "sending");
#else
  (void)dest, (void)tag, (void)bytes;
  throw std::logic_error("MPI send without MPI");
#endif
}

std::string receive(int source, int tag) {
#ifdef LIQ_HAVE_MPI
  MPI_Status status;
  check(MPI_Probe(source, tag, MPI_COMM_WORLD, &status), "waiting for a message");
  int count = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &count), "sizing a message");
  std::string bytes(static_cast<std::size_t>(count), '\0');
  check(MPI_Recv(bytes.data(), count, MPI_BYTE, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "receiving");
  return bytes;
#else
  (void)source, (void)tag;
  throw std::logic_error("MPI receive without MPI");
#endif
}

void broadcast(std::uint64_t& value) {
#ifdef LIQ_HAVE_MPI
  if (active()) check(MPI_Bcast(&value, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "broadcasting");
#else
  (void)value;
#endif
}

void max_over_ranks(double& value) {
#ifdef LIQ_HAVE_MPI
  if (active()) {
    double in = value;
    check(MPI_Allreduce(&in, &value, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD),
          "agreeing on a maximum");
  }
#else
  (void)value;
#endif
}

void barrier() {
#ifdef LIQ_HAVE_MPI
  if (active()) check(MPI_Barrier(MPI_COMM_WORLD), "waiting at a barrier");
#endif
}

}  // namespace liq::mpi
