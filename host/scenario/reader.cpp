// liqstress — reading a TOML document key by key (host/scenario/reader.h): where a value came
// from, `--set` overrides, typed values with their messages, and the unknown-key report.
#include "host/scenario/reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <system_error>
#include <tuple>

#include "host/scenario/config.h"
#include "host/scenario/toml_text.h"

namespace liq::schema {
namespace {

struct KeySegment {
  std::string name;
  std::optional<std::size_t> index;  // "name[i]": element i of an array of tables
};

KeySegment key_segment(std::string part, const std::string& key, const std::string& spec) {
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
  return seg;
}

std::vector<KeySegment> split_key(const std::string& key, const std::string& spec) {
  std::vector<KeySegment> segments;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    segments.push_back(key_segment(
        key.substr(start, dot == std::string::npos ? std::string::npos : dot - start), key, spec));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segments;
}

/// The override's value; its nodes carry `tag` as their source path, so messages about them
/// (and about anything inside them) name the override instead of a line of the file.
toml::table parse_override_value(const std::string& value, const std::string& tag) {
  try {
    return toml::parse("v = " + value, std::string_view(tag));
  } catch (const toml::parse_error&) {
    // A bare word is a string: impact.model=sqrt means "sqrt".
    try {
      return toml::parse("v = " + toml_quoted(value), std::string_view(tag));
    } catch (const toml::parse_error& e) {
      throw InputError(tag + ": cannot read " + value + " as a TOML value (" +
                       std::string(e.description()) + ")");
    }
  }
}

/// Puts `value` at `segments` under `root`, creating tables on the way; returns the key path.
std::string place_override(toml::table& root, const std::vector<KeySegment>& segments,
                           toml::node&& value, const std::string& tag) {
  std::string path;
  toml::table* table = &root;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const KeySegment& seg = segments[s];
    const bool last = s + 1 == segments.size();
    path = join_key(path, seg.name);
    if (last && !seg.index) {
      table->insert_or_assign(seg.name, std::move(value));
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
        arr->replace(arr->cbegin() + static_cast<std::ptrdiff_t>(*seg.index), std::move(value));
        break;
      }
      child = arr->get(*seg.index);
    }
    if (!child->is_table()) throw InputError(tag + ": " + path + " is not a table");
    table = child->as_table();
  }
  return path;
}

bool is_prefix_path(const std::string& prefix, const std::string& path) {
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
         (path[prefix.size()] == '.' || path[prefix.size()] == '[');
}

}  // namespace

// ---- Context --------------------------------------------------------------------------------

void Context::apply_override(toml::table& root, const std::string& spec) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string::npos) {
    throw InputError("--set " + spec + ": expected KEY=VALUE (e.g. --set simulation.paths=2e6)");
  }
  const std::string key = trim(std::string_view(spec).substr(0, eq));
  const std::string value = trim(std::string_view(spec).substr(eq + 1));
  if (key.empty()) throw InputError("--set " + spec + ": expected KEY=VALUE, the key is empty");
  const std::vector<KeySegment> segments = split_key(key, spec);
  if (value.empty()) throw InputError("--set " + key + ": expected KEY=VALUE, the value is empty");

  const std::string tag = "--set " + key;
  toml::table parsed = parse_override_value(value, tag);
  toml::node* new_value = parsed.get("v");
  if (parsed.size() != 1 || new_value == nullptr) {
    throw InputError(tag + ": expected a single TOML value, got " + value);
  }
  override_keys_.push_back(place_override(root, segments, std::move(*new_value), tag));
  override_sources_.insert(tag);
}

bool Context::from_override(const std::string& key_path, const toml::node* node) const {
  if (node != nullptr) {
    const auto& path = node->source().path;
    if (path && override_sources_.count(*path) != 0) return true;
  }
  // Tables an override created on its way to its key have no source of their own.
  const bool created = node != nullptr && !node->source().path;
  for (const std::string& k : override_keys_) {
    if (key_path == k) return true;
    if (created && is_prefix_path(key_path, k)) return true;
    if (is_prefix_path(k, key_path)) return true;
  }
  return false;
}

std::string Context::where(const std::string& key_path, const toml::node* node) const {
  if (from_override(key_path, node)) return "--set " + key_path;
  std::string s = source_;
  if (node != nullptr && node->source().begin.line > 0) {
    s += ':';
    s += std::to_string(node->source().begin.line);
  }
  if (!key_path.empty()) {
    s += ": ";
    s += key_path;
  }
  return s;
}

// ---- lookups --------------------------------------------------------------------------------

Item Reader::get(const Table& table, std::string_view key) {
  Item item{nullptr, join_key(table.path, key), table.site, table.defaulted};
  if (table.table == nullptr) return item;
  std::vector<std::string>& asked = asked_[table.table];
  if (std::find(asked.begin(), asked.end(), key) == asked.end()) asked.emplace_back(key);
  item.node = table.table->get(key);
  if (item.node != nullptr) {
    used_.insert(item.node);
    if (!table.defaulted) item.site = item.node;
  }
  return item;
}

Table Reader::table(const Table& parent, std::string_view key) {
  const Item item = get(parent, key);
  if (!item) return Table{nullptr, nullptr, item.path, false};
  return as_table(item);
}

Table Reader::as_table(const Item& item) const {
  const auto* t = item.node->as_table();
  if (t == nullptr) fail_value(item, "must be a table");
  return Table{t, item.defaulted ? nullptr : item.node, item.path, item.defaulted};
}

const toml::array& Reader::array(const Item& item) const {
  const auto* a = item.node->as_array();
  if (a == nullptr) fail_value(item, "must be an array");
  return *a;
}

Item Reader::element(const toml::array& array, const Item& parent, std::size_t i) {
  const toml::node* node = array.get(i);
  return Item{node, index_key(parent.path, i), parent.defaulted ? nullptr : node, parent.defaulted};
}

std::vector<std::pair<std::string, Item>> Reader::entries(const Table& table) {
  std::vector<std::pair<std::string, Item>> out;
  if (table.table == nullptr) return out;
  for (auto&& [key, value] : *table.table) {
    out.emplace_back(std::string(key.str()), get(table, key.str()));
  }
  return out;
}

// ---- typed values ---------------------------------------------------------------------------

std::string Reader::render_value(const Item& item) {
  return render(*item.node);
}

double Reader::number(const Item& item, bool allow_inf) const {
  double v = 0.0;
  if (const auto* i = item.node->as_integer()) {
    v = static_cast<double>(i->get());
  } else if (const auto* f = item.node->as_floating_point()) {
    v = f->get();
  } else {
    fail_value(item, "must be a number");
  }
  if (std::isnan(v) || (std::isinf(v) && !(allow_inf && v > 0))) fail_value(item, "must be finite");
  return v;
}

std::int64_t Reader::integer(const Item& item) const {
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

bool Reader::boolean(const Item& item) const {
  const auto* b = item.node->as_boolean();
  if (b == nullptr) fail_value(item, "must be true or false");
  return b->get();
}

std::string Reader::string(const Item& item) const {
  const auto* s = item.node->as_string();
  if (s == nullptr) fail_value(item, "must be a string");
  return s->get();
}

double Reader::duration(const Item& item, bool allow_inf) const {
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

// ---- unknown keys ---------------------------------------------------------------------------

struct Reader::Unknown {
  std::string path;
  std::string hint;  // the keys its table was asked for
  const toml::node* node;
  bool from_override;
  std::uint32_t line;
  std::uint32_t column;
};

void Reader::find_unknown(const toml::table& table, const std::string& path,
                          std::vector<Unknown>& out) const {
  for (auto&& [key, value] : table) {
    const std::string child = join_key(path, key.str());
    if (used_.count(&value) == 0) {
      std::string hint;
      if (const auto it = asked_.find(&table); it != asked_.end()) {
        for (const std::string& k : it->second) hint += (hint.empty() ? "" : ", ") + k;
      }
      const auto& src = key.source().begin.line > 0 ? key.source() : value.source();
      out.push_back({child, hint, &value, ctx_.from_override(child, &value), src.begin.line,
                     src.begin.column});
    } else {
      find_unknown_in(value, child, out);
    }
  }
}

void Reader::find_unknown_in(const toml::node& node, const std::string& path,
                             std::vector<Unknown>& out) const {
  if (consumed_.count(&node) != 0) return;
  if (const auto* table = node.as_table()) {
    find_unknown(*table, path, out);
  } else if (const auto* array = node.as_array()) {
    for (std::size_t i = 0; i < array->size(); ++i) {
      find_unknown_in(*array->get(i), index_key(path, i), out);
    }
  }
}

void Reader::finish(const toml::table& root) const {
  std::vector<Unknown> unknown;
  find_unknown(root, "", unknown);
  if (!unknown.empty()) {
    const auto first =
        std::min_element(unknown.begin(), unknown.end(), [](const auto& a, const auto& b) {
          return std::tuple(!a.from_override, a.line, a.column) <
                 std::tuple(!b.from_override, b.line, b.column);
        });
    std::string problem = "unknown key";
    if (!first->hint.empty()) problem += " (known keys here: " + first->hint + ")";
    ctx_.fail(first->path, first->node, problem);
  }
  if (first_problem_) throw *first_problem_;
}

}  // namespace liq::schema
