// liqstress — the RAII layer over the HDF5 C API (see hdf5_util.h).
#include "host/io/hdf5_util.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "host/util/errors.h"

namespace liq::h5 {

void silence_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

void skip_shutdown_at_exit() {
  H5dont_atexit();
}

namespace {

// H5Ewalk2 callback: walking upward, the first entry is the innermost, most specific one.
herr_t take_first(unsigned n, const H5E_error2_t* err, void* client) {
  auto* out = static_cast<std::string*>(client);
  if (n == 0 && err->desc != nullptr) *out = err->desc;
  return 0;
}

// Chunk cache per dataset: big enough that a partly written chunk stays in memory until the
// next batch completes it (no re-read and re-deflate); 521 slots is a prime, as HDF5 asks.
constexpr std::size_t kChunkCacheBytes = 4 * kChunkBytes;
constexpr std::size_t kChunkCacheSlots = 521;

Handle space_for(const std::vector<hsize_t>& dims, const std::string& what) {
  if (dims.empty()) return space_handle(H5Screate(H5S_SCALAR), what);
  return space_handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), what);
}

// Selects rows [first_row, first_row + n_rows) of `dataset` and returns (file, memory)
// dataspaces for H5Dread/H5Dwrite, after checking bounds and the buffer's size; empty
// handles when n_rows is 0.
std::pair<Handle, Handle> select_rows(hid_t dataset, std::size_t first_row, std::size_t n_rows,
                                      std::size_t n_elements, const std::string& what) {
  Handle file_space = space_handle(H5Dget_space(dataset), what + ": dataspace");
  const int rank = H5Sget_simple_extent_ndims(file_space.get());
  check(rank, what + ": rank");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(file_space.get(), dims.data(), nullptr), what);
  const std::size_t cells = row_cells(dims);
  const std::size_t total_rows = rank == 0 ? 1 : static_cast<std::size_t>(dims[0]);
  if (first_row > total_rows || n_rows > total_rows - first_row) {
    throw RuntimeFailure(what + ": rows [" + std::to_string(first_row) + ", " +
                         std::to_string(first_row + n_rows) + ") outside the dataset's " +
                         std::to_string(total_rows) + " rows (internal error)");
  }
  if (n_elements != n_rows * cells) {
    throw RuntimeFailure(what + ": buffer holds " + std::to_string(n_elements) +
                         " values, rows need " + std::to_string(n_rows * cells) +
                         " (internal error)");
  }
  if (n_rows == 0) return {};  // nothing to select; the caller does no I/O
  if (rank == 0) return {std::move(file_space), space_handle(H5Screate(H5S_SCALAR), what)};
  std::vector<hsize_t> start(dims.size(), 0), count = dims;
  start[0] = first_row;
  count[0] = n_rows;
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr),
        what + ": selecting rows");
  Handle memory_space =
      space_handle(H5Screate_simple(rank, count.data(), nullptr), what + ": memory dataspace");
  return {std::move(file_space), std::move(memory_space)};
}

// Object creation properties shared by groups and datasets: no access/modification times,
// so that the same data give the same bytes.
void no_times(hid_t plist, const std::string& what) {
  check(H5Pset_obj_track_times(plist, false), what + ": switching off time tracking");
}

}  // namespace

std::string last_error() {
  std::string out;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_first, &out);
  return out;
}

void fail(const std::string& what) {
  const std::string why = last_error();
  H5Eclear2(H5E_DEFAULT);
  throw RuntimeFailure(what + " failed" + (why.empty() ? "" : " (" + why + ")"));
}

Handle::Handle(hid_t id, Closer closer, const std::string& what) : id_(id), closer_(closer) {
  if (id < 0) fail(what);
}

void Handle::close(const std::string& what) {
  if (id_ < 0) return;
  const herr_t status = closer_(std::exchange(id_, H5I_INVALID_HID));
  check(status, what);
}

void Handle::reset() noexcept {
  if (id_ >= 0) closer_(std::exchange(id_, H5I_INVALID_HID));
}

Handle utf8_string_type() {
  Handle type = type_handle(H5Tcopy(H5T_C_S1), "string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "string type: variable length");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "string type: UTF-8");
  return type;
}

void write_string_attribute(hid_t object, const std::string& name, const std::string& value) {
  const std::string what = "attribute '" + name + "'";
  const Handle type = utf8_string_type();
  const Handle space = space_handle(H5Screate(H5S_SCALAR), what);
  const Handle attr = attribute_handle(
      H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  const char* text = value.c_str();
  check(H5Awrite(attr.get(), type.get(), &text), what + ": writing");
}

void write_scalar_attribute(hid_t object, const std::string& name, hid_t file_type,
                            hid_t memory_type, const void* value) {
  const std::string what = "attribute '" + name + "'";
  const Handle space = space_handle(H5Screate(H5S_SCALAR), what);
  const Handle attr = attribute_handle(
      H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  check(H5Awrite(attr.get(), memory_type, value), what + ": writing");
}

std::string read_string_attribute(hid_t object, const std::string& name) {
  const std::string what = "reading attribute '" + name + "'";
  const Handle attr = attribute_handle(H5Aopen(object, name.c_str(), H5P_DEFAULT), what);
  const Handle file_type = type_handle(H5Aget_type(attr.get()), what);
  if (H5Tget_class(file_type.get()) != H5T_STRING) {
    throw RuntimeFailure(what + ": not a string");
  }
  const htri_t variable = H5Tis_variable_str(file_type.get());
  check(variable, what);
  if (variable > 0) {
    const Handle type = utf8_string_type();
    char* text = nullptr;
    check(H5Aread(attr.get(), type.get(), &text), what);
    std::string out = text != nullptr ? text : "";
    H5free_memory(text);
    return out;
  }
  const std::size_t size = H5Tget_size(file_type.get());
  std::string buffer(size, '\0');
  check(H5Aread(attr.get(), file_type.get(), buffer.data()), what);
  buffer.resize(std::strlen(buffer.c_str()));  // fixed-length strings may be NUL-padded
  return buffer;
}

void read_scalar_attribute(hid_t object, const std::string& name, hid_t memory_type, void* out) {
  const std::string what = "reading attribute '" + name + "'";
  const Handle attr = attribute_handle(H5Aopen(object, name.c_str(), H5P_DEFAULT), what);
  check(H5Aread(attr.get(), memory_type, out), what);
}

Handle create_group(hid_t parent, const std::string& name, const std::string& description) {
  const std::string what = "group '" + name + "'";
  const Handle gcpl = plist_handle(H5Pcreate(H5P_GROUP_CREATE), what);
  no_times(gcpl.get(), what);
  Handle group = group_handle(
      H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), "creating " + what);
  write_string_attribute(group.get(), "description", description);
  return group;
}

void set_rows(hid_t dataset, std::size_t rows) {
  std::vector<hsize_t> dims = dataset_dims(dataset);
  if (dims.empty()) fail("resizing a scalar dataset (internal error)");
  dims[0] = rows;
  check(H5Dset_extent(dataset, dims.data()), "resizing " + object_name(dataset));
}

Handle create_dataset(hid_t parent, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& dims, const std::string& units,
                      const std::string& description, bool growable) {
  const std::string what = "dataset '" + name + "'";
  std::vector<hsize_t> max_dims = dims;
  if (growable && !max_dims.empty()) max_dims[0] = H5S_UNLIMITED;
  const Handle space =
      growable && !dims.empty()
          ? space_handle(
                H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.data()), what)
          : space_for(dims, what);
  const Handle dcpl = plist_handle(H5Pcreate(H5P_DATASET_CREATE), what);
  no_times(dcpl.get(), what);
  const std::size_t type_bytes = H5Tget_size(file_type);
  if (type_bytes == 0) fail(what + ": type size");
  // Zero of any numeric type up to 16 bytes: explicit, so readers of rows never written
  // (a failed run never commits, but a future resume might) see 0 rather than garbage.
  const std::array<unsigned char, 16> zero{};
  if (H5Tget_class(file_type) != H5T_STRING && type_bytes <= zero.size()) {
    check(H5Pset_fill_value(dcpl.get(), file_type, zero.data()), what + ": fill value");
  }
  const bool empty = std::any_of(dims.begin(), dims.end(), [](hsize_t d) { return d == 0; });
  if (!dims.empty() && (!empty || growable)) {
    // Whole trailing dimensions per chunk; as many rows as fit in kChunkBytes, at least 1
    // (a growable dataset's chunks do not depend on its first size).
    std::vector<hsize_t> chunk = dims;
    std::size_t cells = 1;
    for (std::size_t i = 1; i < dims.size(); ++i) cells *= static_cast<std::size_t>(dims[i]);
    const std::size_t row_bytes = std::max<std::size_t>(1, cells) * type_bytes;
    const std::size_t rows =
        std::max<std::size_t>(1, kChunkBytes / std::max<std::size_t>(1, row_bytes));
    chunk[0] = growable ? rows : std::min<hsize_t>(dims[0], rows);
    for (std::size_t i = 1; i < chunk.size(); ++i) chunk[i] = std::max<hsize_t>(chunk[i], 1);
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()),
          what + ": chunking");
    // Shuffle groups the bytes of equal significance together: deflate then finds the
    // repeated exponents of doubles (and the high zero bytes of counts).
    check(H5Pset_shuffle(dcpl.get()), what + ": shuffle filter");
    check(H5Pset_deflate(dcpl.get(), 4), what + ": deflate filter");
  }
  const Handle dapl = plist_handle(H5Pcreate(H5P_DATASET_ACCESS), what);
  check(H5Pset_chunk_cache(dapl.get(), kChunkCacheSlots, kChunkCacheBytes,
                           H5D_CHUNK_CACHE_W0_DEFAULT),
        what + ": chunk cache");
  Handle dataset = dataset_handle(
      H5Dcreate2(parent, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), dapl.get()),
      "creating " + what);
  write_string_attribute(dataset.get(), "units", units);
  write_string_attribute(dataset.get(), "description", description);
  return dataset;
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  const Handle space = space_handle(H5Dget_space(dataset), "dataset dataspace");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  check(rank, "dataset rank");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0)
    check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "dataset shape");
  return dims;
}

std::size_t row_cells(const std::vector<hsize_t>& dims) {
  std::size_t cells = 1;
  for (std::size_t i = 1; i < dims.size(); ++i) cells *= static_cast<std::size_t>(dims[i]);
  return cells;
}

void check_stored(hid_t dataset, const std::string& what) {
  const std::vector<hsize_t> dims = dataset_dims(dataset);
  // Declared values, saturating: a shape whose product overflows is refused as huge.
  constexpr std::uint64_t kHuge = std::uint64_t{1} << 62;
  std::uint64_t values = 1;
  for (const hsize_t d : dims) values = d != 0 && values > kHuge / d ? kHuge : values * d;
  const Handle type = type_handle(H5Dget_type(dataset), what + ": type");
  const std::uint64_t type_bytes = std::max<std::size_t>(1, H5Tget_size(type.get()));
  const std::uint64_t declared = values > kHuge / type_bytes ? kHuge : values * type_bytes;
  const std::uint64_t stored = H5Dget_storage_size(dataset);
  constexpr std::uint64_t kMaxDeflateRatio = 1032;
  if (declared <= std::uint64_t{1} << 20 || declared / kMaxDeflateRatio <= stored) return;
  std::string shape;
  for (const hsize_t d : dims) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
  throw RuntimeFailure(what + ": declares [" + shape + "] values of " + std::to_string(type_bytes) +
                       " bytes, but the file stores only " + std::to_string(stored) +
                       " bytes for them (unwritten or cut off)");
}

std::string object_name(hid_t object) {
  const ssize_t size = H5Iget_name(object, nullptr, 0);
  if (size <= 0) return "(unnamed object)";
  std::string name(static_cast<std::size_t>(size) + 1, '\0');
  H5Iget_name(object, name.data(), name.size());
  name.resize(static_cast<std::size_t>(size));
  return name;
}

void write_rows_raw(hid_t dataset, std::size_t first_row, std::size_t n_rows, hid_t memory_type,
                    const void* data, std::size_t n_elements) {
  const std::string what = "writing rows of " + object_name(dataset);
  auto [file_space, memory_space] = select_rows(dataset, first_row, n_rows, n_elements, what);
  if (n_rows == 0) return;
  check(H5Dwrite(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, data),
        what);
}

void read_rows_raw(hid_t dataset, std::size_t first_row, std::size_t n_rows, hid_t memory_type,
                   void* out, std::size_t n_elements) {
  const std::string what = "reading rows of " + object_name(dataset);
  auto [file_space, memory_space] = select_rows(dataset, first_row, n_rows, n_elements, what);
  if (n_rows == 0) return;
  check(H5Dread(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, out),
        what);
}

std::vector<std::string> read_strings(hid_t dataset) {
  const std::string what = "reading strings of " + object_name(dataset);
  const std::vector<hsize_t> dims = dataset_dims(dataset);
  const std::size_t n = dims.empty() ? 1 : static_cast<std::size_t>(dims[0]);
  std::vector<std::string> out;
  if (n == 0) return out;
  if (dims.size() > 1)
    throw RuntimeFailure(what + ": not a list of strings (rank " + std::to_string(dims.size()) +
                         ")");
  check_stored(dataset, what);
  const Handle file_type = type_handle(H5Dget_type(dataset), what);
  if (H5Tget_class(file_type.get()) != H5T_STRING) throw RuntimeFailure(what + ": not strings");
  const htri_t variable = H5Tis_variable_str(file_type.get());
  check(variable, what);
  if (variable > 0) {
    const Handle type = utf8_string_type();
    std::vector<char*> text(n, nullptr);
    check(H5Dread(dataset, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()), what);
    for (char* t : text) {
      out.emplace_back(t != nullptr ? t : "");
      H5free_memory(t);
    }
    return out;
  }
  const std::size_t size = H5Tget_size(file_type.get());
  std::string buffer(size * n, '\0');
  check(H5Dread(dataset, file_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), what);
  for (std::size_t i = 0; i < n; ++i) {
    const char* s = buffer.data() + i * size;
    out.emplace_back(s, strnlen(s, size));
  }
  return out;
}

Handle create_string_dataset(hid_t parent, const std::string& name,
                             const std::vector<std::string>& values, const std::string& units,
                             const std::string& description) {
  const std::string what = "dataset '" + name + "'";
  const Handle type = utf8_string_type();
  const Handle space = space_for({static_cast<hsize_t>(values.size())}, what);
  const Handle dcpl = plist_handle(H5Pcreate(H5P_DATASET_CREATE), what);
  no_times(dcpl.get(), what);
  Handle dataset = dataset_handle(H5Dcreate2(parent, name.c_str(), type.get(), space.get(),
                                             H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                  "creating " + what);
  if (!values.empty()) {
    std::vector<const char*> text;
    text.reserve(values.size());
    for (const std::string& v : values) text.push_back(v.c_str());
    check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()),
          "writing " + what);
  }
  write_string_attribute(dataset.get(), "units", units);
  write_string_attribute(dataset.get(), "description", description);
  return dataset;
}

}  // namespace liq::h5
