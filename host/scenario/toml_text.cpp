// liqstress — how scenario values are spelt as text (host/scenario/toml_text.h).
#include "host/scenario/toml_text.h"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <system_error>

#include "host/scenario/config.h"
#include "host/util/format.h"

namespace liq {
namespace {

// toml++ prints double-quoted strings with these flags (literal strings are legal but
// surprise readers of `validate`).
constexpr toml::format_flags kFormatFlags = toml::format_flags::allow_unicode_strings;

bool is_num_char(char c) {
  return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

/// The end of the string literal that starts at text[i] (a quote).
std::size_t string_end(std::string_view text, std::size_t i) {
  const char quote = text[i];
  std::size_t j = i + 1;
  while (j < text.size() && text[j] != quote) {
    if (quote == '"' && text[j] == '\\') ++j;
    ++j;
  }
  return std::min(j + 1, text.size());
}

bool starts_number(std::string_view text, std::size_t i) {
  const char c = text[i];
  const bool digit = c >= '0' && c <= '9';
  const bool signed_digit =
      (c == '-' || c == '+') && i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9';
  return (digit || signed_digit) &&
         (i == 0 || std::string_view(" [,={").find(text[i - 1]) != std::string_view::npos);
}

}  // namespace

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

bool is_bare_key(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string formatted(const toml::node& node) {
  std::ostringstream os;
  os << toml::toml_formatter{node, kFormatFlags};
  return os.str();
}

std::string toml_quoted(std::string_view s) {
  return formatted(toml::value<std::string>{std::string(s)});
}

std::string shorten_floats(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' || c == '\'') {  // copy a string literal verbatim
      const std::size_t j = string_end(text, i);
      out.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    if (!starts_number(text, i)) {
      out.push_back(c);
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && is_num_char(text[j])) ++j;
    const std::string_view token = text.substr(i, j - i);
    std::size_t k = j;
    while (k < text.size() && text[k] == ' ') ++k;
    const bool is_key = k < text.size() && text[k] == '=';
    const bool is_float = token.find_first_of(".eE") != std::string_view::npos;
    double v = 0.0;
    const char* first = token.data() + (token.front() == '+' ? 1 : 0);
    const auto res = std::from_chars(first, token.data() + token.size(), v);
    if (!is_key && is_float && res.ec == std::errc{} && res.ptr == token.data() + token.size()) {
      out += float_literal(v);
    } else {
      out.append(token);
    }
    i = j;
  }
  return out;
}

std::string render(const toml::node& node) {
  if (const auto* v = node.as_integer()) return std::to_string(v->get());
  if (const auto* v = node.as_floating_point()) return number_text(v->get());
  if (const auto* v = node.as_boolean()) return v->get() ? "true" : "false";
  if (const auto* v = node.as_string()) return toml_quoted(v->get());
  if (node.is_table()) return "a table";
  if (node.is_array()) {
    std::string s = shorten_floats(formatted(node));
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
  }
  return "a date/time";
}

std::string join_key(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_key(const std::string& parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

std::optional<double> resolved_real(const Scenario& scenario, const std::string& key_path) {
  const toml::table resolved = toml::parse(scenario.resolved_toml);
  const toml::node_view<const toml::node> node = resolved.at_path(key_path);
  if (!node || !node.is_floating_point()) return std::nullopt;
  return node.value<double>();
}

}  // namespace liq
