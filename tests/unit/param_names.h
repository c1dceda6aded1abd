// liqstress — names of value-parameterized test cases (INSTANTIATE_TEST_SUITE_P's name
// generator), so that GoogleTest and CTest name a case by what it checks and the same on
// every build: without a generator a case is named by its index and CMake's
// gtest_discover_tests appends the printed parameter, which for a struct holding pointers is
// its bytes ("24-byte object <C0-52 ...>"), different on every build. tests/CMakeLists.txt
// discovers with NO_PRETTY_VALUES, so the names below are the whole names.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace liq::test {

/// A case's description in CamelCase, letters and digits only (what GoogleTest accepts):
/// "margin below maintenance" → "MarginBelowMaintenance", "maintenance_rate >= 1" →
/// "MaintenanceRateAtLeast1", "leverage < 1" → "LeverageBelow1".
inline std::string param_name(std::string_view what) {
  std::string spelled;
  for (std::size_t i = 0; i < what.size(); ++i) {
    if (what.substr(i, 2) == ">=") {
      spelled += " at least ";
      ++i;
    } else if (what.substr(i, 2) == "<=") {
      spelled += " at most ";
      ++i;
    } else if (what[i] == '<') {
      spelled += " below ";
    } else if (what[i] == '>') {
      spelled += " above ";
    } else {
      spelled += what[i];
    }
  }
  std::string name;
  bool word_start = true;
  for (const char c : spelled) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0) {
      word_start = true;
      continue;
    }
    name += word_start ? static_cast<char>(std::toupper(u)) : c;
    word_start = false;
  }
  return name.empty() ? std::string("Unnamed") : name;
}

}  // namespace liq::test
