// liqstress — maintenance-margin tier rows, wherever they are written: [[book.tier]] rows of a
// scenario, [[tier]] rows of a tier table file (TOML), the rows of a tier table CSV. One set
// of key names, one reader for the TOML forms (the scenario schema's), one check of the
// brackets with one set of messages. host/book/book.cpp files the checked rows by asset.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/scenario/scenario.h"

namespace liq {

/// The keys of a tier row (and the columns of a tier table CSV), in order.
enum class TierKey : int {
  asset,
  min_notional_usd,
  max_notional_usd,
  maintenance_margin_rate,
  max_leverage,
  maintenance_amount_usd
};
inline constexpr std::size_t kTierKeyCount = 6;
inline constexpr std::array<std::string_view, kTierKeyCount> kTierKeyNames = {
    "asset",        "min_notional_usd",      "max_notional_usd", "maintenance_margin_rate",
    "max_leverage", "maintenance_amount_usd"};

/// Whether a tier row must give `key` (asset is optional, the amount defaults to 0).
bool tier_key_required(TierKey key);

/// The number a numeric key (every key but asset) sets.
double& tier_number(TierRow& row, TierKey key);

/// Where each key of a tier row was written, for messages.
struct TierRowSites {
  std::string path;                              // "book.tier[0]", "tier[3]", "row"
  std::array<std::string, kTierKeyCount> where;  // "FILE:LINE: PATH.KEY" or "--set PATH.KEY"
  std::array<std::string, kTierKeyCount> got;    // the value as written, for ", got X"
};

/// Checks the brackets: min >= 0, max > min, maintenance_margin_rate in [0, 1), max_leverage
/// >= 1 with max_leverage × rate < 1, amount >= 0; each asset's brackets (and the rows
/// without asset) start at 0 and are contiguous in increasing order (assets may interleave).
/// Throws InputError "WHERE: PROBLEM[, got VALUE]".
void check_tier_rows(std::span<const TierRow> rows, std::span<const TierRowSites> sites);

/// A tier table file (TOML: `name`, `source`, [[tier]] rows), read and checked.
struct TierFile {
  std::string name;
  std::string source;
  std::vector<TierRow> rows;
};
TierFile read_tier_file(std::string_view text, const std::string& origin);

}  // namespace liq
