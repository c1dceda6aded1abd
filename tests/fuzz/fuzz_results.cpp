// liqstress — fuzz harness: hostile results files as merge, compare and sweep --collect read
// them (host/io/results_reader). Mutating an HDF5 file's raw bytes mostly exercises libhdf5's
// own parser (its hangs and crashes on corrupt metadata are not ours to fix), so the input is
// a program of damage applied through the HDF5 API to a real results file
// (tests/fuzz/data/results-*.h5): datasets deleted, reshaped (huge declared sizes included),
// retyped, grown, filled with NaN, infinities or huge values; root attributes deleted or
// replaced by other types and values; the file's tail cut off. The reader must then refuse
// with InputError (exit code 2) naming the file, or read it: every row, the exact sums,
// /summary, the columns and the metrics merge computes from them — never crash, hang or
// allocate beyond what the file holds.
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "host/io/hdf5_util.h"
#include "host/io/results_reader.h"
#include "host/io/summary_file.h"
#include "host/util/errors.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

namespace fs = std::filesystem;

/// The input, consumed a byte at a time (zeros once it is used up).
struct Bytes {
  const std::uint8_t* p;
  std::size_t n;
  bool empty() const { return n == 0; }
  std::uint8_t u8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return v;
  }
};

struct Template {
  fs::path file;
  std::string bytes;  // held in memory: copy_file can fail with EINTR under libFuzzer's timer
  std::vector<std::string> datasets, attributes;
};

herr_t add_dataset(hid_t, const char* name, const H5O_info_t* info, void* out) {
  if (info->type == H5O_TYPE_DATASET) static_cast<Template*>(out)->datasets.emplace_back(name);
  return 0;
}
herr_t add_attribute(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<Template*>(out)->attributes.emplace_back(name);
  return 0;
}

std::vector<Template> load_templates() {
  std::vector<Template> out;
  for (const char* name : {"results-small.h5", "results-portfolio.h5"}) {
    Template t;
    t.file = fs::path(LIQ_FUZZ_DATA_DIR) / name;
    const liq::h5::Handle f = liq::h5::file_handle(
        H5Fopen(t.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + t.file.string());
    H5Ovisit2(f.get(), H5_INDEX_NAME, H5_ITER_INC, add_dataset, &t, H5O_INFO_BASIC);
    H5Aiterate2(f.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, add_attribute, &t);
    std::ifstream in(t.file, std::ios::binary);
    t.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    out.push_back(std::move(t));
  }
  return out;
}

hsize_t pick_dim(Bytes& in) {
  constexpr std::array<hsize_t, 8> kDims = {0, 1, 2, 3, 4, 6, hsize_t{1} << 40, 65537};
  const std::uint8_t b = in.u8();
  return b < 200 ? kDims[b % kDims.size()] : in.u64() % (hsize_t{1} << 48);
}

hid_t pick_type(Bytes& in) {
  switch (in.u8() % 6) {
    case 0:
      return H5Tcopy(H5T_IEEE_F32LE);
    case 1:
      return H5Tcopy(H5T_STD_I8LE);
    case 2:
      return H5Tcopy(H5T_STD_U64LE);
    case 3:
      return H5Tcopy(H5T_IEEE_F64LE);
    case 4:
      return H5Tcopy(H5T_STD_U16LE);
    default: {
      const hid_t t = H5Tcopy(H5T_C_S1);
      H5Tset_size(t, H5T_VARIABLE);
      return t;
    }
  }
}

/// Replaces dataset `name` by an empty one of `type` and shape `dims` (chunked, extendible).
void replace_dataset(hid_t file, const std::string& name, hid_t type,
                     const std::vector<hsize_t>& dims) {
  H5Ldelete(file, name.c_str(), H5P_DEFAULT);
  std::vector<hsize_t> chunk(dims.size()), max(dims.size(), H5S_UNLIMITED);
  for (std::size_t i = 0; i < dims.size(); ++i) chunk[i] = std::clamp<hsize_t>(dims[i], 1, 64);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max.data());
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
  const hid_t d = H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (d >= 0) H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(space);
}

std::vector<hsize_t> dims_of(hid_t file, const std::string& name) {
  const hid_t d = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  if (d < 0) return {};
  const hid_t space = H5Dget_space(d);
  const int rank = std::max(0, H5Sget_simple_extent_ndims(space));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  H5Sclose(space);
  H5Dclose(d);
  return dims;
}

/// Overwrites every `stride`-th value of a numeric dataset with `value` (HDF5 converts).
void poison(hid_t file, const std::string& name, double value, std::size_t stride) {
  const hid_t d = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  if (d < 0) return;
  const hid_t type = H5Dget_type(d);
  const H5T_class_t c = H5Tget_class(type);
  H5Tclose(type);
  std::size_t n = 1;  // the whole dataset, when it is at most 2^20 values
  for (const hsize_t x : dims_of(file, name))
    n = x > (1 << 20) || n * x > (1 << 20) ? (1 << 20) + 1 : n * static_cast<std::size_t>(x);
  if ((c == H5T_FLOAT || c == H5T_INTEGER) && n > 0 && n <= (1 << 20)) {
    std::vector<double> v(n);
    if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0) {
      for (std::size_t i = 0; i < n; i += stride) v[i] = value;
      H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    }
  }
  H5Dclose(d);
}

void replace_attribute(hid_t file, const std::string& name, Bytes& in) {
  H5Adelete(file, name.c_str());
  const std::uint8_t how = in.u8() % 5;
  if (how == 0) return;  // deleted
  const hid_t space = H5Screate(H5S_SCALAR);
  if (how == 1 || how == 2) {
    const std::uint64_t v = how == 1 ? in.u64() : in.u8();
    const hid_t a = H5Acreate2(file, name.c_str(), H5T_STD_U64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) H5Awrite(a, H5T_NATIVE_UINT64, &v), H5Aclose(a);
  } else if (how == 3) {
    const double v = std::array<double, 4>{NAN, INFINITY, -1.0, 1e300}[in.u8() % 4];
    const hid_t a = H5Acreate2(file, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) H5Awrite(a, H5T_NATIVE_DOUBLE, &v), H5Aclose(a);
  } else {
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    const char* text = "liqstress-results";
    const hid_t a = H5Acreate2(file, name.c_str(), t, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) H5Awrite(a, t, &text), H5Aclose(a);
    H5Tclose(t);
  }
  H5Sclose(space);
}

/// One damage from the input; returns false at the end of the input.
bool damage(hid_t file, const Template& t, Bytes& in, double& cut) {
  if (in.empty()) return false;
  const std::uint8_t op = in.u8() % 7;
  const std::string& ds = t.datasets[in.u8() % t.datasets.size()];
  if (op == 0) {
    H5Ldelete(file, ds.c_str(), H5P_DEFAULT);
  } else if (op == 1) {
    std::vector<hsize_t> dims(1 + in.u8() % 3);
    for (hsize_t& d : dims) d = pick_dim(in);
    const hid_t type = pick_type(in);
    replace_dataset(file, ds, type, dims);
    H5Tclose(type);
  } else if (op == 2) {
    const hid_t type = pick_type(in);
    replace_dataset(file, ds, type, dims_of(file, ds));
    H5Tclose(type);
  } else if (op == 3) {
    constexpr std::array<double, 6> kValues = {NAN, INFINITY, -INFINITY, -1.0, 1e308, 1.8e19};
    poison(file, ds, kValues[in.u8() % kValues.size()], 1 + in.u8() % 4);
  } else if (op == 4 && !t.attributes.empty()) {
    replace_attribute(file, t.attributes[in.u8() % t.attributes.size()], in);
  } else if (op == 5) {
    cut = (1 + in.u8()) / 257.0;
  } else if (op == 6) {
    std::vector<hsize_t> dims = dims_of(file, ds);
    if (!dims.empty()) dims[0] = pick_dim(in);
    replace_dataset(file, ds, H5T_IEEE_F64LE, dims);
  }
  return true;
}

void read_everything(const liq::ResultsFile& f) {
  const std::vector<liq::Metric> metrics = f.read_metrics();
  (void)f.read_exact_sums();
  if (!f.per_path) return;
  liq::PathRows rows;
  constexpr std::size_t kBlock = 4096;
  for (std::size_t at = 0; at < f.paths; at += kBlock)
    f.read_rows(at, std::min<std::size_t>(kBlock, f.paths - at), rows);
  const liq::FileColumns columns(f.file.get(), static_cast<int>(f.assets.size()),
                                 static_cast<int>(f.portfolios.size()),
                                 static_cast<std::size_t>(f.paths), f.path.string());
  liq::SummaryOptions options;
  if (!metrics.empty()) {
    options.levels = metrics.front().summary.levels;
    options.thresholds = metrics.front().summary.thresholds;
  }
  (void)liq::compute_metrics(columns, f.assets, f.portfolios, options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<Template> templates = load_templates();
  static const liq::fuzz::ScratchFile file(".h5");
  if (size > 4096) return -1;
  Bytes in{data, size};
  const Template& t = templates[in.u8() % templates.size()];
  file.hold(reinterpret_cast<const std::uint8_t*>(t.bytes.data()), t.bytes.size());
  double cut = 0.0;
  {
    liq::h5::silence_errors();
    const hid_t f = H5Fopen(file.path().c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) std::abort();
    for (int k = 0; k < 8 && damage(f, t, in, cut); ++k) {
    }
    H5Fclose(f);
  }
  if (cut > 0.0)
    fs::resize_file(file.path(), static_cast<std::uintmax_t>(
                                     static_cast<double>(fs::file_size(file.path())) * cut));
  try {
    const liq::ResultsFile f(file.path());
    read_everything(f);
  } catch (const liq::InputError&) {
    return 0;
  }
  return 0;
}
