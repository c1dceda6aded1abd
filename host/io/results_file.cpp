// liqstress — the HDF5 results file writer (schema: results/README.md, SPEC.md "Results
// file"). Owns the target-path checks, the temporary file beside the target, the layout of
// root attributes, /assets and /paths, row-block writes, and the atomic rename on commit.
#include "host/io/results_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>
#include <system_error>

#include "host/io/hdf5_util.h"
#include "host/util/errors.h"

namespace liq {

namespace {

namespace fs = std::filesystem;

/// The HDF5 file type of a record field's elements.
hid_t file_type_of(const RecordField& f) {
  const std::string t = f.type_name;
  if (t == "float64") return h5::TypeOf<double>::file();
  if (t == "uint32") return h5::TypeOf<std::uint32_t>::file();
  if (t == "uint16") return h5::TypeOf<std::uint16_t>::file();
  return h5::TypeOf<std::uint8_t>::file();
}

constexpr std::size_t kRecordFields = sizeof(kPathRecord) / sizeof(kPathRecord[0]);

}  // namespace

std::vector<hsize_t> record_dims(const RecordField& f, hsize_t n, int assets, int portfolios) {
  switch (f.shape) {
    case RecordShape::per_path:
      return {n};
    case RecordShape::per_asset:
      return {n, static_cast<hsize_t>(assets)};
    case RecordShape::per_asset_side:
      return {n, static_cast<hsize_t>(assets), 2};
    case RecordShape::per_portfolio:
      return {n, static_cast<hsize_t>(portfolios)};
  }
  return {n};
}

void ResultsWriter::check_target(const fs::path& target, WriteMode mode) {
  const std::string where = target.string();
  std::error_code ec;
  const fs::file_status status = fs::status(target, ec);
  if (status.type() == fs::file_type::none) {  // an error other than "not found"
    throw InputError(where + ": cannot be examined (" + ec.message() + ")");
  }
  if (fs::is_directory(status)) {
    throw InputError(where + ": is a folder; choose a file path with -o");
  }
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  const fs::file_status parent_status = fs::status(parent, ec);
  if (!fs::exists(parent_status)) {
    throw InputError(where + ": folder '" + parent.string() + "' does not exist");
  }
  if (!fs::is_directory(parent_status)) {
    throw InputError(where + ": '" + parent.string() + "' is not a folder");
  }
  // The temporary file is created in the same folder (so that the final rename is atomic):
  // it must be writable there, whatever the target's own permissions.
  if (::access(parent.c_str(), W_OK | X_OK) != 0) {
    throw InputError(where + ": folder '" + parent.string() + "' is not writable (" +
                     std::strerror(errno) + ")");
  }
  // symlink_status: a dangling link at the target counts as an existing file, since the
  // final rename would replace it.
  if (mode == WriteMode::create && fs::exists(fs::symlink_status(target, ec))) {
    throw InputError(where +
                     ": exists; pass --force to replace it, or choose another path with -o");
  }
}

namespace {

// Pushes the closed file's bytes to the disk before the rename makes it visible: a crash
// after the rename then cannot leave a target that is truncated.
void sync_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw RuntimeFailure(path.string() + ": cannot reopen to sync (" + std::strerror(errno) + ")");
  }
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    throw RuntimeFailure(path.string() + ": sync to disk failed (" + std::strerror(err) + ")");
  }
}

}  // namespace

struct ResultsWriter::Impl {
  fs::path target;
  fs::path temp;
  WriteMode mode = WriteMode::create;
  bool per_path = false;
  std::size_t n_paths = 0;
  int n_assets = 0;
  bool committed = false;
  bool created = false;  // the temporary file exists (ours to remove)

  // Declared in opening order: destroyed in reverse, so datasets close before their group
  // and the group before the file.
  h5::Handle file;
  h5::Handle paths_group;
  // One dataset per record field (kernels/record.h), in record order; a field with no
  // values (portfolios when P = 0) has none.
  h5::Handle fields[kRecordFields];
  int n_portfolios = 0;
  bool growable = false;

  ~Impl() {
    if (committed) return;
    // An interrupted or failed run leaves nothing: close whatever is open (ignoring errors:
    // the file is being discarded) and remove the temporary file.
    for (std::size_t k = kRecordFields; k-- > 0;) fields[k].reset();
    paths_group.reset();
    file.reset();
    if (created) {
      std::error_code ec;
      fs::remove(temp, ec);
    }
  }

  [[noreturn]] void rethrow(const std::exception& e) const {
    throw RuntimeFailure(temp.string() + ": " + e.what());
  }

  void create(const Provenance& provenance, const std::vector<std::string>& assets,
              const std::vector<std::string>& portfolios);
  void close_all();
};

void ResultsWriter::Impl::create(const Provenance& p, const std::vector<std::string>& assets,
                                 const std::vector<std::string>& portfolios) {
  // The file creation list is also the root group's object creation list: no times there
  // either. Library version bounds stay at their default (readable by HDF5 1.8 and later).
  const h5::Handle fcpl = h5::plist_handle(H5Pcreate(H5P_FILE_CREATE), "file creation list");
  h5::check(H5Pset_obj_track_times(fcpl.get(), false), "switching off time tracking");
  const h5::Handle fapl = h5::plist_handle(H5Pcreate(H5P_FILE_ACCESS), "file access list");
  // Closing the file closes anything still open in it: the discard path cannot leak it.
  h5::check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "file close degree");
  file = h5::file_handle(H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                         "creating the HDF5 file");
  created = true;

  const hid_t root = file.get();
  h5::write_string_attribute(root, "format", "liqstress-results");
  h5::write_attribute<std::int32_t>(root, "format_version", kFormatVersion);
  h5::write_string_attribute(root, "liqstress_version", p.liqstress_version);
  h5::write_string_attribute(root, "git_commit", p.git_commit);
  h5::write_string_attribute(root, "created_utc", p.created_utc);
  h5::write_string_attribute(root, "config", p.config);
  h5::write_attribute<std::uint64_t>(root, "seed", p.seed);
  h5::write_attribute<std::uint64_t>(root, "first_path", p.first_path);
  h5::write_attribute<std::uint64_t>(root, "paths", p.paths);
  h5::write_attribute<std::int32_t>(root, "steps", p.steps);
  h5::write_attribute<double>(root, "step_seconds", p.step_seconds);
  h5::write_string_attribute(root, "backend", p.backend);
  h5::write_string_attribute(root, "device", p.device);
  h5::write_attribute<std::int32_t>(root, "mpi_ranks", p.mpi_ranks);
  h5::write_string_attribute(root, "inputs", p.inputs);
  h5::write_string_attribute(root, "book_sha256", p.book_sha256);
  if (p.shard_inputs) {
    h5::write_attribute<std::int32_t>(root, "mixed_inputs", 1);
    h5::write_string_attribute(root, "shard_inputs", *p.shard_inputs);
  }
  h5::write_string_attribute(root, "rng", "philox4x32-10");
  if (p.importance_tilt) h5::write_string_attribute(root, "importance_tilt", *p.importance_tilt);

  h5::create_string_dataset(
      root, "assets", assets, "symbol",
      "asset symbols in config order: the column order of every dataset with an asset axis");

  if (!portfolios.empty()) {
    h5::create_string_dataset(
        root, "portfolios", portfolios, "name",
        "[[portfolio]] account names in config order: the column order of /paths/portfolio_*");
  }

  if (!per_path) return;
  paths_group = h5::create_group(
      root, "paths",
      "one row per simulated path: row i is path first_path + i of the run; asset columns "
      "follow /assets");
  const auto n = static_cast<hsize_t>(n_paths);
  for (std::size_t k = 0; k < kRecordFields; ++k) {
    const RecordField& f = kPathRecord[k];
    if (record_cells(f.shape, n_assets, n_portfolios) == 0) continue;
    fields[k] = h5::create_dataset(paths_group.get(), f.name, file_type_of(f),
                                   record_dims(f, n, n_assets, n_portfolios), f.units,
                                   f.description, growable);
  }
}

void ResultsWriter::Impl::close_all() {
  for (std::size_t k = kRecordFields; k-- > 0;)
    fields[k].close(std::string("closing /paths/") + kPathRecord[k].name);
  paths_group.close("closing /paths");
  if (file.valid()) {
    h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flushing the file");
  }
  file.close("closing the file");
}

ResultsWriter::ResultsWriter(const std::filesystem::path& target, WriteMode mode,
                             const Provenance& provenance, const std::vector<std::string>& assets,
                             const ResultsLayout& layout)
    : impl_(std::make_unique<Impl>()) {
  h5::silence_errors();
  check_target(target, mode);
  Impl& m = *impl_;
  m.target = target;
  m.temp = target;
  m.temp += ".tmp." + std::to_string(::getpid());
  m.mode = mode;
  m.per_path = layout.per_path;
  m.n_paths = layout.n_paths;
  m.n_assets = static_cast<int>(assets.size());
  m.n_portfolios = static_cast<int>(layout.portfolios.size());
  m.growable = layout.growable;
  try {
    m.create(provenance, assets, layout.portfolios);
  } catch (const RuntimeFailure& e) {
    m.rethrow(e);  // impl_'s destructor then removes the temporary file
  }
}

ResultsWriter::~ResultsWriter() = default;

void ResultsWriter::write_rows(std::size_t first_row, const PathRows& rows) {
  Impl& m = *impl_;
  if (m.committed)
    throw RuntimeFailure(m.target.string() + ": rows written after commit (internal error)");
  if (!m.per_path || rows.n_rows == 0) return;
  if (rows.n_assets != m.n_assets) {
    throw RuntimeFailure(m.temp.string() + ": rows carry " + std::to_string(rows.n_assets) +
                         " assets, the file " + std::to_string(m.n_assets) + " (internal error)");
  }
  if (first_row > m.n_paths || rows.n_rows > m.n_paths - first_row) {
    throw RuntimeFailure(m.temp.string() + ": rows [" + std::to_string(first_row) + ", " +
                         std::to_string(first_row + rows.n_rows) + ") outside the file's " +
                         std::to_string(m.n_paths) + " paths (internal error)");
  }
  if (m.n_portfolios > 0 && rows.n_portfolios != m.n_portfolios) {
    throw RuntimeFailure(m.temp.string() + ": rows carry " + std::to_string(rows.n_portfolios) +
                         " portfolios, the file " + std::to_string(m.n_portfolios) +
                         " (internal error)");
  }
  try {
    std::size_t k = 0;
    rows.visit([&](const RecordField&, const auto& values) {
      const h5::Handle& d = m.fields[k++];
      if (d.valid()) h5::write_block(d.get(), first_row, rows.n_rows, std::span(values));
    });
  } catch (const RuntimeFailure& e) {
    m.rethrow(e);
  }
}

namespace {

/// The exact sums of cells [first, end) as a dataset [cells, 4] of `timeseries`.
void write_exact_cells(hid_t timeseries, const char* name, const StepSums& sums, std::int32_t first,
                       std::int32_t end, const std::string& description) {
  const auto from = static_cast<std::size_t>(first);
  const auto count = static_cast<std::size_t>(end) - from;
  const h5::Handle raw = h5::create_dataset(timeseries, name, h5::TypeOf<std::uint64_t>::file(),
                                            {static_cast<hsize_t>(count), 4}, "1", description);
  h5::write_block(raw.get(), 0, count,
                  std::span<const std::uint64_t>(sums.words).subspan(from * 4, count * 4));
}

/// /regimes and the per-step regime shares (the paths' regime counts over the paths), with
/// their exact counts beside them for `liqstress merge`.
void write_regimes(hid_t root, hid_t timeseries, const StepSums& sums, std::uint64_t n_paths,
                   const StepCells& cells, const std::vector<std::string>& regimes) {
  h5::create_string_dataset(
      root, "regimes", regimes, "name",
      "[[regime]] names in config order: the column order of /timeseries/regime_share");
  const auto n_steps = static_cast<std::size_t>(cells.steps);
  const auto r = static_cast<std::size_t>(cells.regimes);
  std::vector<double> share(n_steps * r);
  for (std::int32_t k = 0; k < cells.steps; ++k) {
    for (std::int32_t j = 0; j < cells.regimes; ++j)
      share[static_cast<std::size_t>(k) * r + static_cast<std::size_t>(j)] =
          sums.mean(cells.regime(k, j), n_paths, 1.0);
  }
  const h5::Handle d = h5::create_dataset(
      timeseries, "regime_share", h5::TypeOf<double>::file(),
      {static_cast<hsize_t>(n_steps), static_cast<hsize_t>(r)}, "1",
      "fraction of the file's paths in each volatility regime during the step (columns follow "
      "/regimes); exact counts over the number of paths");
  h5::write_block(d.get(), 0, n_steps, std::span<const double>(share));
  write_exact_cells(timeseries, "exact_sums_regimes", sums, cells.regime(0, 0), cells.price(0, 0),
                    "the exact accumulators behind regime_share, per cell [steps, regimes], as "
                    "in exact_sums with scale 1 (a path counts 1)");
}

/// The mean path: the traded log-return at each step's end per asset, its standard deviation
/// across paths, and the exact sums behind them.
void write_prices(hid_t timeseries, const StepSums& sums, std::uint64_t n_paths,
                  const StepCells& cells) {
  const auto n_steps = static_cast<std::size_t>(cells.steps);
  const auto a = static_cast<std::size_t>(cells.assets);
  std::vector<double> mean(n_steps * a), sd(n_steps * a);
  for (std::int32_t k = 0; k < cells.steps; ++k) {
    for (std::int32_t i = 0; i < cells.assets; ++i) {
      const std::size_t at = static_cast<std::size_t>(k) * a + static_cast<std::size_t>(i);
      mean[at] = sums.mean(cells.price(k, i), n_paths, kImpactScale);
      sd[at] = sums.stddev(cells.price(k, i), n_paths, kImpactScale);
    }
  }
  const std::vector<hsize_t> dims = {static_cast<hsize_t>(n_steps), static_cast<hsize_t>(a)};
  const hid_t f64 = h5::TypeOf<double>::file();
  const h5::Handle m = h5::create_dataset(
      timeseries, "log_return_mean", f64, dims, "log-return (natural, dimensionless)",
      "mean across paths of ln(S/S0), the traded price (impact included) at the step's end, per "
      "asset: the mean path");
  h5::write_block(m.get(), 0, n_steps, std::span<const double>(mean));
  const h5::Handle s = h5::create_dataset(
      timeseries, "log_return_std", f64, dims, "log-return (natural, dimensionless)",
      "standard deviation across paths (n − 1) of ln(S/S0) at the step's end, per asset");
  h5::write_block(s.get(), 0, n_steps, std::span<const double>(sd));
  write_exact_cells(timeseries, "exact_sums_price", sums, cells.price(0, 0), cells.total(),
                    "the exact accumulators behind log_return_*, per cell [steps, A], as in "
                    "exact_sums with scale 1e12");
}

/// Per step, the mean and standard deviation across paths of every flow and ADL cell.
struct StepMoments {
  std::vector<double> liq_mean, liq_std;        // [steps, A, 2]
  std::vector<double> flow_mean, flow_std;      // [steps, A]
  std::vector<double> impact_mean, impact_std;  // [steps, A]
  std::vector<double> adl_mean, adl_std;        // [steps]
  std::vector<double> closed_mean, closed_std;  // [steps]
};

StepMoments step_moments(const StepSums& sums, std::uint64_t n_paths, const StepCells& cells) {
  const auto a = static_cast<std::size_t>(cells.assets);
  const auto n_steps = static_cast<std::size_t>(cells.steps);
  StepMoments s;
  s.liq_mean.resize(n_steps * a * 2), s.liq_std.resize(n_steps * a * 2);
  s.flow_mean.resize(n_steps * a), s.flow_std.resize(n_steps * a);
  s.impact_mean.resize(n_steps * a), s.impact_std.resize(n_steps * a);
  s.adl_mean.resize(n_steps), s.adl_std.resize(n_steps);
  s.closed_mean.resize(n_steps), s.closed_std.resize(n_steps);
  for (std::int32_t k = 0; k < cells.steps; ++k) {
    s.adl_mean[k] = sums.mean(cells.adl(k), n_paths);
    s.adl_std[k] = sums.stddev(cells.adl(k), n_paths);
    s.closed_mean[k] = sums.mean(cells.adl_closed(k), n_paths);
    s.closed_std[k] = sums.stddev(cells.adl_closed(k), n_paths);
    for (std::int32_t i = 0; i < cells.assets; ++i) {
      const std::size_t at = static_cast<std::size_t>(k) * a + static_cast<std::size_t>(i);
      for (std::int32_t side = 0; side < 2; ++side) {
        s.liq_mean[at * 2 + side] = sums.mean(cells.liquidated(k, i, side), n_paths);
        s.liq_std[at * 2 + side] = sums.stddev(cells.liquidated(k, i, side), n_paths);
      }
      s.flow_mean[at] = sums.mean(cells.flow(k, i), n_paths);
      s.flow_std[at] = sums.stddev(cells.flow(k, i), n_paths);
      s.impact_mean[at] = sums.mean(cells.impact(k, i), n_paths, kImpactScale);
      s.impact_std[at] = sums.stddev(cells.impact(k, i), n_paths, kImpactScale);
    }
  }
  return s;
}

/// The step moments' datasets in group `g`.
void write_step_moments(hid_t g, const StepMoments& s, const StepCells& cells) {
  const auto n_steps = static_cast<std::size_t>(cells.steps);
  const auto a = static_cast<std::size_t>(cells.assets);
  const hid_t f64 = h5::TypeOf<double>::file();
  const auto write = [&](const char* name, std::vector<hsize_t> dims, const char* units,
                         const char* what, const std::vector<double>& values) {
    const h5::Handle d = h5::create_dataset(g, name, f64, std::move(dims), units, what);
    h5::write_block(d.get(), 0, n_steps, std::span<const double>(values));
  };
  const auto steps_h = static_cast<hsize_t>(cells.steps);
  write("liquidated_usd_mean", {steps_h, a, 2}, "USD",
        "mean across paths of the notional q·P_liq liquidated in each step, per asset and side "
        "(0 long, 1 short)",
        s.liq_mean);
  write("liquidated_usd_std", {steps_h, a, 2}, "USD",
        "standard deviation across paths (n − 1) of the notional liquidated in each step, per "
        "asset and side",
        s.liq_std);
  write("forced_flow_usd_mean", {steps_h, a}, "USD",
        "mean across paths of the step's net forced flow per asset: liquidated shorts bought "
        "back minus liquidated longs sold (each at q·P_liq), plus cross-margin accounts closed "
        "at market; buys > 0",
        s.flow_mean);
  write("forced_flow_usd_std", {steps_h, a}, "USD",
        "standard deviation across paths (n − 1) of the step's net forced flow per asset",
        s.flow_std);
  write("impact_mean", {steps_h, a}, "log price",
        "mean across paths of the log-price impact m at the step's end per asset: ln(traded "
        "price / price without feedback), after this step's cascade and the decay of earlier "
        "impact (0 with impact.model = none)",
        s.impact_mean);
  write("impact_std", {steps_h, a}, "log price",
        "standard deviation across paths (n − 1) of the log-price impact at the step's end",
        s.impact_std);
  write("adl_usd_mean", {steps_h}, "USD",
        "mean across paths of the step's ADL deficit: bad debt the insurance fund could not pay",
        s.adl_mean);
  write("adl_usd_std", {steps_h}, "USD",
        "standard deviation across paths (n − 1) of the step's ADL deficit", s.adl_std);
  write("adl_closed_usd_mean", {steps_h}, "USD",
        "mean across paths of the notional auto-deleveraging closed in the step", s.closed_mean);
  write("adl_closed_usd_std", {steps_h}, "USD",
        "standard deviation across paths (n − 1) of the notional ADL closed in the step",
        s.closed_std);
}

/// The exact integer sums behind the step moments, in group `g`.
void write_step_sums(hid_t g, const StepSums& sums, const StepCells& cells) {
  // The integers themselves, so `liqstress merge` adds shards exactly: the price and flow
  // cells in `exact_sums` (the shape format_version 1 gave it), the ADL cells beside it.
  write_exact_cells(
      g, "exact_sums", sums, 0, cells.adl(0),
      "the exact accumulators behind the datasets above, per cell (liquidated [steps, A, 2], "
      "then forced flow [steps, A], then impact [steps, A]): [Σc lo, Σc hi, Σc² lo, Σc² hi] "
      "as 128-bit two's-complement integers of c = round(value · scale), scale 100 for USD "
      "and 1e12 for impact; `liqstress merge` adds them");
  write_exact_cells(g, "exact_sums_adl", sums, cells.adl(0), cells.regime(0, 0),
                    "the exact accumulators behind adl_usd_* and adl_closed_usd_*, per cell (ADL "
                    "deficit [steps], then ADL closed [steps]), as in exact_sums with scale 100 "
                    "(cents)");
}

}  // namespace

void ResultsWriter::write_timeseries(const StepSums& sums, std::uint64_t n_paths,
                                     const StepCells& cells,
                                     const std::vector<std::string>& regimes) {
  Impl& m = *impl_;
  if (cells.assets != m.n_assets || static_cast<std::size_t>(cells.regimes) != regimes.size() ||
      sums.n_cells != cells.total()) {
    throw RuntimeFailure(m.temp.string() + ": step sums have " + std::to_string(sums.n_cells) +
                         " cells, expected " + std::to_string(cells.total()) + " (internal error)");
  }
  const StepMoments moments = step_moments(sums, n_paths, cells);
  try {
    const h5::Handle g = h5::create_group(
        m.file.get(), "timeseries",
        "per step, statistics across the file's paths; row k is the step [kΔ, (k+1)Δ). All are "
        "accumulated exactly in integers (USD in cents, impact in units of 1e-12), so shards and "
        "thread counts give the same bytes");
    write_step_moments(g.get(), moments, cells);
    write_step_sums(g.get(), sums, cells);
    if (!regimes.empty()) write_regimes(m.file.get(), g.get(), sums, n_paths, cells, regimes);
    write_prices(g.get(), sums, n_paths, cells);
  } catch (const RuntimeFailure& e) {
    m.rethrow(e);
  }
}

void ResultsWriter::set_paths(std::size_t n_paths) {
  Impl& m = *impl_;
  if (!m.growable)
    throw RuntimeFailure(m.temp.string() + ": set_paths on a fixed-size file (internal error)");
  try {
    if (m.per_path) {
      for (h5::Handle& d : m.fields) {
        if (d.valid()) h5::set_rows(d.get(), n_paths);
      }
    }
    h5::check(H5Adelete(m.file.get(), "paths"), "replacing attribute 'paths'");
    h5::write_attribute<std::uint64_t>(m.file.get(), "paths", n_paths);
  } catch (const RuntimeFailure& e) {
    m.rethrow(e);
  }
  m.n_paths = n_paths;
}

hid_t ResultsWriter::file_id() const {
  return impl_->file.get();
}

void ResultsWriter::write_summary(const std::vector<Metric>& metrics) {
  Impl& m = *impl_;
  try {
    liq::write_summary(m.file.get(), metrics);
  } catch (const RuntimeFailure& e) {
    m.rethrow(e);
  }
}

void ResultsWriter::write_tails(const std::vector<TailSeries>& tails, std::int32_t steps) {
  Impl& m = *impl_;
  try {
    liq::write_tails(m.file.get(), tails, steps, m.n_assets);
  } catch (const RuntimeFailure& e) {
    m.rethrow(e);
  }
}

void ResultsWriter::commit() {
  Impl& m = *impl_;
  if (m.committed) return;
  try {
    m.close_all();
  } catch (const RuntimeFailure& e) {
    m.rethrow(e);
  }
  sync_file(m.temp);
  const std::string where = m.target.string();
  if (m.mode == WriteMode::create) {
    // Without --force an existing target must survive even if it appeared during the run:
    // rename without replacing, atomically where the file system supports it.
    if (::renameat2(AT_FDCWD, m.temp.c_str(), AT_FDCWD, m.target.c_str(), RENAME_NOREPLACE) == 0) {
      m.committed = true;
      return;
    }
    const int err = errno;
    if (err == EEXIST) {
      throw InputError(where +
                       ": exists; pass --force to replace it, or choose another path with -o");
    }
    if (err != EINVAL && err != ENOSYS && err != ENOTSUP) {
      throw RuntimeFailure(where + ": renaming " + m.temp.string() + " onto it failed (" +
                           std::strerror(err) + ")");
    }
    std::error_code ec;
    if (fs::exists(m.target, ec)) {
      throw InputError(where +
                       ": exists; pass --force to replace it, or choose another path with -o");
    }
  }
  std::error_code ec;
  fs::rename(m.temp, m.target, ec);
  if (ec) {
    throw RuntimeFailure(where + ": renaming " + m.temp.string() + " onto it failed (" +
                         ec.message() + ")");
  }
  m.committed = true;
}

const std::filesystem::path& ResultsWriter::temporary_path() const {
  return impl_->temp;
}

}  // namespace liq
