// liqstress — the plan of a run, resolved once before anything is simulated: the options (for
// --resume, those of the checkpoint's header, which replace every option that shapes the
// results), the scenario and its model (host/run/run_setup.h), the backend and its batch, the
// run's size and stopping rule, the checkpoint settings and the rank layout. Every check that
// can refuse a run before it starts is made here, in the order the user meets them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/io/checkpoint.h"
#include "host/run/run.h"
#include "host/run/run_setup.h"

namespace liq {

/// Which process this is in the run.
struct RankLayout {
  bool distributed = false;  // the run's blocks are dealt to MPI ranks
  int me = 0;                // this rank; rank 0 writes the results
  int ranks = 1;
  bool root() const { return me == 0; }
};

struct RunPlan {
  RankLayout layout;
  RunOptions
      options;  // as the run uses them: from the checkpoint when resuming; quiet on ranks > 0
  std::vector<std::string> sets;  // --set, and --seed as simulation.seed=S
  RunSetup setup;                 // scenario, results target, inputs, book and ladders
  Model model;                    // what the backend simulates (views into setup.model)
  std::unique_ptr<Backend> backend;
  std::string device;                   // the backend's hardware in words ("... on <CPU model>")
  std::uint64_t paths = 0;              // the run's size, or the stopping rule's increment
  std::optional<double> target_rel_ci;  // --target-rel-ci: the stopping rule's target
  std::uint64_t max_paths = 0;          // simulation.max_paths: where the stopping rule stops
  std::uint64_t cap = 0;                // the most paths the run can reach
  double checkpoint_every_s = 600.0;    // --checkpoint-every
  // --resume: the checkpoint at its last mark, and this rank's log opened to go on.
  std::optional<CheckpointState> resumed;
  std::optional<CheckpointLog> resumed_log;

  const Scenario& scenario() const { return setup.scenario; }
  const std::filesystem::path& target() const { return setup.target; }
  int n_portfolios() const { return static_cast<int>(setup.scenario.portfolios.size()); }
};

/// Resolves the plan: the options and the checkpoint (InputError when a resume is not the run
/// its checkpoint started), the scenario, model and results target, the backend (saying which
/// on `err` unless quiet), and the stopping rule.
RunPlan resolve_plan(const RunOptions& cli, const RankLayout& layout, std::ostream& err);

/// --summary-json FILE: InputError when FILE exists without --force.
void require_new_summary_json(const RunPlan& plan);

/// The header of a new checkpoint of the plan (ranks and block: one process; a run across
/// ranks sets them once the ranks agree on their blocks).
CheckpointHeader checkpoint_header(const RunPlan& plan);

}  // namespace liq
