// Int8-weight GEMM with WebAssembly SIMD128: exact int32 accumulation with i32x4.dot_i16x8.
// Each k pair costs one i16x8.load8x8_s per 4-column tile (weights widened on load), one
// load32_splat per row (the centered activation pair), and one dot + one add per (row, tile).
// Accumulator lanes are columns (packed_layouts.h), so no horizontal sums are needed.
//
// GEMM blocks 4 rows × 2 tiles (8 accumulators). GEMV (M = 1) reuses nothing and runs one tile
// at a time: it then reads the weights as one sequential stream, which measured faster on large
// matrices under V8 than reading 4 tiles in parallel to share the activation splats.
#include <algorithm>
#include <utility>

#include "common/simd128.h"
#include "kernels/kernel_impls.h"
#include "kernels/packed_layouts.h"

namespace quantlab::kernels {
namespace {

template <size_t Rows, size_t Tiles>
inline void dot_pair(const int16_t* const* rows, size_t k, const int8_t* const* tiles,
                     v128_t (&sum)[Rows][Tiles]) {
  v128_t wv[Tiles];
  for (size_t t = 0; t < Tiles; ++t) wv[t] = wasm_i16x8_load8x8(tiles[t] + k * kIntTileN);
  for (size_t r = 0; r < Rows; ++r) {
    const v128_t x = wasm_v128_load32_splat(rows[r] + k);
    for (size_t t = 0; t < Tiles; ++t) {
      sum[r][t] = wasm_i32x4_add(sum[r][t], wasm_i32x4_dot_i16x8(x, wv[t]));
    }
  }
}

template <size_t Rows, size_t Tiles>
void block(const int16_t* a, size_t kpad, const int8_t* w, int32_t* acc, size_t ldacc,
           size_t cols) {
  const int16_t* rows[Rows];
  for (size_t r = 0; r < Rows; ++r) rows[r] = a + r * kpad;
  const int8_t* tiles[Tiles];
  for (size_t t = 0; t < Tiles; ++t) tiles[t] = w + t * kpad * kIntTileN;
  v128_t sum[Rows][Tiles];
  for (auto& row : sum) std::fill(row, row + Tiles, wasm_i32x4_splat(0));
  // kpad is a multiple of kIntBlockK: four k pairs per step keep the loop overhead small.
  for (size_t k = 0; k < kpad; k += kIntBlockK) {
    dot_pair(rows, k, tiles, sum);
    dot_pair(rows, k + 2, tiles, sum);
    dot_pair(rows, k + 4, tiles, sum);
    dot_pair(rows, k + 6, tiles, sum);
  }
  for (size_t r = 0; r < Rows; ++r) {
    alignas(16) int32_t row[Tiles * kIntTileN];
    for (size_t t = 0; t < Tiles; ++t) wasm_v128_store(row + t * kIntTileN, sum[r][t]);
    std::copy(row, row + cols, acc + r * ldacc);
  }
}

// Runs `Rows` rows over all column tiles, `Tiles` tiles at a time, then single tiles.
template <size_t Rows, size_t Tiles>
void row_block(const int16_t* a, size_t kpad, const PackedQC8W& w, int32_t* acc, size_t ldacc) {
  const int8_t* packed = reinterpret_cast<const int8_t*>(w.data.data());
  constexpr size_t kCols = Tiles * kIntTileN;
  size_t col = 0;
  for (; col + kCols <= w.n; col += kCols) {
    block<Rows, Tiles>(a, kpad, packed + col * kpad, acc + col, ldacc, kCols);
  }
  for (; col < w.n; col += kIntTileN) {
    block<Rows, 1>(a, kpad, packed + col * kpad, acc + col, ldacc,
                   std::min(kIntTileN, w.n - col));
  }
}

template <size_t... Rows>
void rest_rows(size_t rows, const int16_t* a, size_t kpad, const PackedQC8W& w, int32_t* acc,
               size_t ldacc, std::index_sequence<Rows...>) {
  ((rows == Rows + 1 ? row_block<Rows + 1, 2>(a, kpad, w, acc, ldacc) : void()), ...);
}

}  // namespace

void gemm_qs8_qc8w_i32__wasmsimd(const CenteredRows& a, const PackedQC8W& w, int32_t* acc,
                                 size_t ldacc) {
  constexpr size_t kRows = 4;
  if (a.m == 1) {
    row_block<1, 1>(a.row(0), a.kpad, w, acc, ldacc);
    return;
  }
  size_t row = 0;
  for (; row + kRows <= a.m; row += kRows) {
    row_block<kRows, 2>(a.row(row), a.kpad, w, acc + row * ldacc, ldacc);
  }
  rest_rows(a.m - row, a.row(row), a.kpad, w, acc + row * ldacc, ldacc,
            std::make_index_sequence<kRows - 1>());
}

}  // namespace quantlab::kernels
