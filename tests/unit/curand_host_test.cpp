// liqstress unit tests — our Philox4x32-10 is cuRAND's (MODEL.md §2): the words of cuRAND's
// host-side PHILOX4_32_10 generator (no GPU needed) are liq::philox4x32<10> at a layout
// pinned down below.
//
// cuRAND's layout, found empirically (CUDA 13.0, cuRAND 10.4.0) and asserted here for the
// LEGACY ordering, which cuRAND guarantees "to remain the same for all cuRAND releases"
// (the DEFAULT/BEST ordering gave the same words in that release, but is not promised):
//   key     = (seed & 0xFFFFFFFF, seed >> 32)
//   block b = words [4b, 4b + 4) of the stream
//           = philox4x32_10(counter = (b / 65536, 0, b % 65536, 0), key)
// i.e. 65536 virtual threads t = b % 65536, thread t using subsequence t (counter words
// 2–3) and its j-th block at counter words 0–1 = j = b / 65536. That is exactly the device
// API's curand_init(seed, subsequence = t, offset = 4j, &state) for
// curandStatePhilox4_32_10_t: key = seed, counter = (offset/4 lo, offset/4 hi,
// subsequence lo, subsequence hi) (curand_kernel.h: skipahead_sequence adds to counter
// words 2–3, skipahead adds offset/4 to words 0–1). curandSetGeneratorOffset(o) starts the
// stream at word o of this same sequence, and consecutive curandGenerate calls continue it.
//
// liqstress itself uses liq::draw4 (counter = path, step, purpose|slot), not cuRAND's
// layout; this test only shows the function is the same, so either library can check the other.
//
// libcurand is opened at run time with dlopen: the test builds with no CUDA toolkit and no
// link flag, and is skipped (with the reason) where the library or its host generator is
// unavailable.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/philox.h"

#if __has_include(<curand.h>)
#include <curand.h>
#define LIQ_HAVE_CURAND_HEADER 1
#else
#define LIQ_HAVE_CURAND_HEADER 0
#endif

namespace {

// The few cuRAND host-API values used (curand.h); checked against the header when present.
constexpr int kStatusSuccess = 0;
constexpr int kRngPhilox4x32_10 = 161;
constexpr int kOrderingLegacy = 103;
#if LIQ_HAVE_CURAND_HEADER
static_assert(kStatusSuccess == CURAND_STATUS_SUCCESS);
static_assert(kRngPhilox4x32_10 == CURAND_RNG_PSEUDO_PHILOX4_32_10);
static_assert(kOrderingLegacy == CURAND_ORDERING_PSEUDO_LEGACY);
#endif

constexpr std::size_t kThreads = 65536;  // cuRAND host Philox: blocks per counter increment

/// The cuRAND host API, loaded with dlopen (enums are C ints, the generator is opaque).
class Curand {
 public:
  using Gen = void*;
  Curand() {
    std::vector<std::string> names = {"libcurand.so.10", "libcurand.so"};
    for (const char* env : {"CUDA_HOME", "CUDA_PATH"}) {
      if (const char* dir = std::getenv(env))
        names.push_back(std::string(dir) + "/lib64/libcurand.so");
    }
    names.push_back("/usr/local/cuda/lib64/libcurand.so");
    for (const std::string& n : names) {
      lib_ = dlopen(n.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (lib_ != nullptr) break;
    }
    if (lib_ == nullptr) {
      why_ = "libcurand not found by dlopen (no CUDA toolkit on this machine)";
      return;
    }
    bool ok =
        load(create_, "curandCreateGeneratorHost") && load(destroy_, "curandDestroyGenerator") &&
        load(set_seed_, "curandSetPseudoRandomGeneratorSeed") &&
        load(set_offset_, "curandSetGeneratorOffset") &&
        load(set_ordering_, "curandSetGeneratorOrdering") && load(generate_, "curandGenerate");
    if (!ok) {
      why_ = "libcurand lacks the host generator API";
      return;
    }
    const int st = create_(&gen_, kRngPhilox4x32_10);
    if (st != kStatusSuccess) {
      gen_ = nullptr;
      why_ = "curandCreateGeneratorHost(PHILOX4_32_10) failed with status " + std::to_string(st);
    }
  }
  ~Curand() {
    if (gen_ != nullptr) destroy_(gen_);
    // No dlclose: libcurand keeps process-lifetime allocations (its C++ runtime's
    // emergency exception pool) reachable only from its own data; unloading it would make
    // LeakSanitizer report them in the sanitizer build.
  }
  Curand(const Curand&) = delete;
  Curand& operator=(const Curand&) = delete;

  bool usable() const { return gen_ != nullptr; }
  const std::string& why_not() const { return why_; }

  /// n words starting at word `offset` of the stream for `seed`, LEGACY ordering.
  std::vector<std::uint32_t> words(std::uint64_t seed, std::uint64_t offset, std::size_t n) {
    EXPECT_EQ(set_ordering_(gen_, kOrderingLegacy), kStatusSuccess);
    EXPECT_EQ(set_seed_(gen_, seed), kStatusSuccess);
    EXPECT_EQ(set_offset_(gen_, offset), kStatusSuccess);
    std::vector<std::uint32_t> v(n);
    EXPECT_EQ(generate_(gen_, v.data(), n), kStatusSuccess);
    return v;
  }
  /// The next n words of the current stream.
  std::vector<std::uint32_t> more(std::size_t n) {
    std::vector<std::uint32_t> v(n);
    EXPECT_EQ(generate_(gen_, v.data(), n), kStatusSuccess);
    return v;
  }

 private:
  template <class F>
  bool load(F& f, const char* name) {
    f = reinterpret_cast<F>(dlsym(lib_, name));
    return f != nullptr;
  }

  void* lib_ = nullptr;
  Gen gen_ = nullptr;
  std::string why_;
  int (*create_)(Gen*, int) = nullptr;
  int (*destroy_)(Gen) = nullptr;
  int (*set_seed_)(Gen, unsigned long long) = nullptr;
  int (*set_offset_)(Gen, unsigned long long) = nullptr;
  int (*set_ordering_)(Gen, int) = nullptr;
  int (*generate_)(Gen, unsigned int*, std::size_t) = nullptr;
};

/// Word i of cuRAND's host Philox stream for `seed`, computed with liq::philox4x32<10>.
std::uint32_t layout_word(std::uint64_t seed, std::uint64_t i) {
  const std::uint64_t block = i / 4;
  const liq::U32x4 ctr{{static_cast<std::uint32_t>(block / kThreads), 0u,
                        static_cast<std::uint32_t>(block % kThreads), 0u}};
  return liq::philox4x32<10>(ctr, static_cast<std::uint32_t>(seed),
                             static_cast<std::uint32_t>(seed >> 32))
      .v[i % 4];
}

TEST(CurandHost, PhiloxStreamIsOursAtTheDocumentedLayout) {
  Curand curand;
  if (!curand.usable()) GTEST_SKIP() << curand.why_not();
  // Two full rounds of the 65536 virtual threads and part of a third: covers counter words
  // 0 and 2 carrying; both halves of the seed are non-zero so both key words matter.
  for (std::uint64_t seed : {0x0123456789ABCDEFull, 42ull}) {
    const std::size_t n = 2 * kThreads * 4 + 4096;
    const std::vector<std::uint32_t> v = curand.words(seed, 0, n);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(v[i], layout_word(seed, i)) << "seed " << seed << ", word " << i;
    }
  }
}

TEST(CurandHost, OffsetAndContinuationFollowTheSameStream) {
  Curand curand;
  if (!curand.usable()) GTEST_SKIP() << curand.why_not();
  const std::uint64_t seed = 0xFEEDFACE12345678ull;
  for (std::uint64_t offset : {4ull, 8ull, 4ull * kThreads + 4, 4ull * kThreads * 3 + 400}) {
    const std::vector<std::uint32_t> v = curand.words(seed, offset, 64);
    for (std::size_t i = 0; i < v.size(); ++i) {
      ASSERT_EQ(v[i], layout_word(seed, offset + i)) << "offset " << offset << ", word " << i;
    }
  }
  const std::vector<std::uint32_t> first = curand.words(seed, 0, 1000);
  const std::vector<std::uint32_t> next = curand.more(1000);
  for (std::size_t i = 0; i < next.size(); ++i) {
    ASSERT_EQ(next[i], layout_word(seed, 1000 + i)) << "continuation word " << i;
  }
  EXPECT_EQ(first[0], layout_word(seed, 0));
}

}  // namespace
