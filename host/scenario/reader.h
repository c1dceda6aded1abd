// liqstress — reading a TOML document key by key, pbrt-v4's paramdict pattern: every lookup
// marks the key used, and what is left unused when reading ends is an unknown key, reported
// with its file:line and the keys its table was asked for. Problems found while reading are
// kept (the first one) and reading goes on, so that every table is still visited: unknown
// keys are reported before any other problem, since a misspelt key otherwise shows up as a
// confusing "required key missing" for its correct spelling.
//
// Messages: "FILE:LINE: KEY.PATH: PROBLEM, got VALUE", or "--set KEY.PATH: ..." for a value
// given on the command line (host/scenario/config.h).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "host/scenario/spelling.h"
#include "host/util/errors.h"

namespace liq::schema {

/// Names the origin of a key in messages: the file and line, or the `--set` that gave it.
class Context {
 public:
  explicit Context(std::string source) : source_(std::move(source)) {}

  /// Applies one "KEY=VALUE" override (the value read as TOML; a bare word is a string).
  void apply_override(toml::table& root, const std::string& spec);

  bool from_override(const std::string& key_path, const toml::node* node) const;

  /// "FILE:LINE: KEY.PATH", "FILE: KEY.PATH" or "--set KEY.PATH".
  std::string where(const std::string& key_path, const toml::node* node) const;

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

/// A key being read: its node (null when absent) and its full path. `site` is what messages
/// point at: the node itself, the table that lacks it, or nothing for a schema default.
struct Item {
  const toml::node* node = nullptr;
  std::string path;
  const toml::node* site = nullptr;
  bool defaulted = false;  // the schema's default, not something written
  explicit operator bool() const { return node != nullptr; }
};

/// A table being read; `table` is null when it is absent (every key then missing).
struct Table {
  const toml::table* table = nullptr;
  const toml::node* site = nullptr;  // for "required key missing": the table's own line
  std::string path;
  bool defaulted = false;
};

class Reader {
 public:
  explicit Reader(const Context& ctx) : ctx_(ctx) {}

  // ---- lookups: each marks what it finds as used ------------------------------------------

  Item get(const Table& table, std::string_view key);
  /// The table under `key`; an absent one reads as empty.
  Table table(const Table& parent, std::string_view key);
  Table as_table(const Item& item) const;
  const toml::array& array(const Item& item) const;
  static Item element(const toml::array& array, const Item& parent, std::size_t i);
  /// Every key of a table whose keys are names the scenario defines (asset symbols).
  std::vector<std::pair<std::string, Item>> entries(const Table& table);

  // ---- typed values, each with its message ------------------------------------------------

  double number(const Item& item, bool allow_inf = false) const;
  /// Integers; integral floats such as 2e6 are accepted (`--set simulation.paths=2e6`).
  std::int64_t integer(const Item& item) const;
  bool boolean(const Item& item) const;
  std::string string(const Item& item) const;
  double duration(const Item& item, bool allow_inf) const;
  /// One of the spellings of E (host/scenario/spelling.h).
  template <class E>
  E choice(const Item& item) const {
    if (const auto e = from_name<E>(string(item))) return *e;
    fail_value(item, "must be one of " + names_text<E>(", "));
  }

  // ---- problems ---------------------------------------------------------------------------

  [[noreturn]] void fail(const Item& item, const std::string& problem) const {
    ctx_.fail(item.path, item.site, problem);
  }
  [[noreturn]] void fail_value(const Item& item, const std::string& problem) const {
    fail(item, problem + ", got " + render_value(item));
  }
  void check(bool ok, const Item& item, const std::string& problem) const {
    if (!ok) fail_value(item, problem);
  }
  std::string where(const Item& item) const { return ctx_.where(item.path, item.site); }
  static std::string render_value(const Item& item);
  const Context& context() const { return ctx_; }

  /// Runs `read`; a problem it throws is kept (the first of all) and `item`'s subtree is
  /// taken as read, so that nothing under a value already refused is called unknown.
  template <class F>
  void attempt(const Item& item, F&& read) {
    try {
      read();
    } catch (const InputError& e) {
      if (!first_problem_) first_problem_ = e;
      consume(item.node);
    }
  }
  void consume(const toml::node* node) {
    if (node != nullptr) consumed_.insert(node);
  }
  bool failed() const { return first_problem_.has_value(); }

  /// The end of reading `root`: the first unknown key (values from `--set` first, then by
  /// line), else the first problem kept, is thrown.
  void finish(const toml::table& root) const;

 private:
  struct Unknown;
  void find_unknown(const toml::table& table, const std::string& path,
                    std::vector<Unknown>& out) const;
  void find_unknown_in(const toml::node& node, const std::string& path,
                       std::vector<Unknown>& out) const;

  const Context& ctx_;
  std::unordered_set<const toml::node*> used_;
  std::unordered_set<const toml::node*> consumed_;
  std::map<const toml::table*, std::vector<std::string>> asked_;  // keys looked up, in order
  std::optional<InputError> first_problem_;
};

}  // namespace liq::schema
