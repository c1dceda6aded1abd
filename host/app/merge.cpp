// liqstress merge — joins shards of one run (SPEC.md: same config and seed, contiguous and
// disjoint path ranges, written with per-path rows) into the file the run made in one piece
// would have written: rows concatenated in path order, /timeseries rebuilt from the shards'
// exact integer sums, /summary recomputed from the merged rows. Anything else is refused
// with the reason (exit code 2).
#include <algorithm>
#include <ostream>
#include <set>
#include <sstream>

#include "host/app/commands.h"
#include "host/io/json.h"
#include "host/io/provenance.h"
#include "host/io/results_file.h"
#include "host/io/results_reader.h"
#include "host/io/summary_file.h"
#include "host/stats/metrics.h"
#include "host/stats/metrics_table.h"
#include "host/util/errors.h"
#include "host/util/format.h"
#include "host/util/system.h"

namespace liq {

namespace {

/// The first line where two texts differ, for the message.
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool ea = !std::getline(sa, la), eb = !std::getline(sb, lb);
    if (ea && eb) return "";
    if (ea || eb || la != lb)
      return "line " + std::to_string(line) + " of the recorded config: '" + (ea ? "" : la) +
             "' vs '" + (eb ? "" : lb) + "'";
  }
}

std::string range(const ResultsFile& f) {
  return "[" + std::to_string(f.first_path) + ", " + std::to_string(f.first_path + f.paths) + ")";
}

/// The distinct values, joined: one value when every shard agrees.
std::string joined(const std::vector<std::string>& values) {
  std::vector<std::string> distinct;
  for (const std::string& v : values)
    if (std::find(distinct.begin(), distinct.end(), v) == distinct.end()) distinct.push_back(v);
  std::string out;
  for (std::size_t i = 0; i < distinct.size(); ++i) out += (i ? "; " : "") + distinct[i];
  return out;
}

InputDigests inputs_of(const ResultsFile& f) {
  try {
    return parse_inputs_json(f.inputs.empty() ? "{}" : f.inputs);
  } catch (const std::exception& e) {
    throw InputError(f.path.string() + ": damaged results file (attribute inputs: " + e.what() +
                     ")");
  }
}

/// Why shard `f` was not made like `first`: other input contents, another book, another
/// binary. Empty when it was.
std::string mixing(const ResultsFile& first, const ResultsFile& f) {
  const std::vector<std::string> d =
      input_differences(inputs_of(first), inputs_of(f), "in " + first.path.string(), "here");
  if (!d.empty()) return "made from other inputs than " + first.path.string() + ": " + d.front();
  if (f.book_sha256 != first.book_sha256)
    return "its book (book_sha256 " + hash_prefix(f.book_sha256) + ") is not the book of " +
           first.path.string() + " (" + hash_prefix(first.book_sha256) + ")";
  if (f.liqstress_version != first.liqstress_version || f.git_commit != first.git_commit)
    return "written by " + binary_name(f.liqstress_version, f.git_commit) + ", " +
           first.path.string() + " by " + binary_name(first.liqstress_version, first.git_commit);
  return "";
}

/// Every shard's provenance, in path order: the merged file's shard_inputs (JSON).
std::string shard_provenance(const std::vector<std::unique_ptr<ResultsFile>>& parts) {
  std::string out;
  for (const auto& p : parts) {
    const Json shard = {{"file", p->path.string()},
                        {"first_path", p->first_path},
                        {"paths", p->paths},
                        {"liqstress_version", p->liqstress_version},
                        {"git_commit", p->git_commit},
                        {"book_sha256", p->book_sha256},
                        {"inputs", inputs_object(inputs_of(*p))}};
    out.append(out.empty() ? "" : ",\n ").append(json_line(shard));
  }
  return "[" + out + "]";
}

/// The inputs every shard agrees on (same name, same hash).
InputDigests common_inputs(const std::vector<std::unique_ptr<ResultsFile>>& parts) {
  InputDigests common = inputs_of(*parts.front());
  for (const auto& p : parts) {
    const InputDigests mine = inputs_of(*p);
    for (auto it = common.begin(); it != common.end();) {
      const auto m = mine.find(it->first);
      it = m == mine.end() || m->second != it->second ? common.erase(it) : std::next(it);
    }
  }
  return common;
}

/// The shards, opened (none of them the output file).
std::vector<std::unique_ptr<ResultsFile>> open_parts(const std::string& output,
                                                     const std::vector<std::string>& inputs) {
  std::vector<std::unique_ptr<ResultsFile>> parts;
  for (const std::string& p : inputs) {
    if (std::filesystem::exists(output) &&
        std::filesystem::equivalent(std::filesystem::path(output), std::filesystem::path(p)))
      throw InputError(p + ": is also the output file; merge into a new file");
    parts.push_back(std::make_unique<ResultsFile>(p));
  }
  return parts;
}

/// Refuses shards that are not of one run (per-path rows, seed, resolved scenario, shape) and
/// sorts them by path range, refusing overlaps and gaps.
void check_one_run(std::vector<std::unique_ptr<ResultsFile>>& parts) {
  const ResultsFile& first = *parts.front();
  for (const auto& part : parts) {
    const ResultsFile& f = *part;
    const std::string where = f.path.string();
    if (!f.per_path)
      throw InputError(where +
                       ": has no per-path rows (output.per_path = false); shards to merge must "
                       "be written with per-path rows");
    if (f.seed != first.seed)
      throw InputError(where + ": seed " + std::to_string(f.seed) + ", but " + first.path.string() +
                       " has seed " + std::to_string(first.seed) +
                       "; shards of one run share the seed");
    if (f.config != first.config)
      throw InputError(where + ": not a shard of the same run as " + first.path.string() +
                       ": the resolved scenarios differ (" +
                       first_difference(first.config, f.config) + ")");
    if (f.steps != first.steps || f.step_seconds != first.step_seconds ||
        f.assets != first.assets || f.portfolios != first.portfolios)
      throw InputError(where + ": steps, assets or portfolios differ from " + first.path.string());
  }
  std::sort(parts.begin(), parts.end(),
            [](const auto& a, const auto& b) { return a->first_path < b->first_path; });
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const ResultsFile& a = *parts[i - 1];
    const ResultsFile& b = *parts[i];
    const std::uint64_t a_end = a.first_path + a.paths;
    if (b.first_path < a_end)
      throw InputError(b.path.string() + ": paths " + range(b) + " overlap " + a.path.string() +
                       "'s " + range(a) + "; shards must be disjoint");
    if (b.first_path > a_end)
      throw InputError("paths [" + std::to_string(a_end) + ", " + std::to_string(b.first_path) +
                       ") are missing between " + a.path.string() + " " + range(a) + " and " +
                       b.path.string() + " " + range(b) + "; shards must be contiguous");
  }
}

/// Shards of one run come from the same inputs (by content), book and binary: mixing them is
/// refused, or with `allow_mixed` allowed. Returns the first shard that differs and why
/// (empty when none does).
std::string check_mixing(const std::vector<std::unique_ptr<ResultsFile>>& parts, bool allow_mixed) {
  for (const auto& part : parts) {
    const std::string why = mixing(*parts.front(), *part);
    if (why.empty()) continue;
    if (!allow_mixed)
      throw InputError(part->path.string() + ": " + why +
                       "; shards of one run come from the same inputs and binary (pass "
                       "--allow-mixed to merge them anyway: it is recorded in the merged file)");
    return part->path.string() + ": " + why;
  }
  return "";
}

/// The merged file's root attributes: the run's, with every shard's backend and device, and
/// its provenance by content (what all shards agree on when they were `mixed`, each shard's
/// own in shard_inputs).
Provenance merged_provenance(const std::vector<std::unique_ptr<ResultsFile>>& parts,
                             const std::string& mixed) {
  std::uint64_t total = 0;
  std::vector<std::string> versions, commits, backends, devices;
  for (const auto& p : parts) {
    total += p->paths;
    versions.push_back(p->liqstress_version);
    commits.push_back(p->git_commit);
    backends.push_back(p->backend);
    devices.push_back(p->device);
  }
  const ResultsFile& head = *parts.front();
  Provenance prov;
  prov.liqstress_version = joined(versions);
  prov.git_commit = joined(commits);
  prov.created_utc = utc_now_iso8601();
  prov.config = head.config;
  prov.seed = head.seed;
  prov.first_path = head.first_path;
  prov.paths = total;
  prov.steps = head.steps;
  prov.step_seconds = head.step_seconds;
  prov.backend = joined(backends);
  prov.device = joined(devices);
  for (const auto& p : parts) prov.mpi_ranks = std::max(prov.mpi_ranks, p->mpi_ranks);
  prov.inputs = head.inputs.empty() ? "{}" : head.inputs;
  prov.book_sha256 = head.book_sha256;
  // The automatic importance tilt: the shards of one run chose the same (a deterministic pilot).
  bool same_tilt = !head.importance_tilt.empty();
  for (const auto& p : parts) same_tilt = same_tilt && p->importance_tilt == head.importance_tilt;
  if (same_tilt) prov.importance_tilt = head.importance_tilt;
  if (!mixed.empty()) {
    prov.inputs = inputs_json(common_inputs(parts));
    for (const auto& p : parts)
      if (p->book_sha256 != head.book_sha256) prov.book_sha256 = "mixed";
    prov.shard_inputs = shard_provenance(parts);
  }
  return prov;
}

}  // namespace

int merge_command(const std::string& output, const std::vector<std::string>& inputs, bool force,
                  bool quiet, bool allow_mixed, std::ostream& out, std::ostream& err) {
  if (inputs.empty()) throw InputError("merge: give the shards to join after OUT.h5");
  std::vector<std::unique_ptr<ResultsFile>> parts = open_parts(output, inputs);
  check_one_run(parts);
  const std::string mixed = check_mixing(parts, allow_mixed);
  const Provenance prov = merged_provenance(parts, mixed);
  if (!mixed.empty())
    err << "liqstress merge: warning: the shards were not all made from the same inputs and "
           "binary ("
        << mixed
        << "); merged as asked (--allow-mixed), recorded in the merged file as mixed_inputs = 1 "
           "with every shard's provenance in shard_inputs\n";
  const ResultsFile& head = *parts.front();
  const std::uint64_t total = prov.paths;

  // Summary levels and thresholds as the shards computed them (from the same config).
  const std::vector<Metric> head_metrics = head.read_metrics();
  SummaryOptions options;
  if (!head_metrics.empty()) {
    options.levels = head_metrics.front().summary.levels;
    options.thresholds = head_metrics.front().summary.thresholds;
    options.histogram_bins = static_cast<int>(head_metrics.front().summary.histogram_counts.size());
  }

  ResultsWriter writer(output, force ? WriteMode::overwrite : WriteMode::create, prov, head.assets,
                       {.n_paths = static_cast<std::size_t>(total),
                        .per_path = true,
                        .portfolios = head.portfolios});
  StepSums sums;
  std::size_t row = 0;
  PathRows rows;
  for (const auto& p : parts) {
    constexpr std::size_t kBlock = 65536;
    try {
      for (std::size_t at = 0; at < p->paths; at += kBlock) {
        const std::size_t n = std::min<std::size_t>(kBlock, p->paths - at);
        p->read_rows(at, n, rows);
        writer.write_rows(row, rows);
        row += n;
      }
    } catch (const RuntimeFailure& e) {
      throw InputError(p->path.string() + ": " + e.what());
    }
    const StepSums part_sums = p->read_exact_sums();
    if (sums.words.empty()) {
      sums = part_sums;
    } else {
      if (part_sums.n_cells != sums.n_cells)
        throw InputError(p->path.string() + ": /timeseries/exact_sums has " +
                         std::to_string(part_sums.n_cells) + " cells, the other shards " +
                         std::to_string(sums.n_cells));
      sums.add(part_sums);
    }
  }
  writer.write_timeseries(sums, total,
                          StepCells{head.steps, static_cast<std::int32_t>(head.assets.size()),
                                    static_cast<std::int32_t>(head.regimes.size())},
                          head.regimes);
  // The summary from the merged rows, read back one column at a time.
  std::vector<Metric> metrics;
  {
    const FileColumns columns(writer.file_id(), static_cast<int>(head.assets.size()),
                              static_cast<int>(head.portfolios.size()),
                              static_cast<std::size_t>(total), output);
    metrics = compute_metrics(columns, head.assets, head.portfolios, options);
  }
  writer.write_summary(metrics);
  writer.commit();
  if (!quiet)
    err << "liqstress merge: " << parts.size() << " shard" << (parts.size() == 1 ? "" : "s")
        << ", paths [" << head.first_path << ", " << head.first_path + total << ")\n";
  out << "merged: " << output << "\n  " << format_count(static_cast<double>(total)) << " paths ["
      << head.first_path << ", " << head.first_path + total << ") from " << parts.size() << " shard"
      << (parts.size() == 1 ? "" : "s") << ", seed " << head.seed << "\n\n";
  print_metrics_table(metrics, out);
  return 0;
}

}  // namespace liq
