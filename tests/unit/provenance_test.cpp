// liqstress — unit tests of provenance by content (host/io/provenance.h): the book's canonical
// serialization (rebuilt here byte by byte from its documentation in results/README.md), the
// inputs a scenario names, the `inputs` JSON and its reader, the differences a resume or merge
// reports, and the checkpoint header keeping all of it with the binary's version.
#include "host/io/provenance.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "host/io/checkpoint.h"
#include "host/scenario/config.h"
#include "host/util/sha256.h"
#include "host/util/version.h"

namespace liq {
namespace {

namespace fs = std::filesystem;

// The serialization of results/README.md ("book_sha256"), written out independently.
void le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
void le_f64(std::string& out, double v) {
  le(out, std::bit_cast<std::uint64_t>(v), 8);
}

Book two_positions() {
  Book b;
  b.positions.push_back(Position{0, Side::long_side, 0.05, 100000.0, 250.0, 0.004, 0.0, -1});
  b.positions.push_back(Position{1, Side::short_side, 2.0, 2500.0, 600.0, 0.005, 50.0, 3});
  return b;
}

std::vector<AssetSpec> two_assets() {
  std::vector<AssetSpec> a(2);
  a[0].symbol = "BTC";
  a[1].symbol = "ETH";
  return a;
}

TEST(BookSha256, IsTheSha256OfTheDocumentedBytes) {
  std::string bytes = "liqstress-book-1\n";
  le(bytes, 2, 4);
  for (const char* s : {"BTC", "ETH"}) {
    le(bytes, std::strlen(s), 4);
    bytes += s;
  }
  le(bytes, 2, 8);
  le(bytes, 0, 4), le(bytes, 0, 4);
  for (double v : {0.05, 100000.0, 250.0, 0.004, 0.0}) le_f64(bytes, v);
  le(bytes, 0xFFFFFFFFu, 4);  // account -1
  le(bytes, 1, 4), le(bytes, 1, 4);
  for (double v : {2.0, 2500.0, 600.0, 0.005, 50.0}) le_f64(bytes, v);
  le(bytes, 3, 4);
  ASSERT_EQ(bytes.size(), 17u + 4 + 2 * 7 + 8 + 2 * 52);
  EXPECT_EQ(book_sha256(two_positions(), two_assets()), sha256_hex(bytes));
}

TEST(BookSha256, EveryFieldOrderAndSymbolCounts) {
  const std::string base = book_sha256(two_positions(), two_assets());
  Book b = two_positions();
  b.positions[1].maint_amount_usd = std::nextafter(50.0, 51.0);  // the last bit
  EXPECT_NE(book_sha256(b, two_assets()), base);
  b = two_positions();
  std::swap(b.positions[0], b.positions[1]);
  EXPECT_NE(book_sha256(b, two_assets()), base);
  std::vector<AssetSpec> other = two_assets();
  other[1].symbol = "SOL";
  EXPECT_NE(book_sha256(two_positions(), other), base);
  EXPECT_EQ(book_sha256(two_positions(), two_assets()), base);  // deterministic
}

TEST(InputsJson, RoundTripsAnyName) {
  const InputDigests d = {{"/data/a b/book.csv", std::string(64, 'a')},
                          {"builtin:default.toml", std::string(64, 'b')},
                          {"/odd/\"quoted\"\\name\n\t.toml", std::string(64, 'c')},
                          {"/ünïcode/x.toml", std::string(64, 'd')}};
  const std::string json = inputs_json(d);
  EXPECT_EQ(parse_inputs_json(json), d);
  EXPECT_EQ(parse_inputs_json("{}"), InputDigests{});
  EXPECT_EQ(parse_inputs_json(" { \"x\" : \"y\" } "), (InputDigests{{"x", "y"}}));
  EXPECT_THROW(parse_inputs_json("[]"), std::exception);
  EXPECT_THROW(parse_inputs_json("{\"x\": \"y\""), std::exception);
  EXPECT_THROW(parse_inputs_json("{\"x\" \"y\"}"), std::exception);
}

TEST(InputDifferences, NamesTheInputAndBothHashPrefixes) {
  const std::string h1(64, '1'), h2(64, '2');
  EXPECT_TRUE(input_differences({{"a", h1}}, {{"a", h1}}).empty());
  EXPECT_EQ(input_differences({{"a", h1}}, {{"a", h2}}),
            std::vector<std::string>{"a: sha256 11111111… then, 22222222… now"});
  EXPECT_EQ(input_differences({{"a", h1}}, {}, "in x.h5", "here"),
            std::vector<std::string>{"a: an input in x.h5, not here"});
  EXPECT_EQ(input_differences({}, {{"b", h1}}),
            std::vector<std::string>{"b: an input now, not then"});
}

class ScenarioInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("liq_provenance_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "book.csv") << "asset,side,notional_usd,entry_price,leverage\n"
                                        "BTC,long,1000,100000,10\n";
    fs::copy_file(LIQ_SOURCE_DIR "/configs/binance-usdt-perp-2024-10.toml", dir_ / "tiers.toml",
                  fs::copy_options::overwrite_existing);
    std::ofstream(dir_ / "s.toml") << R"([simulation]
paths = 10
horizon = "1h"
step = "1m"
[market]
assets = ["BTC"]
correlation = [[1.0]]
[asset.BTC]
spot = 100000.0
vol = 0.5
[book]
source = "csv"
path = "book.csv"
maintenance = "tiers.toml"
)";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ScenarioInputs, ScenarioBookAndTierFileByAbsolutePath) {
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);  // relative names, as a user types them
  const Scenario sc = load_scenario("s.toml");
  const TierTable tiers = load_tier_table(sc);
  const InputDigests d = input_digests(sc, std::string("s.toml"), tiers);
  fs::current_path(cwd);
  const std::string root = fs::canonical(dir_).string();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.at(root + "/s.toml"), sha256_file_hex(dir_ / "s.toml"));
  EXPECT_EQ(d.at(root + "/book.csv"), sha256_file_hex(dir_ / "book.csv"));
  EXPECT_EQ(d.at(root + "/tiers.toml"), sha256_file_hex(dir_ / "tiers.toml"));
}

TEST(BuiltinInputs, DefaultScenarioAndShippedTierTable) {
  const Scenario sc =
      load_scenario_text(builtin_default_config(), "/nonexistent-folder/x/default.toml",
                         "/nonexistent-folder", "default");
  const TierTable tiers = load_tier_table(sc);  // not on disk there: the compiled-in copy
  const InputDigests d = input_digests(sc, std::nullopt, tiers);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.at("builtin:default.toml"), sha256_hex(builtin_default_config()));
  EXPECT_EQ(d.at("builtin:binance-usdt-perp-2024-10"),
            sha256_hex(builtin_tier_table("binance-usdt-perp-2024-10")));
}

TEST(CheckpointHeader, KeepsInputsBookAndBinary) {
  const fs::path p =
      fs::temp_directory_path() / ("liq_provenance_ckpt_" + std::to_string(::getpid()));
  CheckpointHeader h;
  h.resolved_config = "[simulation]\npaths = 1\n";
  h.inputs = {{"/a dir/s.toml", std::string(64, 'a')}, {"builtin:x", std::string(64, 'b')}};
  h.book_sha256 = std::string(64, 'c');
  h.liqstress_version = liqstress_version();
  h.git_commit = git_commit();
  {
    CheckpointLog log = CheckpointLog::create(p, h, true);
    log.mark(0, 1, StepSums{});
  }
  CheckpointState state;
  (void)CheckpointLog::resume(p, state);
  fs::remove(p);
  EXPECT_EQ(state.header.inputs, h.inputs);
  EXPECT_EQ(state.header.book_sha256, h.book_sha256);
  EXPECT_EQ(state.header.liqstress_version, h.liqstress_version);
  EXPECT_EQ(state.header.git_commit, h.git_commit);
  EXPECT_EQ(state.header.resolved_config, h.resolved_config);
  EXPECT_EQ(binary_name(h.liqstress_version, h.git_commit), binary_name());
  EXPECT_EQ(binary_name("", ""), "a liqstress that recorded no version");
}

}  // namespace
}  // namespace liq
