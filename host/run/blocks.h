// liqstress — a run's blocks, simulated. The schedule (host/run/schedule.h) gives the blocks
// in path order; the owner of each simulates it on the backend (or, resuming, replays it from
// its checkpoint) and hands it to its sinks (host/run/sinks.h): its checkpoint log, then the
// transport to rank 0, or on rank 0 the results, the stopping rule and progress. After each
// increment rank 0's stopping rule sets the next goal or ends the run; a signal stops it
// before the next block.
#pragma once

#include <cstdint>
#include <ostream>

#include "host/model/step_sums.h"
#include "host/run/plan.h"
#include "host/run/sinks.h"

namespace liq {

/// What the block loop leaves.
struct SimulatedBlocks {
  int exit_code = 0;        // 130 or 143 when a signal stopped the run (nothing committed)
  std::uint64_t paths = 0;  // the run's size: the results file's rows
  StepSums sums;            // the exact per-step sums: on rank 0 those of every rank
};

/// Runs the plan's blocks into the sinks. A resumed run first takes its checkpoint's sums
/// and saved blocks: one process replays them at once, ranks replay theirs in their turn.
/// Across ranks, a signal ends the whole job (MPI_Abort) once rank 0's temporary file is
/// gone, and every rank sends its sums to rank 0 after its last block.
SimulatedBlocks simulate_blocks(RunPlan& plan, RunSinks& sinks, std::ostream& err);

}  // namespace liq
