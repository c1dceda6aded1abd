// liqstress — provenance by content: the SHA-256 of every input file of a run (the scenario,
// a CSV book, a tier-table file or the compiled-in table) and of its resolved book. Results
// files record them (root attributes `inputs` and `book_sha256`, results/README.md), so do
// checkpoints; `run --resume` refuses inputs whose content changed and `merge` shards made
// from different ones.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/book/book.h"
#include "host/io/json.h"
#include "host/scenario/scenario.h"

namespace liq {

/// Input → SHA-256 (64 lowercase hex digits). Inputs are named by absolute, normalised path
/// (so that a resume from another folder names them alike), or "builtin:NAME" for text
/// compiled into the binary ("builtin:default.toml", "builtin:binance-usdt-perp-2024-10").
using InputDigests = std::map<std::string, std::string>;

/// The inputs of a scenario: its file (`scenario_file`; nullopt: the built-in default), the
/// CSV book when it has one, and the tier table's file or built-in text (none for
/// [[book.tier]] rows). InputError when a file cannot be read.
InputDigests input_digests(const Scenario& scenario,
                           const std::optional<std::string>& scenario_file, const TierTable& tiers);

/// SHA-256 of the book's canonical serialization, all numbers little-endian: the ASCII bytes
/// "liqstress-book-1\n"; the asset count (u32) and each symbol (u32 byte length, UTF-8
/// bytes), in scenario order; the position count (u64); then per position, in book order:
/// asset index (i32), side (i32: 0 long, 1 short), quantity, entry_price, margin_usd,
/// maintenance rate, maintenance amount (f64 each, IEEE 754) and account index (i32, −1 for
/// none). Synthetic and CSV books alike: it names what the run simulates.
std::string book_sha256(const Book& book, const std::vector<AssetSpec>& assets);

/// {"input": "hex", ...} (keys in order); as one line of JSON (the results files' `inputs`
/// attribute), and back. parse throws std::runtime_error on text that is not such an object.
Json inputs_object(const InputDigests& inputs);
std::string inputs_json(const InputDigests& inputs);
InputDigests parse_inputs_json(const std::string& json);

/// How two records of inputs differ, one line per input: "INPUT: sha256 1a2b3c4d… then,
/// 5e6f7a8b… now", "INPUT: an input then, not now" (and the converse). `then_name` and
/// `now_name` name the two sides. Empty when they agree.
std::vector<std::string> input_differences(const InputDigests& then, const InputDigests& now,
                                           const std::string& then_name = "then",
                                           const std::string& now_name = "now");

/// The first 8 hex digits and an ellipsis, for messages.
std::string hash_prefix(const std::string& hex);

/// "liqstress VERSION (git COMMIT)" of this binary, or of a recorded version and commit.
std::string binary_name();
std::string binary_name(const std::string& version, const std::string& commit);

}  // namespace liq
