// liqstress — docs/scenario-keys.md, generated from the schema's tables (host/scenario/
// schema.h) by `liqstress validate --keys`; tests/unit/scenario_keys_test.cpp fails when the
// file and the code disagree.
#include <string>

#include "host/scenario/config.h"
#include "host/scenario/schema.h"
#include "host/scenario/tiers.h"

namespace liq {

std::string scenario_keys_markdown() {
  std::string csv_columns;
  for (std::size_t k = 0; k < kTierKeyCount; ++k) {
    if (k > 0) csv_columns += ',';
    csv_columns += kTierKeyNames[k];
  }
  return "# Scenario keys\n"
         "\n"
         "<!-- Generated from host/scenario/scenario_keys.cpp and tiers.cpp: do not edit.\n"
         "     Regenerate: build/cpu/liqstress validate --keys > docs/scenario-keys.md -->\n"
         "\n"
         "Every key a scenario file may hold, in the order `liqstress validate` writes the\n"
         "resolved scenario. Any other key is an error naming its file and line and the keys\n"
         "its table knows. `SYM` stands for a symbol of `market.assets`, `[i]` and `[j]` for\n"
         "elements of arrays of tables (`--set shock[0].at=\"2h\"`). Durations are strings:\n"
         "`\"90s\"`, `\"15m\"`, `\"6h\"`, `\"3d\"`, fractions allowed (`\"1.5h\"`). A default is\n"
         "read as if it were written, and the resolved scenario shows it.\n"
         "\n" +
         schema::keys_markdown_table(schema::scenario_schema()) +
         "\n"
         "## Tier table files\n"
         "\n"
         "A tier table named by `book.maintenance` is TOML with these keys, or CSV with the\n"
         "columns `" +
         csv_columns +
         "` (`asset` and `maintenance_amount_usd` may be left out or empty). Each asset's\n"
         "brackets, and the rows without `asset`, start at 0 and are contiguous in increasing\n"
         "order; rows of different assets may interleave.\n"
         "\n" +
         schema::keys_markdown_table(schema::tier_file_schema());
}

}  // namespace liq
