// liqstress — tier rows wherever they are written (host/scenario/tiers.h): their keys, read
// through the scenario schema, the one check of the brackets, and tier table files (TOML).
#include "host/scenario/tiers.h"

#include <cmath>
#include <map>

#include "host/scenario/schema.h"
#include "host/scenario/toml_text.h"
#include "host/util/errors.h"
#include "host/util/format.h"

// The tables below name only the fields a key sets (designated initializers); the rest keep
// their defaults by design, which g++ 12 reports under -Wextra.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace liq {
namespace schema {
namespace {

constexpr std::size_t at(TierKey key) {
  return static_cast<std::size_t>(key);
}

constexpr std::string_view name(TierKey key) {
  return kTierKeyNames[at(key)];
}

TierRow& row_of(Load& l, Ix ix) {
  return l.s.book.tiers[static_cast<std::size_t>(ix.i)];
}

const TierRow& row_of(const Scenario& s, Ix ix) {
  return s.book.tiers[static_cast<std::size_t>(ix.i)];
}

/// Records where `key` of the row was written, for check_tier_rows' messages.
void note(Load& l, const Item& item, Ix ix, TierKey key) {
  TierRowSites& sites = l.tier_sites[static_cast<std::size_t>(ix.i)];
  sites.where[at(key)] = l.r.where(item);
  sites.got[at(key)] = Reader::render_value(item);
}

/// A numeric key of a tier row: read, noted; its range is check_tier_rows' business.
template <TierKey K>
void read_tier_number(Load& l, const Item& item, const Cursor& c) {
  note(l, item, c.ix, K);
  // inf: the open-ended top bracket.
  tier_number(row_of(l, c.ix), K) = l.r.number(item, K == TierKey::max_notional_usd);
}

void read_tier_asset(Load& l, const Item& item, const Cursor& c) {
  note(l, item, c.ix, TierKey::asset);
  TierRow& row = row_of(l, c.ix);
  row.asset = l.r.string(item);
  l.r.check(!row.asset.empty(), item, "must not be empty");
  if (l.has_market()) (void)l.asset_index(item, row.asset, true);
}

Ix enter_tier_row(Load& l, const Item& row, Ix ix) {
  l.s.book.tiers.emplace_back();
  TierRowSites sites;
  sites.path = row.path;
  for (std::size_t k = 0; k < kTierKeyCount; ++k) {
    sites.where[k] = l.r.context().where(join_key(row.path, kTierKeyNames[k]), row.site);
  }
  l.tier_sites.push_back(std::move(sites));
  return ix.push(static_cast<int>(l.s.book.tiers.size() - 1));
}

constexpr Key kTierRowKeys[] = {
    {.name = name(TierKey::asset),
     .kind = Kind::string,
     .meaning = "the asset the bracket applies to; rows without `asset` apply to every asset "
                "that has no rows of its own",
     .read = read_tier_asset,
     .write =
         [](Put& put, const Scenario& s, Ix ix) {
           if (!row_of(s, ix).asset.empty()) put(row_of(s, ix).asset);
         }},
    {.name = name(TierKey::min_notional_usd),
     .kind = Kind::number,
     .need = Need::required,
     .meaning = "USD, ≥ 0: the bracket holds positions of notional in [min, max); an asset's "
                "first bracket starts at 0",
     .read = read_tier_number<TierKey::min_notional_usd>,
     .write = [](Put& put, const Scenario& s, Ix ix) { put(row_of(s, ix).min_notional_usd); }},
    {.name = name(TierKey::max_notional_usd),
     .kind = Kind::number,
     .need = Need::required,
     .meaning = "USD, > min; `inf` for the open-ended top bracket; the next bracket starts here",
     .read = read_tier_number<TierKey::max_notional_usd>,
     .write = [](Put& put, const Scenario& s, Ix ix) { put(row_of(s, ix).max_notional_usd); }},
    {.name = name(TierKey::maintenance_margin_rate),
     .kind = Kind::number,
     .need = Need::required,
     .meaning = "fraction of notional, in [0, 1)",
     .read = read_tier_number<TierKey::maintenance_margin_rate>,
     .write = [](Put& put, const Scenario& s,
                 Ix ix) { put(row_of(s, ix).maintenance_margin_rate); }},
    {.name = name(TierKey::max_leverage),
     .kind = Kind::number,
     .need = Need::required,
     .meaning = "≥ 1, with max_leverage × maintenance_margin_rate < 1",
     .read = read_tier_number<TierKey::max_leverage>,
     .write = [](Put& put, const Scenario& s, Ix ix) { put(row_of(s, ix).max_leverage); }},
    {.name = name(TierKey::maintenance_amount_usd),
     .kind = Kind::number,
     .need = Need::fallback,
     .fallback = "0.0",
     .meaning = "USD, ≥ 0: the bracket's cumulative maintenance amount",
     .read = read_tier_number<TierKey::maintenance_amount_usd>,
     .write = [](Put& put, const Scenario& s,
                 Ix ix) { put(row_of(s, ix).maintenance_amount_usd); }},
};

std::size_t count_tier_rows(const Scenario& s, Ix) {
  return s.book.tiers.size();
}

// ---- tier table files -----------------------------------------------------------------------

void check_tier_file_rows(Load& l, const Item&, const Cursor&) {
  check_tier_rows(l.s.book.tiers, l.tier_sites);
}

void tier_file_has_rows(Load& l, const Cursor&) {
  if (l.s.book.tiers.empty()) throw InputError(l.r.context().source() + ": tier table has no rows");
}

constexpr Key kTierFileKeys[] = {
    {.name = "name",
     .kind = Kind::string,
     .meaning = "the table's name, as `book.maintenance` names it (default: the file's stem)",
     .read = [](Load& l, const Item& item, const Cursor&) { l.tier_name = l.r.string(item); }},
    {.name = "source",
     .kind = Kind::string,
     .meaning = "where the numbers come from",
     .read = [](Load& l, const Item& item, const Cursor&) { l.tier_source = l.r.string(item); }},
    {.name = "tier",
     .meaning = "the brackets, with the keys of `[[book.tier]]`",
     .read = check_tier_file_rows,
     .form = Form::rows,
     .sub = &kTierRow},
};

constexpr Section kTierFile{.keys = kTierFileKeys, .finish = tier_file_has_rows};

}  // namespace

const Section kTierRow{.keys = kTierRowKeys, .enter = enter_tier_row, .count = count_tier_rows};

const Section& tier_file_schema() {
  return kTierFile;
}

}  // namespace schema

bool tier_key_required(TierKey key) {
  return schema::kTierRowKeys[static_cast<std::size_t>(key)].need == schema::Need::required;
}

double& tier_number(TierRow& row, TierKey key) {
  switch (key) {
    case TierKey::min_notional_usd:
      return row.min_notional_usd;
    case TierKey::max_notional_usd:
      return row.max_notional_usd;
    case TierKey::maintenance_margin_rate:
      return row.maintenance_margin_rate;
    case TierKey::max_leverage:
      return row.max_leverage;
    case TierKey::maintenance_amount_usd:
    case TierKey::asset:
      break;
  }
  return row.maintenance_amount_usd;
}

// ---- the check ------------------------------------------------------------------------------

namespace {

[[noreturn]] void tier_fail(const TierRowSites& at, TierKey key, const std::string& problem) {
  throw InputError(at.where[static_cast<std::size_t>(key)] + ": " + problem);
}

[[noreturn]] void tier_fail_got(const TierRowSites& at, TierKey key, const std::string& problem) {
  tier_fail(at, key, problem + ", got " + at.got[static_cast<std::size_t>(key)]);
}

void check_bracket(const TierRow& t, const TierRowSites& at) {
  if (!(t.min_notional_usd >= 0)) tier_fail_got(at, TierKey::min_notional_usd, "must be >= 0");
  if (!(t.max_notional_usd > t.min_notional_usd)) {
    tier_fail_got(at, TierKey::max_notional_usd,
                  "must be > min_notional_usd (" + number_text(t.min_notional_usd) + ")");
  }
  if (!(t.maintenance_margin_rate >= 0 && t.maintenance_margin_rate < 1)) {
    tier_fail_got(at, TierKey::maintenance_margin_rate, "must be in [0, 1)");
  }
  if (!(t.max_leverage >= 1)) tier_fail_got(at, TierKey::max_leverage, "must be >= 1");
  if (!(t.max_leverage * t.maintenance_margin_rate < 1)) {
    tier_fail(at, TierKey::max_leverage,
              number_text(t.max_leverage) + " times maintenance_margin_rate " +
                  number_text(t.maintenance_margin_rate) +
                  " is >= 1: a position at the maximum leverage would be liquidated as soon as "
                  "it opened");
  }
  if (!(t.maintenance_amount_usd >= 0)) {
    tier_fail_got(at, TierKey::maintenance_amount_usd, "must be >= 0");
  }
}

/// The bracket after `prev` (of the same asset) must start where `prev` ends.
void check_follows(const TierRow& t, const TierRowSites& at, const TierRow* prev,
                   const TierRowSites* prev_at) {
  const std::string who = t.asset.empty() ? std::string("rows without asset") : t.asset;
  if (prev == nullptr) {
    if (t.min_notional_usd != 0) {
      tier_fail_got(at, TierKey::min_notional_usd,
                    "the first bracket of " + who + " must start at 0");
    }
    return;
  }
  if (std::isinf(prev->max_notional_usd)) {
    tier_fail(at, TierKey::min_notional_usd,
              "follows a bracket of " + who + " that is open-ended (max_notional_usd = inf)");
  }
  if (t.min_notional_usd != prev->max_notional_usd) {
    tier_fail(
        at, TierKey::min_notional_usd,
        number_text(t.min_notional_usd) +
            (t.min_notional_usd > prev->max_notional_usd ? " leaves a gap after" : " overlaps") +
            " the previous bracket of " + who + " (" + prev_at->path + ", max_notional_usd " +
            number_text(prev->max_notional_usd) +
            "); brackets must be contiguous and in increasing order");
  }
}

}  // namespace

void check_tier_rows(std::span<const TierRow> rows, std::span<const TierRowSites> sites) {
  std::map<std::string, std::size_t> last;  // per asset ("" = the rows without): previous row
  for (std::size_t k = 0; k < rows.size(); ++k) {
    check_bracket(rows[k], sites[k]);
    const auto it = last.find(rows[k].asset);
    if (it == last.end()) {
      check_follows(rows[k], sites[k], nullptr, nullptr);
    } else {
      check_follows(rows[k], sites[k], &rows[it->second], &sites[it->second]);
    }
    last[rows[k].asset] = k;
  }
}

TierFile read_tier_file(std::string_view text, const std::string& origin) {
  const toml::table root = schema::parse_document(text, origin);
  const schema::Context ctx(origin);
  schema::Reader reader(ctx);
  Scenario rows;  // the rows are read into rows.book.tiers, as [[book.tier]] rows are
  schema::Load load(reader, rows, {}, false);
  const schema::Table top{&root, nullptr, "", false};
  load.root = &top;
  reader.attempt(schema::Item{}, [&] { load.read_section(schema::tier_file_schema(), top, {}); });
  reader.finish(root);
  return TierFile{load.tier_name, load.tier_source, std::move(rows.book.tiers)};
}

}  // namespace liq
