// liqstress — what the schema's tables drive (host/scenario/schema.h): reading a document
// key by key, writing the resolved TOML, and the key reference.
#include "host/scenario/schema.h"

#include <algorithm>
#include <string>
#include <system_error>

#include "host/scenario/spelling.h"
#include "host/scenario/toml_text.h"

namespace liq::schema {
namespace {

namespace fs = std::filesystem;

bool is_table_form(Form f) {
  return f == Form::table || f == Form::inline_table;
}

std::string only_text(BookSource source) {
  return "book.source = " + toml_quoted(name_of(source));
}

bool shown(const Section& section, const Scenario& s, Ix ix) {
  return section.shown == nullptr || section.shown(s, ix);
}

}  // namespace

toml::table parse_document(std::string_view text, const std::string& source) {
  try {
    // A non-empty source path tells file nodes from the tables an override creates.
    return toml::parse(text, std::string_view(source.empty() ? "<scenario>" : source));
  } catch (const toml::parse_error& e) {
    throw InputError(source + ":" + std::to_string(e.source().begin.line) + ":" +
                     std::to_string(e.source().begin.column) +
                     ": TOML syntax error: " + std::string(e.description()));
  }
}

// ---- reading --------------------------------------------------------------------------------

void Load::read_section(const Section& section, const Table& table, Ix ix) {
  const Cursor at{table, ix};
  for (const Key& key : section.keys) read_key(key, at);
  if (section.finish != nullptr) r.attempt(Item{}, [&] { section.finish(*this, at); });
}

void Load::read_key(const Key& key, const Cursor& at) {
  if (key.form == Form::per_asset) {
    read_per_asset(key, at);
    return;
  }
  Item item = r.get(at.table, key.name);
  r.attempt(item, [&] {
    if (key.only && s.book.source != *key.only) {
      if (item) r.fail(item, "only used with " + only_text(*key.only));
      return;
    }
    if (!item && key.need == Need::required) {
      r.fail(item, is_table_form(key.form) ? "required table missing" : "required key missing");
    }
    if (!item && key.need == Need::fallback) item = fallback(key, item);
    if (key.form == Form::value) {
      if (item && key.read != nullptr) key.read(*this, item, at);
    } else if (is_table_form(key.form)) {
      const Table t = item ? r.as_table(item) : Table{nullptr, nullptr, item.path, false};
      const Ix ix = key.sub->enter != nullptr ? key.sub->enter(*this, item, at.ix) : at.ix;
      read_section(*key.sub, t, ix);
    } else if (item) {
      read_rows(key, item, at);
    }
  });
}

void Load::read_rows(const Key& key, const Item& item, const Cursor& at) {
  const toml::array* rows = item.node->as_array();
  if (key.form == Form::rows && rows == nullptr) {
    r.fail_value(item, "must be an array of tables, written [[" + item.path + "]]");
  }
  if (rows == nullptr) rows = &r.array(item);
  for (std::size_t k = 0; k < rows->size(); ++k) {
    const Item element = Reader::element(*rows, item, k);
    r.attempt(element, [&] {
      const Table t = r.as_table(element);
      read_section(*key.sub, t, key.sub->enter(*this, element, at.ix));
    });
  }
  if (key.read != nullptr) r.attempt(Item{}, [&] { key.read(*this, item, at); });
}

void Load::read_per_asset(const Key& key, const Cursor& at) {
  const Item all_item = r.get(at.table, key.name);
  r.attempt(all_item, [&] {
    const Table all =
        all_item ? r.as_table(all_item) : Table{nullptr, nullptr, all_item.path, false};
    for (std::size_t a = 0; a < symbols.size(); ++a) {
      const Item item = r.get(all, symbols[a]);
      AssetSpec spec;
      spec.symbol = symbols[a];
      s.assets.push_back(std::move(spec));
      r.attempt(item, [&] {
        if (!item) {
          r.fail(item,
                 "required table missing (every market.assets entry needs [" + item.path + "])");
        }
        read_section(*key.sub, r.as_table(item), Ix{static_cast<int>(a), -1});
      });
    }
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    for (const auto& entry : r.entries(all)) {
      const Item& item = entry.second;
      r.attempt(item, [&] { (void)asset_index(item, entry.first, false); });
    }
  });
}

Item Load::fallback(const Key& key, const Item& absent) {
  auto it = defaults_.find(&key);
  if (it == defaults_.end()) {
    const std::string text = "v = " + std::string(key.fallback);
    it = defaults_.emplace(&key, toml::parse(text, std::string_view("<default>"))).first;
  }
  return Item{it->second.get("v"), absent.path, nullptr, true};
}

std::string Load::asset_list() const {
  std::string list;
  for (const auto& sym : symbols) list += (list.empty() ? "" : ", ") + sym;
  return "[" + list + "]";
}

int Load::asset_index(const Item& item, const std::string& symbol, bool value) const {
  const auto it = std::find(symbols.begin(), symbols.end(), symbol);
  if (it == symbols.end()) {
    const std::string problem = "not in market.assets " + asset_list();
    if (value) r.fail_value(item, problem);
    r.fail(item, problem);
  }
  return static_cast<int>(it - symbols.begin());
}

fs::path Load::resolve(const std::string& relative) const {
  fs::path p = base_dir_ / fs::path(relative);
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  return (ec ? p : abs).lexically_normal();
}

// ---- the resolved scenario as TOML ----------------------------------------------------------

namespace {

/// Sections in the schema's order; each `key = value` line is printed by toml++'s formatter
/// (quoting, escaping, arrays, inline tables), then its floats are shortened.
class Writer {
 public:
  void header(const std::string& h) {
    if (!out_.empty()) out_ += "\n";
    out_ += h + "\n";
  }
  void line(const toml::table& kv) {
    if (kv.empty()) return;
    std::string text = shorten_floats(formatted(kv));
    while (!text.empty() && text.back() == '\n') text.pop_back();
    out_ += text + "\n";
  }
  std::string str() && { return std::move(out_); }

 private:
  std::string out_;
};

/// The value keys of `section` as one inline table.
toml::table inline_keys(const Section& section, const Scenario& s, Ix ix) {
  toml::table t;
  t.is_inline(true);
  for (const Key& key : section.keys) {
    Put put{t, key.name};
    key.write(put, s, ix);
  }
  return t;
}

void write_keys(Writer& w, const Section& section, const Scenario& s, Ix ix,
                const std::string& path) {
  for (const Key& key : section.keys) {
    if (key.only && s.book.source != *key.only) continue;
    const std::string child = join_key(path, key.name);
    toml::table line;
    if (key.form == Form::value) {
      Put put{line, key.name};
      key.write(put, s, ix);
    } else if (key.form == Form::inline_table && shown(*key.sub, s, ix)) {
      line.insert(key.name, inline_keys(*key.sub, s, ix));
    } else if (key.form == Form::inline_rows) {
      toml::array rows;
      for (std::size_t k = 0; k < key.sub->count(s, ix); ++k) {
        rows.push_back(inline_keys(*key.sub, s, ix.push(static_cast<int>(k))));
      }
      line.insert(key.name, std::move(rows));
    } else if (key.form == Form::table && shown(*key.sub, s, ix)) {
      w.header("[" + child + "]");
      write_keys(w, *key.sub, s, ix, child);
    } else if (key.form == Form::rows) {
      for (std::size_t k = 0; k < key.sub->count(s, ix); ++k) {
        w.header("[[" + child + "]]");
        write_keys(w, *key.sub, s, ix.push(static_cast<int>(k)), child);
      }
    } else if (key.form == Form::per_asset) {
      for (std::size_t a = 0; a < s.assets.size(); ++a) {
        const std::string table = join_key(child, s.assets[a].symbol);
        w.header("[" + table + "]");
        write_keys(w, *key.sub, s, Ix{static_cast<int>(a), -1}, table);
      }
    }
    w.line(line);
  }
}

}  // namespace

std::string write_resolved(const Section& root, const Scenario& s) {
  Writer w;
  write_keys(w, root, s, Ix{}, "");
  return "# liqstress resolved scenario: every key with its effective value\n\n" +
         std::move(w).str();
}

// ---- the key reference ----------------------------------------------------------------------

namespace {

/// `text` in backticks.
std::string code(std::string_view text) {
  std::string s(1, '`');
  s += text;
  s += '`';
  return s;
}

std::string kind_text(const Key& key) {
  switch (key.form) {
    case Form::table:
      return "table";
    case Form::inline_table:
      return "table (inline)";
    case Form::rows:
      return "array of tables";
    case Form::inline_rows:
      return "array of inline tables";
    case Form::per_asset:
      return "table per asset";
    case Form::value:
      break;
  }
  switch (key.kind) {
    case Kind::integer:
      return "integer";
    case Kind::number:
      return "number";
    case Kind::boolean:
      return "boolean";
    case Kind::string:
      return "string";
    case Kind::duration:
      return "duration";
    case Kind::duration_or_inf:
      return "duration or `\"inf\"`";
    case Kind::choice: {
      std::string s;
      for (std::string_view c : key.choices) {
        if (!s.empty()) s += ", ";
        s += code(toml_quoted(c));
      }
      return s;
    }
    case Kind::other:
      break;
  }
  return std::string(key.type);
}

std::string default_text(const Key& key) {
  switch (key.need) {
    case Need::required:
      return "required";
    case Need::fallback:
      return code(key.fallback);
    case Need::optional:
      break;
  }
  return is_table_form(key.form) || key.form == Form::per_asset ? "" : "none";
}

void describe(std::string& out, const Section& section, const std::string& path, int depth) {
  for (const Key& key : section.keys) {
    std::string child = join_key(path, key.name);
    if (key.form == Form::per_asset) child += ".SYM";
    if (key.form == Form::rows || key.form == Form::inline_rows) {
      child += depth == 0 ? "[i]" : "[j]";
    }
    std::string meaning(key.meaning);
    if (key.only) meaning += "; only with " + code(only_text(*key.only));
    out += "| `" + child + "` | " + kind_text(key) + " | " + default_text(key) + " | " + meaning +
           " |\n";
    const bool rows = key.form == Form::rows || key.form == Form::inline_rows;
    if (key.sub != nullptr) describe(out, *key.sub, child, depth + (rows ? 1 : 0));
  }
}

}  // namespace

std::string keys_markdown_table(const Section& root) {
  std::string out = "| key | type | default | meaning |\n| --- | --- | --- | --- |\n";
  describe(out, root, "", 0);
  return out;
}

}  // namespace liq::schema
