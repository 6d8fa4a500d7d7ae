// The loop order shared by the SIMD GEMMs. Rows of A are split across the pool's threads
// (quantlab/threads.h) in ranges whose starts are multiples of the register block, so every
// block covers the same rows at every thread count and the results are the same bits. A GEMV
// (fewer rows than two register blocks) splits its output columns instead, in ranges whose
// starts are multiples of the kernel's column panel, so every panel is computed by the same
// code at every thread count. Within a range, rows are taken in chunks that stay in the L2
// cache while every column panel of the packed weights passes over them; within a panel the
// chunk is cut into register blocks of up to `Rows` rows, so a panel stays in L1 across them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "quantlab/threads.h"

namespace quantlab::kernels {

inline constexpr size_t kChunkBytes = 128 * 1024;

// Smallest GEMM (A's bytes per row × rows × output columns) split across threads: about 1M
// f32 multiply-adds, some hundreds of µs on one thread, against a fork-join that wakes the pool
// threads through a futex (tens of µs in wasm).
inline constexpr size_t kParallelMinWork = size_t{1} << 22;

// Calls range(begin, end) on row ranges covering [0, m) whose starts are multiples of Rows:
// split across threads when the GEMM's work (A's bytes per row × rows × columns) is large.
template <size_t Rows, typename Range>
void for_row_ranges(size_t m, size_t work, Range&& range) {
  if (m < 2 * Rows || work < kParallelMinWork) {
    range(0, m);
  } else {
    parallel_ranges(m, Rows, range);
  }
}

// Smallest GEMV (same measure: 8 MiB, 2M f32 or 4M int8 multiply-adds) whose columns are split
// across threads. A fork-join costs a GEMV about 40-50 µs in wasm in Node 20 (Atomics.notify
// wakes the pool's Workers), so 2 threads pay from about 100 µs on one. Measured with every GEMV
// split (docs/threads.md, "GEMVs"): at 8 MiB INT8 1×2048×2048 broke even (1.03×) and W4A8 gained
// (1.19×), FP32 gained at 9 MiB (1.43×) and W4A32 at 4 MiB (1.07×); below, FP32 1×1024×1024
// (4 MiB) lost (0.82×) and W4A8 1×1536×1536 (4.5 MiB) too (0.91×).
inline constexpr size_t kColumnSplitMinWork = 2 * kParallelMinWork;

// Calls range(begin, end) on ranges covering [0, count) units of a GEMV's columns whose starts
// are multiples of `align`: split across threads when the GEMV's work is large.
template <typename Range>
void for_column_ranges(size_t count, size_t align, size_t work, Range&& range) {
  if (work < kColumnSplitMinWork) {
    range(0, count);
  } else {
    parallel_ranges(count, align, range);
  }
}

// A streaming GEMV's work in units: first `span` groups of `streams` far-apart panels
// (stream(first_panel, span) reads panels first_panel + s · span), then the panels left over one
// at a time (panel(col0, cols)). The two sum in different orders, so the units are the same at
// every thread count and threads take whole units.
template <typename Stream, typename Panel>
void for_gemv_units(size_t n, size_t panel_cols, size_t streams, size_t work, Stream&& stream,
                    Panel&& panel) {
  const size_t span = n / panel_cols / streams;
  const size_t panels = (n + panel_cols - 1) / panel_cols;
  for_column_ranges(span + panels - span * streams, 1, work, [&](size_t begin, size_t end) {
    for (size_t unit = begin; unit < end; ++unit) {
      if (unit < span) {
        stream(unit, span);
        continue;
      }
      const size_t col0 = (span * streams + unit - span) * panel_cols;
      panel(col0, std::min(panel_cols, n - col0));
    }
  });
}

// Calls range(row_begin, row_end, col_begin, col_end) on disjoint parts of the M × N output
// that cover it: row ranges (starts multiples of Rows) when M holds two register blocks, else
// column ranges (starts multiples of panel_cols), split across threads when the work is large.
template <size_t Rows, typename Range>
void for_output_ranges(size_t m, size_t n, size_t panel_cols, size_t work, Range&& range) {
  if (m < 2 * Rows) {
    for_column_ranges(n, panel_cols, work,
                      [&](size_t begin, size_t end) { range(size_t{0}, m, begin, end); });
  } else {
    for_row_ranges<Rows>(m, work, [&](size_t begin, size_t end) { range(begin, end, 0, n); });
  }
}

// Calls visit(row0, rows, col0, cols) with rows in [1, Rows] and cols in [1, panel_cols],
// concurrently for disjoint row or column ranges.
template <size_t Rows, typename Visit>
void for_each_block(size_t m, size_t n, size_t a_row_bytes, size_t panel_cols, Visit&& visit) {
  const size_t chunk_rows =
      std::max(Rows, kChunkBytes / std::max<size_t>(a_row_bytes, 1) / Rows * Rows);
  const auto blocks = [&](size_t row_begin, size_t row_end, size_t col_begin, size_t col_end) {
    for (size_t chunk = row_begin; chunk < row_end; chunk += chunk_rows) {
      const size_t chunk_end = std::min(row_end, chunk + chunk_rows);
      for (size_t col0 = col_begin; col0 < col_end; col0 += panel_cols) {
        const size_t cols = std::min(panel_cols, col_end - col0);
        for (size_t row0 = chunk; row0 < chunk_end; row0 += Rows) {
          visit(row0, std::min(Rows, chunk_end - row0), col0, cols);
        }
      }
    }
  };
  for_output_ranges<Rows>(m, n, panel_cols, m * n * a_row_bytes, blocks);
}

// Calls f(std::integral_constant<size_t, rows>{}) for a run-time rows in [1, MaxRows], so a
// register block can be instantiated for every leftover row count.
template <size_t MaxRows, typename F>
void with_rows(size_t rows, F&& f) {
  [&]<size_t... R>(std::index_sequence<R...>) {
    ((rows == R + 1 ? f(std::integral_constant<size_t, R + 1>{}) : void()), ...);
  }
  (std::make_index_sequence<MaxRows>());
}

}  // namespace quantlab::kernels
