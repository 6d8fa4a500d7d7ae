// Int8-weight GEMM with WebAssembly SIMD128: exact int32 accumulation with i32x4.dot_i16x8.
// Each k pair costs one i16x8.load8x8_s per 4-column tile (weights widened on load), one
// load32_splat per row (the centered activation pair), and one dot + one add per (row, tile).
// Accumulator lanes are columns (packed_layouts.h), so no horizontal sums are needed.
//
// GEMM blocks 6 rows × 2 tiles (12 accumulators + 2 weight vectors + 1 splat: 15 of the 16
// registers; measured faster under V8 than 4×2, 3×3 and 2×4). GEMV (M = 1) reuses nothing and
// runs one tile at a time: it then reads the weights as one sequential stream, which measured
// faster on large matrices under V8 than reading 4 tiles in parallel to share the splats.
#include <algorithm>

#include "common/simd128.h"
#include "kernels/gemm_blocking.h"
#include "kernels/kernel_impls.h"
#include "kernels/packed_layouts.h"

namespace quantlab::kernels {
namespace {

// Pair `Pair` (0..3) of the current block of 8 k; rows and tiles point at the block.
template <size_t Pair, size_t Rows, size_t Tiles>
inline void dot_pair(const int16_t* const* rows, const int8_t* const* tiles,
                     v128_t (&sum)[Rows][Tiles]) {
  v128_t wv[Tiles];
  for (size_t t = 0; t < Tiles; ++t) wv[t] = wasm_i16x8_load8x8(tiles[t] + Pair * 2 * kIntTileN);
  for (size_t r = 0; r < Rows; ++r) {
    const v128_t x = wasm_v128_load32_splat(rows[r] + Pair * 2);
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
  // kpad is a multiple of kIntBlockK: four k pairs per step, addressed as constant offsets
  // from pointers bumped once per step (wasm loads take an immediate offset, not an index).
  for (size_t k = 0; k < kpad; k += kIntBlockK) {
    dot_pair<0>(rows, tiles, sum);
    dot_pair<1>(rows, tiles, sum);
    dot_pair<2>(rows, tiles, sum);
    dot_pair<3>(rows, tiles, sum);
    for (auto& row : rows) row += kIntBlockK;
    for (auto& tile : tiles) tile += kIntBlockK * kIntTileN;
  }
  for (size_t r = 0; r < Rows; ++r) {
    alignas(16) int32_t row[Tiles * kIntTileN];
    for (size_t t = 0; t < Tiles; ++t) wasm_v128_store(row + t * kIntTileN, sum[r][t]);
    std::copy(row, row + cols, acc + r * ldacc);
  }
}

// Columns of a panel: `Tiles` tiles at a time while they fill it, then single tiles.
template <size_t Rows, size_t Tiles>
void panel(const int16_t* a, size_t kpad, const int8_t* w, int32_t* acc, size_t ldacc,
           size_t cols) {
  if (cols == Tiles * kIntTileN) {
    block<Rows, Tiles>(a, kpad, w, acc, ldacc, cols);
    return;
  }
  for (size_t col = 0; col < cols; col += kIntTileN) {
    block<Rows, 1>(a, kpad, w + col * kpad, acc + col, ldacc, std::min(kIntTileN, cols - col));
  }
}

}  // namespace

void gemm_qs8_qc8w_i32__wasmsimd(const CenteredRows& a, const PackedQC8W& w, int32_t* acc,
                                 size_t ldacc) {
  constexpr size_t kRows = 6;
  constexpr size_t kTiles = 2;
  constexpr size_t kGemvTiles = 4;
  const int8_t* packed = reinterpret_cast<const int8_t*>(w.data.data());
  const size_t panel_cols = (a.m == 1 ? kGemvTiles : kTiles) * kIntTileN;
  for_each_block<kRows>(a.m, w.n, a.kpad * sizeof(int16_t), panel_cols,
                        [&](size_t row0, size_t rows, size_t col0, size_t cols) {
                          const int8_t* tiles = packed + col0 * a.kpad;
                          int32_t* out = acc + row0 * ldacc + col0;
                          if (a.m == 1) {
                            panel<1, kGemvTiles>(a.row(0), a.kpad, tiles, out, ldacc, cols);
                            return;
                          }
                          with_rows<kRows>(rows, [&](auto r) {
                            panel<r, kTiles>(a.row(row0), a.kpad, tiles, out, ldacc, cols);
                          });
                        });
}

}  // namespace quantlab::kernels
