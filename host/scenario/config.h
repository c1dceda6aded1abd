// liqstress — reading scenario files (TOML, toml++) into a validated liq::Scenario.
// Strict: every key is read or rejected (the keys: host/scenario/scenario_keys.cpp,
// docs/scenario-keys.md); errors are InputError with
// "FILE:LINE: KEY.PATH: PROBLEM, got VALUE" (SPEC.md), `--set` overrides report
// "--set KEY: ...".
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/scenario/scenario.h"

namespace liq {

/// Loads and validates a scenario file, applying `overrides` ("KEY=VALUE", the value read
/// as TOML; integer keys accept integral floats such as 2e6) before validation.
Scenario load_scenario(const std::filesystem::path& file,
                       const std::vector<std::string>& overrides = {});

/// The same from text. `source_name` appears in messages and `base_dir` resolves relative
/// paths inside the scenario (books, tier tables); `name` is the scenario's name.
Scenario load_scenario_text(std::string_view text, const std::string& source_name,
                            const std::filesystem::path& base_dir, const std::string& name,
                            const std::vector<std::string>& overrides = {});

/// The resolved scenario as TOML (Scenario::resolved_toml), written again from `scenario`
/// (once the automatic importance tilt has been chosen).
std::string resolved_toml(const Scenario& scenario);

/// The value of a real-valued (float) key of the resolved scenario, by its dotted path as
/// `--set` writes it ("market_jumps.mean", "shock[0].vol_multiplier"); nullopt when the key
/// is not there or not a float.
std::optional<double> resolved_real(const Scenario& scenario, const std::string& key_path);

/// Parses a duration such as "90s", "15m", "6h", "3d" (also fractional, "1.5h") into
/// seconds; "inf" only when `allow_inf`. Throws std::invalid_argument with the reason.
double parse_duration(std::string_view text, bool allow_inf = false);

/// The default scenario compiled into the binary (configs/default.toml).
std::string_view builtin_default_config();

/// The reference of every scenario key (type, default, meaning) and of tier table files, in
/// Markdown, generated from the schema: docs/scenario-keys.md (`liqstress validate --keys`).
std::string scenario_keys_markdown();

}  // namespace liq
