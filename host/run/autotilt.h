// liqstress — the automatic importance tilt ([importance] metric and threshold, docs/MODEL.md
// §5): cross-entropy iterations on pilot batches choose the tilt of the laws that drive the
// tail (market-wide and idiosyncratic jump intensities and mean sizes, the diffusion's
// drift). Each iteration simulates kPilotPaths paths with the CPU backend under the current
// tilt, keeps the elite (metric ≥ min(threshold, its (1 − ρ)-quantile)), draws the elite
// paths' random numbers again by path index with their sufficient statistics
// (kernels/market.h TiltStats) and updates the tilt in closed form
// (host/model/cross_entropy.h). The pilot's paths are drawn with their own seed (pilot_seed),
// so the run's paths are those any tilt would give; the choice depends only on the scenario
// and its seed, never on threads. set_up_run applies it as if the keys had been written.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "host/model/model_inputs.h"
#include "host/scenario/scenario.h"

namespace liq {

constexpr std::uint64_t kPilotPaths = 4000;  // paths per cross-entropy iteration
constexpr int kPilotIterations = 8;          // at most
constexpr double kEliteFraction = 0.1;       // ρ: the elite is the top ρ of a pilot batch

/// One cross-entropy iteration: the elite's level, how many paths reached it, and the tilt
/// its update chose.
struct TiltIteration {
  double level = 0.0;
  std::uint64_t elite = 0;
  ImportanceSpec tilt;
};

struct TiltChoice {
  std::vector<TiltIteration> iterations;
  bool reached = false;  // the last iteration's elite level was the threshold
  const ImportanceSpec& tilt() const { return iterations.back().tilt; }
};

/// The seed of iteration `iteration`'s pilot paths (a SplitMix64 step away from the run's).
std::uint64_t pilot_seed(std::uint64_t seed, int iteration);

/// Chooses the tilt of `sc` (importance.metric set, not every tilt key given): the keys given
/// stay, the others start untilted and are tuned. Stops once two iterations in a row reached
/// the threshold, or after kPilotIterations. `progress` (may be null) gets one line per
/// iteration. InputError when importance.metric is not a metric of the scenario.
TiltChoice choose_tilt(const Scenario& sc, const ModelInputs& inputs, int threads,
                       std::ostream* progress);

/// InputError naming the file and key when importance.metric is not a metric of `sc`.
void check_tilt_metric(const Scenario& sc);

/// The tilt's keys as [importance] writes them, on one line ("jump_rate_multiplier 12.5, ...").
std::string tilt_text(const Scenario& sc, const ImportanceSpec& tilt);

/// The tilt of `sc` as --set settings of every tilt key ("importance.jump_rate_multiplier=…"):
/// a scenario given them runs no pilot. `reverse` and `sweep` choose the tilt once and hand it
/// to every trial and point this way, so that they differ in their own settings alone.
std::vector<std::string> tilt_settings(const Scenario& sc);

/// The root attribute `importance_tilt` (results/README.md): one line of JSON with the metric,
/// threshold, the pilot's iterations (level, elite) and the chosen tilt.
std::string tilt_json(const Scenario& sc, const TiltChoice& choice);

}  // namespace liq
