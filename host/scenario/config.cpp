// liqstress — scenario files (SPEC.md, "Scenario file") into a validated liq::Scenario.
// Owns: TOML parsing (toml++), `--set` overrides, the unknown-key check, every validation
// rule with its message ("FILE:LINE: KEY.PATH: PROBLEM, got VALUE", or "--set KEY: ..."
// for overridden values), durations, and the resolved scenario written back as TOML.
#include "host/scenario/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "host/scenario/scenario.h"
#include "host/scenario/spelling.h"
#include "host/util/errors.h"
#include "host/util/linalg.h"
#include "kernels/market.h"

namespace liq {
namespace {

namespace fs = std::filesystem;

constexpr double kYearSeconds = 365.0 * 86400.0;  // MODEL.md: years of 365 days
constexpr std::int64_t kMaxSteps = 10'000'000;
constexpr double kMaxJumpsPerStep = 50.0;  // beyond this the Poisson draw is not a "jump"
constexpr double kSymmetryTol = 1e-12;
constexpr double kPsdTol = 1e-12;  // smallest eigenvalue allowed below zero (rounding)
constexpr double kWeightSumTol = 1e-9;
constexpr std::int64_t kMaxCascadeRounds = 65535;  // stored per path as u16
// Used when a book gives neither `maintenance` nor [[book.tier]] rows (SPEC.md example).
constexpr const char* kDefaultMaintenance = "binance-usdt-perp-2024-10";
constexpr double kDefaultLongShare = 0.5;
constexpr std::int64_t kDefaultSyntheticPositions = 100'000;
const std::vector<double> kDefaultLeverageLevels = {2, 5, 10, 20, 50, 100};
const std::vector<double> kDefaultLeverageWeights = {0.15, 0.25, 0.3, 0.15, 0.1, 0.05};

// toml++ prints double-quoted strings with these flags (literal strings are legal but
// surprise readers of `validate`).
constexpr toml::format_flags kFormatFlags = toml::format_flags::allow_unicode_strings;

// ---- small text helpers ------------------------------------------------------------------

/// Shortest text that reads back as exactly `v` (std::to_chars round-trip guarantee).
std::string shortest(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

/// Shortest exact digits written as people write them: "4e8" rather than "4e+08".
std::string number_text(double v) {
  std::string s = shortest(v);
  const auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string exponent = s.substr(e + 1);
  std::string sign;
  if (exponent.front() == '+' || exponent.front() == '-') {
    if (exponent.front() == '-') sign = "-";
    exponent.erase(0, 1);
  }
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return s.substr(0, e + 1) + sign + exponent;
}

/// `v` as a TOML float literal: a ".0" where the digits alone would read as an integer.
std::string float_literal(double v) {
  std::string s = number_text(v);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

/// Three significant figures, for eigenvalues and entry changes in messages.
std::string brief(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

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

/// toml++ (built without float charconv) prints doubles with max_digits10 digits, so 0.55
/// reads "0.55000000000000004". Rewrite each float literal outside strings in its shortest
/// exact form: the value is unchanged, the text is what a person wrote.
std::string shorten_floats(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  auto is_num_char = [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' || c == '\'') {  // copy a string literal verbatim
      std::size_t j = i + 1;
      while (j < text.size() && text[j] != c) {
        if (c == '"' && text[j] == '\\') ++j;
        ++j;
      }
      j = std::min(j + 1, text.size());
      out.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    const bool starts_number =
        ((c >= '0' && c <= '9') || ((c == '-' || c == '+') && i + 1 < text.size() &&
                                    text[i + 1] >= '0' && text[i + 1] <= '9')) &&
        (i == 0 || std::string_view(" [,={").find(text[i - 1]) != std::string_view::npos);
    if (!starts_number) {
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

/// A value as it appears after "got" in a message.
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

std::string duration_text(double seconds) {
  if (std::isinf(seconds)) return "inf";
  if (seconds == 0.0) return "0s";
  struct Unit {
    const char* suffix;
    double seconds;
  };
  static constexpr Unit kUnits[] = {{"d", 86400.0}, {"h", 3600.0}, {"m", 60.0}, {"s", 1.0}};
  for (const Unit& u : kUnits) {
    const double q = seconds / u.seconds;
    if (q == std::floor(q) && q * u.seconds == seconds && std::abs(q) < 1e15) {
      return std::to_string(static_cast<long long>(q)) + u.suffix;
    }
  }
  return number_text(seconds) + "s";
}

// ---- where a value came from ---------------------------------------------------------------

/// Names the origin of a key in messages: the file and line, or the `--set` that gave it.
class Context {
 public:
  explicit Context(std::string source) : source_(std::move(source)) {}

  void add_override(const std::string& key_path, const std::string& source_tag) {
    override_keys_.push_back(key_path);
    override_sources_.insert(source_tag);
  }

  bool from_override(const std::string& key_path, const toml::node* node) const {
    if (node != nullptr) {
      const auto& path = node->source().path;
      if (path && override_sources_.count(*path) != 0) return true;
    }
    // Tables an override created on its way to its key have no source of their own.
    const bool created = node != nullptr && !node->source().path;
    for (const std::string& k : override_keys_) {
      if (key_path == k) return true;
      if (created && k.size() > key_path.size() && k.compare(0, key_path.size(), key_path) == 0 &&
          (k[key_path.size()] == '.' || k[key_path.size()] == '[')) {
        return true;
      }
      if (key_path.size() > k.size() && key_path.compare(0, k.size(), k) == 0 &&
          (key_path[k.size()] == '.' || key_path[k.size()] == '[')) {
        return true;
      }
    }
    return false;
  }

  /// "FILE:LINE: KEY.PATH", "FILE: KEY.PATH" or "--set KEY.PATH".
  std::string where(const std::string& key_path, const toml::node* node) const {
    if (from_override(key_path, node)) return "--set " + key_path;
    std::string s = source_;
    if (node != nullptr && node->source().begin.line > 0) {
      s += ":" + std::to_string(node->source().begin.line);
    }
    return key_path.empty() ? s : s + ": " + key_path;
  }

  [[noreturn]] void fail(const std::string& key_path, const toml::node* node,
                         const std::string& problem) const {
    throw InputError(where(key_path, node) + ": " + problem);
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<std::string> override_keys_;
  std::set<std::string> override_sources_;
};

// ---- overrides -----------------------------------------------------------------------------

struct KeySegment {
  std::string name;
  std::optional<std::size_t> index;  // "name[i]": element i of an array of tables
};

std::vector<KeySegment> split_key(const std::string& key, const std::string& spec) {
  std::vector<KeySegment> segments;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    std::string part =
        key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    KeySegment seg;
    const std::size_t bracket = part.find('[');
    if (bracket != std::string::npos) {
      const std::string idx = part.substr(bracket + 1);
      std::size_t value = 0;
      const auto res = std::from_chars(idx.data(), idx.data() + idx.size(), value);
      if (idx.empty() || idx.back() != ']' || res.ec != std::errc{} ||
          res.ptr != idx.data() + idx.size() - 1) {
        throw InputError("--set " + spec + ": malformed key \"" + key +
                         "\" (an array element is written name[0])");
      }
      seg.index = value;
      part = part.substr(0, bracket);
    }
    if (part.empty()) {
      throw InputError("--set " + spec + ": malformed key \"" + key +
                       "\" (expected a dotted path such as simulation.paths)");
    }
    seg.name = std::move(part);
    segments.push_back(std::move(seg));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segments;
}

void apply_override(toml::table& root, const std::string& spec, Context& ctx) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string::npos) {
    throw InputError("--set " + spec + ": expected KEY=VALUE (e.g. --set simulation.paths=2e6)");
  }
  const std::string key = trim(std::string_view(spec).substr(0, eq));
  const std::string value = trim(std::string_view(spec).substr(eq + 1));
  if (key.empty()) throw InputError("--set " + spec + ": expected KEY=VALUE, the key is empty");
  const std::vector<KeySegment> segments = split_key(key, spec);
  if (value.empty()) throw InputError("--set " + key + ": expected KEY=VALUE, the value is empty");

  // The value's nodes carry this tag as their source path, so messages about them (and
  // about anything inside them) name the override instead of a line of the file.
  const std::string tag = "--set " + key;
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value, std::string_view(tag));
  } catch (const toml::parse_error&) {
    // A bare word is a string: impact.model=sqrt means "sqrt".
    try {
      parsed = toml::parse("v = " + toml_quoted(value), std::string_view(tag));
    } catch (const toml::parse_error& e) {
      throw InputError(tag + ": cannot read " + value + " as a TOML value (" +
                       std::string(e.description()) + ")");
    }
  }
  toml::node* new_value = parsed.get("v");
  if (parsed.size() != 1 || new_value == nullptr) {
    throw InputError(tag + ": expected a single TOML value, got " + value);
  }

  std::string path;
  toml::table* table = &root;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const KeySegment& seg = segments[s];
    const bool last = s + 1 == segments.size();
    path = join_key(path, seg.name);
    if (last && !seg.index) {
      table->insert_or_assign(seg.name, std::move(*new_value));
      break;
    }
    toml::node* child = table->get(seg.name);
    if (child == nullptr) {
      if (seg.index)
        throw InputError(tag + ": " + path + " has no element " + std::to_string(*seg.index));
      table->insert(seg.name, toml::table{});
      child = table->get(seg.name);
    }
    if (seg.index) {
      toml::array* arr = child->as_array();
      if (arr == nullptr || *seg.index >= arr->size()) {
        throw InputError(tag + ": " + path + " has no element " + std::to_string(*seg.index));
      }
      path = index_key(path, *seg.index);
      if (last) {
        arr->replace(arr->cbegin() + static_cast<std::ptrdiff_t>(*seg.index),
                     std::move(*new_value));
        break;
      }
      child = arr->get(*seg.index);
    }
    if (!child->is_table()) throw InputError(tag + ": " + path + " is not a table");
    table = child->as_table();
  }
  ctx.add_override(path, tag);
}

// ---- unknown keys --------------------------------------------------------------------------

// Every key SPEC.md knows, as paths: "*" is any key (asset symbols), "[]" an array element.
// A key is known when its path is a prefix of one of these.
constexpr const char* kKnownKeys[] = {
    "simulation.paths",
    "simulation.horizon",
    "simulation.step",
    "simulation.seed",
    "simulation.max_paths",
    "simulation.drift_compensation",
    "simulation.innovations",
    "simulation.dof",
    "market.assets",
    "market.correlation",
    "market.repair_correlation",
    "asset.*.spot",
    "asset.*.vol",
    "asset.*.drift",
    "asset.*.beta",
    "asset.*.depth",
    "asset.*.jumps.rate",
    "asset.*.jumps.mean",
    "asset.*.jumps.stdev",
    "asset.*.funding_8h",
    "market_jumps.rate",
    "market_jumps.mean",
    "market_jumps.stdev",
    "shock.[].at",
    "shock.[].returns.*",
    "shock.[].vol_multiplier",
    "shock.[].duration",
    "impact.model",
    "impact.strength",
    "impact.half_life",
    "impact.max_cascade_rounds",
    "impact.cross.*.*",
    "impact.thinning.drawdown",
    "impact.thinning.flow",
    "impact.thinning.floor",
    "book.source",
    "book.path",
    "book.maintenance",
    "book.tier.[].asset",
    "book.tier.[].min_notional_usd",
    "book.tier.[].max_notional_usd",
    "book.tier.[].maintenance_margin_rate",
    "book.tier.[].max_leverage",
    "book.tier.[].maintenance_amount_usd",
    "book.synthetic.open_interest.*",
    "book.synthetic.long_share.*",
    "book.synthetic.leverage.levels",
    "book.synthetic.leverage.weights",
    "book.synthetic.entry_spread",
    "book.synthetic.positions",
    "book.synthetic.seed",
    "insurance_fund.balance",
    "insurance_fund.liquidation_fee",
    "insurance_fund.adl",
    "portfolio.[].name",
    "portfolio.[].collateral",
    "portfolio.[].positions.[].asset",
    "portfolio.[].positions.[].side",
    "portfolio.[].positions.[].notional",
    "portfolio.[].positions.[].entry",
    "output.path",
    "output.per_path",
    "output.quantiles",
    "output.thresholds",
};

const std::vector<std::vector<std::string>>& known_patterns() {
  static const std::vector<std::vector<std::string>> patterns = [] {
    std::vector<std::vector<std::string>> out;
    for (const char* p : kKnownKeys) {
      std::vector<std::string> segs;
      std::string_view s(p);
      while (true) {
        const auto dot = s.find('.');
        segs.emplace_back(s.substr(0, dot));
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
      }
      out.push_back(std::move(segs));
    }
    return out;
  }();
  return patterns;
}

bool pattern_covers(const std::vector<std::string>& pattern, const std::vector<std::string>& segs,
                    std::size_t count) {
  if (pattern.size() < count) return false;
  for (std::size_t i = 0; i < count; ++i) {
    if (pattern[i] != "*" && pattern[i] != segs[i]) return false;
  }
  return true;
}

bool is_known(const std::vector<std::string>& segs) {
  const auto& patterns = known_patterns();
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const auto& p) { return pattern_covers(p, segs, segs.size()); });
}

/// Whether the key at `segs` is an array of tables ("shock", "portfolio", ...).
bool expects_array(const std::vector<std::string>& segs) {
  const auto& patterns = known_patterns();
  return std::any_of(patterns.begin(), patterns.end(), [&](const auto& p) {
    return pattern_covers(p, segs, segs.size()) && p.size() > segs.size() && p[segs.size()] == "[]";
  });
}

/// The keys allowed beside an unknown one, for the message.
std::string known_siblings(const std::vector<std::string>& segs) {
  std::vector<std::string> names;
  for (const auto& p : known_patterns()) {
    if (!pattern_covers(p, segs, segs.size() - 1) || p.size() < segs.size()) continue;
    const std::string& name = p[segs.size() - 1];
    if (name == "*" || name == "[]") continue;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

struct UnknownKey {
  std::string path;
  std::string hint;
  const toml::node* node;
  bool from_override;
  std::uint32_t line;
  std::uint32_t column;
};

void find_unknown(const toml::node& node, std::vector<std::string>& segs, const std::string& path,
                  const Context& ctx, std::vector<UnknownKey>& out);

void find_unknown_in_table(const toml::table& table, std::vector<std::string>& segs,
                           const std::string& path, const Context& ctx,
                           std::vector<UnknownKey>& out) {
  for (auto&& [key, value] : table) {
    segs.emplace_back(key.str());
    const std::string child = join_key(path, key.str());
    if (!is_known(segs)) {
      const auto& src = key.source().begin.line > 0 ? key.source() : value.source();
      out.push_back({child, known_siblings(segs), &value, ctx.from_override(child, &value),
                     src.begin.line, src.begin.column});
    } else {
      find_unknown(value, segs, child, ctx, out);
    }
    segs.pop_back();
  }
}

void find_unknown(const toml::node& node, std::vector<std::string>& segs, const std::string& path,
                  const Context& ctx, std::vector<UnknownKey>& out) {
  if (const auto* table = node.as_table()) {
    // [shock] written for [[shock]]: the type check says so better than "shock.at: unknown".
    if (!expects_array(segs)) find_unknown_in_table(*table, segs, path, ctx, out);
    return;
  }
  const auto* array = node.as_array();
  if (array == nullptr) return;
  segs.emplace_back("[]");
  if (is_known(segs)) {
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (const auto* element = array->get(i)->as_table()) {
        find_unknown_in_table(*element, segs, index_key(path, i), ctx, out);
      }
    }
  }
  segs.pop_back();
}

/// Unknown keys are reported before any other problem: a misspelt key otherwise shows up
/// as a confusing "required key missing" for its correct spelling.
void check_unknown_keys(const toml::table& root, const Context& ctx) {
  std::vector<std::string> segs;
  std::vector<UnknownKey> unknown;
  find_unknown_in_table(root, segs, "", ctx, unknown);
  if (unknown.empty()) return;
  const auto first =
      std::min_element(unknown.begin(), unknown.end(), [](const auto& a, const auto& b) {
        return std::tuple(!a.from_override, a.line, a.column) <
               std::tuple(!b.from_override, b.line, b.column);
      });
  std::string problem = "unknown key";
  if (!first->hint.empty()) problem += " (known keys here: " + first->hint + ")";
  ctx.fail(first->path, first->node, problem);
}

// ---- typed access with messages ------------------------------------------------------------

/// A key being read: its node (null when absent) and its full path for messages.
struct Item {
  const toml::node* node = nullptr;
  std::string path;
  explicit operator bool() const { return node != nullptr; }
};

/// A table being read; `table` is null when the table is absent (every key then missing).
struct Table {
  const toml::table* table = nullptr;
  const toml::node* node = nullptr;  // for "required key missing": the table's own line
  std::string path;

  Item get(std::string_view key) const {
    return Item{table != nullptr ? table->get(key) : nullptr, join_key(path, key)};
  }
};

class Reader {
 public:
  explicit Reader(const Context& ctx) : ctx_(ctx) {}

  [[noreturn]] void fail(const Item& item, const std::string& problem) const {
    ctx_.fail(item.path, item.node, problem);
  }
  [[noreturn]] void fail_value(const Item& item, const std::string& problem) const {
    fail(item, problem + ", got " + render(*item.node));
  }
  void check(bool ok, const Item& item, const std::string& problem) const {
    if (!ok) fail_value(item, problem);
  }

  Item required(const Table& table, std::string_view key) const {
    Item item = table.get(key);
    if (!item) ctx_.fail(item.path, table.node, "required key missing");
    return item;
  }

  Table table(const Table& parent, std::string_view key, bool required) const {
    Item item = parent.get(key);
    if (!item) {
      if (required) ctx_.fail(item.path, parent.node, "required table missing");
      return Table{nullptr, nullptr, item.path};
    }
    return as_table(item);
  }

  Table as_table(const Item& item) const {
    const auto* t = item.node->as_table();
    if (t == nullptr) fail_value(item, "must be a table");
    return Table{t, item.node, item.path};
  }

  const toml::array& array(const Item& item) const {
    const auto* a = item.node->as_array();
    if (a == nullptr) fail_value(item, "must be an array");
    return *a;
  }

  static Item element(const toml::array& array, const Item& parent, std::size_t i) {
    return Item{array.get(i), index_key(parent.path, i)};
  }

  double number(const Item& item, bool allow_inf = false) const {
    double v = 0.0;
    if (const auto* i = item.node->as_integer()) {
      v = static_cast<double>(i->get());
    } else if (const auto* f = item.node->as_floating_point()) {
      v = f->get();
    } else {
      fail_value(item, "must be a number");
    }
    if (std::isnan(v) || (std::isinf(v) && !(allow_inf && v > 0)))
      fail_value(item, "must be finite");
    return v;
  }

  /// Integers; integral floats such as 2e6 are accepted (SPEC.md: `--set simulation.paths=2e6`).
  std::int64_t integer(const Item& item) const {
    if (const auto* i = item.node->as_integer()) return i->get();
    if (const auto* f = item.node->as_floating_point()) {
      const double v = f->get();
      // [-2^63, 2^63): the doubles that convert to int64 without overflow.
      if (std::isfinite(v) && v == std::floor(v) && v >= -9223372036854775808.0 &&
          v < 9223372036854775808.0) {
        return static_cast<std::int64_t>(v);
      }
    }
    fail_value(item, "must be an integer");
  }

  bool boolean(const Item& item) const {
    const auto* b = item.node->as_boolean();
    if (b == nullptr) fail_value(item, "must be true or false");
    return b->get();
  }

  std::string string(const Item& item) const {
    const auto* s = item.node->as_string();
    if (s == nullptr) fail_value(item, "must be a string");
    return s->get();
  }

  double duration(const Item& item, bool allow_inf) const {
    const auto* s = item.node->as_string();
    if (s == nullptr) {
      fail_value(item, allow_inf ? "must be a duration such as \"30m\" or \"inf\""
                                 : "must be a duration such as \"90s\", \"15m\", \"6h\", \"3d\"");
    }
    try {
      return parse_duration(s->get(), allow_inf);
    } catch (const std::invalid_argument& e) {
      fail_value(item, std::string("invalid duration: ") + e.what());
    }
  }

  /// One of the spellings of E (host/scenario/spelling.h).
  template <class E>
  E choice(const Item& item) const {
    if (const auto e = from_name<E>(string(item))) return *e;
    fail_value(item, "must be one of " + names_text<E>(", "));
  }

  const Context& context() const { return ctx_; }

 private:
  const Context& ctx_;
};

// ---- the sections --------------------------------------------------------------------------

struct Loader {
  const Reader& r;
  const fs::path& base_dir;
  Scenario& s;
  std::vector<std::string> symbols;

  std::string asset_list() const {
    std::string list;
    for (const auto& sym : symbols) list += (list.empty() ? "" : ", ") + sym;
    return "[" + list + "]";
  }

  /// Index of a symbol named by `item` (a key or a string value), else an error.
  int asset_index(const Item& item, const std::string& symbol, bool value) const {
    const auto it = std::find(symbols.begin(), symbols.end(), symbol);
    if (it == symbols.end()) {
      const std::string problem = "not in market.assets " + asset_list();
      if (value) r.fail_value(item, problem);
      r.fail(item, problem);
    }
    return static_cast<int>(it - symbols.begin());
  }

  fs::path resolve(const std::string& relative) const {
    fs::path p = base_dir / fs::path(relative);
    std::error_code ec;
    fs::path abs = fs::absolute(p, ec);
    return (ec ? p : abs).lexically_normal();
  }

  void simulation(const Table& root) {
    const Table t = r.table(root, "simulation", false);
    SimulationSpec& sim = s.simulation;

    const Item paths = r.required(t, "paths");
    sim.paths = r.integer(paths);
    r.check(sim.paths > 0, paths, "must be > 0");
    const Item horizon = r.required(t, "horizon");
    sim.horizon_s = r.duration(horizon, false);
    r.check(sim.horizon_s > 0, horizon, "must be > 0");
    const Item step = r.required(t, "step");
    sim.step_s = r.duration(step, false);
    r.check(sim.step_s > 0, step, "must be > 0");
    const double ratio = sim.horizon_s / sim.step_s;
    const double steps = std::round(ratio);
    if (std::abs(steps * sim.step_s - sim.horizon_s) > 1e-9 * sim.horizon_s || steps < 1) {
      r.fail_value(horizon, "must be a whole multiple of simulation.step (" +
                                duration_text(sim.step_s) + ")");
    }
    if (steps > static_cast<double>(kMaxSteps)) {
      r.fail_value(step, "gives " +
                             (steps < 1e18 ? std::to_string(static_cast<long long>(steps))
                                           : number_text(steps)) +
                             " steps over the horizon, more than " + std::to_string(kMaxSteps) +
                             "; use a longer step");
    }
    if (const Item seed = t.get("seed")) {
      const std::int64_t v = r.integer(seed);
      r.check(v >= 0, seed, "must be >= 0");
      sim.seed = static_cast<std::uint64_t>(v);
    }
    if (const Item max_paths = t.get("max_paths")) {
      sim.max_paths = r.integer(max_paths);
      r.check(sim.max_paths > 0, max_paths, "must be > 0");
    }
    if (const Item dc = t.get("drift_compensation")) sim.drift_compensation = r.boolean(dc);
    if (const Item inn = t.get("innovations")) sim.innovations = r.choice<InnovationKind>(inn);
    if (const Item dof = t.get("dof")) {
      sim.dof = r.number(dof);
      r.check(sim.dof > 2, dof, "must be > 2 (Student-t innovations need a finite variance)");
    }
  }

  void market(const Table& root) {
    const Table t = r.table(root, "market", false);
    const Item assets = r.required(t, "assets");
    const toml::array& list = r.array(assets);
    if (list.empty() || list.size() > static_cast<std::size_t>(kMaxAssets)) {
      r.fail_value(assets, "must list between 1 and " + std::to_string(kMaxAssets) + " symbols");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Item e = Reader::element(list, assets, i);
      std::string sym = r.string(e);
      // Symbols become TOML keys ([asset.SYM]), --set paths and HDF5 group names.
      r.check(is_bare_key(sym), e, "must be a non-empty symbol of letters, digits, '_' or '-'");
      r.check(std::find(symbols.begin(), symbols.end(), sym) == symbols.end(), e,
              "duplicate symbol");
      symbols.push_back(std::move(sym));
    }
    if (const Item repair = t.get("repair_correlation")) s.repair_correlation = r.boolean(repair);
    correlation(r.required(t, "correlation"));
  }

  void correlation(const Item& item) {
    const int n = static_cast<int>(symbols.size());
    const toml::array& rows = r.array(item);
    if (rows.size() != symbols.size()) {
      r.fail(item, "must have " + std::to_string(n) + " rows (one per market.assets entry), got " +
                       std::to_string(rows.size()));
    }
    std::vector<double> c(static_cast<std::size_t>(n) * n);
    std::vector<Item> cells(c.size());
    for (int i = 0; i < n; ++i) {
      const Item row_item = Reader::element(rows, item, i);
      const toml::array& row = r.array(row_item);
      if (row.size() != symbols.size()) {
        r.fail(row_item,
               "must have " + std::to_string(n) + " entries, got " + std::to_string(row.size()));
      }
      for (int j = 0; j < n; ++j) {
        const Item cell = Reader::element(row, row_item, j);
        const double v = r.number(cell);
        r.check(v >= -1.0 && v <= 1.0, cell, "must be in [-1, 1]");
        if (i == j) r.check(std::abs(v - 1.0) <= kSymmetryTol, cell, "must be 1 (unit diagonal)");
        c[i * n + j] = v;
        cells[i * n + j] = cell;
      }
    }
    for (int i = 0; i < n; ++i) {
      c[i * n + i] = 1.0;
      for (int j = 0; j < i; ++j) {
        const double upper = c[j * n + i];
        r.check(std::abs(c[i * n + j] - upper) <= kSymmetryTol, cells[i * n + j],
                "must equal " + index_key(index_key(item.path, j), i) + " = " + number_text(upper) +
                    " (the matrix must be symmetric)");
        c[i * n + j] = upper;  // exactly symmetric from here on
      }
    }

    const double smallest = symmetric_eigenvalues(c, n).front();
    if (is_psd(c, n, smallest)) {
      s.correlation = std::move(c);
      return;
    }
    const std::string problem =
        "not positive semi-definite (smallest eigenvalue " + brief(smallest) + ")";
    if (!s.repair_correlation) {
      r.fail(item, problem + "; fix the matrix or set market.repair_correlation = true");
    }
    std::vector<double> repaired = nearest_correlation(c, n);
    if (!is_psd(repaired, n, symmetric_eigenvalues(repaired, n).front())) {
      r.fail(item, problem + "; the repair to the nearest correlation matrix did not converge");
    }
    int worst = 0;
    for (int k = 0; k < n * n; ++k) {
      if (std::abs(repaired[k] - c[k]) > std::abs(repaired[worst] - c[worst])) worst = k;
    }
    const int wi = worst / n;
    const int wj = worst % n;
    s.warnings.push_back(r.context().where(item.path, item.node) + ": " + problem +
                         "; repaired to the nearest correlation matrix (largest entry change " +
                         brief(std::abs(repaired[worst] - c[worst])) + " at [" +
                         std::to_string(wi) + "][" + std::to_string(wj) + "], " + symbols[wi] +
                         "-" + symbols[wj] + ": " + number_text(c[worst]) + " -> " +
                         brief(repaired[worst]) + ")");
    s.correlation = std::move(repaired);
  }

  /// PSD within rounding, and factorizable by the same Cholesky the simulation uses.
  static bool is_psd(const std::vector<double>& c, int n, double smallest_eigenvalue) {
    if (smallest_eigenvalue < -kPsdTol) return false;
    try {
      (void)cholesky_lower(c, n);
    } catch (const std::domain_error&) {
      return false;
    }
    return true;
  }

  JumpSpec jumps(const Table& t) {
    JumpSpec j;
    if (const Item rate = t.get("rate")) {
      j.rate = r.number(rate);
      r.check(j.rate >= 0, rate, "must be >= 0");
      const double per_step = j.rate * s.simulation.step_s / kYearSeconds;
      r.check(per_step <= kMaxJumpsPerStep, rate,
              "expects " + brief(per_step) + " jumps per step (rate is per year), more than " +
                  number_text(kMaxJumpsPerStep) + "; lower the rate or shorten the step");
    }
    if (const Item mean = t.get("mean")) j.mean = r.number(mean);
    if (const Item stdev = t.get("stdev")) {
      j.stdev = r.number(stdev);
      r.check(j.stdev >= 0, stdev, "must be >= 0");
    }
    return j;
  }

  void assets(const Table& root) {
    const Table all = r.table(root, "asset", false);
    for (const std::string& sym : symbols) {
      const Table t = r.table(all, sym, false);
      if (t.table == nullptr) {
        r.context().fail(
            t.path, all.node,
            "required table missing (every market.assets entry needs [asset." + sym + "])");
      }
      AssetSpec a;
      a.symbol = sym;
      const Item spot = r.required(t, "spot");
      a.spot = r.number(spot);
      r.check(a.spot > 0, spot, "must be > 0");
      const Item vol = r.required(t, "vol");
      a.vol = r.number(vol);
      r.check(a.vol >= 0, vol, "must be >= 0");
      if (const Item drift = t.get("drift")) a.drift = r.number(drift);
      if (const Item beta = t.get("beta")) a.beta = r.number(beta);
      if (const Item depth = t.get("depth")) {
        a.depth_usd = r.number(depth);
        r.check(*a.depth_usd > 0, depth, "must be > 0");
      }
      if (const Item j = t.get("jumps")) a.jumps = jumps(r.as_table(j));
      if (const Item funding = t.get("funding_8h")) a.funding_8h = r.number(funding);
      s.assets.push_back(std::move(a));
    }
    if (all.table != nullptr) {
      for (auto&& [key, value] : *all.table) {
        const Item extra{&value, join_key(all.path, key.str())};
        (void)asset_index(extra, std::string(key.str()), false);
      }
    }
  }

  void shocks(const Table& root) {
    const Item item = root.get("shock");
    if (!item) return;
    const toml::array* list = item.node->as_array();
    if (list == nullptr) r.fail_value(item, "must be an array of tables, written [[shock]]");
    for (std::size_t k = 0; k < list->size(); ++k) {
      const Table t = r.as_table(Reader::element(*list, item, k));
      ShockSpec shock;
      const Item at = r.required(t, "at");
      shock.at_s = r.duration(at, false);
      r.check(shock.at_s < s.simulation.horizon_s, at,
              "must be before the horizon (" + duration_text(s.simulation.horizon_s) + ")");
      shock.returns.assign(symbols.size(), 0.0);
      if (const Item returns = t.get("returns")) {
        const Table rt = r.as_table(returns);
        for (auto&& [key, value] : *rt.table) {
          const Item ret{&value, join_key(rt.path, key.str())};
          const int a = asset_index(ret, std::string(key.str()), false);
          shock.returns[a] = r.number(ret);
          r.check(shock.returns[a] > -1.0, ret,
                  "must be > -1 (a simple return; -1 is a total loss)");
        }
      }
      if (const Item vm = t.get("vol_multiplier")) {
        shock.vol_multiplier = r.number(vm);
        r.check(shock.vol_multiplier > 0, vm, "must be > 0");
      }
      if (const Item duration = t.get("duration")) shock.duration_s = r.duration(duration, false);
      s.shocks.push_back(std::move(shock));
    }
  }

  void impact(const Table& root) {
    const Table t = r.table(root, "impact", false);
    ImpactSpec& im = s.impact;
    const int n = static_cast<int>(symbols.size());
    im.cross.assign(static_cast<std::size_t>(n) * n, 0.0);
    for (int i = 0; i < n; ++i) im.cross[i * n + i] = 1.0;

    Item model = t.get("model");
    if (model) im.model = r.choice<ImpactModel>(model);
    if (const Item strength = t.get("strength")) {
      im.strength = r.number(strength);
      r.check(im.strength >= 0, strength, "must be >= 0");
    }
    if (const Item hl = t.get("half_life")) {
      im.half_life_s = r.duration(hl, true);
      r.check(im.half_life_s > 0, hl, "must be > 0 (or \"inf\" for permanent impact)");
    }
    if (const Item rounds = t.get("max_cascade_rounds")) {
      const std::int64_t v = r.integer(rounds);
      r.check(v >= 1 && v <= kMaxCascadeRounds, rounds,
              "must be in [1, " + std::to_string(kMaxCascadeRounds) + "]");
      im.max_cascade_rounds = static_cast<std::int32_t>(v);
    }
    if (const Item cross = t.get("cross")) {
      const Table ct = r.as_table(cross);
      for (auto&& [from_key, from_value] : *ct.table) {
        const Item from_item{&from_value, join_key(ct.path, from_key.str())};
        const int from = asset_index(from_item, std::string(from_key.str()), false);
        const Table row = r.as_table(from_item);
        for (auto&& [to_key, to_value] : *row.table) {
          const Item to_item{&to_value, join_key(row.path, to_key.str())};
          const int to = asset_index(to_item, std::string(to_key.str()), false);
          if (to == from) r.fail(to_item, "the diagonal of the cross-impact matrix is fixed at 1");
          im.cross[to * n + from] = r.number(to_item);
        }
      }
    }

    if (const Item thinning = t.get("thinning")) {
      const Table tt = r.as_table(thinning);
      if (const Item dd = tt.get("drawdown")) {
        im.thin_drawdown = r.number(dd);
        r.check(im.thin_drawdown >= 0, dd, "must be >= 0 (0 turns drawdown thinning off)");
      }
      if (const Item fl = tt.get("flow")) {
        im.thin_flow = r.number(fl);
        r.check(im.thin_flow >= 0, fl, "must be >= 0 (0 turns flow thinning off)");
      }
      if (const Item fl = tt.get("floor")) {
        im.thin_floor = r.number(fl);
        r.check(im.thin_floor > 0 && im.thin_floor <= 1, fl, "must be in (0, 1]");
      }
    }

    // Depth is what turns forced flow into a price move: needed exactly when impact is on.
    if (im.model != ImpactModel::none) {
      const Table assets_table = r.table(root, "asset", false);
      for (const AssetSpec& a : s.assets) {
        if (a.depth_usd) continue;
        const Table at = r.table(assets_table, a.symbol, false);
        r.context().fail(
            join_key(at.path, "depth"), at.node,
            "required key missing (impact.model is " + toml_quoted(name_of(im.model)) + ")");
      }
    }
  }

  std::string maintenance_value(const Item& item) {
    std::string m = r.string(item);
    r.check(!m.empty(), item, "must not be empty");
    // A path (not a table name shipped in configs/) resolves against the scenario's folder.
    const bool is_path =
        m.find('/') != std::string::npos || m.ends_with(".csv") || m.ends_with(".toml");
    if (!is_path) return m;
    const fs::path p = resolve(m);
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      r.fail_value(item, "tier table file not found (resolved to " + p.string() + ")");
    }
    return p.string();
  }

  void book(const Table& root) {
    const Table t = r.table(root, "book", true);
    BookSpec& b = s.book;
    if (const Item source = t.get("source")) b.source = r.choice<BookSource>(source);
    const Item path = t.get("path");
    if (b.source == BookSource::csv) {
      const Item p = r.required(t, "path");
      const std::string text = r.string(p);
      r.check(!text.empty(), p, "must not be empty");
      b.csv_path = resolve(text);
      std::error_code ec;
      if (!fs::is_regular_file(b.csv_path, ec)) {
        r.fail_value(p, "book file not found (resolved to " + b.csv_path.string() + ")");
      }
    } else if (path) {
      r.fail(path, "only used with book.source = \"csv\"");
    }

    const Item maintenance = t.get("maintenance");
    const Item tiers = t.get("tier");
    if (maintenance && tiers) {
      r.fail(maintenance, "give either book.maintenance or [[book.tier]] rows, not both");
    }
    if (maintenance) b.maintenance = maintenance_value(maintenance);
    if (tiers) {
      const toml::array& rows = r.array(tiers);
      r.check(!rows.empty(), tiers, "must have at least one row");
      for (std::size_t k = 0; k < rows.size(); ++k)
        b.tiers.push_back(tier(Reader::element(rows, tiers, k)));
    } else if (!maintenance) {
      b.maintenance = kDefaultMaintenance;
    }

    const Item synthetic = t.get("synthetic");
    if (b.source == BookSource::synthetic) {
      synthetic_book(r.table(t, "synthetic", true));
    } else if (synthetic) {
      r.fail(synthetic, "only used with book.source = \"synthetic\"");
    }
  }

  TierRow tier(const Item& item) {
    const Table t = r.as_table(item);
    TierRow row;
    if (const Item asset = t.get("asset")) {
      row.asset = r.string(asset);
      (void)asset_index(asset, row.asset, true);
    }
    const Item min = r.required(t, "min_notional_usd");
    row.min_notional_usd = r.number(min);
    r.check(row.min_notional_usd >= 0, min, "must be >= 0");
    const Item max = r.required(t, "max_notional_usd");
    row.max_notional_usd = r.number(max, true);  // inf: the open-ended top bracket
    r.check(row.max_notional_usd > row.min_notional_usd, max,
            "must be > min_notional_usd (" + number_text(row.min_notional_usd) + ")");
    const Item rate = r.required(t, "maintenance_margin_rate");
    row.maintenance_margin_rate = r.number(rate);
    r.check(row.maintenance_margin_rate >= 0 && row.maintenance_margin_rate < 1, rate,
            "must be in [0, 1)");
    const Item lev = r.required(t, "max_leverage");
    row.max_leverage = r.number(lev);
    r.check(row.max_leverage >= 1, lev, "must be >= 1");
    if (const Item amount = t.get("maintenance_amount_usd")) {
      row.maintenance_amount_usd = r.number(amount);
      r.check(row.maintenance_amount_usd >= 0, amount, "must be >= 0");
    }
    return row;
  }

  /// A per-asset table {SYM = x}: every asset required, no others.
  std::vector<double> per_asset(const Item& item, bool (*ok)(double), const char* problem) {
    const Table t = r.as_table(item);
    std::vector<double> out(symbols.size());
    for (std::size_t a = 0; a < symbols.size(); ++a) {
      const Item v = r.required(t, symbols[a]);
      out[a] = r.number(v);
      r.check(ok(out[a]), v, problem);
    }
    for (auto&& [key, value] : *t.table) {
      (void)asset_index(Item{&value, join_key(t.path, key.str())}, std::string(key.str()), false);
    }
    return out;
  }

  void synthetic_book(const Table& t) {
    SyntheticBookSpec& sb = s.book.synthetic;
    sb.open_interest_usd = per_asset(
        r.required(t, "open_interest"), [](double v) { return v >= 0; }, "must be >= 0");
    auto share_ok = [](double v) { return v >= 0 && v <= 1; };
    sb.long_share.assign(symbols.size(), kDefaultLongShare);
    if (const Item share = t.get("long_share")) {
      if (share.node->is_table()) {
        sb.long_share = per_asset(share, share_ok, "must be in [0, 1]");
      } else {
        const double v = r.number(share);
        r.check(share_ok(v), share, "must be in [0, 1]");
        sb.long_share.assign(symbols.size(), v);
      }
    }
    sb.leverage_levels = kDefaultLeverageLevels;
    sb.leverage_weights = kDefaultLeverageWeights;
    if (const Item lev = t.get("leverage")) {
      const Table lt = r.as_table(lev);
      const Item levels = r.required(lt, "levels");
      const Item weights = r.required(lt, "weights");
      const toml::array& la = r.array(levels);
      const toml::array& wa = r.array(weights);
      r.check(!la.empty(), levels, "must not be empty");
      if (wa.size() != la.size()) {
        r.fail_value(weights, "must have as many entries as leverage.levels (" +
                                  std::to_string(la.size()) + ")");
      }
      sb.leverage_levels.clear();
      sb.leverage_weights.clear();
      double sum = 0.0;
      for (std::size_t k = 0; k < la.size(); ++k) {
        const Item l = Reader::element(la, levels, k);
        const double lv = r.number(l);
        r.check(lv >= 1, l, "must be >= 1");
        const Item w = Reader::element(wa, weights, k);
        const double wv = r.number(w);
        r.check(wv >= 0, w, "must be >= 0");
        sb.leverage_levels.push_back(lv);
        sb.leverage_weights.push_back(wv);
        sum += wv;
      }
      r.check(std::abs(sum - 1.0) <= kWeightSumTol, weights,
              "must sum to 1 (they sum to " + number_text(sum) + ")");
    }
    if (const Item spread = t.get("entry_spread")) {
      sb.entry_spread = r.number(spread);
      r.check(sb.entry_spread >= 0, spread, "must be >= 0");
    }
    sb.positions = kDefaultSyntheticPositions;
    if (const Item positions = t.get("positions")) {
      sb.positions = r.integer(positions);
      r.check(sb.positions > 0, positions, "must be > 0");
    }
    // The book's own seed, not simulation.seed: --seed varies the paths over a common book.
    if (const Item seed = t.get("seed")) {
      const std::int64_t v = r.integer(seed);
      r.check(v >= 0, seed, "must be >= 0");
      sb.seed = static_cast<std::uint64_t>(v);
    }
  }

  void insurance_fund(const Table& root) {
    const Table t = r.table(root, "insurance_fund", false);
    if (const Item balance = t.get("balance")) {
      s.insurance_fund.balance_usd = r.number(balance);
      r.check(s.insurance_fund.balance_usd >= 0, balance, "must be >= 0");
    }
    if (const Item fee = t.get("liquidation_fee")) {
      s.insurance_fund.liquidation_fee = r.number(fee);
      r.check(s.insurance_fund.liquidation_fee >= 0 && s.insurance_fund.liquidation_fee < 1, fee,
              "must be in [0, 1)");
    }
    if (const Item adl = t.get("adl")) s.insurance_fund.adl = r.choice<AdlRuleSpec>(adl);
  }

  void portfolios(const Table& root) {
    const Item item = root.get("portfolio");
    if (!item) return;
    const toml::array* list = item.node->as_array();
    if (list == nullptr) r.fail_value(item, "must be an array of tables, written [[portfolio]]");
    for (std::size_t k = 0; k < list->size(); ++k) {
      const Table t = r.as_table(Reader::element(*list, item, k));
      PortfolioSpec p;
      const Item name = r.required(t, "name");
      p.name = r.string(name);
      r.check(!p.name.empty(), name, "must not be empty");
      for (const PortfolioSpec& other : s.portfolios) {
        r.check(other.name != p.name, name, "duplicate portfolio name");
      }
      const Item collateral = r.required(t, "collateral");
      p.collateral_usd = r.number(collateral);
      r.check(p.collateral_usd >= 0, collateral, "must be >= 0");
      const Item positions = r.required(t, "positions");
      const toml::array& rows = r.array(positions);
      r.check(!rows.empty(), positions, "must list at least one position");
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const Table pt = r.as_table(Reader::element(rows, positions, i));
        PortfolioPosition pos;
        const Item asset = r.required(pt, "asset");
        pos.asset = asset_index(asset, r.string(asset), true);
        const Item side = r.required(pt, "side");
        pos.side = r.choice<Side>(side);
        const Item notional = r.required(pt, "notional");
        pos.notional_usd = r.number(notional);
        r.check(pos.notional_usd > 0, notional, "must be > 0");
        const Item entry = r.required(pt, "entry");
        pos.entry_price = r.number(entry);
        r.check(pos.entry_price > 0, entry, "must be > 0");
        p.positions.push_back(pos);
      }
      s.portfolios.push_back(std::move(p));
    }
  }

  /// A strictly increasing list of numbers, each accepted by `ok`.
  std::vector<double> increasing(const Item& item, bool (*ok)(double), const char* problem) {
    const toml::array& list = r.array(item);
    std::vector<double> out;
    for (std::size_t k = 0; k < list.size(); ++k) {
      const Item e = Reader::element(list, item, k);
      const double v = r.number(e);
      r.check(ok(v), e, problem);
      if (!out.empty()) {
        r.check(v > out.back(), e,
                "must be greater than the previous entry (" + number_text(out.back()) +
                    "): strictly increasing");
      }
      out.push_back(v);
    }
    return out;
  }

  void output(const Table& root) {
    const Table t = r.table(root, "output", false);
    OutputSpec& o = s.output;
    if (const Item path = t.get("path")) {
      o.path = r.string(path);
      r.check(!o.path.empty(), path, "must not be empty");
    }
    if (const Item per_path = t.get("per_path")) o.per_path = r.boolean(per_path);
    if (const Item q = t.get("quantiles")) {
      o.quantiles = increasing(
          q, [](double v) { return v > 0 && v < 1; }, "must be in (0, 1)");
      r.check(!o.quantiles.empty(), q, "must list at least one level");
    }
    if (const Item th = t.get("thresholds")) {
      o.thresholds = increasing(
          th, [](double v) { return v > 0; }, "must be > 0");
    }
  }
};

// ---- the resolved scenario as TOML ----------------------------------------------------------

/// Writes sections in SPEC.md order; each `key = value` line is printed by toml++'s
/// formatter (quoting, escaping, arrays, inline tables), then floats are shortened.
class ResolvedWriter {
 public:
  void section(std::string_view name) { header("[" + std::string(name) + "]"); }
  void array_section(std::string_view name) { header("[[" + std::string(name) + "]]"); }

  template <class V>
  void kv(std::string_view key, V&& value) {
    toml::table t;
    t.insert(key, std::forward<V>(value));
    std::string line = shorten_floats(formatted(t));
    while (!line.empty() && line.back() == '\n') line.pop_back();
    out_ += line + "\n";
  }
  void duration(std::string_view key, double seconds) { kv(key, duration_text(seconds)); }

  static toml::array numbers(const std::vector<double>& v) {
    toml::array a;
    for (double x : v) a.push_back(x);
    return a;
  }
  static toml::table inline_table() {
    toml::table t;
    t.is_inline(true);
    return t;
  }

  std::string str() && { return std::move(out_); }

 private:
  void header(const std::string& h) {
    if (!out_.empty()) out_ += "\n";
    out_ += h + "\n";
  }
  std::string out_;
};

std::string resolved_toml(const Scenario& s) {
  const int n = s.n_assets();
  ResolvedWriter w;
  w.section("simulation");
  w.kv("paths", s.simulation.paths);
  w.duration("horizon", s.simulation.horizon_s);
  w.duration("step", s.simulation.step_s);
  w.kv("seed", static_cast<std::int64_t>(s.simulation.seed));
  w.kv("max_paths", s.simulation.max_paths);
  w.kv("drift_compensation", s.simulation.drift_compensation);
  w.kv("innovations", std::string(name_of(s.simulation.innovations)));
  w.kv("dof", s.simulation.dof);

  w.section("market");
  toml::array symbols;
  for (const AssetSpec& a : s.assets) symbols.push_back(a.symbol);
  w.kv("assets", std::move(symbols));
  toml::array rows;
  for (int i = 0; i < n; ++i) {
    rows.push_back(ResolvedWriter::numbers(
        std::vector<double>(s.correlation.begin() + i * n, s.correlation.begin() + (i + 1) * n)));
  }
  w.kv("correlation", std::move(rows));
  w.kv("repair_correlation", s.repair_correlation);

  auto jumps = [](const JumpSpec& j) {
    toml::table t = ResolvedWriter::inline_table();
    t.insert("rate", j.rate);
    t.insert("mean", j.mean);
    t.insert("stdev", j.stdev);
    return t;
  };
  for (const AssetSpec& a : s.assets) {
    w.section("asset." + a.symbol);
    w.kv("spot", a.spot);
    w.kv("vol", a.vol);
    w.kv("drift", a.drift);
    w.kv("beta", a.beta);
    if (a.depth_usd) w.kv("depth", *a.depth_usd);
    w.kv("jumps", jumps(a.jumps));
    w.kv("funding_8h", a.funding_8h);
  }

  w.section("market_jumps");
  w.kv("rate", s.market_jumps.rate);
  w.kv("mean", s.market_jumps.mean);
  w.kv("stdev", s.market_jumps.stdev);

  for (const ShockSpec& shock : s.shocks) {
    w.array_section("shock");
    w.duration("at", shock.at_s);
    toml::table returns = ResolvedWriter::inline_table();
    for (int a = 0; a < n; ++a) returns.insert(s.assets[a].symbol, shock.returns[a]);
    w.kv("returns", std::move(returns));
    w.kv("vol_multiplier", shock.vol_multiplier);
    w.duration("duration", shock.duration_s);
  }

  w.section("impact");
  w.kv("model", std::string(name_of(s.impact.model)));
  w.kv("strength", s.impact.strength);
  w.duration("half_life", s.impact.half_life_s);
  w.kv("max_cascade_rounds", static_cast<std::int64_t>(s.impact.max_cascade_rounds));
  toml::table cross = ResolvedWriter::inline_table();
  for (int from = 0; from < n; ++from) {
    toml::table row = ResolvedWriter::inline_table();
    for (int to = 0; to < n; ++to) {
      const double g = s.impact.cross[to * n + from];
      if (to != from && g != 0.0) row.insert(s.assets[to].symbol, g);
    }
    if (!row.empty()) cross.insert(s.assets[from].symbol, std::move(row));
  }
  w.kv("cross", std::move(cross));
  if (s.impact.thin_drawdown > 0 || s.impact.thin_flow > 0) {
    toml::table thinning = ResolvedWriter::inline_table();
    thinning.insert("drawdown", s.impact.thin_drawdown);
    thinning.insert("flow", s.impact.thin_flow);
    thinning.insert("floor", s.impact.thin_floor);
    w.kv("thinning", std::move(thinning));
  }

  w.section("book");
  w.kv("source", std::string(name_of(s.book.source)));
  if (s.book.source == BookSource::csv) w.kv("path", s.book.csv_path.string());
  if (!s.book.maintenance.empty()) w.kv("maintenance", s.book.maintenance);
  for (const TierRow& row : s.book.tiers) {
    w.array_section("book.tier");
    if (!row.asset.empty()) w.kv("asset", row.asset);
    w.kv("min_notional_usd", row.min_notional_usd);
    w.kv("max_notional_usd", row.max_notional_usd);
    w.kv("maintenance_margin_rate", row.maintenance_margin_rate);
    w.kv("max_leverage", row.max_leverage);
    w.kv("maintenance_amount_usd", row.maintenance_amount_usd);
  }
  if (s.book.source == BookSource::synthetic) {
    const SyntheticBookSpec& sb = s.book.synthetic;
    w.section("book.synthetic");
    toml::table oi = ResolvedWriter::inline_table();
    for (int a = 0; a < n; ++a) oi.insert(s.assets[a].symbol, sb.open_interest_usd[a]);
    w.kv("open_interest", std::move(oi));
    const bool uniform = std::all_of(sb.long_share.begin(), sb.long_share.end(),
                                     [&](double v) { return v == sb.long_share.front(); });
    if (uniform) {
      w.kv("long_share", sb.long_share.front());
    } else {
      toml::table share = ResolvedWriter::inline_table();
      for (int a = 0; a < n; ++a) share.insert(s.assets[a].symbol, sb.long_share[a]);
      w.kv("long_share", std::move(share));
    }
    toml::table lev = ResolvedWriter::inline_table();
    lev.insert("levels", ResolvedWriter::numbers(sb.leverage_levels));
    lev.insert("weights", ResolvedWriter::numbers(sb.leverage_weights));
    w.kv("leverage", std::move(lev));
    w.kv("entry_spread", sb.entry_spread);
    w.kv("positions", sb.positions);
    w.kv("seed", static_cast<std::int64_t>(sb.seed));
  }

  w.section("insurance_fund");
  w.kv("balance", s.insurance_fund.balance_usd);
  w.kv("liquidation_fee", s.insurance_fund.liquidation_fee);
  w.kv("adl", std::string(name_of(s.insurance_fund.adl)));

  for (const PortfolioSpec& p : s.portfolios) {
    w.array_section("portfolio");
    w.kv("name", p.name);
    w.kv("collateral", p.collateral_usd);
    toml::array positions;
    for (const PortfolioPosition& pos : p.positions) {
      toml::table t = ResolvedWriter::inline_table();
      t.insert("asset", s.assets[pos.asset].symbol);
      t.insert("side", std::string(name_of(pos.side)));
      t.insert("notional", pos.notional_usd);
      t.insert("entry", pos.entry_price);
      positions.push_back(std::move(t));
    }
    w.kv("positions", std::move(positions));
  }

  w.section("output");
  w.kv("path", s.output.path);
  w.kv("per_path", s.output.per_path);
  w.kv("quantiles", ResolvedWriter::numbers(s.output.quantiles));
  w.kv("thresholds", ResolvedWriter::numbers(s.output.thresholds));
  return "# liqstress resolved scenario: every key with its effective value\n\n" +
         std::move(w).str();
}

}  // namespace

double parse_duration(std::string_view text, bool allow_inf) {
  if (text.empty()) throw std::invalid_argument("empty duration");
  if (text == "inf") {
    if (allow_inf) return std::numeric_limits<double>::infinity();
    throw std::invalid_argument("\"inf\" is not allowed here, a finite duration is required");
  }
  if (text.front() == '-') throw std::invalid_argument("negative duration");
  std::size_t unit_start = text.size();
  while (unit_start > 0 && std::isalpha(static_cast<unsigned char>(text[unit_start - 1])) != 0) {
    --unit_start;
  }
  const std::string_view number = text.substr(0, unit_start);
  const std::string_view unit = text.substr(unit_start);
  if (unit.empty()) {
    throw std::invalid_argument("no unit (write e.g. \"90s\", \"15m\", \"6h\", \"3d\")");
  }
  double unit_seconds = 0.0;
  if (unit == "s") {
    unit_seconds = 1.0;
  } else if (unit == "m") {
    unit_seconds = 60.0;
  } else if (unit == "h") {
    unit_seconds = 3600.0;
  } else if (unit == "d") {
    unit_seconds = 86400.0;
  } else {
    throw std::invalid_argument("unknown unit \"" + std::string(unit) + "\" (use s, m, h or d)");
  }
  double value = 0.0;
  const auto res = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || res.ec != std::errc{} || res.ptr != number.data() + number.size() ||
      !std::isfinite(value)) {
    throw std::invalid_argument("not a number before the unit: \"" + std::string(number) + "\"");
  }
  if (value < 0) throw std::invalid_argument("negative duration");
  const double seconds = value * unit_seconds;
  if (!std::isfinite(seconds)) throw std::invalid_argument("duration too large");
  return seconds;
}

Scenario load_scenario_text(std::string_view text, const std::string& source_name,
                            const std::filesystem::path& base_dir, const std::string& name,
                            const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    // A non-empty source path tells file nodes from the tables an override creates.
    root = toml::parse(text, std::string_view(source_name.empty() ? "<scenario>" : source_name));
  } catch (const toml::parse_error& e) {
    throw InputError(source_name + ":" + std::to_string(e.source().begin.line) + ":" +
                     std::to_string(e.source().begin.column) +
                     ": TOML syntax error: " + std::string(e.description()));
  }
  Context ctx(source_name);
  for (const std::string& o : overrides) apply_override(root, o, ctx);
  check_unknown_keys(root, ctx);

  Scenario s;
  s.source_file = source_name;
  s.name = name;
  const Reader reader(ctx);
  Loader loader{reader, base_dir, s, {}};
  const Table top{&root, nullptr, ""};
  loader.simulation(top);
  loader.market(top);
  loader.assets(top);
  if (const Item mj = top.get("market_jumps")) s.market_jumps = loader.jumps(reader.as_table(mj));
  loader.shocks(top);
  loader.impact(top);
  loader.book(top);
  loader.insurance_fund(top);
  loader.portfolios(top);
  loader.output(top);
  s.resolved_toml = resolved_toml(s);
  return s;
}

Scenario load_scenario(const std::filesystem::path& file,
                       const std::vector<std::string>& overrides) {
  const std::string source = file.string();
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    throw InputError(source + ": cannot read scenario file (" + std::strerror(EISDIR) + ")");
  }
  std::FILE* f = std::fopen(source.c_str(), "rb");
  if (f == nullptr) {
    throw InputError(source + ": cannot read scenario file (" + std::strerror(errno) + ")");
  }
  std::string text;
  char buf[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, got);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) throw InputError(source + ": cannot read scenario file (" + std::strerror(err) + ")");
  return load_scenario_text(text, source, file.parent_path(), file.stem().string(), overrides);
}

}  // namespace liq
