// liqstress — unit tests of the CSV book reader (SPEC.md "Book CSV", MODEL.md §3): a valid
// book with every optional column and comments, every kind of bad row or header rejected
// with FILE:ROW: column 'NAME', and a 1,000,000-row book streamed in.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "host/book/book.h"
#include "host/scenario/config.h"
#include "host/util/errors.h"
#include "tests/unit/param_names.h"

namespace liq {
namespace {

namespace fs = std::filesystem;

const std::string kShipped = LIQ_SOURCE_DIR "/configs/binance-usdt-perp-2024-10.toml";

Scenario scenario() {
  return load_scenario_text(R"(
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
[book]
maintenance = ")" + kShipped + R"("
[book.synthetic]
open_interest = { BTC = 1.0e9, ETH = 5.0e8 }
positions = 100
)",
                            "test.toml", "/", "test");
}

class BookCsv : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("liq_book_csv_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    scenario_ = scenario();
    tiers_ = load_tier_table(scenario_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  Book load(const fs::path& p) const { return load_csv_book(p, scenario_, tiers_); }
  /// The InputError message of loading `text`, or "" when it loads.
  std::string error_of(const std::string& text, fs::path* file = nullptr) const {
    const fs::path p = write("bad.csv", text);
    if (file != nullptr) *file = p;
    try {
      (void)load(p);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
  Scenario scenario_;
  TierTable tiers_;
};

TEST_F(BookCsv, ValidBookWithEveryColumnAndComments) {
  const fs::path p = write("book.csv",
                           "# positions of a test book\n"
                           "\n"
                           "side, asset ,notional_usd,entry_price,leverage,margin_usd,"
                           "maintenance_rate,account\n"
                           "long,BTC,5000,100000,20,,,alice      # BTC bracket 1\n"
                           "SHORT,BTC,100000,95000,10,,,bob     # BTC bracket 2\n"
                           "   # an indented comment line\n"
                           "long,ETH,2500,2500,5,600,,alice\n"
                           "Short,ETH,1000,2400,200,,0.001,\r\n");
  const Book b = load(p);
  ASSERT_EQ(b.positions.size(), 4u);
  ASSERT_EQ(b.accounts, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_NE(b.description.find("4 positions"), std::string::npos) << b.description;

  const Position& p0 = b.positions[0];  // 5,000 USD BTC long, 20x: bracket 1
  EXPECT_EQ(p0.asset, 0);
  EXPECT_EQ(p0.side, Side::long_side);
  EXPECT_DOUBLE_EQ(p0.quantity, 0.05);
  EXPECT_EQ(p0.entry_price, 100'000);
  EXPECT_DOUBLE_EQ(p0.margin_usd, 250);
  EXPECT_EQ(p0.mm_rate, 0.004);
  EXPECT_EQ(p0.maint_amount_usd, 0);
  EXPECT_EQ(p0.account, 0);

  const Position& p1 = b.positions[1];  // 100,000 USD: bracket 2 (mmr 0.5%, cum 50)
  EXPECT_EQ(p1.side, Side::short_side);
  EXPECT_DOUBLE_EQ(p1.quantity, 100'000.0 / 95'000.0);
  EXPECT_DOUBLE_EQ(p1.margin_usd, 10'000);
  EXPECT_EQ(p1.mm_rate, 0.005);
  EXPECT_EQ(p1.maint_amount_usd, 50);
  EXPECT_EQ(p1.account, 1);

  const Position& p2 = b.positions[2];  // margin_usd given: it wins over notional/leverage
  EXPECT_EQ(p2.asset, 1);
  EXPECT_DOUBLE_EQ(p2.quantity, 1.0);
  EXPECT_EQ(p2.margin_usd, 600);
  EXPECT_EQ(p2.mm_rate, 0.004);
  EXPECT_EQ(p2.account, 0);

  const Position& p3 = b.positions[3];  // maintenance_rate given: A = 0, no tier cap on 200x
  EXPECT_EQ(p3.side, Side::short_side);
  EXPECT_DOUBLE_EQ(p3.margin_usd, 5);
  EXPECT_EQ(p3.mm_rate, 0.001);
  EXPECT_EQ(p3.maint_amount_usd, 0);
  EXPECT_EQ(p3.account, -1);
}

TEST_F(BookCsv, OnlyRequiredColumns) {
  const Book b = load(write("min.csv",
                            "asset,side,notional_usd,entry_price,leverage\n"
                            "ETH,long,1e4,2500.5,10\n"));
  ASSERT_EQ(b.positions.size(), 1u);
  EXPECT_TRUE(b.accounts.empty());
  EXPECT_DOUBLE_EQ(b.positions[0].margin_usd, 1'000);
  EXPECT_EQ(b.positions[0].account, -1);
}

TEST_F(BookCsv, LoadBookDispatchesOnTheSource) {
  const fs::path p = write("b.csv",
                           "asset,side,notional_usd,entry_price,leverage\n"
                           "BTC,short,1000,100000,3\n");
  Scenario s = scenario_;
  s.book.source = BookSource::csv;
  s.book.csv_path = p;
  const Book b = load_book(s);
  ASSERT_EQ(b.positions.size(), 1u);
  EXPECT_EQ(b.positions[0].side, Side::short_side);
}

struct BadRow {
  const char* what;
  const char* row;     // written at line 4, after a comment and the header
  const char* column;  // nullptr: the message names the row only
  const char* detail;  // also expected in the message
};

class BookCsvBadRows : public BookCsv, public ::testing::WithParamInterface<BadRow> {};

TEST_P(BookCsvBadRows, RejectedWithFileRowAndColumn) {
  const BadRow& c = GetParam();
  fs::path file;
  const std::string msg = error_of(std::string("# header next\n"
                                               "asset,side,notional_usd,entry_price,leverage,"
                                               "margin_usd,maintenance_rate\n"
                                               "BTC,long,1000,100000,10,,\n") +
                                       c.row + "\n" + "ETH,long,1000,2500,10,,\n",
                                   &file);
  ASSERT_FALSE(msg.empty()) << c.what << ": the bad row was accepted";
  std::string want = file.string() + ":4: ";
  if (c.column != nullptr) want += std::string("column '") + c.column + "': ";
  EXPECT_EQ(msg.rfind(want, 0), 0u) << c.what << ": " << msg;
  EXPECT_NE(msg.find(c.detail), std::string::npos) << c.what << ": " << msg;
}

INSTANTIATE_TEST_SUITE_P(
    BookCsv, BookCsvBadRows,
    ::testing::Values(
        BadRow{"unknown asset", "XRP,long,1000,1,10,,", "asset", "unknown asset 'XRP'"},
        BadRow{"empty asset", ",long,1000,1,10,,", "asset", "missing value"},
        BadRow{"bad side", "BTC,flat,1000,100000,10,,", "side", "must be long or short"},
        BadRow{"negative notional", "BTC,long,-1000,100000,10,,", "notional_usd",
               "must be > 0, got -1000"},
        BadRow{"zero entry", "BTC,long,1000,0,10,,", "entry_price", "must be > 0"},
        BadRow{"missing field", "BTC,long,,100000,10,,", "notional_usd", "missing value"},
        BadRow{"non-number", "BTC,long,1000,abc,10,,", "entry_price", "not a finite number: 'abc'"},
        BadRow{"trailing junk", "BTC,long,1000,100000,10x,,", "leverage", "'10x'"},
        BadRow{"infinite", "BTC,long,inf,100000,10,,", "notional_usd", "not a finite number"},
        BadRow{"zero leverage", "BTC,long,1000,100000,0,,", "leverage", "must be > 0"},
        BadRow{"leverage above tier max", "BTC,long,5000,100000,150,,", "leverage",
               "150 exceeds the tier maximum 125 for BTC at notional 5000"},
        BadRow{"leverage above bracket 3 max", "BTC,short,1000000,100000,80,,", "leverage",
               "80 exceeds the tier maximum 75 for BTC at notional 1000000"},
        BadRow{"beyond the last bracket", "BTC,long,2e9,100000,1,,", "notional_usd",
               "beyond the largest bracket of BTC"},
        BadRow{"margin below maintenance", "BTC,long,5000,100000,10,15,", "margin_usd",
               "margin 15 USD does not exceed the maintenance margin at entry 20 USD"},
        BadRow{"margin not positive", "BTC,long,5000,100000,10,-5,", "margin_usd", "must be > 0"},
        // notional / margin is the leverage the position runs at: capped like the column.
        BadRow{"margin implies leverage above tier max", "BTC,long,5000,100000,10,25,",
               "margin_usd",
               "25 implies leverage 200 (notional_usd / margin_usd), which exceeds the tier "
               "maximum 125 for BTC at notional 5000"},
        BadRow{"margin implies leverage above bracket 3 max", "BTC,short,1000000,100000,10,12500,",
               "margin_usd",
               "implies leverage 80 (notional_usd / margin_usd), which exceeds "
               "the tier maximum 75 for BTC at notional 1000000"},
        BadRow{"own rate: margin below maintenance", "BTC,long,5000,100000,200,,0.01", "leverage",
               "margin 25 USD (notional / leverage) does not exceed"},
        BadRow{"maintenance_rate >= 1", "BTC,long,5000,100000,2,,1.0", "maintenance_rate",
               "must be in [0, 1)"},
        BadRow{"too few fields", "BTC,long,5000,100000", nullptr, "4 fields, the header has 7"},
        BadRow{"too many fields", "BTC,long,5000,100000,10,,,extra", nullptr,
               "8 fields, the header has 7"}),
    [](const ::testing::TestParamInfo<BadRow>& param_info) {
      return test::param_name(param_info.param.what);
    });

// The margin's leverage may reach the tier maximum but not pass it; a row with its own
// maintenance_rate has no tier, hence no cap.
TEST_F(BookCsv, MarginAtTheTierMaximumOrWithARowRateIsAccepted) {
  const Book b = load(write("book.csv",
                            "asset,side,notional_usd,entry_price,leverage,margin_usd,"
                            "maintenance_rate\n"
                            "BTC,long,5000,100000,10,40,\n"          // 125x: bracket 1's max
                            "BTC,long,5000,100000,10,10,0.001\n"));  // 500x, own rate
  ASSERT_EQ(b.positions.size(), 2u);
  EXPECT_EQ(b.positions[0].margin_usd, 40);
  EXPECT_EQ(b.positions[1].margin_usd, 10);
}

TEST_F(BookCsv, BadHeaders) {
  fs::path file;
  std::string msg = error_of("# c\nasset,side,notional_usd,entry_price,leverage,colour\n", &file);
  EXPECT_EQ(msg.rfind(file.string() + ":2: column 'colour': unknown column", 0), 0u) << msg;
  msg = error_of("asset,side,notional_usd,entry_price,leverage,side\n", &file);
  EXPECT_EQ(msg.rfind(file.string() + ":1: column 'side': appears twice", 0), 0u) << msg;
  msg = error_of("asset,side,notional_usd,leverage\nBTC,long,1,1\n", &file);
  EXPECT_EQ(msg.rfind(file.string() + ":1: column 'entry_price': required column missing", 0), 0u)
      << msg;
  msg = error_of("# only comments\n\n", &file);
  EXPECT_EQ(msg.rfind(file.string() + ": no header row", 0), 0u) << msg;
}

TEST_F(BookCsv, TierTableWithoutTheAssetNeedsARowRate) {
  Scenario s = scenario_;
  TierTable only_btc = tiers_;
  only_btc.by_asset.erase("ETH");
  const fs::path p = write("eth.csv",
                           "asset,side,notional_usd,entry_price,leverage,"
                           "maintenance_rate\n"
                           "ETH,long,1000,2500,10,0.01\n"
                           "ETH,long,1000,2500,10,\n");
  try {
    (void)load_csv_book(p, s, only_btc);
    FAIL() << "accepted a row with neither a tier nor a rate";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(p.string() + ":3: column 'asset': tier table", 0), 0u)
        << e.what();
  }
}

TEST_F(BookCsv, UnreadableFile) {
  try {
    (void)load(dir_ / "absent.csv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read book file"), std::string::npos);
  }
}

// A million rows stream in (no timing asserted here; it takes about a second in Release).
TEST_F(BookCsv, MillionRows) {
  const fs::path p = dir_ / "big.csv";
  {
    std::ofstream out(p);
    out << "asset,side,notional_usd,entry_price,leverage,margin_usd,account\n";
    const char* accounts[] = {"", "acct-1", "acct-2", "acct-3"};
    for (int i = 0; i < 1'000'000; ++i) {
      const bool btc = i % 3 != 0;
      out << (btc ? "BTC," : "ETH,") << (i % 2 == 0 ? "long," : "short,") << 100 + (i % 9973) * 7.5
          << ',' << (btc ? 95'000 + i % 5000 : 2'400 + i % 300) << ',' << 1 + i % 50 << ",,"
          << accounts[i % 4] << '\n';
    }
  }
  const Book b = load(p);
  ASSERT_EQ(b.positions.size(), 1'000'000u);
  EXPECT_EQ(b.accounts.size(), 3u);
  EXPECT_EQ(b.positions[1].account, 0);
  EXPECT_EQ(b.positions[0].account, -1);
  EXPECT_EQ(b.positions[999'999].asset, 1);  // 999,999 % 3 == 0
  EXPECT_NE(b.description.find("1,000,000 positions"), std::string::npos) << b.description;
}

}  // namespace
}  // namespace liq
