// liqstress — what `run` builds and checks before it simulates, in one place: the scenario
// (with --set and --seed), the tier table, the book (CSV rows or synthetic draws), the
// ladders and portfolio accounts, the inputs' and the book's SHA-256 (host/io/provenance.h), and
// the results target. `run`, `validate` and `sweep`'s check of every grid point all call
// set_up_run, so an input `run` would refuse is refused by the others first, with the same
// message (one fact, one place).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "host/io/provenance.h"
#include "host/model/model_inputs.h"
#include "host/run/autotilt.h"
#include "host/scenario/scenario.h"

namespace liq {

/// How the results target is checked (ResultsWriter::check_target: a folder that exists, is
/// a folder and is writable, a target that is not a folder, and exists only with --force).
enum class TargetCheck {
  run,       // every check, as `run` makes them before creating anything
  validate,  // every check but "exists" (`run` may be given --force or -o); a note instead
  none,      // not checked: sweep points whose folder sweep creates, other ranks' targets
};

struct SetupRequest {
  std::optional<std::string> config;  // none: the built-in configs/default.toml
  std::vector<std::string> sets;      // --set KEY=VALUE, with --seed as simulation.seed=S
  std::optional<std::string> output;  // -o, else output.path with {name}
  bool force = false;                 // --force
  TargetCheck target_check = TargetCheck::run;
  /// Called with the inputs' hashes before the book is read (run --resume refuses inputs
  /// that changed since its checkpoint, rather than whatever the edited book says).
  std::function<void(const InputDigests&)> before_book;
  bool hash_book = true;  // compute book_sha256 (sweep's checks skip it)
  // The automatic importance tilt (host/run/autotilt.h): its pilot's threads (0: every core)
  // and where it says what each iteration reached (null: nowhere).
  int threads = 0;
  std::ostream* progress = nullptr;
};

/// Everything a run simulates, built and checked.
struct RunSetup {
  Scenario scenario;
  std::filesystem::path target;  // the results file
  bool target_exists = false;    // (TargetCheck::validate) the target is there already
  /// The built-in scenario's results folder when set_up_run created it (else empty).
  std::filesystem::path created_folder;
  InputDigests inputs;  // input file → sha256 (host/io/provenance.h)
  std::unique_ptr<ModelInputs> model;
  std::string book_sha256;  // of the resolved positions; empty without hash_book
  /// The automatic importance tilt's pilot, when it ran: the scenario, its resolved TOML and
  /// the model hold the chosen tilt as if its keys had been written.
  std::optional<TiltChoice> tilt;
};

/// Loads the scenario, loads the tier table, hashes the input files (calling before_book),
/// builds the book, ladders and accounts and hashes the book, then checks the target. For
/// `run` of the built-in scenario without -o (no CONFIG: an installed binary, any folder),
/// the folder of its output.path (results/) is created when missing; a scenario file's
/// output folder, or -o's, must exist.
/// InputError (exit code 2) with the message `run` prints on the first problem.
RunSetup set_up_run(const SetupRequest& request);

/// `{name}` in an output.path replaced by the scenario's name.
std::string substitute_name(std::string path, const std::string& name);

}  // namespace liq
