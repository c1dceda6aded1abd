// liqstress — checkpoint logs (see checkpoint.h). Layout, little-endian:
//   magic "LIQCKPT1", then records: type (1 byte: 'H' header, 'R' rows, 'M' mark),
//   payload length (u64), payload, CRC-32 (u32) of type, length and payload.
// 'H' (first record): key/value lines, values escaped (\n, \\); inputs as
//      "input=<sha256 hex> <name>".
// 'R': first_row u64, n u64, assets u32, portfolios u32, then the PathRows arrays in the
//      order of PathRows' members.
// 'M': done u64, goal u64, cells u32, then the StepSums words.
#include "host/io/checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>
#include <utility>

#include "host/util/errors.h"

namespace liq {

namespace {

constexpr char kMagic[8] = {'L', 'I', 'Q', 'C', 'K', 'P', 'T', '1'};

std::uint32_t crc32(const unsigned char* data, std::size_t n, std::uint32_t crc = 0) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <typename T>
void put_vector(std::string& out, const std::vector<T>& v) {
  if (!v.empty()) out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

/// Reads from a payload with bounds checks.
struct Reader {
  const std::string& s;
  std::size_t at = 0;
  template <typename T>
  T get() {
    T v{};
    if (at + sizeof(T) > s.size()) throw std::runtime_error("record too short");
    std::memcpy(&v, s.data() + at, sizeof(T));
    at += sizeof(T);
    return v;
  }
  template <typename T>
  void get_vector(std::vector<T>& v, std::size_t n) {
    if (at + n * sizeof(T) > s.size()) throw std::runtime_error("record too short");
    v.resize(n);
    if (n > 0) std::memcpy(v.data(), s.data() + at, n * sizeof(T));
    at += n * sizeof(T);
  }
};

std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescape(const std::string& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      out += v[i + 1] == 'n' ? '\n' : v[i + 1];
      ++i;
    } else {
      out += v[i];
    }
  }
  return out;
}

std::string encode_header(const CheckpointHeader& h) {
  std::ostringstream o;
  o.precision(17);
  o << "config_path=" << escape(h.config_path) << '\n';
  for (const std::string& s : h.sets) o << "set=" << escape(s) << '\n';
  o << "resolved_config=" << escape(h.resolved_config) << '\n';
  o << "output=" << escape(h.output) << '\n';
  o << "first_path=" << h.first_path << '\n';
  o << "paths=" << h.paths << '\n';
  if (h.target_rel_ci) o << "target_rel_ci=" << *h.target_rel_ci << '\n';
  if (h.summary_json) o << "summary_json=" << escape(*h.summary_json) << '\n';
  o << "force=" << (h.force ? 1 : 0) << '\n';
  o << "ranks=" << h.ranks << '\n';
  o << "block=" << h.block << '\n';
  // One input a line: the 64 hex digits, a space, the input's name (which may hold spaces).
  for (const auto& [name, hex] : h.inputs) o << "input=" << hex << ' ' << escape(name) << '\n';
  o << "book_sha256=" << h.book_sha256 << '\n';
  o << "liqstress_version=" << escape(h.liqstress_version) << '\n';
  o << "git_commit=" << escape(h.git_commit) << '\n';
  return o.str();
}

/// A header number: decimal digits only (std::stoull would take "-1" and wrap it).
std::uint64_t header_count(const std::string& key, const std::string& value) {
  std::uint64_t v = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, v);
  if (value.empty() || ec != std::errc() || ptr != end)
    throw std::invalid_argument("header " + key + " '" + value + "' is not a count");
  return v;
}

void decode_header_line(CheckpointHeader& h, const std::string& key, const std::string& value) {
  if (key == "config_path") h.config_path = value;
  if (key == "set") h.sets.push_back(value);
  if (key == "resolved_config") h.resolved_config = value;
  if (key == "output") h.output = value;
  if (key == "first_path") h.first_path = header_count(key, value);
  if (key == "paths") h.paths = header_count(key, value);
  if (key == "target_rel_ci") {
    std::size_t used = 0;
    h.target_rel_ci = std::stod(value, &used);
    if (used != value.size() || !(*h.target_rel_ci > 0.0 && *h.target_rel_ci < 1.0))
      throw std::invalid_argument("header target_rel_ci '" + value + "' is not in (0, 1)");
  }
  if (key == "summary_json") h.summary_json = value;
  if (key == "force") h.force = value == "1";
  if (key == "ranks") {
    const std::uint64_t r = header_count(key, value);
    if (r < 1 || r > 1'000'000)
      throw std::invalid_argument("header ranks '" + value + "' is not a rank count");
    h.ranks = static_cast<std::int32_t>(r);
  }
  if (key == "block") h.block = header_count(key, value);
  if (key == "input" && value.size() > 65) h.inputs[value.substr(65)] = value.substr(0, 64);
  if (key == "book_sha256") h.book_sha256 = value;
  if (key == "liqstress_version") h.liqstress_version = value;
  if (key == "git_commit") h.git_commit = value;
}

/// The header record's key/value lines; std::invalid_argument or std::out_of_range on a
/// value that is not what its key holds.
CheckpointHeader decode_header(const std::string& text) {
  CheckpointHeader h;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    decode_header_line(h, line.substr(0, eq), unescape(line.substr(eq + 1)));
  }
  if (h.first_path > ~std::uint64_t{0} - h.paths)
    throw std::invalid_argument("header paths " + std::to_string(h.paths) + " from " +
                                std::to_string(h.first_path) + " is not a range of paths");
  return h;
}

/// Bytes from the file's position to its end (0 when they cannot be told).
std::uint64_t bytes_left(std::FILE* f) {
  struct stat st {};
  const long at = std::ftell(f);
  if (at < 0 || ::fstat(::fileno(f), &st) != 0 || st.st_size < at) return 0;
  return static_cast<std::uint64_t>(st.st_size - at);
}

[[noreturn]] void io_failure(const std::filesystem::path& p, const std::string& what) {
  throw RuntimeFailure(p.string() + ": " + what + " failed (" + std::strerror(errno) + ")");
}

/// Reads one record at the file's position: false at a clean end or a torn/corrupt record.
bool read_record(std::FILE* f, char& type, std::string& payload) {
  unsigned char head[9];
  if (std::fread(head, 1, sizeof head, f) != sizeof head) return false;
  type = static_cast<char>(head[0]);
  std::uint64_t len = 0;
  std::memcpy(&len, head + 1, sizeof len);
  // A length beyond the file's end is a torn or damaged record: never allocated.
  if (len > bytes_left(f)) return false;
  payload.resize(static_cast<std::size_t>(len));
  if (len > 0 && std::fread(payload.data(), 1, payload.size(), f) != payload.size()) return false;
  std::uint32_t stored = 0;
  if (std::fread(&stored, 1, sizeof stored, f) != sizeof stored) return false;
  std::uint32_t crc = crc32(head, sizeof head);
  crc = crc32(reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), crc);
  return crc == stored;
}

}  // namespace

std::filesystem::path rank_log_path(const std::filesystem::path& base, int rank, int ranks) {
  if (ranks <= 1) return base;
  std::filesystem::path p = base;
  p += ".rank" + std::to_string(rank) + "-of-" + std::to_string(ranks);
  return p;
}

CheckpointLog::CheckpointLog(CheckpointLog&& o) noexcept
    : path_(std::move(o.path_)), file_(std::exchange(o.file_, nullptr)) {}

CheckpointLog::~CheckpointLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void CheckpointLog::append(char type, const std::string& payload) {
  // Always at the end: read_rows moves the position during a resume.
  if (std::fseek(file_, 0, SEEK_END) != 0) io_failure(path_, "seeking in the checkpoint");
  unsigned char head[9];
  head[0] = static_cast<unsigned char>(type);
  const std::uint64_t len = payload.size();
  std::memcpy(head + 1, &len, sizeof len);
  std::uint32_t crc = crc32(head, sizeof head);
  crc = crc32(reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), crc);
  if (std::fwrite(head, 1, sizeof head, file_) != sizeof head ||
      std::fwrite(payload.data(), 1, payload.size(), file_) != payload.size() ||
      std::fwrite(&crc, 1, sizeof crc, file_) != sizeof crc)
    io_failure(path_, "writing the checkpoint");
}

CheckpointLog CheckpointLog::create(const std::filesystem::path& path,
                                    const CheckpointHeader& header, bool force) {
  std::error_code ec;
  if (!force && std::filesystem::exists(path, ec))
    throw InputError(path.string() + ": exists; continue that run with `liqstress run --resume " +
                     path.string() + "`, or pass --force to start over");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    const int err = errno;
    if (err == ENOENT || err == EACCES || err == ENOTDIR || err == EROFS)
      throw InputError(path.string() + ": cannot create the checkpoint (" + std::strerror(err) +
                       ")");
    io_failure(path, "creating the checkpoint");
  }
  CheckpointLog log(path, f);
  if (std::fwrite(kMagic, 1, sizeof kMagic, f) != sizeof kMagic)
    io_failure(path, "writing the checkpoint");
  log.append('H', encode_header(header));
  if (std::fflush(f) != 0) io_failure(path, "writing the checkpoint");
  return log;
}

CheckpointLog CheckpointLog::resume(const std::filesystem::path& path, CheckpointState& state) {
  std::FILE* f = std::fopen(path.c_str(), "r+b");
  if (f == nullptr)
    throw InputError(path.string() + ": cannot open the checkpoint (" + std::strerror(errno) + ")");
  CheckpointLog log(path, f);
  char magic[sizeof kMagic];
  if (std::fread(magic, 1, sizeof magic, f) != sizeof magic ||
      std::memcmp(magic, kMagic, sizeof kMagic) != 0)
    throw InputError(path.string() + ": not a liqstress checkpoint");
  char type = 0;
  std::string payload;
  if (!read_record(f, type, payload) || type != 'H')
    throw InputError(path.string() + ": damaged checkpoint (no header)");
  try {
    state.header = decode_header(payload);
  } catch (const std::exception& e) {
    throw InputError(path.string() + ": damaged checkpoint (" + e.what() + ")");
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pending;
  bool marked = false;
  for (;;) {
    const long at = std::ftell(f);
    if (!read_record(f, type, payload)) break;  // a clean end, or torn by a kill: stop here
    if (type == 'R') {
      std::uint64_t first_row = 0;
      if (payload.size() < sizeof first_row) break;
      std::memcpy(&first_row, payload.data(), sizeof first_row);
      pending.emplace_back(first_row, static_cast<std::uint64_t>(at));
    } else if (type == 'M') {
      Reader r{payload};
      try {
        state.done = r.get<std::uint64_t>();
        state.goal = r.get<std::uint64_t>();
        const auto cells = r.get<std::uint32_t>();
        state.sums.n_cells = static_cast<std::int32_t>(cells);
        r.get_vector(state.sums.words, static_cast<std::size_t>(cells) * 4);
      } catch (const std::exception&) {
        throw InputError(path.string() + ": damaged checkpoint (mark)");
      }
      state.row_records.insert(state.row_records.end(), pending.begin(), pending.end());
      pending.clear();
      state.end_offset = static_cast<std::uint64_t>(std::ftell(f));
      marked = true;
    }
  }
  if (!marked)
    throw InputError(path.string() +
                     ": the checkpoint holds no completed mark yet (killed before its first "
                     "checkpoint); start the run again");
  // Drop whatever follows the last mark and go on appending after it.
  std::fflush(f);
  if (::ftruncate(::fileno(f), static_cast<off_t>(state.end_offset)) != 0)
    io_failure(path, "truncating the checkpoint");
  if (std::fseek(f, static_cast<long>(state.end_offset), SEEK_SET) != 0)
    io_failure(path, "seeking in the checkpoint");
  return log;
}

std::string encode_rows(std::uint64_t first_row, const PathRows& rows) {
  std::string p;
  put(p, first_row);
  put(p, static_cast<std::uint64_t>(rows.n_rows));
  put(p, static_cast<std::uint32_t>(rows.n_assets));
  put(p, static_cast<std::uint32_t>(rows.n_portfolios));
  rows.visit([&](const RecordField&, const auto& values) { put_vector(p, values); });
  return p;
}

void decode_rows(const std::string& payload, std::uint64_t& first_row, PathRows& rows) {
  Reader r{payload};
  first_row = r.get<std::uint64_t>();
  const auto n = static_cast<std::size_t>(r.get<std::uint64_t>());
  const auto assets = r.get<std::uint32_t>(), portfolios = r.get<std::uint32_t>();
  // Sizes checked against the payload before anything is allocated for them.
  constexpr std::uint32_t kMaxWidth = 1u << 16;
  if (assets > kMaxWidth || portfolios > kMaxWidth)
    throw std::runtime_error("rows: " + std::to_string(assets) + " assets, " +
                             std::to_string(portfolios) + " portfolios");
  const auto a = static_cast<int>(assets), p = static_cast<int>(portfolios);
  const std::size_t per_row = record_bytes_per_path(a, p);
  if (n > (payload.size() - r.at) / per_row || n * per_row != payload.size() - r.at)
    throw std::runtime_error("rows: " + std::to_string(n) + " rows do not fill the record");
  rows.resize(n, a, p);
  rows.visit([&](const RecordField& f, auto& values) {
    r.get_vector(values, n * record_cells(f.shape, a, p));
  });
  if (r.at != payload.size()) throw std::runtime_error("rows: trailing bytes");
}

void CheckpointLog::append_rows(std::uint64_t first_row, const PathRows& rows) {
  append('R', encode_rows(first_row, rows));
}

void CheckpointLog::read_rows(std::uint64_t offset, std::uint64_t& first_row,
                              PathRows& rows) const {
  if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0)
    io_failure(path_, "seeking in the checkpoint");
  char type = 0;
  std::string payload;
  if (!read_record(file_, type, payload) || type != 'R')
    throw InputError(path_.string() + ": damaged checkpoint (rows)");
  try {
    decode_rows(payload, first_row, rows);
  } catch (const std::exception&) {
    throw InputError(path_.string() + ": damaged checkpoint (rows)");
  }
}

void CheckpointLog::mark(std::uint64_t done, std::uint64_t goal, const StepSums& sums) {
  std::string p;
  put(p, done);
  put(p, goal);
  put(p, static_cast<std::uint32_t>(sums.n_cells));
  put_vector(p, sums.words);
  append('M', p);
  if (std::fflush(file_) != 0) io_failure(path_, "flushing the checkpoint");
  if (::fsync(::fileno(file_)) != 0) io_failure(path_, "syncing the checkpoint");
}

void CheckpointLog::remove() {
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

}  // namespace liq
