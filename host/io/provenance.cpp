// liqstress — provenance by content (see provenance.h).
#include "host/io/provenance.h"

#include <bit>
#include <cstdint>
#include <filesystem>
#include <stdexcept>

#include "host/scenario/config.h"
#include "host/util/sha256.h"
#include "host/util/version.h"

namespace liq {

namespace {

std::string absolute_name(const std::filesystem::path& p) {
  return std::filesystem::absolute(p).lexically_normal().string();
}

/// Little-endian bytes of integers and doubles, whatever the host's byte order.
class LittleEndian {
 public:
  explicit LittleEndian(Sha256& h) : h_(h) {}
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }

 private:
  void put(std::uint64_t v, int n) {
    unsigned char b[8];
    for (int i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    h_.update(b, static_cast<std::size_t>(n));
  }
  Sha256& h_;
};

}  // namespace

InputDigests input_digests(const Scenario& scenario,
                           const std::optional<std::string>& scenario_file,
                           const TierTable& tiers) {
  InputDigests d;
  if (scenario_file) {
    d[absolute_name(*scenario_file)] = sha256_file_hex(*scenario_file);
  } else {
    d["builtin:default.toml"] = sha256_hex(builtin_default_config());
  }
  if (scenario.book.source == BookSource::csv)
    d[absolute_name(scenario.book.csv_path)] = sha256_file_hex(scenario.book.csv_path);
  if (!tiers.input.empty()) d[tiers.input] = tiers.sha256;
  return d;
}

std::string book_sha256(const Book& book, const std::vector<AssetSpec>& assets) {
  Sha256 h;
  LittleEndian le(h);
  h.update("liqstress-book-1\n");
  le.u32(static_cast<std::uint32_t>(assets.size()));
  for (const AssetSpec& a : assets) {
    le.u32(static_cast<std::uint32_t>(a.symbol.size()));
    h.update(a.symbol);
  }
  le.u64(book.positions.size());
  for (const Position& p : book.positions) {
    le.i32(p.asset);
    le.i32(p.side == Side::long_side ? 0 : 1);
    le.f64(p.quantity);
    le.f64(p.entry_price);
    le.f64(p.margin_usd);
    le.f64(p.mm_rate);
    le.f64(p.maint_amount_usd);
    le.i32(p.account);
  }
  return h.hex();
}

Json inputs_object(const InputDigests& inputs) {
  Json j = Json::object();
  for (const auto& [name, hex] : inputs) j[name] = hex;
  return j;
}

std::string inputs_json(const InputDigests& inputs) {
  return json_line(inputs_object(inputs));
}

InputDigests parse_inputs_json(const std::string& json) {
  try {
    const Json j = Json::parse(json);
    if (!j.is_object()) throw std::runtime_error("expected an object");
    InputDigests out;
    for (const auto& [name, hex] : j.items()) out[name] = hex.get<std::string>();
    return out;
  } catch (const Json::exception& e) {
    throw std::runtime_error(e.what());
  }
}

std::string hash_prefix(const std::string& hex) {
  return hex.size() > 8 ? hex.substr(0, 8) + "…" : hex;
}

std::vector<std::string> input_differences(const InputDigests& then, const InputDigests& now,
                                           const std::string& then_name,
                                           const std::string& now_name) {
  std::vector<std::string> out;
  for (const auto& [name, hex] : then) {
    const auto it = now.find(name);
    if (it == now.end())
      out.push_back(name + ": an input " + then_name + ", not " + now_name);
    else if (it->second != hex)
      out.push_back(name + ": sha256 " + hash_prefix(hex) + " " + then_name + ", " +
                    hash_prefix(it->second) + " " + now_name);
  }
  for (const auto& [name, hex] : now)
    if (then.find(name) == then.end())
      out.push_back(name + ": an input " + now_name + ", not " + then_name);
  return out;
}

std::string binary_name(const std::string& version, const std::string& commit) {
  if (version.empty()) return "a liqstress that recorded no version";
  return "liqstress " + version + " (git " + commit + ")";
}

std::string binary_name() {
  return binary_name(liqstress_version(), git_commit());
}

}  // namespace liq
