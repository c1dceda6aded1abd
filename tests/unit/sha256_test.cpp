// liqstress — unit tests of SHA-256 (host/util/sha256.h) against FIPS 180-4's examples (NIST,
// "SHA-256" example computations, and the one-million-'a' vector of FIPS 180-2 appendix B.3),
// padding lengths around the 55/56/64-byte boundaries, incremental updates in pieces of every
// size, and a file hashed as its bytes.
#include "host/util/sha256.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "host/util/errors.h"

namespace liq {
namespace {

TEST(Sha256, Fips180Examples) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // The 896-bit message of the SHA-512 examples, under SHA-256 (value from Python hashlib).
  EXPECT_EQ(
      sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnop"
                 "qklmnopqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, PaddingBoundaries) {
  // 55 bytes fit the length in one block, 56 need a second; known values (sha256sum).
  EXPECT_EQ(sha256_hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += static_cast<char>('a' + (i * 7) % 26);
  const std::string whole = sha256_hex(text);
  for (std::size_t piece = 1; piece <= 130; ++piece) {
    Sha256 h;
    for (std::size_t at = 0; at < text.size(); at += piece)
      h.update(std::string_view(text).substr(at, piece));
    ASSERT_EQ(h.hex(), whole) << "pieces of " << piece;
  }
}

TEST(Sha256, FileIsHashedAsItsBytes) {
  const std::filesystem::path p = std::filesystem::temp_directory_path() /
                                  ("liq_sha256_" + std::to_string(::getpid()) + ".bin");
  std::string bytes(200'000, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31 % 251);
  std::ofstream(p, std::ios::binary) << bytes;
  EXPECT_EQ(sha256_file_hex(p), sha256_hex(bytes));
  std::filesystem::remove(p);
  EXPECT_THROW(sha256_file_hex(p), InputError);
}

}  // namespace
}  // namespace liq
