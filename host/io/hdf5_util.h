// liqstress — small RAII layer over the HDF5 C API, shared by the results writer and the
// readers (merge, compare, tests): owning handles, the file/memory type of each C++ scalar,
// string and scalar attributes, and row-block dataset I/O. Every failure throws
// liq::RuntimeFailure naming the operation and HDF5's innermost reason; callers prefix
// the file name. HDF5's own printing of its error stack is switched off (silence_errors).
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace liq::h5 {

/// Switches off HDF5's automatic printing of its error stack to stderr: failures reach the
/// user once, as our own message. Idempotent; the serial library keeps one global setting.
void silence_errors();

/// Stops HDF5 from closing, at exit, what is still open. After a failed H5Fclose (a full
/// disk) HDF5 1.10's own shutdown crashes on the half-closed file (SIGSEGV in H5F__close_cb);
/// everything kept is closed explicitly, and a temporary being discarded is removed by its
/// owner. Call before any other HDF5 call (main does).
void skip_shutdown_at_exit();

/// The innermost message on HDF5's current error stack (e.g. "unable to open file ... No
/// such file or directory"), or "" when the stack is empty.
std::string last_error();

/// Throws RuntimeFailure("<what> failed (<last_error()>)").
[[noreturn]] void fail(const std::string& what);

/// Checks a herr_t / htri_t result (negative = failure).
inline void check(herr_t status, const std::string& what) {
  if (status < 0) fail(what);
}

/// An owned hid_t, closed with the function matching its kind (H5Fclose, H5Dclose, ...).
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  /// Takes ownership of `id`; throws when `id` is negative (the call that made it failed).
  Handle(hid_t id, Closer closer, const std::string& what);
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Closes now, reporting failure (a file's close is where buffered data reach the disk).
  void close(const std::string& what);
  /// Closes and ignores failure (destructors, error paths).
  void reset() noexcept;

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Handle factories named by kind, so the right closer is never mistyped.
inline Handle file_handle(hid_t id, const std::string& what) {
  return {id, H5Fclose, what};
}
inline Handle group_handle(hid_t id, const std::string& what) {
  return {id, H5Gclose, what};
}
inline Handle dataset_handle(hid_t id, const std::string& what) {
  return {id, H5Dclose, what};
}
inline Handle space_handle(hid_t id, const std::string& what) {
  return {id, H5Sclose, what};
}
inline Handle type_handle(hid_t id, const std::string& what) {
  return {id, H5Tclose, what};
}
inline Handle plist_handle(hid_t id, const std::string& what) {
  return {id, H5Pclose, what};
}
inline Handle attribute_handle(hid_t id, const std::string& what) {
  return {id, H5Aclose, what};
}

/// File (little-endian, fixed) and memory (native) HDF5 types of a C++ scalar type.
template <typename T>
struct TypeOf;
template <>
struct TypeOf<double> {
  static hid_t file() { return H5T_IEEE_F64LE; }
  static hid_t memory() { return H5T_NATIVE_DOUBLE; }
};
template <>
struct TypeOf<float> {
  static hid_t file() { return H5T_IEEE_F32LE; }
  static hid_t memory() { return H5T_NATIVE_FLOAT; }
};
template <>
struct TypeOf<std::uint64_t> {
  static hid_t file() { return H5T_STD_U64LE; }
  static hid_t memory() { return H5T_NATIVE_UINT64; }
};
template <>
struct TypeOf<std::int64_t> {
  static hid_t file() { return H5T_STD_I64LE; }
  static hid_t memory() { return H5T_NATIVE_INT64; }
};
template <>
struct TypeOf<std::uint32_t> {
  static hid_t file() { return H5T_STD_U32LE; }
  static hid_t memory() { return H5T_NATIVE_UINT32; }
};
template <>
struct TypeOf<std::int32_t> {
  static hid_t file() { return H5T_STD_I32LE; }
  static hid_t memory() { return H5T_NATIVE_INT32; }
};
template <>
struct TypeOf<std::uint16_t> {
  static hid_t file() { return H5T_STD_U16LE; }
  static hid_t memory() { return H5T_NATIVE_UINT16; }
};
template <>
struct TypeOf<std::uint8_t> {
  static hid_t file() { return H5T_STD_U8LE; }
  static hid_t memory() { return H5T_NATIVE_UINT8; }
};

/// A variable-length UTF-8 string type (h5py reads it as str). Caller owns the handle.
Handle utf8_string_type();

// ---- attributes ---------------------------------------------------------------------------

/// Writes a scalar variable-length UTF-8 string attribute on `object`.
void write_string_attribute(hid_t object, const std::string& name, const std::string& value);

/// Writes a scalar numeric attribute of type TypeOf<T>::file().
void write_scalar_attribute(hid_t object, const std::string& name, hid_t file_type,
                            hid_t memory_type, const void* value);
template <typename T>
void write_attribute(hid_t object, const std::string& name, T value) {
  write_scalar_attribute(object, name, TypeOf<T>::file(), TypeOf<T>::memory(), &value);
}

/// Reads a scalar string attribute (variable- or fixed-length).
std::string read_string_attribute(hid_t object, const std::string& name);

/// Reads a scalar numeric attribute, converting to T as HDF5 does (range-checked).
void read_scalar_attribute(hid_t object, const std::string& name, hid_t memory_type, void* out);
template <typename T>
T read_attribute(hid_t object, const std::string& name) {
  T value{};
  read_scalar_attribute(object, name, TypeOf<T>::memory(), &value);
  return value;
}

// ---- groups and datasets -----------------------------------------------------------------

/// Creates a group with object time tracking off (reproducible bytes) and a `description`.
Handle create_group(hid_t parent, const std::string& name, const std::string& description);

/// Target size of one chunk in bytes: fits HDF5's chunk cache as we size it (see
/// open_access_plist), large enough for deflate to work well.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

/// Creates a dataset of fixed shape `dims` and HDF5 type `file_type`, chunked along the
/// first dimension (whole trailing dimensions per chunk, at most kChunkBytes), shuffled and
/// deflated at level 4, fill value 0, object time tracking off; with `units` and
/// `description` attributes. An empty shape (a zero dimension) is stored contiguous and
/// unfiltered: there is nothing to chunk. `dims` empty means a scalar dataset. A
/// `growable` dataset has an unlimited first dimension (resize it with set_rows) and chunks
/// of kChunkBytes whatever its first size.
Handle create_dataset(hid_t parent, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& dims, const std::string& units,
                      const std::string& description, bool growable = false);

/// Sets the first dimension of a growable dataset to `rows`.
void set_rows(hid_t dataset, std::size_t rows);

/// The object's path in its file (e.g. "/paths/weight"), for messages.
std::string object_name(hid_t object);

/// The dataset's current shape.
std::vector<hsize_t> dataset_dims(hid_t dataset);

/// Number of elements in one first-dimension row (product of the trailing dims; 1 for 1-D).
std::size_t row_cells(const std::vector<hsize_t>& dims);

/// Writes rows [first_row, first_row + n_rows) of `dataset` from `data` (row-major, whole
/// rows, n_rows * row_cells elements) of memory type `memory_type`.
void write_rows_raw(hid_t dataset, std::size_t first_row, std::size_t n_rows, hid_t memory_type,
                    const void* data, std::size_t n_elements);
template <typename T>
void write_block(hid_t dataset, std::size_t first_row, std::size_t n_rows,
                 std::span<const T> data) {
  write_rows_raw(dataset, first_row, n_rows, TypeOf<T>::memory(), data.data(), data.size());
}

/// Throws RuntimeFailure "<what>: declares N values of B bytes but the file stores S bytes"
/// when the dataset's declared size is more than its stored bytes can hold: unwritten chunks,
/// or a shape larger than the data (deflate expands at most 1032 times; 1 MiB is allowed
/// whatever the storage). Readers call it before allocating for a dataset read whole.
void check_stored(hid_t dataset, const std::string& what);

/// Reads rows [first_row, first_row + n_rows) into `out` (resized to whole rows).
void read_rows_raw(hid_t dataset, std::size_t first_row, std::size_t n_rows, hid_t memory_type,
                   void* out, std::size_t n_elements);
template <typename T>
std::vector<T> read_block(hid_t dataset, std::size_t first_row, std::size_t n_rows) {
  const std::size_t cells = n_rows * row_cells(dataset_dims(dataset));
  std::vector<T> out(cells);
  read_rows_raw(dataset, first_row, n_rows, TypeOf<T>::memory(), out.data(), out.size());
  return out;
}
/// Reads a whole dataset.
template <typename T>
std::vector<T> read_all(hid_t dataset) {
  check_stored(dataset, object_name(dataset));
  const std::vector<hsize_t> dims = dataset_dims(dataset);
  return read_block<T>(dataset, 0, dims.empty() ? 1 : static_cast<std::size_t>(dims[0]));
}

/// Reads a 1-D dataset of strings (variable- or fixed-length).
std::vector<std::string> read_strings(hid_t dataset);

/// Writes a 1-D dataset of variable-length UTF-8 strings (unchunked: a handful of names)
/// with `units` and `description`.
Handle create_string_dataset(hid_t parent, const std::string& name,
                             const std::vector<std::string>& values, const std::string& units,
                             const std::string& description);

}  // namespace liq::h5
