// liqstress — how scenario values are spelt as text (numbers: host/util/format.h): the TOML
// that toml++ prints with its floats shortened, values quoted in messages ("got VALUE"),
// durations ("90s", "1d"). Shared by the reader, the resolved-TOML writer and the tier checks.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace liq {

/// `s` without surrounding blanks.
std::string trim(std::string_view s);

/// Letters, digits, '_' and '-': a symbol usable as a TOML key, a --set path and an HDF5 name.
bool is_bare_key(std::string_view s);

/// A node as toml++ prints it (double-quoted strings).
std::string formatted(const toml::node& node);

/// `s` as a TOML string literal.
std::string toml_quoted(std::string_view s);

/// Every float literal outside strings rewritten in its shortest exact form (toml++ prints
/// doubles with max_digits10 digits: 0.55 reads "0.55000000000000004").
std::string shorten_floats(std::string_view text);

/// A value as it appears after "got" in a message.
std::string render(const toml::node& node);

/// "a.b" from "a" and "b" ("b" alone when the parent is the root).
std::string join_key(const std::string& parent, std::string_view key);

/// "a[3]".
std::string index_key(const std::string& parent, std::size_t i);

/// Seconds in the largest unit that holds them exactly ("90m", "1d", "1.5s", "inf").
std::string duration_text(double seconds);

}  // namespace liq
