// liqstress — MPI ranks (Open MPI), or one rank of one. The binary runs under mpirun or
// `srun --mpi=pmix` as R ranks and without a launcher as a single process: MPI is initialised
// only when a launcher started the process (its environment says so), so a plain run never
// touches MPI. Built without MPI (LIQ_MPI=OFF or no MPI found), every call answers "one rank".
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace liq::mpi {

/// Initialises MPI (MPI_THREAD_FUNNELED: only the main thread talks MPI; OpenMP threads
/// compute) when a launcher started this process; finalizes on destruction.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

bool built();                   // compiled with MPI
bool active();                  // initialised, and more than one rank
int rank();                     // 0 without MPI
int size();                     // 1 without MPI
int local_rank();               // rank among the ranks on this node
int local_size();               // ranks on this node
std::string library_version();  // e.g. "Open MPI v4.1.4", "" without MPI

/// Ends every rank with `code` (MPI_Abort) when active; otherwise returns.
void abort(int code);

/// Every rank calls this with its outcome (code 0 = fine). Returns the same code on every
/// rank: 0 when all succeeded, else the code of the lowest failing rank, whose message rank
/// 0 prints once (prefixed "error: " and, when it is not rank 0's own, "[rank r] ").
int agree(int code, const std::string& message, std::ostream& err);

/// Message tags of a distributed run.
enum Tag : int { rows_tag = 1, totals_tag = 3 };

void send(int dest, int tag, const std::string& bytes);
std::string receive(int source, int tag);
void broadcast(std::uint64_t& value);  // from rank 0
void max_over_ranks(double& value);    // every rank gets the largest value
void barrier();

}  // namespace liq::mpi
