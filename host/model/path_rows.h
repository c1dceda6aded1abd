// liqstress — per-path result rows held on the host for one batch of paths: one vector per
// field of the record (kernels/record.h). Kernels see them only through liq::PathOut views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/path.h"
#include "kernels/record.h"

namespace liq {

struct PathRows {
  std::size_t n_rows = 0;
  int n_assets = 0;
  int n_portfolios = 0;
#define LIQ_RECORD_VECTOR(name, type, shape, units, text) std::vector<type> name;
  LIQ_PATH_RECORD(LIQ_RECORD_VECTOR)
#undef LIQ_RECORD_VECTOR

  /// Values per row of a field of this shape.
  std::size_t cells(RecordShape shape) const {
    return record_cells(shape, n_assets, n_portfolios);
  }

  void resize(std::size_t rows, int assets, int portfolios = 0) {
    n_rows = rows;
    n_assets = assets;
    n_portfolios = portfolios;
#define LIQ_RECORD_RESIZE(name, type, shape, units, text) \
  name.assign(rows* cells(RecordShape::shape), type{});
    LIQ_PATH_RECORD(LIQ_RECORD_RESIZE)
#undef LIQ_RECORD_RESIZE
  }

  /// Views of every field (null for a field with no values, e.g. portfolios when P = 0).
  PathOut view() {
    PathOut o;
#define LIQ_RECORD_POINTER(name, type, shape, units, text) \
  o.name = name.empty() ? nullptr : name.data();
    LIQ_PATH_RECORD(LIQ_RECORD_POINTER)
#undef LIQ_RECORD_POINTER
    return o;
  }

#define LIQ_RECORD_VISIT(name, type, shape, units, text) f(kPathRecord[i++], name);
  /// Calls f(field, vector) for every field, in record order (kPathRecord).
  template <typename F>
  void visit(F&& f) {
    std::size_t i = 0;
    LIQ_PATH_RECORD(LIQ_RECORD_VISIT)
  }
  template <typename F>
  void visit(F&& f) const {
    std::size_t i = 0;
    LIQ_PATH_RECORD(LIQ_RECORD_VISIT)
  }
#undef LIQ_RECORD_VISIT
};

}  // namespace liq
