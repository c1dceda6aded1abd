// liqstress — `liqstress validate`: builds what `run` builds (host/run/run_setup.h), prints the
// resolved scenario; `validate --keys` prints the key reference (docs/scenario-keys.md).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "host/app/commands.h"
#include "host/run/run_setup.h"
#include "host/scenario/config.h"
#include "host/util/errors.h"
#include "host/util/format.h"

namespace liq {

int validate_command(const std::vector<std::string>& configs, const std::vector<std::string>& sets,
                     bool keys, std::ostream& out, std::ostream& err) {
  if (keys) {
    out << scenario_keys_markdown();
    return 0;
  }
  if (configs.empty()) throw InputError("validate: give one or more scenario files (or --keys)");
  int failed = 0;
  for (const std::string& file : configs) {
    try {
      // What `run FILE` builds before it simulates, with its checks and messages.
      SetupRequest request;
      request.config = file;
      request.sets = sets;
      request.target_check = TargetCheck::validate;
      request.progress = &err;  // the automatic importance tilt's pilot, when it runs
      const RunSetup setup = set_up_run(request);
      const Scenario& sc = setup.scenario;
      for (const std::string& w : sc.warnings) err << "warning: " << w << '\n';
      out << "# " << file << ": ok (" << sc.n_assets() << " assets, "
          << format_count(sc.simulation.steps()) << " steps of "
          << format_seconds(sc.simulation.step_s) << ", "
          << format_count(static_cast<double>(sc.simulation.paths)) << " paths)\n"
          << "# book: " << setup.model->book().description << " in "
          << setup.model->ladders().groups() << " ladders, book_sha256 " << setup.book_sha256
          << "\n"
          << "# results: " << setup.target.string()
          << (setup.target_exists ? " (exists: `run` needs --force, or another path with -o)" : "")
          << "\n# resolved scenario, defaults included:\n"
          << sc.resolved_toml << "\n";
    } catch (const InputError& e) {
      err << "error: " << e.what() << '\n';
      ++failed;
    }
  }
  return failed > 0 ? static_cast<int>(ExitCode::usage) : 0;
}

}  // namespace liq
