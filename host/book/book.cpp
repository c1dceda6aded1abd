// liqstress — leveraged position books (MODEL.md §3, SPEC.md "Book CSV"): tier tables
// (TOML or CSV files, the compiled-in copy, [[book.tier]] rows), the CSV book reader
// (streamed, every error naming file:row and column), the synthetic book drawn from
// [book.synthetic], and the liquidation and bankruptcy prices of one position.
#include "host/book/book.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "host/book/history.h"
#include "host/scenario/spelling.h"
#include "host/scenario/tiers.h"
#include "host/scenario/toml_text.h"
#include "host/util/errors.h"
#include "host/util/format.h"
#include "host/util/sha256.h"
#include "kernels/distributions.h"
#include "kernels/philox.h"

namespace liq {

#ifndef LIQ_HAVE_BUILTIN_TIERS
// Until CMake compiles cmake/builtin_tiers.cpp.in (and defines LIQ_HAVE_BUILTIN_TIERS),
// no table is built in: names are found in configs/ only.
std::string_view builtin_tier_table(std::string_view /*name*/) {
  return {};
}
#endif

namespace {

namespace fs = std::filesystem;

/// Lognormal σ of synthetic position sizes: notional ∝ exp(σ·z). 1.5 gives the heavy right
/// tail of real books (the largest of 100,000 positions is a few hundred times the mean, the
/// top 1% hold about a fifth of the notional) without one position dominating a side.
constexpr double kSizeSigma = 1.5;

// ---- text helpers ---------------------------------------------------------------------------

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

/// A CSV line without its comment ('#' to the end of the line always starts one) and
/// surrounding blanks; empty when nothing is left.
std::string_view content(std::string_view line) {
  const auto hash = line.find('#');
  if (hash != std::string_view::npos) line = line.substr(0, hash);
  return trim(line);
}

/// Splits at commas (no quoting: books hold symbols, numbers and plain account names).
void split(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      out.push_back(trim(line.substr(start)));
      return;
    }
    out.push_back(trim(line.substr(start, comma - start)));
    start = comma + 1;
  }
}

/// A finite decimal number filling the whole field (std::from_chars: no locale, no '+').
bool parse_number(std::string_view text, double& out) {
  if (text.empty()) return false;
  const auto res = std::from_chars(text.data(), text.data() + text.size(), out);
  return res.ec == std::errc{} && res.ptr == text.data() + text.size() && std::isfinite(out);
}

std::string location(const std::string& origin, std::int64_t line) {
  return line > 0 ? origin + ":" + std::to_string(line) : origin;
}

/// "a,b,c".
std::string name_list(std::span<const std::string_view> names) {
  std::string s;
  for (std::string_view n : names) s.append(s.empty() ? "" : ",").append(n);
  return s;
}

/// A CSV file's header row: which field holds each of the file's columns (-1: none).
struct CsvHeader {
  std::vector<int> field;  // by column
  std::size_t width = 0;   // fields in the header, and so in every row

  /// Row `fields`' value of column `c` (empty when the header does not name it).
  std::string_view value(const std::vector<std::string_view>& fields, std::size_t c) const {
    return field[c] < 0 ? std::string_view() : fields[static_cast<std::size_t>(field[c])];
  }

  /// InputError (at `origin`:`line`) unless the row has a field for every header field.
  void check_width(const std::vector<std::string_view>& fields, const std::string& origin,
                   std::int64_t line) const {
    if (fields.size() != width) {
      throw InputError(location(origin, line) + ": " + std::to_string(fields.size()) +
                       " fields, the header has " + std::to_string(width) +
                       " (each row needs a value, possibly empty, for every column)");
    }
  }
};

/// Reads header `fields` (line `at`) naming columns among `names`, those that
/// `required(c)` says in every header. InputError for a field that names no column, a
/// column named twice, a required column missing.
CsvHeader read_csv_header(const std::vector<std::string_view>& fields,
                          std::span<const std::string_view> names,
                          const std::function<bool(std::size_t)>& required, const std::string& at) {
  auto fail = [&](std::string_view column, const std::string& problem) {
    throw InputError(at + ": column '" + std::string(column) + "': " + problem);
  };
  CsvHeader h{std::vector<int>(names.size(), -1), fields.size()};
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto c =
        static_cast<std::size_t>(std::find(names.begin(), names.end(), fields[i]) - names.begin());
    if (c == names.size()) fail(fields[i], "unknown column (known: " + name_list(names) + ")");
    if (h.field[c] >= 0) {
      fail(fields[i], "appears twice in the header (fields " + std::to_string(h.field[c] + 1) +
                          " and " + std::to_string(i + 1) + ")");
    }
    h.field[c] = static_cast<int>(i);
  }
  for (std::size_t c = 0; c < names.size(); ++c)
    if (h.field[c] < 0 && required(c)) fail(names[c], "required column missing from the header");
  return h;
}

// ---- tier tables ----------------------------------------------------------------------------

/// Files checked rows by asset (rows without `asset`: the fallback).
void file_rows(TierTable& table, std::vector<TierRow>&& rows) {
  if (rows.empty()) throw InputError(table.origin + ": tier table has no rows");
  for (TierRow& t : rows) {
    if (t.asset.empty()) {
      table.fallback.push_back(std::move(t));
    } else {
      table.by_asset[t.asset].push_back(std::move(t));
    }
  }
}

TierTable parse_toml_table(std::string_view text, const std::string& origin) {
  TierFile file = read_tier_file(text, origin);  // read and checked (host/scenario/tiers.h)
  TierTable table;
  table.origin = origin;
  table.name = std::move(file.name);
  table.source = std::move(file.source);
  file_rows(table, std::move(file.rows));
  return table;
}

/// A tier table CSV's header: tier keys, `asset` and the defaulted ones optional.
CsvHeader tier_header(const std::vector<std::string_view>& fields, const std::string& at) {
  return read_csv_header(
      fields, kTierKeyNames,
      [](std::size_t k) { return tier_key_required(static_cast<TierKey>(k)); }, at);
}

/// One bracket of a tier table CSV, with where each of its fields was (line `at`).
void tier_csv_row(const std::vector<std::string_view>& fields, const CsvHeader& header,
                  const std::string& at, TierRow& row, TierRowSites& sites) {
  sites.path = "row";
  for (std::size_t k = 0; k < kTierKeyCount; ++k) {
    const auto key = static_cast<TierKey>(k);
    sites.where[k] = at + ": row." + std::string(kTierKeyNames[k]);
    if (header.field[k] < 0) continue;
    const std::string_view f = header.value(fields, k);
    sites.got[k] = std::string(f);
    if (key == TierKey::asset) {
      row.asset = std::string(f);
      continue;
    }
    if (f.empty() && !tier_key_required(key)) continue;  // the default
    double v = 0.0;
    const bool inf = key == TierKey::max_notional_usd && f == "inf";  // the open-ended top
    if (!parse_number(f, v) && !inf) {
      throw InputError(at + ": column '" + std::string(kTierKeyNames[k]) + "': not a number: '" +
                       std::string(f) + "'");
    }
    tier_number(row, key) = inf ? std::numeric_limits<double>::infinity() : v;
  }
}

/// The same table as CSV: a header naming the tier keys (asset optional), one bracket a row.
TierTable parse_csv_table(std::string_view text, const std::string& origin) {
  std::vector<TierRow> rows;
  std::vector<TierRowSites> sites;
  std::vector<std::string_view> fields;
  std::optional<CsvHeader> header;
  std::int64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = content(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    split(line, fields);
    const std::string at = location(origin, line_no);
    if (!header) {
      header = tier_header(fields, at);
      continue;
    }
    header->check_width(fields, origin, line_no);
    tier_csv_row(fields, *header, at, rows.emplace_back(), sites.emplace_back());
  }
  if (!header) throw InputError(origin + ": tier table has no header row");
  check_tier_rows(rows, sites);
  TierTable table;
  table.origin = origin;
  file_rows(table, std::move(rows));
  return table;
}

/// [[book.tier]] rows as a table. Checked when the scenario was read, with their lines;
/// checked again here for scenarios built in code, naming the scenario.
TierTable table_from_rows(const std::vector<TierRow>& rows, const std::string& scenario_file) {
  std::vector<TierRowSites> sites(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    sites[i].path = "book.tier[" + std::to_string(i) + "]";
    for (std::size_t k = 0; k < kTierKeyCount; ++k) {
      sites[i].where[k] =
          scenario_file + ": " + sites[i].path + "." + std::string(kTierKeyNames[k]);
    }
    sites[i].got = {rows[i].asset,
                    number_text(rows[i].min_notional_usd),
                    number_text(rows[i].max_notional_usd),
                    number_text(rows[i].maintenance_margin_rate),
                    number_text(rows[i].max_leverage),
                    number_text(rows[i].maintenance_amount_usd)};
  }
  check_tier_rows(rows, sites);
  TierTable table;
  table.name = "[[book.tier]]";
  table.source = "[[book.tier]] rows of " + scenario_file;
  table.origin = scenario_file;
  file_rows(table, std::vector<TierRow>(rows));
  return table;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw InputError(file.string() + ": cannot read tier table (" + std::strerror(errno) + ")");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TierTable table_from_file(const fs::path& file) {
  const std::string text = read_text(file);
  TierTable t = parse_tier_table(text, file.string());
  if (t.name.empty()) t.name = file.stem().string();
  t.input = fs::absolute(file).lexically_normal().string();
  t.sha256 = sha256_hex(text);
  return t;
}

// ---- CSV books ------------------------------------------------------------------------------

enum Column : int {
  kAsset,
  kSide,
  kNotional,
  kEntry,
  kLeverage,
  kMargin,
  kMaintenanceRate,
  kAccount,
  kColumnCount
};
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "asset",    "side",       "notional_usd",     "entry_price",
    "leverage", "margin_usd", "maintenance_rate", "account"};
constexpr std::size_t kRequiredColumns = 5;  // asset .. leverage

[[noreturn]] void column_fail(const std::string& file, std::int64_t row, int column,
                              const std::string& problem) {
  throw InputError(file + ":" + std::to_string(row) + ": column '" +
                   std::string(kColumnNames[static_cast<std::size_t>(column)]) + "': " + problem);
}

}  // namespace

// ---- TierTable ------------------------------------------------------------------------------

const TierRow* find_bracket(const std::vector<TierRow>& rows, double notional_usd) {
  if (rows.empty() || !(notional_usd >= rows.front().min_notional_usd)) return nullptr;
  // Last row with min <= notional; contiguity (checked on load) makes it the only candidate.
  auto it = std::upper_bound(rows.begin(), rows.end(), notional_usd,
                             [](double n, const TierRow& r) { return n < r.min_notional_usd; });
  const TierRow& r = *(it - 1);
  return notional_usd < r.max_notional_usd ? &r : nullptr;
}

const std::vector<TierRow>* TierTable::rows_for(const std::string& asset) const {
  const auto it = by_asset.find(asset);
  if (it != by_asset.end()) return &it->second;
  return fallback.empty() ? nullptr : &fallback;
}

bool TierTable::has_asset(const std::string& asset) const {
  return rows_for(asset) != nullptr;
}

const TierRow& TierTable::bracket(const std::string& asset, double notional_usd) const {
  const std::vector<TierRow>* rows = rows_for(asset);
  if (rows == nullptr) {
    throw InputError("tier table " + name + " (" + origin + ") has no brackets for " + asset);
  }
  const TierRow* r = find_bracket(*rows, notional_usd);
  if (r == nullptr) {
    throw InputError("notional " + amount_text(notional_usd) + " USD of " + asset +
                     " is outside the brackets of tier table " + name + " (0 to " +
                     amount_text(rows->back().max_notional_usd) + " USD)");
  }
  return *r;
}

TierTable parse_tier_table(std::string_view text, const std::string& origin) {
  return origin.ends_with(".csv") ? parse_csv_table(text, origin) : parse_toml_table(text, origin);
}

TierTable load_tier_table(const Scenario& scenario) {
  const BookSpec& b = scenario.book;
  const std::string scenario_file = scenario.source_file.string();
  if (!b.tiers.empty()) return table_from_rows(b.tiers, scenario_file);
  const std::string& m = b.maintenance;
  if (m.empty()) {
    throw InputError(scenario_file +
                     ": book: no tier table (give book.maintenance or [[book.tier]] rows)");
  }
  std::error_code ec;
  const bool looks_like_path =
      m.find('/') != std::string::npos || m.ends_with(".toml") || m.ends_with(".csv");
  if (looks_like_path) {
    if (!fs::is_regular_file(m, ec)) {
      throw InputError(scenario_file + ": book.maintenance: tier table file not found: " + m);
    }
    return table_from_file(m);
  }
  // A NAME: a copy on disk beside the scenario (or in the repository's configs/) wins over
  // the compiled-in one, so an edited table is picked up without rebuilding.
  const fs::path dir = scenario.source_file.parent_path();
  const std::string file_name = m + ".toml";
  // Lexically normalised: "<dir>/../configs" must work even when <dir> does not exist.
  const fs::path candidates[] = {(dir / file_name).lexically_normal(),
                                 (dir / "configs" / file_name).lexically_normal(),
                                 (dir / ".." / "configs" / file_name).lexically_normal()};
  for (const fs::path& c : candidates) {
    if (fs::is_regular_file(c, ec)) {
      TierTable t = table_from_file(c);
      if (t.name != m) {
        throw InputError(c.string() + ": name: \"" + t.name +
                         "\" is not the table book.maintenance asks for (\"" + m + "\")");
      }
      return t;
    }
  }
  const std::string_view builtin = builtin_tier_table(m);
  if (!builtin.empty()) {
    TierTable t = parse_tier_table(builtin, "<builtin>/" + file_name);
    if (t.name.empty()) t.name = m;
    t.input = "builtin:" + m;
    t.sha256 = sha256_hex(builtin);
    return t;
  }
  std::string searched;
  for (const fs::path& c : candidates) searched += " " + c.string() + ",";
  throw InputError(scenario_file + ": book.maintenance: unknown tier table \"" + m +
                   "\" (looked for" + searched +
                   " and among the built-in tables: binance-usdt-perp-2024-10); give a table "
                   "name, a path to a .toml or .csv table, or [[book.tier]] rows");
}

// ---- CSV book -------------------------------------------------------------------------------

namespace {

/// One data row of a CSV book: its values by column, and errors naming file:row and column.
struct CsvBookRow {
  const std::string& file;
  std::int64_t row;
  const CsvHeader& header;
  const std::vector<std::string_view>& fields;

  [[noreturn]] void fail(int c, const std::string& problem) const {
    column_fail(file, row, c, problem);
  }
  std::string_view field(int c) const { return header.value(fields, static_cast<std::size_t>(c)); }
  std::string_view required(int c) const {
    const std::string_view v = field(c);
    if (v.empty()) fail(c, "missing value");
    return v;
  }
  double number(int c) const {
    const std::string_view v = required(c);
    double x = 0.0;
    if (!parse_number(v, x)) fail(c, "not a finite number: '" + std::string(v) + "'");
    return x;
  }
};

/// The row's asset: its index among the scenario's assets.
std::int32_t csv_asset(const CsvBookRow& r, const Scenario& scenario) {
  const std::string_view asset = r.required(kAsset);
  std::int32_t index = -1;
  for (std::size_t a = 0; a < scenario.assets.size(); ++a) {
    if (asset == scenario.assets[a].symbol) index = static_cast<std::int32_t>(a);
  }
  if (index < 0) {
    std::string known;
    for (const AssetSpec& a : scenario.assets) known += (known.empty() ? "" : ", ") + a.symbol;
    r.fail(kAsset,
           "unknown asset '" + std::string(asset) + "' (the scenario's assets: " + known + ")");
  }
  return index;
}

/// The row's side, its name in any case.
Side csv_side(const CsvBookRow& r) {
  const std::string_view side = r.required(kSide);
  const auto s = from_name<Side>(side, /*ignore_case=*/true);
  if (!s) {
    r.fail(kSide, "must be " + names_text<Side>(" or ", "") + ", got '" + std::string(side) + "'");
  }
  return *s;
}

/// Sets the position's maintenance rate and amount; returns the tier's bracket, or nullptr when
/// the row gives its own rate.
const TierRow* csv_maintenance(Position& p, const CsvBookRow& r, double notional, double leverage,
                               const std::vector<TierRow>* rows, const TierTable& tiers,
                               const std::string& symbol) {
  if (!r.field(kMaintenanceRate).empty()) {
    // The row's own rate replaces the tier table entirely (A = 0, no leverage cap).
    p.mm_rate = r.number(kMaintenanceRate);
    if (!(p.mm_rate >= 0 && p.mm_rate < 1)) {
      r.fail(kMaintenanceRate, "must be in [0, 1), got " + amount_text(p.mm_rate));
    }
    p.maint_amount_usd = 0.0;
    return nullptr;
  }
  if (rows == nullptr) {
    r.fail(kAsset, "tier table " + tiers.name + " has no brackets for " + symbol +
                       " (give the row a maintenance_rate, or use a table that covers it)");
  }
  const TierRow* b = find_bracket(*rows, notional);
  if (b == nullptr) {
    r.fail(kNotional, amount_text(notional) + " is beyond the largest bracket of " + symbol +
                          " in tier table " + tiers.name + " (max " +
                          amount_text(rows->back().max_notional_usd) + ")");
  }
  if (leverage > b->max_leverage) {
    r.fail(kLeverage, amount_text(leverage) + " exceeds the tier maximum " +
                          amount_text(b->max_leverage) + " for " + symbol + " at notional " +
                          amount_text(notional));
  }
  p.mm_rate = b->maintenance_margin_rate;
  p.maint_amount_usd = b->maintenance_amount_usd;
  return b;
}

/// Sets the position's margin: the row's, else notional / leverage; it must exceed the
/// maintenance margin at entry, and respect the cap of the tier's `bracket` (when there is one).
void csv_margin(Position& p, const CsvBookRow& r, double notional, double leverage,
                const TierRow* bracket, const std::string& symbol) {
  const bool margin_given = !r.field(kMargin).empty();
  if (margin_given) {
    p.margin_usd = r.number(kMargin);
    if (!(p.margin_usd > 0)) r.fail(kMargin, "must be > 0, got " + amount_text(p.margin_usd));
  } else {
    p.margin_usd = notional / leverage;
    if (!std::isfinite(p.margin_usd))
      r.fail(kLeverage, "notional / leverage is not a finite margin (notional " +
                            amount_text(notional) + ", leverage " + amount_text(leverage) + ")");
  }
  const double maintenance_usd = p.mm_rate * notional - p.maint_amount_usd;
  if (!(p.margin_usd > maintenance_usd)) {
    r.fail(margin_given ? kMargin : kLeverage,
           "margin " + amount_text(p.margin_usd) + " USD" +
               (margin_given ? std::string() : " (notional / leverage)") +
               " does not exceed the maintenance margin at entry " + amount_text(maintenance_usd) +
               " USD (" + amount_text(p.mm_rate) + " x " + amount_text(notional) + " - " +
               amount_text(p.maint_amount_usd) +
               "): the position would be liquidated as it opened");
  }
  // A given margin sets the leverage the position really runs at: the tier's cap applies
  // to it as to the leverage column.
  if (margin_given && bracket != nullptr && notional / p.margin_usd > bracket->max_leverage) {
    r.fail(kMargin, amount_text(p.margin_usd) + " implies leverage " +
                        amount_text(notional / p.margin_usd) +
                        " (notional_usd / margin_usd), which exceeds the tier maximum " +
                        amount_text(bracket->max_leverage) + " for " + symbol + " at notional " +
                        amount_text(notional));
  }
}

/// The position of one data row (its account aside), every value checked.
Position csv_position(const CsvBookRow& r, const Scenario& scenario, const TierTable& tiers,
                      const std::vector<const std::vector<TierRow>*>& asset_rows) {
  Position p;
  p.asset = csv_asset(r, scenario);
  const std::string& symbol = scenario.assets[static_cast<std::size_t>(p.asset)].symbol;
  p.side = csv_side(r);

  const double notional = r.number(kNotional);
  if (!(notional > 0)) r.fail(kNotional, "must be > 0, got " + amount_text(notional));
  p.entry_price = r.number(kEntry);
  if (!(p.entry_price > 0)) r.fail(kEntry, "must be > 0, got " + amount_text(p.entry_price));
  const double leverage = r.number(kLeverage);
  if (!(leverage > 0)) r.fail(kLeverage, "must be > 0, got " + amount_text(leverage));

  const std::vector<TierRow>* rows = asset_rows[static_cast<std::size_t>(p.asset)];
  const TierRow* bracket = csv_maintenance(p, r, notional, leverage, rows, tiers, symbol);
  csv_margin(p, r, notional, leverage, bracket, symbol);
  p.quantity = notional / p.entry_price;
  if (!(std::isfinite(p.quantity) && p.quantity > 0.0))
    r.fail(p.quantity > 0.0 ? kEntry : kNotional,
           "notional / entry price is not a finite quantity > 0 (notional " +
               amount_text(notional) + ", entry price " + amount_text(p.entry_price) + ")");
  return p;
}

}  // namespace

Book load_csv_book(const std::filesystem::path& path, const Scenario& scenario,
                   const TierTable& tiers) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(file + ": cannot read book file (" + std::strerror(errno) + ")");

  // Per scenario asset: its brackets (nullptr when the table has none for it).
  std::vector<const std::vector<TierRow>*> asset_rows;
  for (const AssetSpec& a : scenario.assets) asset_rows.push_back(tiers.rows_for(a.symbol));

  Book book;
  std::unordered_map<std::string, std::int32_t> account_index;
  std::optional<CsvHeader> header;
  std::string line;
  std::vector<std::string_view> f;
  std::int64_t row = 0;

  while (std::getline(in, line)) {
    ++row;
    const std::string_view text = content(line);
    if (text.empty()) continue;
    split(text, f);
    if (!header) {
      header = read_csv_header(
          f, kColumnNames, [](std::size_t c) { return c < kRequiredColumns; }, location(file, row));
      continue;
    }
    header->check_width(f, file, row);
    const CsvBookRow r{file, row, *header, f};
    Position p = csv_position(r, scenario, tiers, asset_rows);

    const std::string_view account = r.field(kAccount);
    if (!account.empty()) {
      auto [it, inserted] = account_index.try_emplace(
          std::string(account), static_cast<std::int32_t>(book.accounts.size()));
      if (inserted) book.accounts.emplace_back(account);
      p.account = it->second;
    }
    book.positions.push_back(p);
  }
  if (in.bad()) throw InputError(file + ": read error (" + std::strerror(errno) + ")");
  if (!header) {
    throw InputError(file + ": no header row (expected " + name_list(kColumnNames) +
                     ", the last three optional)");
  }
  book.description =
      file + " (" + grouped(static_cast<std::int64_t>(book.positions.size())) + " positions)";
  return book;
}

// ---- synthetic book -------------------------------------------------------------------------
//
// Per asset a with open interest OI_a > 0 and long share s_a (book.synthetic):
//  - longs hold OI_a·s_a of notional, shorts OI_a·(1 − s_a). The book is the *leveraged*
//    open interest that can be liquidated; the other side of an imbalance is held by
//    accounts that are not (market makers, hedged/spot-backed accounts), the convention of
//    liquidation heatmaps. Counts: round(P·s_a) longs, the rest shorts, at least one position
//    on a side that has notional.
//  - Position i (0-based within the asset) draws one Philox block,
//    draw4({seed, path = i, step = a}, Purpose::book, slot 0), seed = book.synthetic.seed
//    (default 1; not simulation.seed, so that --seed varies the paths over a common book):
//      word 0 → u_L: leverage level by inverse CDF over the weights;
//      words 1, 2 → Box–Muller → (z_size, z_entry);  word 3: spare.
//    Pure function of (seed, a, i): no dependence on threads or on the other assets.
//  - size: raw_i = exp(kSizeSigma·z_size) (lognormal, heavy tailed like real books), scaled
//    per side so the side's notional sums to its target exactly (up to rounding).
//  - entry: E_i = spot·exp(entry_spread·z_entry) (median at spot): positions opened over
//    recent prices, so long liquidation prices cluster below spot near E·(1 − 1/L + mm)
//    and shorts above: a liquidation heatmap.
//  - leverage: the drawn level, capped at the max_leverage of the bracket of the drawn
//    notional (big positions cannot take high leverage); margin = notional / leverage.
//  - mm, A: from that bracket.
//  - survivors only: the book is today's *open* interest, so it holds no position that
//    today's price would already have liquidated. A position past its liquidation price at
//    spot (an entry far on the wrong side at high leverage: with the SPEC example, 11% of
//    the open interest) redraws its entry from slot k = 1, 2, ... (words 1, 2 → Box–Muller,
//    z0), i.e. its entry is drawn conditional on surviving at spot. Every attempt succeeds
//    with probability >= 1/2 (an entry on the right side of spot always survives, because
//    tables guarantee max_leverage·mm < 1), so kMaxEntryRedraws attempts fail with
//    probability <= 2^-32 per position; such a position is kept and counted in
//    Book::past_liquidation_at_spot (MODEL.md §3 liquidates it in the first step at S_0).
//    Without this the engine would liquidate that 11% at S_0 on every path, a constant
//    that swamps the tail statistics.

namespace {

struct Draw {
  double u_leverage;
  double z_size;
  double z_entry;
};

constexpr std::uint32_t kMaxEntryRedraws = 32;

Draw book_draw(std::uint64_t seed, std::uint64_t position, std::uint32_t asset) {
  const U32x4 w = draw4(RngAddress{seed, position, asset}, Purpose::book, 0);
  const NormalPair z = box_muller(u01(w.v[1]), u01(w.v[2]));
  return Draw{u01(w.v[0]), z.z0, z.z1};
}

/// The normal for the k-th redraw (k >= 1) of a position's entry.
double entry_redraw(std::uint64_t seed, std::uint64_t position, std::uint32_t asset,
                    std::uint32_t k) {
  const U32x4 w = draw4(RngAddress{seed, position, asset}, Purpose::book, k);
  return box_muller(u01(w.v[1]), u01(w.v[2])).z0;
}

bool past_liquidation(const Position& p, double spot) {
  const double liq = liquidation_price(p);
  return p.side == Side::long_side ? liq >= spot : liq <= spot;
}

/// The address of one synthetic position's draws.
struct PositionDraw {
  std::uint64_t seed;
  std::uint64_t position;
  std::uint32_t asset;
};

void set_entry(Position& p, double notional, double entry) {
  p.entry_price = entry;
  p.quantity = notional / entry;
}

/// Entry E = spot·exp(entry_spread·z), redrawn (slots 1, 2, ...) while past liquidation at spot.
void open_around_spot(Position& p, double notional, double spot, double spread,
                      const PositionDraw& at, const Draw& d) {
  set_entry(p, notional, spot * std::exp(spread * d.z_entry));
  for (std::uint32_t k = 1; k <= kMaxEntryRedraws && past_liquidation(p, spot); ++k)
    set_entry(p, notional,
              spot * std::exp(spread * entry_redraw(at.seed, at.position, at.asset, k)));
}

/// Opens the position at a time of its past that it survives to t = 0 (history.h): attempt k
/// uses the position's draw in slot kHistorySlot + k.
void open_in_history(Position& p, double notional, double spot, const HistoryLaw& law,
                     const PositionDraw& at) {
  constexpr std::uint32_t kHistorySlot = 0x10000;  // above the entry redraws' slots
  set_entry(p, notional, spot);
  const double liq_over_entry = liquidation_price(p) / spot;  // P_liq is proportional to E
  const Opening o = surviving_opening(p.side, liq_over_entry, law, [&](std::uint32_t k) {
    return draw4(RngAddress{at.seed, at.position, at.asset}, Purpose::book, kHistorySlot + k);
  });
  set_entry(p, notional, spot * std::exp(o.log_entry));
}

/// The leverage levels' inverse CDF: level k when cdf[k-1] <= u·total < cdf[k]; zero weights
/// are never drawn.
struct LeverageLevels {
  std::vector<double> cdf;
  double total_weight = 0.0;
  std::size_t last_drawable = 0;

  std::size_t level_of(double u) const {
    const double x = u * total_weight;
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), x);
    const auto k = static_cast<std::size_t>(it - cdf.begin());
    return std::min(k, last_drawable);  // u·total rounding up to the total
  }
};

LeverageLevels leverage_levels(const SyntheticBookSpec& sb, const std::string& key) {
  if (sb.leverage_levels.empty() || sb.leverage_levels.size() != sb.leverage_weights.size()) {
    throw InputError(key + ".leverage: levels and weights must be non-empty and of equal size");
  }
  LeverageLevels l;
  for (double w : sb.leverage_weights) l.cdf.push_back(l.total_weight += w);
  for (std::size_t k = 0; k < sb.leverage_weights.size(); ++k) {
    if (sb.leverage_weights[k] > 0) l.last_drawable = k;
  }
  return l;
}

/// What the draws of one asset's positions read.
struct AssetDraws {
  const SyntheticBookSpec& sb;
  const LeverageLevels& leverage;
  const std::string& key;  // "<scenario file>: book.synthetic", for errors
  const TierTable& tiers;
  const std::vector<TierRow>& rows;  // the asset's brackets
  const AssetSpec& asset;
  int a;

  Draw draw(std::int64_t i) const {
    return book_draw(sb.seed, static_cast<std::uint64_t>(i), static_cast<std::uint32_t>(a));
  }
};

/// Position i of the asset, on side s (0 long, 1 short), of the given notional.
Position synthetic_position(const AssetDraws& at_asset, std::int64_t i, int s, double notional,
                            const Draw& d) {
  const SyntheticBookSpec& sb = at_asset.sb;
  const AssetSpec& asset = at_asset.asset;
  const std::vector<TierRow>& rows = at_asset.rows;
  const TierRow* b = find_bracket(rows, notional);
  if (b == nullptr) {
    throw InputError(at_asset.key + ".positions: a drawn " + asset.symbol + " position of " +
                     amount_text(notional) + " USD is beyond the largest bracket of tier table " +
                     at_asset.tiers.name + " (max " + amount_text(rows.back().max_notional_usd) +
                     " USD); raise book.synthetic.positions (now " + grouped(sb.positions) +
                     ") or lower open_interest." + asset.symbol);
  }
  const double leverage =
      std::min(sb.leverage_levels[at_asset.leverage.level_of(d.u_leverage)], b->max_leverage);
  Position p;
  p.asset = at_asset.a;
  p.side = s == 0 ? Side::long_side : Side::short_side;
  p.margin_usd = notional / leverage;
  p.mm_rate = b->maintenance_margin_rate;
  p.maint_amount_usd = b->maintenance_amount_usd;
  // Tables guarantee max_leverage·mm < 1, so margin > mm·notional − A always holds here.
  const PositionDraw at{sb.seed, static_cast<std::uint64_t>(i),
                        static_cast<std::uint32_t>(at_asset.a)};
  if (sb.history_s > 0) {
    const HistoryLaw law{asset.vol, asset.drift, sb.history_s};
    open_in_history(p, notional, asset.spot, law, at);
  } else {
    open_around_spot(p, notional, asset.spot, sb.entry_spread, at, d);
  }
  return p;
}

/// Draws the asset's positions into `book`: open interest `oi`, long share `share`.
void add_synthetic_asset(Book& book, const AssetDraws& at_asset, double oi, double share) {
  const SyntheticBookSpec& sb = at_asset.sb;
  const double target[2] = {oi * share, oi * (1.0 - share)};  // USD, longs and shorts
  auto n_long = static_cast<std::int64_t>(std::llround(static_cast<double>(sb.positions) * share));
  n_long = std::clamp<std::int64_t>(n_long, target[0] > 0 ? 1 : 0, sb.positions);
  std::int64_t n_short = sb.positions - n_long;
  if (target[1] > 0 && n_short == 0) n_short = 1;
  if (target[1] <= 0) n_short = 0;
  const std::int64_t n = n_long + n_short;

  // Pass 1: the raw lognormal sizes' sum per side (serial, index order: reproducible).
  double raw_sum[2] = {0.0, 0.0};
  for (std::int64_t i = 0; i < n; ++i)
    raw_sum[i < n_long ? 0 : 1] += std::exp(kSizeSigma * at_asset.draw(i).z_size);
  const double scale[2] = {raw_sum[0] > 0 ? target[0] / raw_sum[0] : 0.0,
                           raw_sum[1] > 0 ? target[1] / raw_sum[1] : 0.0};

  // Pass 2: the same draws again (pure functions of the address) into positions.
  book.positions.reserve(book.positions.size() + static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const Draw d = at_asset.draw(i);
    const int s = i < n_long ? 0 : 1;
    const double notional = scale[s] * std::exp(kSizeSigma * d.z_size);
    const Position p = synthetic_position(at_asset, i, s, notional, d);
    if (past_liquidation(p, at_asset.asset.spot)) ++book.past_liquidation_at_spot;
    book.positions.push_back(p);
  }
}

/// "synthetic (N positions, book seed S[, survivors of H of history][, K already past
/// liquidation at spot])".
std::string synthetic_description(const Book& book, const SyntheticBookSpec& sb) {
  std::string description = "synthetic (" +
                            grouped(static_cast<std::int64_t>(book.positions.size())) +
                            " positions, book seed " + std::to_string(sb.seed);
  if (sb.history_s > 0)
    description += ", survivors of " + duration_text(sb.history_s) + " of history";
  if (book.past_liquidation_at_spot > 0) {
    description +=
        ", " + grouped(book.past_liquidation_at_spot) + " already past liquidation at spot";
  }
  description += ")";
  return description;
}

}  // namespace

Book synthetic_book(const Scenario& scenario, const TierTable& tiers) {
  const SyntheticBookSpec& sb = scenario.book.synthetic;
  const std::string key = scenario.source_file.string() + ": book.synthetic";
  const LeverageLevels leverage = leverage_levels(sb, key);

  Book book;
  const int n_assets = scenario.n_assets();
  for (int a = 0; a < n_assets; ++a) {
    const AssetSpec& asset = scenario.assets[static_cast<std::size_t>(a)];
    const double oi = sb.open_interest_usd.at(static_cast<std::size_t>(a));
    const double share = sb.long_share.at(static_cast<std::size_t>(a));
    if (!(oi > 0)) continue;
    const std::vector<TierRow>* rows = tiers.rows_for(asset.symbol);
    if (rows == nullptr) {
      throw InputError(key + ".open_interest." + asset.symbol + ": tier table " + tiers.name +
                       " has no brackets for " + asset.symbol +
                       " (use a table that covers it, or [[book.tier]] rows)");
    }
    add_synthetic_asset(book, AssetDraws{sb, leverage, key, tiers, *rows, asset, a}, oi, share);
  }
  book.description = synthetic_description(book, sb);
  return book;
}

Book load_book(const Scenario& scenario) {
  return load_book(scenario, load_tier_table(scenario));
}

Book load_book(const Scenario& scenario, const TierTable& tiers) {
  if (scenario.book.source == BookSource::csv) {
    return load_csv_book(scenario.book.csv_path, scenario, tiers);
  }
  return synthetic_book(scenario, tiers);
}

// ---- prices (MODEL.md §3, F = 0) ------------------------------------------------------------

PositionSide position_side(Side s) {
  return s == Side::long_side ? PositionSide::long_side : PositionSide::short_side;
}

double liquidation_price(const Position& p) {
  return liquidation_price(position_side(p.side), p.entry_price, p.margin_usd / p.quantity,
                           p.maint_amount_usd / p.quantity, p.mm_rate);
}

double bankruptcy_price(const Position& p) {
  return bankruptcy_price(position_side(p.side), p.entry_price, p.margin_usd / p.quantity);
}

}  // namespace liq
