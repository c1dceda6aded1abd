// liqstress — reading results files back (see results_reader.h).
#include "host/io/results_reader.h"

#include <algorithm>

#include "host/io/results_file.h"
#include "host/util/errors.h"

namespace liq {

namespace {

constexpr std::size_t kReadBlock = 65536;  // rows per read

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
  try {
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
    if (H5Aexists(root, "mpi_ranks") > 0)
      mpi_ranks = h5::read_attribute<std::int32_t>(root, "mpi_ranks");
    assets = h5::read_strings(open_dataset(root, "assets").get());
    if (has_link(root, "portfolios"))
      portfolios = h5::read_strings(open_dataset(root, "portfolios").get());
    if (has_link(root, "regimes")) regimes = h5::read_strings(open_dataset(root, "regimes").get());
    per_path = has_link(root, "paths");
  } catch (const RuntimeFailure& e) {
    throw InputError(where + ": damaged results file (" + e.what() + ")");
  }
}

void ResultsFile::read_rows(std::size_t first, std::size_t n, PathRows& rows) const {
  const hid_t f = file.get();
  rows.resize(n, static_cast<int>(assets.size()), static_cast<int>(portfolios.size()));
  rows.visit([&](const RecordField& field, auto& values) {
    if (rows.cells(field.shape) == 0) return;  // portfolios of a file without any
    read_into(f, std::string("paths/") + field.name, first, n, values);
  });
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
