// liqstress — unit tests of the scenario schema (host/scenario/schema.h): the key reference
// docs/scenario-keys.md is what the schema generates, and each key's documented type is the
// type its reader accepts.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "host/scenario/config.h"
#include "host/scenario/schema.h"
#include "host/util/errors.h"

namespace liq {
namespace {

TEST(ScenarioKeys, ReferenceIsWhatTheSchemaGenerates) {
  const std::string file = LIQ_SOURCE_DIR "/docs/scenario-keys.md";
  std::ifstream in(file, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << file;
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), scenario_keys_markdown())
      << "docs/scenario-keys.md and the schema (host/scenario/scenario_keys.cpp, tiers.cpp) "
         "disagree; regenerate the file with\n"
         "  build/cpu/liqstress validate --keys > docs/scenario-keys.md";
}

// Every table of the schema, with a row of each array of tables and [[book.tier]] rows
// (instead of book.maintenance).
constexpr std::string_view kEveryTable = R"toml([simulation]
paths = 100
horizon = "1h"
step = "1m"

[market]
assets = ["BTC", "ETH"]
correlation = [[1.0, 0.5], [0.5, 1.0]]

[asset.BTC]
spot = 100000.0
vol = 0.5
depth = 1e9
jumps = { rate = 1.0 }

[asset.ETH]
spot = 3000.0
vol = 0.7
depth = 1e8

[market_jumps]
rate = 1.0

[[shock]]
at = "10m"
returns = { BTC = -0.1 }

[[regime]]
name = "calm"
to = { stressed = 0.5 }

[[regime]]
name = "stressed"
vol_multiplier = 2.0
to = { calm = 2.0 }

[impact]
model = "sqrt"
thinning = { flow = 1.0 }

[book]
[[book.tier]]
min_notional_usd = 0
max_notional_usd = inf
maintenance_margin_rate = 0.01
max_leverage = 50

[book.synthetic]
open_interest = { BTC = 1e9, ETH = 1e8 }

[[portfolio]]
name = "a"
collateral = 1e6
positions = [{ asset = "BTC", side = "long", notional = 1e6, entry = 1e5 }]
)toml";

/// Each value key of `section` under `path`, as a --set path into kEveryTable, with its key.
void value_keys(const schema::Section& section, const std::string& path,
                std::vector<std::pair<std::string, const schema::Key*>>& out) {
  for (const schema::Key& key : section.keys) {
    std::string child = path.empty() ? std::string(key.name) : path + "." + std::string(key.name);
    if (key.only && *key.only != BookSource::synthetic) continue;  // kEveryTable's source
    switch (key.form) {
      case schema::Form::value:
        out.emplace_back(child, &key);
        break;
      case schema::Form::per_asset:
        value_keys(*key.sub, child + ".BTC", out);
        break;
      case schema::Form::rows:
      case schema::Form::inline_rows:
        value_keys(*key.sub, child + "[0]", out);
        break;
      default:
        value_keys(*key.sub, child, out);
        break;
    }
  }
}

/// A value of the wrong type for `kind`, and the start of the problem it must give.
std::pair<std::string, std::string> wrong_value(const schema::Key& key) {
  switch (key.kind) {
    case schema::Kind::integer:
      return {"\"x\"", "must be an integer"};
    case schema::Kind::number:
      return {"\"x\"", "must be a number"};
    case schema::Kind::boolean:
      return {"\"x\"", "must be true or false"};
    case schema::Kind::string:
      return {"1", "must be a string"};
    case schema::Kind::duration:
    case schema::Kind::duration_or_inf:
      return {"1", "must be a duration"};
    case schema::Kind::choice:
      return {"\"no-such-choice\"", "must be one of \"" + std::string(key.choices.front())};
    case schema::Kind::other:
      break;
  }
  return {};
}

TEST(ScenarioKeys, DocumentedTypesAreWhatTheReadersAccept) {
  ASSERT_NO_THROW(load_scenario_text(kEveryTable, "x.toml", "/nonexistent-base", "x"));
  // book.maintenance excludes [[book.tier]] rows: it is tried on the scenario without them.
  std::string no_tiers(kEveryTable);
  const auto rows = no_tiers.find("[[book.tier]]");
  no_tiers.erase(rows, no_tiers.find("[book.synthetic]") - rows);
  ASSERT_NO_THROW(load_scenario_text(no_tiers, "x.toml", "/nonexistent-base", "x"));
  std::vector<std::pair<std::string, const schema::Key*>> keys;
  value_keys(schema::scenario_schema(), "", keys);
  int checked = 0;
  for (const auto& [path, key] : keys) {
    const auto [value, problem] = wrong_value(*key);
    if (value.empty()) continue;  // a type in words: its own tests in config_test.cpp
    std::string message;
    try {
      load_scenario_text(path == "book.maintenance" ? std::string_view(no_tiers) : kEveryTable,
                         "x.toml", "/nonexistent-base", "x", {path + "=" + value});
    } catch (const InputError& e) {
      message = e.what();
    }
    EXPECT_EQ(message.rfind("--set " + path + ": " + problem, 0), 0u)
        << path << " = " << value << ": " << message;
    ++checked;
  }
  EXPECT_GE(checked, 50);
}

}  // namespace
}  // namespace liq
