// liqstress — SHA-256 (FIPS 180-4) for provenance by content: the hashes of a run's input
// files and of its resolved book (host/io/provenance.h). Written here rather than linked from a
// crypto library: no such library is linked today, and identifying files needs only this
// one function (checked against FIPS 180-4's examples in tests/unit/sha256_test.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace liq {

/// Incremental SHA-256: update() any number of times, then hex() once.
class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t n);
  void update(std::string_view text) { update(text.data(), text.size()); }
  /// Finishes the hash: the 32-byte digest as 64 lowercase hex digits.
  std::string hex();

 private:
  void compress(const std::uint8_t* block);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t bytes_ = 0;
};

/// SHA-256 of `data`, as hex.
std::string sha256_hex(std::string_view data);

/// SHA-256 of a file's bytes, as hex. InputError naming the file when it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace liq
