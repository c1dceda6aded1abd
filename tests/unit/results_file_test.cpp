// liqstress — unit tests of host/results_file (and host/hdf5_util): a file written in two
// row blocks is read back with the HDF5 C API — root attributes with their types, /assets,
// shapes, values, chunking and filters, units and descriptions — plus the atomic-write
// contract (existing target kept without force, replaced with it, nothing left behind by
// a writer destroyed before commit, missing folder refused), per_path = false, and
// reproducibility (identical dataset bytes, no object times).
#include "host/io/results_file.h"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "host/io/hdf5_util.h"
#include "host/util/errors.h"

namespace liq {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kAssets = {"BTC", "ETH", "SOL"};
const std::vector<std::string> kPathDatasets = {"final_log_return", "min_log_return",
                                                "max_log_return", "weight"};

Provenance test_provenance(std::uint64_t paths) {
  Provenance p;
  p.liqstress_version = "0.1.0";
  p.git_commit = "0123456789abcdef";
  p.created_utc = "2026-11-22T05:07:33Z";
  p.config = "[simulation]\npaths = 7\nseed = 42\n";
  p.seed = 42;
  p.first_path = 1000;
  p.paths = paths;
  p.steps = 1440;
  p.step_seconds = 60.0;
  p.backend = "cpu";
  p.device = "2 OpenMP threads on a test CPU";
  return p;
}

// Distinct, exactly representable values: row r (global), asset a, dataset k.
double cell(std::size_t row, int asset, int k) {
  return static_cast<double>(k) * 1000.0 + static_cast<double>(row) + 0.125 * asset;
}

PathRows make_rows(std::size_t first_row, std::size_t n, int assets) {
  PathRows rows;
  rows.resize(n, assets);
  for (std::size_t r = 0; r < n; ++r) {
    for (int a = 0; a < assets; ++a) {
      const std::size_t i = r * static_cast<std::size_t>(assets) + static_cast<std::size_t>(a);
      rows.final_log_return[i] = cell(first_row + r, a, 1);
      rows.min_log_return[i] = -cell(first_row + r, a, 2);
      rows.max_log_return[i] = cell(first_row + r, a, 3);
    }
    rows.weight[r] = 1.0 + 0.5 * static_cast<double>(first_row + r);
  }
  return rows;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

h5::Handle open_file(const fs::path& p) {
  h5::silence_errors();
  return h5::file_handle(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + p.string());
}

h5::Handle open_dataset(hid_t file, const std::string& name) {
  return h5::dataset_handle(H5Dopen2(file, name.c_str(), H5P_DEFAULT), "opening " + name);
}

// The attribute's file type equals `expected` (e.g. H5T_STD_U64LE).
void expect_attribute_type(hid_t object, const char* name, hid_t expected) {
  const h5::Handle attr = h5::attribute_handle(H5Aopen(object, name, H5P_DEFAULT), name);
  const h5::Handle type = h5::type_handle(H5Aget_type(attr.get()), name);
  EXPECT_GT(H5Tequal(type.get(), expected), 0) << name;
  const h5::Handle space = h5::space_handle(H5Aget_space(attr.get()), name);
  EXPECT_EQ(H5Sget_simple_extent_type(space.get()), H5S_SCALAR) << name;
}

// The attribute is a scalar variable-length UTF-8 string (what h5py reads as str).
void expect_utf8_string_attribute(hid_t object, const char* name) {
  const h5::Handle attr = h5::attribute_handle(H5Aopen(object, name, H5P_DEFAULT), name);
  const h5::Handle type = h5::type_handle(H5Aget_type(attr.get()), name);
  EXPECT_EQ(H5Tget_class(type.get()), H5T_STRING) << name;
  EXPECT_GT(H5Tis_variable_str(type.get()), 0) << name;
  EXPECT_EQ(H5Tget_cset(type.get()), H5T_CSET_UTF8) << name;
  const h5::Handle space = h5::space_handle(H5Aget_space(attr.get()), name);
  EXPECT_EQ(H5Sget_simple_extent_type(space.get()), H5S_SCALAR) << name;
}

// Access, modification, change and birth times of an object (all 0 when not tracked).
std::vector<std::int64_t> object_times(hid_t file, const std::string& name) {
  H5O_info_t info{};
#if H5_VERSION_GE(1, 12, 0)
  EXPECT_GE(H5Oget_info_by_name3(file, name.c_str(), &info, H5O_INFO_TIME, H5P_DEFAULT), 0);
#else
  EXPECT_GE(H5Oget_info_by_name2(file, name.c_str(), &info, H5O_INFO_TIME, H5P_DEFAULT), 0);
#endif
  return {static_cast<std::int64_t>(info.atime), static_cast<std::int64_t>(info.mtime),
          static_cast<std::int64_t>(info.ctime), static_cast<std::int64_t>(info.btime)};
}

/// A temporary folder owned by one test, removed after it.
class ResultsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("liqstress_results_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes n rows in two blocks ([0, split) and [split, n)) and commits.
  void write_file(const fs::path& target, std::size_t n, std::size_t split, bool force = false,
                  bool per_path = true) const {
    ResultsWriter writer(target, force ? WriteMode::overwrite : WriteMode::create,
                         test_provenance(n), kAssets, {.n_paths = n, .per_path = per_path});
    const int a = static_cast<int>(kAssets.size());
    writer.write_rows(0, make_rows(0, split, a));
    writer.write_rows(split, make_rows(split, n - split, a));
    writer.commit();
  }

  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename());
    return out;
  }

  fs::path dir_;
};

TEST_F(ResultsFile, RootAttributesHaveValuesAndTypes) {
  const fs::path target = dir_ / "r.h5";
  write_file(target, 7, 4);
  const h5::Handle file = open_file(target);
  const hid_t root = file.get();

  for (const char* name : {"format", "liqstress_version", "git_commit", "created_utc", "config",
                           "backend", "device", "rng"}) {
    expect_utf8_string_attribute(root, name);
  }
  expect_attribute_type(root, "format_version", H5T_STD_I32LE);
  expect_attribute_type(root, "seed", H5T_STD_U64LE);
  expect_attribute_type(root, "first_path", H5T_STD_U64LE);
  expect_attribute_type(root, "paths", H5T_STD_U64LE);
  expect_attribute_type(root, "steps", H5T_STD_I32LE);
  expect_attribute_type(root, "step_seconds", H5T_IEEE_F64LE);

  const Provenance p = test_provenance(7);
  EXPECT_EQ(h5::read_string_attribute(root, "format"), "liqstress-results");
  EXPECT_EQ(h5::read_attribute<std::int32_t>(root, "format_version"), kFormatVersion);
  EXPECT_EQ(kFormatVersion, 1);
  EXPECT_EQ(h5::read_string_attribute(root, "liqstress_version"), p.liqstress_version);
  EXPECT_EQ(h5::read_string_attribute(root, "git_commit"), p.git_commit);
  EXPECT_EQ(h5::read_string_attribute(root, "created_utc"), p.created_utc);
  EXPECT_EQ(h5::read_string_attribute(root, "config"), p.config);
  EXPECT_EQ(h5::read_attribute<std::uint64_t>(root, "seed"), 42u);
  EXPECT_EQ(h5::read_attribute<std::uint64_t>(root, "first_path"), 1000u);
  EXPECT_EQ(h5::read_attribute<std::uint64_t>(root, "paths"), 7u);
  EXPECT_EQ(h5::read_attribute<std::int32_t>(root, "steps"), 1440);
  EXPECT_EQ(h5::read_attribute<double>(root, "step_seconds"), 60.0);
  EXPECT_EQ(h5::read_string_attribute(root, "backend"), "cpu");
  EXPECT_EQ(h5::read_string_attribute(root, "device"), p.device);
  EXPECT_EQ(h5::read_string_attribute(root, "rng"), "philox4x32-10");
}

TEST_F(ResultsFile, AssetsAreUtf8StringsInConfigOrder) {
  const fs::path target = dir_ / "r.h5";
  write_file(target, 7, 4);
  const h5::Handle file = open_file(target);
  const h5::Handle assets = open_dataset(file.get(), "assets");
  const h5::Handle type = h5::type_handle(H5Dget_type(assets.get()), "assets type");
  EXPECT_EQ(H5Tget_class(type.get()), H5T_STRING);
  EXPECT_GT(H5Tis_variable_str(type.get()), 0);
  EXPECT_EQ(H5Tget_cset(type.get()), H5T_CSET_UTF8);
  EXPECT_EQ(h5::dataset_dims(assets.get()), std::vector<hsize_t>{3});
  EXPECT_EQ(h5::read_strings(assets.get()), kAssets);
  EXPECT_FALSE(h5::read_string_attribute(assets.get(), "units").empty());
  EXPECT_FALSE(h5::read_string_attribute(assets.get(), "description").empty());
}

TEST_F(ResultsFile, PathRowsReadBackWithShapesValuesAndUnits) {
  const fs::path target = dir_ / "r.h5";
  const std::size_t n = 7;
  write_file(target, n, 4);
  const h5::Handle file = open_file(target);
  const PathRows expected = make_rows(0, n, 3);

  const h5::Handle group = h5::group_handle(H5Gopen2(file.get(), "paths", H5P_DEFAULT), "paths");
  EXPECT_FALSE(h5::read_string_attribute(group.get(), "description").empty());

  const std::vector<const std::vector<double>*> columns = {
      &expected.final_log_return, &expected.min_log_return, &expected.max_log_return,
      &expected.weight};
  for (std::size_t k = 0; k < kPathDatasets.size(); ++k) {
    const std::string name = "paths/" + kPathDatasets[k];
    SCOPED_TRACE(name);
    const h5::Handle d = open_dataset(file.get(), name);
    const std::vector<hsize_t> want_dims =
        kPathDatasets[k] == "weight" ? std::vector<hsize_t>{n} : std::vector<hsize_t>{n, 3};
    EXPECT_EQ(h5::dataset_dims(d.get()), want_dims);
    const h5::Handle type = h5::type_handle(H5Dget_type(d.get()), name);
    EXPECT_GT(H5Tequal(type.get(), H5T_IEEE_F64LE), 0);

    // Raw read with the C API: both row blocks landed where they belong.
    std::vector<double> got(columns[k]->size(), -1.0);
    ASSERT_GE(H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, got.data()), 0);
    EXPECT_EQ(got, *columns[k]);
    // A partial read through the helper agrees.
    const std::vector<double> rows_2_to_5 = h5::read_block<double>(d.get(), 2, 3);
    const std::size_t w = h5::row_cells(want_dims);
    EXPECT_EQ(rows_2_to_5,
              std::vector<double>(columns[k]->begin() + 2 * w, columns[k]->begin() + 5 * w));

    EXPECT_FALSE(h5::read_string_attribute(d.get(), "units").empty());
    EXPECT_FALSE(h5::read_string_attribute(d.get(), "description").empty());
    expect_utf8_string_attribute(d.get(), "units");
    expect_utf8_string_attribute(d.get(), "description");
  }
  const h5::Handle lo = open_dataset(file.get(), "paths/min_log_return");
  EXPECT_EQ(h5::read_string_attribute(lo.get(), "units"), "log-return (natural, dimensionless)");
  EXPECT_NE(h5::read_string_attribute(lo.get(), "description").find("Brownian-bridge"),
            std::string::npos);
}

TEST_F(ResultsFile, DatasetsAreChunkedShuffledAndDeflated) {
  const fs::path target = dir_ / "r.h5";
  write_file(target, 7, 4);
  const h5::Handle file = open_file(target);
  for (const std::string& short_name : kPathDatasets) {
    const std::string name = "paths/" + short_name;
    SCOPED_TRACE(name);
    const h5::Handle d = open_dataset(file.get(), name);
    const h5::Handle dcpl = h5::plist_handle(H5Dget_create_plist(d.get()), name);
    ASSERT_EQ(H5Pget_layout(dcpl.get()), H5D_CHUNKED);
    hsize_t chunk[2] = {0, 0};
    const int rank = H5Pget_chunk(dcpl.get(), 2, chunk);
    ASSERT_EQ(rank, short_name == "weight" ? 1 : 2);
    EXPECT_EQ(chunk[0], 7u);  // all rows fit in one chunk here
    if (rank == 2) {
      EXPECT_EQ(chunk[1], 3u);
    }

    bool shuffle = false, deflate = false;
    unsigned deflate_level = 0;
    for (int i = 0; i < H5Pget_nfilters(dcpl.get()); ++i) {
      unsigned flags = 0;
      std::size_t n_values = 1;
      unsigned values[1] = {0};
      char filter_name[64];
      const H5Z_filter_t f = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &n_values,
                                            values, sizeof filter_name, filter_name, nullptr);
      if (f == H5Z_FILTER_SHUFFLE) shuffle = true;
      if (f == H5Z_FILTER_DEFLATE) {
        deflate = true;
        deflate_level = values[0];
      }
    }
    EXPECT_TRUE(shuffle);
    EXPECT_TRUE(deflate);
    EXPECT_EQ(deflate_level, 4u);

    double fill = -1.0;
    ASSERT_GE(H5Pget_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &fill), 0);
    EXPECT_EQ(fill, 0.0);
  }
}

TEST_F(ResultsFile, ChunksStayWithinTheChunkByteBudget) {
  // 100 000 paths x 3 assets: one row is 24 bytes, so a chunk holds 1 MiB / 24 rows.
  const fs::path target = dir_ / "big.h5";
  const std::size_t n = 100'000;
  {
    ResultsWriter writer(target, WriteMode::create, test_provenance(n), kAssets, {.n_paths = n});
    writer.write_rows(n - 5, make_rows(n - 5, 5, 3));  // only the last chunk is allocated
    writer.commit();
  }
  const h5::Handle file = open_file(target);
  const h5::Handle d = open_dataset(file.get(), "paths/final_log_return");
  const h5::Handle dcpl = h5::plist_handle(H5Dget_create_plist(d.get()), "dcpl");
  hsize_t chunk[2] = {0, 0};
  ASSERT_EQ(H5Pget_chunk(dcpl.get(), 2, chunk), 2);
  EXPECT_EQ(chunk[0], h5::kChunkBytes / 24);
  EXPECT_EQ(chunk[1], 3u);
  EXPECT_LE(chunk[0] * chunk[1] * sizeof(double), h5::kChunkBytes);
  // Rows never written read back as the fill value 0.
  EXPECT_EQ(h5::read_block<double>(d.get(), 10, 1), std::vector<double>(3, 0.0));
  EXPECT_EQ(h5::read_block<double>(d.get(), n - 1, 1)[2], cell(n - 1, 2, 1));
}

TEST_F(ResultsFile, ZeroPathsGiveEmptyDatasets) {
  const fs::path target = dir_ / "empty.h5";
  {
    ResultsWriter writer(target, WriteMode::create, test_provenance(0), kAssets, {.n_paths = 0});
    writer.write_rows(0, PathRows{});
    writer.commit();
  }
  const h5::Handle file = open_file(target);
  const h5::Handle d = open_dataset(file.get(), "paths/min_log_return");
  EXPECT_EQ(h5::dataset_dims(d.get()), (std::vector<hsize_t>{0, 3}));
  EXPECT_TRUE(h5::read_all<double>(d.get()).empty());
  EXPECT_FALSE(h5::read_string_attribute(d.get(), "units").empty());
}

TEST_F(ResultsFile, TemporaryFileSitsBesideTheTargetUntilCommit) {
  const fs::path target = dir_ / "r.h5";
  ResultsWriter writer(target, WriteMode::create, test_provenance(3), kAssets, {.n_paths = 3});
  EXPECT_EQ(writer.temporary_path().parent_path(), target.parent_path());
  EXPECT_EQ(writer.temporary_path().filename().string(), "r.h5.tmp." + std::to_string(::getpid()));
  EXPECT_TRUE(fs::exists(writer.temporary_path()));
  EXPECT_FALSE(fs::exists(target));
  writer.write_rows(0, make_rows(0, 3, 3));
  writer.commit();
  EXPECT_TRUE(fs::exists(target));
  EXPECT_EQ(entries(), std::vector<std::string>{"r.h5"});
  writer.commit();  // a second commit is a no-op
  EXPECT_EQ(entries(), std::vector<std::string>{"r.h5"});
}

TEST_F(ResultsFile, ExistingTargetIsKeptWithoutForce) {
  const fs::path target = dir_ / "r.h5";
  std::ofstream(target) << "precious";
  try {
    ResultsWriter writer(target, WriteMode::create, test_provenance(7), kAssets, {.n_paths = 7});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              target.string() +
                  ": exists; pass --force to replace it, or choose another path "
                  "with -o");
  }
  EXPECT_EQ(slurp(target), "precious");
  EXPECT_EQ(entries(), std::vector<std::string>{"r.h5"});
}

TEST_F(ResultsFile, TargetAppearingDuringTheRunIsKeptWithoutForce) {
  const fs::path target = dir_ / "r.h5";
  ResultsWriter writer(target, WriteMode::create, test_provenance(3), kAssets, {.n_paths = 3});
  writer.write_rows(0, make_rows(0, 3, 3));
  std::ofstream(target) << "precious";
  EXPECT_THROW(writer.commit(), InputError);
  EXPECT_EQ(slurp(target), "precious");
  EXPECT_TRUE(fs::exists(writer.temporary_path()));  // removed when the writer goes
}

TEST_F(ResultsFile, FailedCommitLeavesOnlyTheExistingTarget) {
  const fs::path target = dir_ / "r.h5";
  {
    ResultsWriter writer(target, WriteMode::create, test_provenance(3), kAssets, {.n_paths = 3});
    std::ofstream(target) << "precious";
    EXPECT_THROW(writer.commit(), InputError);
  }
  EXPECT_EQ(slurp(target), "precious");
  EXPECT_EQ(entries(), std::vector<std::string>{"r.h5"});
}

TEST_F(ResultsFile, RowErrorsNameTheDataset) {
  const fs::path target = dir_ / "r.h5";
  ResultsWriter writer(target, WriteMode::create, test_provenance(7), kAssets, {.n_paths = 7});
  PathRows rows = make_rows(0, 2, 3);
  rows.min_log_return.pop_back();
  try {
    writer.write_rows(0, rows);
    FAIL() << "expected RuntimeFailure";
  } catch (const RuntimeFailure& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(writer.temporary_path().string()), std::string::npos) << message;
    EXPECT_NE(message.find("/paths/min_log_return"), std::string::npos) << message;
  }
}

TEST_F(ResultsFile, ForceReplacesAnExistingTarget) {
  const fs::path target = dir_ / "r.h5";
  std::ofstream(target) << "old";
  write_file(target, 7, 4, /*force=*/true);
  EXPECT_GT(H5Fis_hdf5(target.c_str()), 0);
  const h5::Handle file = open_file(target);
  EXPECT_EQ(h5::read_attribute<std::uint64_t>(file.get(), "paths"), 7u);
  EXPECT_EQ(entries(), std::vector<std::string>{"r.h5"});
}

TEST_F(ResultsFile, WriterDestroyedBeforeCommitLeavesNothing) {
  const fs::path target = dir_ / "r.h5";
  {
    ResultsWriter writer(target, WriteMode::create, test_provenance(7), kAssets, {.n_paths = 7});
    writer.write_rows(0, make_rows(0, 4, 3));
    EXPECT_TRUE(fs::exists(writer.temporary_path()));
  }
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(entries().empty());
}

TEST_F(ResultsFile, DestroyedBeforeCommitKeepsAnExistingTargetEvenWithForce) {
  const fs::path target = dir_ / "r.h5";
  std::ofstream(target) << "old";
  {
    ResultsWriter writer(target, WriteMode::overwrite, test_provenance(7), kAssets, {.n_paths = 7});
  }
  EXPECT_EQ(slurp(target), "old");
  EXPECT_EQ(entries(), std::vector<std::string>{"r.h5"});
}

TEST_F(ResultsFile, MissingFolderIsBadInput) {
  const fs::path target = dir_ / "nope" / "r.h5";
  try {
    ResultsWriter writer(target, WriteMode::create, test_provenance(7), kAssets, {.n_paths = 7});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              target.string() + ": folder '" + (dir_ / "nope").string() + "' does not exist");
  }
  EXPECT_TRUE(entries().empty());
}

TEST_F(ResultsFile, TargetThatIsAFolderIsBadInput) {
  const fs::path target = dir_ / "out.h5";
  fs::create_directories(target);
  EXPECT_THROW(ResultsWriter(target, WriteMode::overwrite, test_provenance(7), kAssets,
                             {.n_paths = 7, .per_path = true}),
               InputError);
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(entries(), std::vector<std::string>{"out.h5"});
}

TEST_F(ResultsFile, RowsOutsideTheFileAreAnInternalError) {
  const fs::path target = dir_ / "r.h5";
  ResultsWriter writer(target, WriteMode::create, test_provenance(7), kAssets, {.n_paths = 7});
  EXPECT_THROW(writer.write_rows(5, make_rows(5, 3, 3)), RuntimeFailure);
  EXPECT_THROW(writer.write_rows(8, make_rows(8, 1, 3)), RuntimeFailure);
  EXPECT_THROW(writer.write_rows(0, make_rows(0, 2, 2)), RuntimeFailure);  // wrong asset count
  PathRows short_rows = make_rows(0, 2, 3);
  short_rows.weight.pop_back();
  EXPECT_THROW(writer.write_rows(0, short_rows), RuntimeFailure);
  writer.write_rows(4, make_rows(4, 3, 3));  // the last rows exactly: fine
}

TEST_F(ResultsFile, PerPathFalseLeavesOutThePathsGroup) {
  const fs::path target = dir_ / "r.h5";
  {
    ResultsWriter writer(target, WriteMode::create, test_provenance(7), kAssets,
                         {.n_paths = 7, .per_path = false});
    writer.write_rows(0, make_rows(0, 7, 3));  // accepted and ignored
    writer.commit();
  }
  const h5::Handle file = open_file(target);
  EXPECT_EQ(H5Lexists(file.get(), "paths", H5P_DEFAULT), 0);
  EXPECT_GT(H5Lexists(file.get(), "assets", H5P_DEFAULT), 0);
  EXPECT_EQ(h5::read_string_attribute(file.get(), "format"), "liqstress-results");
}

TEST_F(ResultsFile, IdenticalWritesGiveIdenticalBytesAndNoTimes) {
  // Different row blocking, same data: dataset contents must be byte-identical.
  const fs::path a = dir_ / "a.h5", b = dir_ / "b.h5";
  write_file(a, 9, 4);
  write_file(b, 9, 7);
  const h5::Handle fa = open_file(a), fb = open_file(b);
  for (const std::string& short_name : kPathDatasets) {
    const std::string name = "paths/" + short_name;
    SCOPED_TRACE(name);
    const h5::Handle da = open_dataset(fa.get(), name), db = open_dataset(fb.get(), name);
    const std::vector<double> va = h5::read_all<double>(da.get());
    const std::vector<double> vb = h5::read_all<double>(db.get());
    ASSERT_EQ(va.size(), vb.size());
    EXPECT_EQ(std::memcmp(va.data(), vb.data(), va.size() * sizeof(double)), 0);
    // The compressed chunks themselves are identical too.
    hsize_t sa = 0, sb = 0;
    const hsize_t origin[2] = {0, 0};
    ASSERT_GE(H5Dget_chunk_storage_size(da.get(), origin, &sa), 0);
    ASSERT_GE(H5Dget_chunk_storage_size(db.get(), origin, &sb), 0);
    EXPECT_EQ(sa, sb);
  }
  for (const std::string name :
       {"/", "/assets", "/paths", "/paths/final_log_return", "/paths/min_log_return",
        "/paths/max_log_return", "/paths/weight"}) {
    EXPECT_EQ(object_times(fa.get(), name), std::vector<std::int64_t>(4, 0)) << name;
  }
}

TEST_F(ResultsFile, SameDataAndProvenanceGiveTheSameFileBytes) {
  const fs::path a = dir_ / "a.h5", b = dir_ / "b.h5";
  write_file(a, 9, 4);
  write_file(b, 9, 4);
  EXPECT_EQ(slurp(a), slurp(b));
}

}  // namespace
}  // namespace liq
