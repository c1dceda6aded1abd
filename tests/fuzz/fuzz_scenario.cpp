// liqstress — fuzz harness: scenario TOML with --set overrides (host/scenario). The input is
// the scenario's text, then, after a NUL byte, up to 8 overrides "KEY=VALUE" separated by NUL
// bytes. Bad input must end in InputError (exit code 2); anything else escaping is a finding.
// A scenario that loads must load again from its resolved TOML, to the same resolved TOML
// (results files and checkpoints keep it, and resume and merge compare it).
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "host/scenario/config.h"
#include "host/util/errors.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

constexpr std::size_t kMaxOverrides = 8;

void split(std::string_view in, std::string& text, std::vector<std::string>& sets) {
  const std::size_t nul = in.find('\0');
  text = std::string(in.substr(0, nul));
  if (nul == std::string_view::npos) return;
  std::string_view rest = in.substr(nul + 1);
  while (!rest.empty() && sets.size() < kMaxOverrides) {
    const std::size_t next = rest.find('\0');
    sets.emplace_back(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // scenarios are a few KB; larger inputs only slow it down
  std::string text;
  std::vector<std::string> sets;
  split(liq::fuzz::text_of(data, size), text, sets);
  liq::Scenario s;
  try {
    s = liq::load_scenario_text(text, "fuzz.toml", "/nonexistent-liqstress-fuzz", "fuzz", sets);
  } catch (const liq::InputError&) {
    return 0;
  }
  liq::Scenario again;
  try {
    again = liq::load_scenario_text(s.resolved_toml, "resolved.toml", "/nonexistent-liqstress-fuzz",
                                    "fuzz");
  } catch (const liq::InputError& e) {
    std::cerr << "the resolved scenario does not load again: " << e.what() << "\n"
              << s.resolved_toml << '\n';
    std::abort();
  }
  if (again.resolved_toml != s.resolved_toml) {
    std::cerr << "the resolved scenario changes when read again:\n"
              << s.resolved_toml << "\n---\n"
              << again.resolved_toml << '\n';
    std::abort();
  }
  return 0;
}
