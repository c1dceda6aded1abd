// liqstress — the scenario schema: each key is declared once, in a table of its section
// (host/scenario/scenario_keys.cpp, tiers.cpp), with its name, type, default and meaning next
// to the code that reads it (the validation rules and their messages) and the code that
// writes it back. Everything else is driven by those tables:
//   - reading (Load::read_section): each key is looked up, which marks it used (pbrt-v4's
//     paramdict pattern, host/scenario/reader.h); what no table asked for is an unknown key;
//   - the resolved TOML (write_resolved) that `validate` prints and results files keep;
//   - the key reference docs/scenario-keys.md (keys_markdown_table, `validate --keys`),
//     which tests/unit/scenario_keys_test.cpp compares with the file.
// Adding a key is adding one entry: {.name, .kind, .need, .fallback, .meaning, .read, .write}.
//
// A key's default is TOML text, read through the key's own reader when the key is absent:
// defaults obey the rules written values obey, and the reference shows them as written.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "host/scenario/reader.h"
#include "host/scenario/scenario.h"
#include "host/scenario/tiers.h"

namespace liq::schema {

/// Which element a key belongs to: the asset of [asset.SYM], the row of [[shock]],
/// [[book.tier]] or [[portfolio]] (i), the position of a portfolio (j); -1 when none.
struct Ix {
  int i = -1;
  int j = -1;
  Ix push(int k) const { return i < 0 ? Ix{k, -1} : Ix{i, k}; }
};

class Load;

/// The table a key is read from, and which element it belongs to.
struct Cursor {
  const Table& table;
  Ix ix;
};

/// Puts a key's value into the line (a one-key table) the writer prints; a writer that puts
/// nothing leaves the key out.
struct Put {
  toml::table& line;
  std::string_view name;
  template <class V>
  void operator()(V&& value) {
    line.insert(name, std::forward<V>(value));
  }
};

using ReadFn = void (*)(Load&, const Item&, const Cursor&);
using WriteFn = void (*)(Put&, const Scenario&, Ix);

/// The type of a key, in the words of the reference.
enum class Kind { integer, number, boolean, string, duration, duration_or_inf, choice, other };

/// How a key is written: a value (`k = v`), a table ([k]) or an inline table (k = { ... }),
/// rows ([[k]] tables, or k = [{ ... }]), or one [k.SYM] table per asset.
enum class Form { value, table, inline_table, rows, inline_rows, per_asset };

/// Whether a key must be given, has a default, or may be left out.
enum class Need { optional, required, fallback };

struct Section;

/// One key of the schema.
struct Key {
  std::string_view name;
  Kind kind = Kind::other;
  std::string_view type;                      // Kind::other: the type in words
  std::span<const std::string_view> choices;  // Kind::choice: the spellings
  Need need = Need::optional;
  std::string_view fallback;  // Need::fallback: the default, as TOML text
  std::string_view meaning;   // units and meaning, for the reference
  ReadFn read = nullptr;      // values: reads and checks; rows: checks after the rows
  WriteFn write = nullptr;    // values only
  Form form = Form::value;
  const Section* sub = nullptr;  // the keys of a table, inline table or row
  /// A key of one book source: refused with the other, written only with this one.
  std::optional<BookSource> only;
};

/// The keys of one table, in the order they are read, written and documented.
struct Section {
  std::span<const Key> keys;
  /// Before the keys: makes room for a row and returns its Ix (rows must have one), or sets
  /// what the keys build on. [asset.SYM] tables are added to Scenario::assets by the reader.
  Ix (*enter)(Load&, const Item&, Ix) = nullptr;
  /// After the keys: the checks across them.
  void (*finish)(Load&, const Cursor&) = nullptr;
  /// Rows: how many to write.
  std::size_t (*count)(const Scenario&, Ix) = nullptr;
  /// Whether the table is written at all (default: always).
  bool (*shown)(const Scenario&, Ix) = nullptr;
};

/// The state of one load: the reader, the scenario being filled, and what its keys need.
class Load {
 public:
  Load(Reader& reader, Scenario& scenario, std::filesystem::path base_dir, bool has_market)
      : r(reader), s(scenario), base_dir_(std::move(base_dir)), has_market_(has_market) {}

  Reader& r;
  Scenario& s;
  const Table* root = nullptr;               // the document's top-level table
  std::vector<std::string> symbols;          // market.assets, as read so far
  std::vector<TierRowSites> tier_sites;      // where each tier row's keys were written
  std::string tier_name, tier_source;        // a tier table file's `name` and `source`
  std::vector<std::vector<Item>> regime_to;  // per [[regime]], its `to` entries (for messages)
  Item initial_regime;                       // simulation.initial_regime, as written

  /// Reads the keys of `section` from `table`: each key in an attempt of its own.
  void read_section(const Section& section, const Table& table, Ix ix);
  /// Index of a symbol named by `item` (a key, or a string value), else a problem.
  int asset_index(const Item& item, const std::string& symbol, bool value) const;
  std::string asset_list() const;
  /// `relative` against the scenario file's folder.
  std::filesystem::path resolve(const std::string& relative) const;
  /// Whether asset names can be checked against market.assets (not in tier table files).
  bool has_market() const { return has_market_; }

 private:
  void read_key(const Key& key, const Cursor& at);
  void read_rows(const Key& key, const Item& item, const Cursor& at);
  void read_per_asset(const Key& key, const Cursor& at);
  Item fallback(const Key& key, const Item& absent);

  std::filesystem::path base_dir_;
  bool has_market_;
  std::map<const Key*, toml::table> defaults_;  // parsed fallbacks, owned for the load
};

/// The scenario file's top-level table, and a tier table file's.
const Section& scenario_schema();
const Section& tier_file_schema();
/// A tier row: [[book.tier]] in a scenario, [[tier]] in a tier table file
/// (host/scenario/tiers.cpp).
extern const Section kTierRow;

/// The resolved scenario as TOML: every key with its effective value, defaults included.
std::string write_resolved(const Section& root, const Scenario& s);

/// The key reference of a schema: a Markdown table, one row per key.
std::string keys_markdown_table(const Section& root);

/// Parses a TOML document; a syntax error is an InputError "SOURCE:LINE:COLUMN: ...".
toml::table parse_document(std::string_view text, const std::string& source);

}  // namespace liq::schema
