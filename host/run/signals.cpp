// liqstress — SIGINT and SIGTERM during a run (see signals.h).
#include "host/run/signals.h"

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

#include "host/util/errors.h"

namespace liq {

namespace {

std::atomic<int> g_signal{0};
char g_temp_to_unlink[4096] = {};

extern "C" void on_signal(int sig) {
  g_signal.store(sig);
  if (g_temp_to_unlink[0] != '\0') ::unlink(g_temp_to_unlink);
}

}  // namespace

SignalGuard::SignalGuard() {
  g_signal.store(0);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

SignalGuard::~SignalGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

int pending_signal() {
  return g_signal.load();
}

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

int signal_exit_code(int sig) {
  return static_cast<int>(sig == SIGINT ? ExitCode::interrupted : ExitCode::terminated);
}

void unlink_on_signal(const std::filesystem::path& path) {
  const std::string text = path.string();
  if (text.size() < sizeof g_temp_to_unlink)
    std::memcpy(g_temp_to_unlink, text.c_str(), text.size() + 1);
}

void keep_on_signal() {
  g_temp_to_unlink[0] = '\0';
}

}  // namespace liq
