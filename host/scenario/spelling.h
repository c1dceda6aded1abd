// liqstress — how each enumeration of the scenario is spelt in scenario files, results and
// messages: written once here, read and written through name_of / from_name. The names are
// listed in the enumerators' order (0, 1, ...), so the enum value is the index.
#pragma once

#include <array>
#include <cctype>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "host/scenario/scenario.h"

namespace liq {

template <class E>
struct Spelling;  // names: the spellings, in the enumerators' order

template <>
struct Spelling<InnovationKind> {
  static constexpr std::array<std::string_view, 2> names = {"gaussian", "student-t"};
};
template <>
struct Spelling<ImpactModel> {
  static constexpr std::array<std::string_view, 3> names = {"none", "linear", "sqrt"};
};
template <>
struct Spelling<BookSource> {
  static constexpr std::array<std::string_view, 2> names = {"synthetic", "csv"};
};
template <>
struct Spelling<AdlRuleSpec> {
  static constexpr std::array<std::string_view, 2> names = {"pro-rata", "none"};
};
template <>
struct Spelling<FundingRule> {
  static constexpr std::array<std::string_view, 2> names = {"constant", "endogenous"};
};
template <>
struct Spelling<Side> {
  static constexpr std::array<std::string_view, 2> names = {"long", "short"};
};

/// Every spelling of E, in the enumerators' order.
template <class E>
constexpr std::span<const std::string_view> names_of() {
  return Spelling<E>::names;
}

/// How `e` is spelt.
template <class E>
constexpr std::string_view name_of(E e) {
  return Spelling<E>::names[static_cast<std::size_t>(e)];
}

/// The value spelt `text`; with `ignore_case`, "LONG" reads as "long" (CSV books).
template <class E>
std::optional<E> from_name(std::string_view text, bool ignore_case = false) {
  const auto same = [&](std::string_view name) {
    if (!ignore_case) return name == text;
    if (name.size() != text.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(name[i])) !=
          std::tolower(static_cast<unsigned char>(text[i])))
        return false;
    }
    return true;
  };
  for (std::size_t i = 0; i < Spelling<E>::names.size(); ++i) {
    if (same(Spelling<E>::names[i])) return static_cast<E>(i);
  }
  return std::nullopt;
}

/// The spellings of E joined by `separator`, each wrapped in `quote` ("\"a\", \"b\"").
template <class E>
std::string names_text(std::string_view separator, std::string_view quote = "\"") {
  std::string s;
  for (std::string_view n : names_of<E>()) {
    if (!s.empty()) s += separator;
    s += std::string(quote) + std::string(n) + std::string(quote);
  }
  return s;
}

}  // namespace liq
