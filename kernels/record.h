// liqstress — the per-path record, defined once (STYLE.md habit 12): every output a path
// writes, with its element type, shape, units and description. Everything else is generated
// from this table: the kernels' output views (PathOut, kernels/path.h), the host rows
// (host/model/path_rows.h), the device buffers (kernels/cuda_backend.cu), the HDF5 datasets
// of /paths (host/io/results_file.cpp) and their reader, the checkpoint and MPI codec
// (host/io/checkpoint.cpp), the memory estimate (host/run) — and results/README.md's /paths
// table is checked against it by a test (tests/unit/record_test.cpp).
//
// Adding an output is one line here plus its computation (kernels/path.h write_row).
// The order is the order of the datasets in a file, of the codec and of the views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace liq {

/// How many values a field holds per path: one, one per asset, one per asset and side
/// (long 0, short 1), one per [[portfolio]] account.
enum class RecordShape : std::int32_t { per_path, per_asset, per_asset_side, per_portfolio };

#define LIQ_LOG_RETURN_UNITS "log-return (natural, dimensionless)"

// X(name, element type, RecordShape, units, description)
#define LIQ_PATH_RECORD(X)                                                                          \
  X(final_log_return, double, per_asset, LIQ_LOG_RETURN_UNITS,                                      \
    "ln(S_T / S_0): the log of the traded price at the horizon over its starting spot")             \
  X(min_log_return, double, per_asset, LIQ_LOG_RETURN_UNITS,                                        \
    "ln(extreme / S_0) of the traded price over the horizon, Brownian-bridge extremes between "     \
    "steps included: the values that decide liquidations (here the minimum, which reaches "         \
    "long positions' liquidation prices)")                                                          \
  X(max_log_return, double, per_asset, LIQ_LOG_RETURN_UNITS,                                        \
    "ln(extreme / S_0) of the traded price over the horizon, Brownian-bridge extremes between "     \
    "steps included: the values that decide liquidations (here the maximum, which reaches "         \
    "short positions' liquidation prices)")                                                         \
  X(weight, double, per_path, "1",                                                                  \
    "likelihood ratio of the path (1 without importance sampling): weight each row by it when "     \
    "averaging over paths")                                                                         \
  X(liquidated_usd, double, per_asset_side, "USD",                                                  \
    "liquidated notional q·P_liq (quantity times liquidation price) over the horizon per "         \
    "path, asset and side (0 long, 1 short)")                                                       \
  X(liquidated_positions, std::uint32_t, per_asset_side, "positions",                               \
    "number of positions liquidated per path, asset and side (0 long, 1 short)")                    \
  X(bad_debt_usd, double, per_path, "USD",                                                          \
    "losses beyond bankruptcy: sum over liquidated positions of q·max(0, P_bk − P_x) for longs " \
    "(P_x − P_bk for shorts), P_x the execution price, plus cross-margin accounts' negative "     \
    "equity")                                                                                       \
  X(adl_usd, double, per_path, "USD",                                                               \
    "bad debt the insurance fund could not pay (the deficit), auto-deleveraged against "            \
    "profitable opposite positions")                                                                \
  X(adl_closed_usd, double, per_path, "USD",                                                        \
    "notional of opposite-side positions in profit that auto-deleveraging closed, at the "          \
    "bankrupt positions' bankruptcy prices (they leave the book); 0 with insurance_fund.adl = "     \
    "none")                                                                                         \
  X(insurance_fund_usd, double, per_path, "USD",                                                    \
    "insurance fund balance at the horizon: start + liquidation fees − bad debt it paid")           \
  X(portfolio_pnl_usd, double, per_portfolio, "USD",                                                \
    "P&L of each [[portfolio]] account over the horizon (columns follow /portfolios): change "      \
    "of its equity, marked to market at spot at the start; loss = −P&L")                            \
  X(portfolio_liquidated, std::uint8_t, per_portfolio, "1",                                         \
    "1 when the account was liquidated on the path (equity below its maintenance margin), "         \
    "else 0")                                                                                       \
  X(cascade_rounds, std::uint16_t, per_path, "rounds",                                              \
    "largest number of cascade rounds in a step (rounds of liquidation -> price impact -> "         \
    "liquidation that liquidated something, MODEL.md section 4): 0 when the path liquidated "       \
    "nothing, 1 without feedback; impact.max_cascade_rounds when the cap was reached")

/// Values per path of a field of shape `shape`, for `assets` assets and `portfolios` accounts.
constexpr std::size_t record_cells(RecordShape shape, int assets, int portfolios) {
  return shape == RecordShape::per_path         ? 1
         : shape == RecordShape::per_asset      ? static_cast<std::size_t>(assets)
         : shape == RecordShape::per_asset_side ? 2 * static_cast<std::size_t>(assets)
                                                : static_cast<std::size_t>(portfolios);
}

/// The record as data, for code that walks every field (writers, readers, codecs, checks).
struct RecordField {
  const char* name;
  RecordShape shape;
  std::size_t element_bytes;
  const char* type_name;  // "float64", "uint32", "uint16", "uint8": the HDF5 file type
  const char* units;
  const char* description;
};

template <typename T>
constexpr const char* record_type_name() {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, std::uint32_t> ||
                    std::is_same_v<T, std::uint16_t> || std::is_same_v<T, std::uint8_t>,
                "a record field of another type: add it to record_type_name and the writer");
  if constexpr (std::is_same_v<T, double>) {
    return "float64";
  } else if constexpr (std::is_same_v<T, std::uint32_t>) {
    return "uint32";
  } else if constexpr (std::is_same_v<T, std::uint16_t>) {
    return "uint16";
  } else {
    return "uint8";
  }
}

#define LIQ_RECORD_ENTRY(name, type, shape, units, text) \
  RecordField{#name, RecordShape::shape, sizeof(type), record_type_name<type>(), units, text},
inline constexpr RecordField kPathRecord[] = {LIQ_PATH_RECORD(LIQ_RECORD_ENTRY)};
#undef LIQ_RECORD_ENTRY

/// Bytes of one path's row.
constexpr std::size_t record_bytes_per_path(int assets, int portfolios) {
  std::size_t bytes = 0;
  for (const RecordField& f : kPathRecord)
    bytes += f.element_bytes * record_cells(f.shape, assets, portfolios);
  return bytes;
}

}  // namespace liq
