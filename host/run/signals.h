// liqstress — SIGINT and SIGTERM during a run. The handlers only note the signal: the block
// loop (host/run/blocks.h) sees it before its next block, marks the checkpoint and ends the
// run with exit code 130 or 143. Under MPI rank 0 may be waiting for another rank when mpirun
// ends the job (a rank died), so the handler also removes the temporary results file itself.
#pragma once

#include <csignal>
#include <filesystem>

namespace liq {

/// Installs the SIGINT/SIGTERM handlers for the run's lifetime and forgets any signal noted
/// before; restores the previous handlers on destruction.
class SignalGuard {
 public:
  SignalGuard();
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

/// The signal noted since the guard was installed: SIGINT, SIGTERM, or 0.
int pending_signal();

/// "SIGINT" or "SIGTERM".
const char* signal_name(int sig);

/// The exit code of a run ended by `sig`: 130 (SIGINT) or 143 (SIGTERM).
int signal_exit_code(int sig);

/// Has the handler remove `path` (unlink is async-signal-safe); a path too long for the
/// handler's buffer is not removed by it.
void unlink_on_signal(const std::filesystem::path& path);

/// Forgets the path again (the results are about to be committed).
void keep_on_signal();

}  // namespace liq
