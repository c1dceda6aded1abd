// liqstress — where the completed blocks of a run go (see sinks.h).
#include "host/run/sinks.h"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "host/io/provenance.h"
#include "host/parallel/mpi.h"
#include "host/run/signals.h"
#include "host/util/errors.h"
#include "host/util/system.h"
#include "host/util/version.h"

namespace liq {

void CheckpointSink::take(const Block& block, const PathRows& rows, BlockOrigin origin,
                          std::uint64_t goal, const StepSums& sums) {
  if (!log_) return;
  if (origin == BlockOrigin::simulated) log_->append_rows(block.first, rows);
  const auto since = std::chrono::steady_clock::now() - last_mark_;
  if (std::chrono::duration<double>(since).count() < every_s_) return;
  mark(block.end(), goal, sums);
  last_mark_ = std::chrono::steady_clock::now();
}

void CheckpointSink::mark(std::uint64_t done, std::uint64_t goal, const StepSums& sums) {
  if (log_) log_->mark(done, goal, sums);
}

void CheckpointSink::replay(std::uint64_t offset, std::uint64_t& first_row, PathRows& rows) const {
  log_->read_rows(offset, first_row, rows);
}

void CheckpointSink::remove() {
  if (log_) log_->remove();
}

namespace {

Provenance provenance_of(const RunPlan& plan) {
  const Scenario& sc = plan.scenario();
  Provenance prov;
  prov.liqstress_version = liqstress_version();
  prov.git_commit = git_commit();
  prov.created_utc = utc_now_iso8601();
  prov.config = sc.resolved_toml;
  prov.seed = sc.simulation.seed;
  prov.first_path = plan.options.first_path;
  prov.paths = plan.paths;
  prov.steps = plan.model.market.n_steps;
  prov.step_seconds = sc.simulation.step_s;
  prov.backend = plan.backend->name();
  prov.device = plan.device;
  prov.mpi_ranks = plan.layout.ranks;
  prov.inputs = inputs_json(plan.setup.inputs);
  prov.book_sha256 = plan.setup.book_sha256;
  if (plan.setup.tilt) prov.importance_tilt = tilt_json(sc, *plan.setup.tilt);
  return prov;
}

}  // namespace

ResultsSink::ResultsSink(const RunPlan& plan) : target_(plan.target()) {
  const Scenario& sc = plan.scenario();
  for (const AssetSpec& a : sc.assets) assets_.push_back(a.symbol);
  for (const PortfolioSpec& ps : sc.portfolios) portfolios_.push_back(ps.name);
  writer_.emplace(plan.target(), plan.options.force ? WriteMode::overwrite : WriteMode::create,
                  provenance_of(plan), assets_,
                  ResultsLayout{.n_paths = plan.paths,
                                .per_path = sc.output.per_path,
                                .portfolios = portfolios_,
                                .growable = plan.target_rel_ci.has_value()});
  // Summaries read their columns back from the file's rows at the end; without per-path rows
  // they are kept in memory.
  if (!sc.output.per_path) memory_columns_.emplace(sc.n_assets(), plan.n_portfolios());
}

void ResultsSink::take(std::uint64_t first_row, const PathRows& rows) {
  writer_->write_rows(static_cast<std::size_t>(first_row), rows);
  if (memory_columns_) memory_columns_->put(static_cast<std::size_t>(first_row), rows);
  counts_.add(rows);
}

void ResultsSink::set_paths(std::uint64_t paths) {
  writer_->set_paths(static_cast<std::size_t>(paths));
}

void ResultsSink::remove_stale_temporaries() const {
  const std::filesystem::path folder =
      target_.parent_path().empty() ? std::filesystem::path(".") : target_.parent_path();
  const std::string stem = target_.filename().string() + ".tmp.";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(stem, 0) != 0 || entry.path() == writer_->temporary_path()) continue;
    const std::string digits = name.substr(stem.size());
    pid_t pid = 0;
    const char* end = digits.data() + digits.size();
    const auto [ptr, bad] = std::from_chars(digits.data(), end, pid);
    if (digits.empty() || bad != std::errc() || ptr != end || pid <= 0) continue;
    if (::kill(pid, 0) != 0 && errno == ESRCH) std::filesystem::remove(entry.path(), ec);
  }
}

void RankTransport::send(const Block& block, const PathRows& rows) {
  mpi::send(0, mpi::rows_tag, encode_rows(block.first, rows));
}

const PathRows& RankTransport::receive(const Block& block) {
  std::uint64_t row = 0;
  decode_rows(mpi::receive(block.owner, mpi::rows_tag), row, incoming_);
  if (row != block.first || incoming_.n_rows != block.n)
    throw RuntimeFailure("rank " + std::to_string(block.owner) + " sent rows [" +
                         std::to_string(row) + ", ...) where [" + std::to_string(block.first) +
                         ", ...) was due (internal error)");
  return incoming_;
}

void RankTransport::send_sums(const StepSums& sums) {
  std::string bytes(sums.words.size() * sizeof(std::uint64_t), '\0');
  std::memcpy(bytes.data(), sums.words.data(), bytes.size());
  mpi::send(0, mpi::totals_tag, bytes);
}

void RankTransport::add_sums_of_ranks(StepSums& sums, int ranks) {
  for (int r = 1; r < ranks; ++r) {
    const std::string bytes = mpi::receive(r, mpi::totals_tag);
    StepSums part;
    part.n_cells = sums.n_cells;
    part.words.resize(sums.words.size());
    if (bytes.size() != part.words.size() * sizeof(std::uint64_t))
      throw RuntimeFailure("rank " + std::to_string(r) + " sent step sums of another shape");
    std::memcpy(part.words.data(), bytes.data(), bytes.size());
    sums.add(part);
  }
}

void RankTransport::announce_commit() {
  std::uint64_t committed = 1;
  mpi::broadcast(committed);
}

bool RankTransport::await_commit() {
  std::uint64_t committed = 0;
  mpi::broadcast(committed);
  return committed == 1;
}

RunSinks::RunSinks(RunPlan& plan)
    : checkpoint(plan.checkpoint_every_s),
      stopping(plan.target_rel_ci, plan.paths, plan.max_paths, plan.scenario().n_assets()) {
  const RunOptions& opt = plan.options;
  if (plan.resumed_log) {
    checkpoint.open(std::move(*plan.resumed_log));
    plan.resumed_log.reset();
  } else if (opt.checkpoint && !plan.layout.distributed) {
    // set_up_run checked the results target: a run that cannot write its results leaves no
    // checkpoint behind.
    checkpoint.open(CheckpointLog::create(*opt.checkpoint, checkpoint_header(plan), opt.force));
  }
  if (!plan.layout.root()) return;
  results.emplace(plan);
  if (plan.layout.distributed) unlink_on_signal(results->writer().temporary_path());
}

void RunSinks::open_rank_log(const RunPlan& plan, std::uint64_t block) {
  const RunOptions& opt = plan.options;
  if (!plan.layout.distributed || !opt.checkpoint || plan.resumed) return;
  CheckpointHeader h = checkpoint_header(plan);
  h.ranks = plan.layout.ranks;
  h.block = block;
  checkpoint.open(CheckpointLog::create(
      rank_log_path(*opt.checkpoint, plan.layout.me, plan.layout.ranks), h, opt.force));
}

}  // namespace liq
