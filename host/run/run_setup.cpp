// liqstress — what `run` builds and checks before it simulates (see run_setup.h).
#include "host/run/run_setup.h"

#include <system_error>
#include <utility>

#include "host/io/results_file.h"
#include "host/scenario/config.h"
#include "host/util/errors.h"
#include "host/util/format.h"

namespace liq {

std::string substitute_name(std::string path, const std::string& name) {
  const std::string key = "{name}";
  for (std::size_t at = path.find(key); at != std::string::npos;
       at = path.find(key, at + name.size()))
    path.replace(at, key.size(), name);
  return path;
}

namespace {

/// Chooses the automatic tilt and applies it: the scenario's keys, its resolved TOML (which
/// then names every tilt key: run again, it is taken as given) and the model.
void apply_tilt(RunSetup& setup, const SetupRequest& request) {
  Scenario& sc = setup.scenario;
  setup.tilt = choose_tilt(sc, *setup.model, request.threads, request.progress);
  ImportanceSpec chosen = setup.tilt->tilt();
  chosen.given = sc.importance.given;
  sc.importance = chosen;
  sc.resolved_toml = resolved_toml(sc);
  setup.model->set_importance(sc);
  if (!setup.tilt->reached)
    sc.warnings.push_back("importance: the cross-entropy pilot reached " +
                          significant(setup.tilt->iterations.back().level, 4) + ", not " +
                          significant(sc.importance.threshold, 4) + ", in " +
                          std::to_string(kPilotIterations) +
                          " iterations: its tilt may sample the tail poorly (check effective_n)");
}

}  // namespace

RunSetup set_up_run(const SetupRequest& request) {
  RunSetup setup;
  setup.scenario = request.config ? load_scenario(*request.config, request.sets)
                                  : load_scenario_text(
                                        builtin_default_config(), "configs/default.toml (built in)",
                                        std::filesystem::current_path(), "default", request.sets);
  const Scenario& sc = setup.scenario;
  setup.target = request.output ? std::filesystem::path(*request.output)
                                : std::filesystem::path(substitute_name(sc.output.path, sc.name));
  // Tiers, book (every CSV row, every synthetic draw), ladders and accounts: what the
  // backend will be given; the inputs' hashes before the book is read.
  TierTable tiers = load_tier_table(sc);
  setup.inputs = input_digests(sc, request.config, tiers);
  if (request.before_book) request.before_book(setup.inputs);
  setup.model = std::make_unique<ModelInputs>(sc, std::move(tiers));
  if (request.hash_book) setup.book_sha256 = book_sha256(setup.model->book(), sc.assets);
  if (request.target_check == TargetCheck::run && !request.config && !request.output) {
    const std::filesystem::path folder = setup.target.parent_path();
    std::error_code ec;
    if (!folder.empty() && !std::filesystem::exists(std::filesystem::symlink_status(folder, ec))) {
      if (!std::filesystem::create_directories(folder, ec) || ec)
        throw InputError(setup.target.string() + ": cannot create folder '" + folder.string() +
                         "' (" + ec.message() + ")");
      setup.created_folder = folder;
    }
  }
  if (request.target_check != TargetCheck::none) {
    const bool validate = request.target_check == TargetCheck::validate;
    // `validate` does not refuse an existing target: `run` may be given --force.
    ResultsWriter::check_target(
        setup.target, request.force || validate ? WriteMode::overwrite : WriteMode::create);
    std::error_code ec;
    setup.target_exists =
        validate && std::filesystem::exists(std::filesystem::symlink_status(setup.target, ec));
  }
  if (sc.importance.automatic() && sc.importance.given.all()) check_tilt_metric(sc);
  if (sc.importance.automatic() && !sc.importance.given.all()) apply_tilt(setup, request);
  return setup;
}

}  // namespace liq
