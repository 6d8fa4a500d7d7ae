// The loop order shared by the SIMD GEMMs. Rows of A are split across the pool's threads
// (quantlab/threads.h) in ranges whose starts are multiples of the register block, so every
// block covers the same rows at every thread count and the results are the same bits. Within
// a range, rows are taken in chunks that stay in the L2 cache while every column panel of the
// packed weights passes over them; within a panel the chunk is cut into register blocks of up
// to `Rows` rows, so a panel stays in L1 across them.
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

// Calls visit(row0, rows, col0, cols) with rows in [1, Rows] and cols in [1, panel_cols],
// concurrently for disjoint row ranges.
template <size_t Rows, typename Visit>
void for_each_block(size_t m, size_t n, size_t a_row_bytes, size_t panel_cols, Visit&& visit) {
  const size_t chunk_rows =
      std::max(Rows, kChunkBytes / std::max<size_t>(a_row_bytes, 1) / Rows * Rows);
  const auto row_range = [&](size_t begin, size_t end) {
    for (size_t chunk = begin; chunk < end; chunk += chunk_rows) {
      const size_t chunk_end = std::min(end, chunk + chunk_rows);
      for (size_t col0 = 0; col0 < n; col0 += panel_cols) {
        const size_t cols = std::min(panel_cols, n - col0);
        for (size_t row0 = chunk; row0 < chunk_end; row0 += Rows) {
          visit(row0, std::min(Rows, chunk_end - row0), col0, cols);
        }
      }
    }
  };
  for_row_ranges<Rows>(m, m * n * a_row_bytes, row_range);
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
