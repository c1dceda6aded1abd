// liqstress — reading results files back (see results_reader.h).
#include "host/io/results_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "host/io/results_file.h"
#include "host/util/errors.h"

namespace liq {

namespace {

bool has_link(hid_t parent, const char* name) {
  const htri_t e = H5Lexists(parent, name, H5P_DEFAULT);
  return e > 0;
}

h5::Handle open_dataset(hid_t file, const std::string& name) {
  return h5::dataset_handle(H5Dopen2(file, name.c_str(), H5P_DEFAULT), "opening /" + name);
}

template <typename T>
void read_into(hid_t file, const std::string& name, std::size_t first, std::size_t n,
               std::vector<T>& out) {
  const h5::Handle d = open_dataset(file, name);
  out = h5::read_block<T>(d.get(), first, n);
}

}  // namespace

namespace {

// Bounds of what a results file may declare (a scenario allows 16 assets; accounts and
// regimes are a handful): beyond them a file is damaged, not a run.
constexpr std::size_t kMaxColumns = 1 << 16;
constexpr std::int64_t kMaxCells = std::numeric_limits<std::int32_t>::max();

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::string t;
  for (const hsize_t d : dims) t += (t.empty() ? "" : ", ") + std::to_string(d);
  return "[" + t + "]";
}

/// A numeric dataset of exactly `dims`, of the class its field has, its values stored.
void check_dataset(hid_t file, const std::string& name, const std::vector<hsize_t>& dims,
                   H5T_class_t type_class) {
  if (!has_link(file, name.c_str())) throw RuntimeFailure("/" + name + ": missing");
  const h5::Handle d = open_dataset(file, name);
  const h5::Handle type = h5::type_handle(H5Dget_type(d.get()), "/" + name + ": type");
  if (H5Tget_class(type.get()) != type_class)
    throw RuntimeFailure("/" + name + ": values of the wrong type (expected " +
                         (type_class == H5T_FLOAT ? "floating point" : "integers") + ")");
  const std::vector<hsize_t> have = h5::dataset_dims(d.get());
  if (have != dims)
    throw RuntimeFailure("/" + name + ": shape " + shape_text(have) + ", expected " +
                         shape_text(dims));
  h5::check_stored(d.get(), "/" + name);
}

/// Every record field under /paths, for the file's paths, assets and portfolios.
void check_paths(const ResultsFile& f) {
  const auto a = static_cast<int>(f.assets.size()), p = static_cast<int>(f.portfolios.size());
  for (const RecordField& field : kPathRecord) {
    if (record_cells(field.shape, a, p) == 0) continue;
    const H5T_class_t type_class =
        std::string(field.type_name) == "float64" ? H5T_FLOAT : H5T_INTEGER;
    check_dataset(f.file.get(), std::string("paths/") + field.name,
                  record_dims(field, f.paths, a, p), type_class);
  }
}

/// The exact per-step sums: [cells, 4] integers, as many cells as steps, assets and regimes
/// give.
void check_exact_sums(const ResultsFile& f) {
  const auto a = static_cast<std::int64_t>(f.assets.size());
  const auto r = static_cast<std::int64_t>(f.regimes.size());
  const std::int64_t steps = f.steps;
  const std::int64_t flow = steps * a * 4, adl = steps * 2, regimes = steps * r;
  if (flow + adl + regimes > kMaxCells)
    throw RuntimeFailure(std::to_string(steps) + " steps of " + std::to_string(a) +
                         " assets are more cells than a run has");
  check_dataset(f.file.get(), "timeseries/exact_sums", {static_cast<hsize_t>(flow), 4},
                H5T_INTEGER);
  check_dataset(f.file.get(), "timeseries/exact_sums_adl", {static_cast<hsize_t>(adl), 4},
                H5T_INTEGER);
  if (r > 0)
    check_dataset(f.file.get(), "timeseries/exact_sums_regimes", {static_cast<hsize_t>(regimes), 4},
                  H5T_INTEGER);
}

/// The root attributes' values: what a run can have written.
void check_attributes(const ResultsFile& f) {
  if (f.steps < 1) throw RuntimeFailure("steps " + std::to_string(f.steps) + " is not > 0");
  if (!(std::isfinite(f.step_seconds) && f.step_seconds > 0.0))
    throw RuntimeFailure("step_seconds is not a positive number");
  if (f.paths > std::numeric_limits<std::uint64_t>::max() - f.first_path)
    throw RuntimeFailure("first_path + paths overflows");
  if (f.mpi_ranks < 1) throw RuntimeFailure("mpi_ranks is not > 0");
  if (f.assets.empty() || f.assets.size() > kMaxColumns || f.portfolios.size() > kMaxColumns ||
      f.regimes.size() > kMaxColumns)
    throw RuntimeFailure("/assets, /portfolios or /regimes: " + std::to_string(f.assets.size()) +
                         " assets, " + std::to_string(f.portfolios.size()) + " portfolios, " +
                         std::to_string(f.regimes.size()) + " regimes");
}

/// Rows as a run writes them: finite numbers, weights >= 0.
template <typename T>
void check_values(const RecordField& field, const std::vector<T>& values, std::size_t first,
                  std::size_t cells) {
  if constexpr (std::is_floating_point_v<T>) {
    const bool weight = std::string(field.name) == "weight";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (std::isfinite(values[i]) && !(weight && values[i] < 0.0)) continue;
      throw RuntimeFailure(std::string("/paths/") + field.name + " row " +
                           std::to_string(first + i / cells) + ": " +
                           (weight ? "not a finite weight >= 0" : "not a finite number"));
    }
  }
}

}  // namespace

ResultsFile::ResultsFile(const std::filesystem::path& p) : path(p) {
  h5::silence_errors();
  const std::string where = p.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) throw InputError(where + ": no such file");
  const htri_t is_hdf5 = H5Fis_hdf5(p.c_str());
  if (is_hdf5 <= 0) throw InputError(where + ": not an HDF5 file (not a liqstress results file)");
  try {
    file = h5::file_handle(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening the file");
  } catch (const RuntimeFailure& e) {
    throw InputError(where + ": " + e.what());
  }
  try {
    check_format();
    read_root();
    check_attributes(*this);
    if (per_path) check_paths(*this);
    check_exact_sums(*this);
  } catch (const RuntimeFailure& e) {
    throw InputError(where + ": damaged results file (" + e.what() + ")");
  }
}

void ResultsFile::check_format() const {
  const std::string where = path.string();
  const hid_t root = file.get();
  if (H5Aexists(root, "format") <= 0)
    throw InputError(where + ": not a liqstress results file (no 'format' attribute)");
  const std::string format = h5::read_string_attribute(root, "format");
  if (format != "liqstress-results")
    throw InputError(where + ": not a liqstress results file (format '" + format + "')");
  const auto version = h5::read_attribute<std::int32_t>(root, "format_version");
  if (version != kFormatVersion)
    throw InputError(where + ": results format_version " + std::to_string(version) +
                     "; this liqstress reads format_version " + std::to_string(kFormatVersion));
}

void ResultsFile::read_root() {
  const hid_t root = file.get();
  config = h5::read_string_attribute(root, "config");
  liqstress_version = h5::read_string_attribute(root, "liqstress_version");
  git_commit = h5::read_string_attribute(root, "git_commit");
  backend = h5::read_string_attribute(root, "backend");
  device = h5::read_string_attribute(root, "device");
  seed = h5::read_attribute<std::uint64_t>(root, "seed");
  first_path = h5::read_attribute<std::uint64_t>(root, "first_path");
  paths = h5::read_attribute<std::uint64_t>(root, "paths");
  steps = h5::read_attribute<std::int32_t>(root, "steps");
  step_seconds = h5::read_attribute<double>(root, "step_seconds");
  if (H5Aexists(root, "inputs") > 0) inputs = h5::read_string_attribute(root, "inputs");
  if (H5Aexists(root, "book_sha256") > 0)
    book_sha256 = h5::read_string_attribute(root, "book_sha256");
  if (H5Aexists(root, "importance_tilt") > 0)
    importance_tilt = h5::read_string_attribute(root, "importance_tilt");
  if (H5Aexists(root, "mpi_ranks") > 0)
    mpi_ranks = h5::read_attribute<std::int32_t>(root, "mpi_ranks");
  if (!has_link(root, "assets")) throw RuntimeFailure("/assets: missing");
  assets = h5::read_strings(open_dataset(root, "assets").get());
  if (has_link(root, "portfolios"))
    portfolios = h5::read_strings(open_dataset(root, "portfolios").get());
  if (has_link(root, "regimes")) regimes = h5::read_strings(open_dataset(root, "regimes").get());
  per_path = has_link(root, "paths");
}

void ResultsFile::read_rows(std::size_t first, std::size_t n, PathRows& rows) const {
  const hid_t f = file.get();
  rows.resize(n, static_cast<int>(assets.size()), static_cast<int>(portfolios.size()));
  try {
    rows.visit([&](const RecordField& field, auto& values) {
      const std::size_t cells = rows.cells(field.shape);
      if (cells == 0) return;  // portfolios of a file without any
      read_into(f, std::string("paths/") + field.name, first, n, values);
      check_values(field, values, first, cells);
    });
  } catch (const RuntimeFailure& e) {
    throw InputError(path.string() + ": " + e.what());
  }
}

StepSums ResultsFile::read_exact_sums() const {
  StepSums s;
  try {
    // The price and flow cells, then the ADL cells (a dataset of their own, so that the
    // first keeps the shape format_version 1 gave it).
    std::vector<const char*> names = {"timeseries/exact_sums", "timeseries/exact_sums_adl"};
    if (!regimes.empty()) names.push_back("timeseries/exact_sums_regimes");
    names.push_back("timeseries/exact_sums_price");
    for (const char* name : names) {
      const h5::Handle d = open_dataset(file.get(), name);
      const std::vector<hsize_t> dims = h5::dataset_dims(d.get());
      s.n_cells += static_cast<std::int32_t>(dims.at(0));
      const std::vector<std::uint64_t> words = h5::read_all<std::uint64_t>(d.get());
      s.words.insert(s.words.end(), words.begin(), words.end());
    }
  } catch (const RuntimeFailure& e) {
    throw InputError(path.string() + ": " + e.what());
  }
  return s;
}

std::vector<Metric> ResultsFile::read_metrics() const {
  try {
    return read_summary(file.get());
  } catch (const RuntimeFailure& e) {
    throw InputError(path.string() + ": " + e.what());
  }
}

}  // namespace liq
