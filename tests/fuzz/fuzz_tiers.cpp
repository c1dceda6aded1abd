// liqstress — fuzz harness: tier tables (host/book parse_tier_table), TOML and CSV. The first
// byte picks the form (even: TOML, odd: CSV), the rest is the table's text. Bad input must end
// in InputError (exit code 2); a table that loads must find a bracket for every notional from
// 0 to its last max, and none beyond.
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>

#include "host/book/book.h"
#include "host/util/errors.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

void check_rows(const std::vector<liq::TierRow>& rows) {
  if (rows.empty()) return;
  const double last = rows.back().max_notional_usd;
  for (const double x : {0.0, rows.front().max_notional_usd * 0.5, last * 0.999}) {
    if (!(x < last)) continue;
    if (liq::find_bracket(rows, x) == nullptr) {
      std::cerr << "no bracket for notional " << x << '\n';
      std::abort();
    }
  }
  if (std::isfinite(last) && liq::find_bracket(rows, last * 2 + 1) != nullptr) {
    std::cerr << "a bracket beyond the last max\n";
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 256 * 1024) return -1;
  const bool csv = (data[0] & 1) != 0;
  const std::string_view text = liq::fuzz::text_of(data + 1, size - 1);
  liq::TierTable table;
  try {
    table = liq::parse_tier_table(text, csv ? "fuzz.csv" : "fuzz.toml");
  } catch (const liq::InputError&) {
    return 0;
  }
  for (const auto& [asset, rows] : table.by_asset) check_rows(rows);
  check_rows(table.fallback);
  return 0;
}
