// liqstress — fuzz harness: CSV books (host/book load_csv_book), read from a scratch file for
// a two-asset scenario with the compiled-in Binance tier table. Bad input must end in
// InputError (exit code 2); a book that loads holds only positions the kernels can take:
// finite, positive quantity, entry price and margin, a maintenance rate in [0, 1).
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "host/book/book.h"
#include "host/scenario/config.h"
#include "host/util/errors.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

struct Fixture {
  liq::Scenario scenario;
  liq::TierTable tiers;
  liq::fuzz::ScratchFile file{".csv"};
  Fixture() {
    scenario = liq::load_scenario_text(R"(
[simulation]
paths = 10
horizon = "1h"
step = "1m"
[market]
assets = ["BTC", "ETH"]
correlation = [[1.0, 0.8], [0.8, 1.0]]
[asset.BTC]
spot = 100000.0
vol = 0.5
[asset.ETH]
spot = 2500.0
vol = 0.6
[book.synthetic]
open_interest = { BTC = 1.0e9, ETH = 5.0e8 }
positions = 100
)",
                                       "fuzz.toml", "/nonexistent-liqstress-fuzz", "fuzz");
    tiers = liq::load_tier_table(scenario);
  }
};

bool usable(const liq::Position& p) {
  const auto positive = [](double x) { return std::isfinite(x) && x > 0.0; };
  return positive(p.quantity) && positive(p.entry_price) && positive(p.margin_usd) &&
         std::isfinite(p.maint_amount_usd) && p.mm_rate >= 0.0 && p.mm_rate < 1.0 && p.asset >= 0 &&
         p.asset < 2;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture fx;
  if (size > 256 * 1024) return -1;
  liq::Book book;
  try {
    book = liq::load_csv_book(fx.file.hold(data, size), fx.scenario, fx.tiers);
  } catch (const liq::InputError&) {
    return 0;
  }
  for (const liq::Position& p : book.positions) {
    if (usable(p) && p.account < static_cast<std::int32_t>(book.accounts.size())) continue;
    std::cerr << "a position the kernels cannot take: quantity " << p.quantity << ", entry "
              << p.entry_price << ", margin " << p.margin_usd << ", mm rate " << p.mm_rate << '\n';
    std::abort();
  }
  return 0;
}
