// Int8-weight GEMM with WebAssembly SIMD128: exact int32 accumulation with i32x4.dot_i16x8.
// Each k pair costs one i16x8.load8x8_s per 4-column tile (weights widened on load), one
// load32_splat per row (the centered activation pair), and one dot + one add per (row, tile).
// Accumulator lanes are columns (packed_layouts.h), so no horizontal sums are needed.
//
// GEMV (M = 1) takes a whole panel (4 tiles, one sequential stream) per activation splat and
// runs at the streaming bandwidth. GEMM blocks 4 rows × 2 tiles (8 accumulators, no spills in
// V8's code) and passes both halves of a panel over the rows while the panel sits in L1.
// Measured under Node 20's V8: 2×4 over a whole panel, 3×4, 4×3, 5×2 and 6×2 were no faster or
// spilled, and reading activation pairs interleaved by row block (fewer address computations)
// did not change the GEMM time.
#include <algorithm>

#include "common/simd128.h"
#include "kernels/gemm_blocking.h"
#include "kernels/kernel_impls.h"
#include "kernels/packed_layouts.h"

namespace quantlab::kernels {
namespace {

// `w` points at the block's first tile within its panel of `panel_width` columns
// (packed_layouts.h); only the store is cut to `cols`.
template <size_t Rows, size_t Tiles>
void block(const int16_t* a, size_t kpad, const int8_t* w, size_t panel_width, int32_t* acc,
           size_t ldacc, size_t cols) {
  const int16_t* rows[Rows];
  for (size_t r = 0; r < Rows; ++r) rows[r] = a + r * kpad;
  v128_t sum[Rows][Tiles];
  for (auto& row : sum) std::fill(row, row + Tiles, wasm_i32x4_splat(0));
#if defined(__clang__)
#pragma clang loop unroll(disable)
#endif
  for (size_t k = 0; k < kpad; k += 2) {
    // One k pair per iteration, not unrolled: clang would hoist the loads of an unrolled body
    // ahead of the arithmetic, and V8 then spills the accumulators.
    v128_t wv[Tiles];
    for (size_t t = 0; t < Tiles; ++t) {
      wv[t] = wasm_i16x8_load8x8(w + k * panel_width + t * 2 * kIntTileN);
    }
    for (size_t r = 0; r < Rows; ++r) {
      const v128_t x = wasm_v128_load32_splat(rows[r] + k);
      for (size_t t = 0; t < Tiles; ++t) {
        sum[r][t] = wasm_i32x4_add(sum[r][t], wasm_i32x4_dot_i16x8(x, wv[t]));
      }
    }
  }
  for (size_t r = 0; r < Rows; ++r) {
    alignas(16) int32_t row[Tiles * kIntTileN];
    for (size_t t = 0; t < Tiles; ++t) wasm_v128_store(row + t * kIntTileN, sum[r][t]);
    std::copy(row, row + cols, acc + r * ldacc);
  }
}

// Calls f(std::integral_constant<size_t, tiles>{}) for the tiles covering `cols` columns.
template <size_t MaxTiles, typename F>
void with_tiles(size_t cols, F&& f) {
  with_rows<MaxTiles>((cols + kIntTileN - 1) / kIntTileN, f);
}

}  // namespace

void gemm_qs8_qc8w_i32__wasmsimd(const CenteredRows& a, const PackedQC8W& w, int32_t* acc,
                                 size_t ldacc) {
  constexpr size_t kRows = 4;
  constexpr size_t kTiles = 2;
  constexpr size_t kHalf = kTiles * kIntTileN;
  const int8_t* packed = reinterpret_cast<const int8_t*>(w.data.data());
  for_each_block<kRows>(a.m, w.n, a.kpad * sizeof(int16_t), kQC8WPanelN,
                        [&](size_t row0, size_t rows, size_t col0, size_t cols) {
                          const int8_t* panel = packed + col0 * a.kpad;
                          const size_t width = qc8w_panel_width(w, col0);
                          int32_t* out = acc + row0 * ldacc + col0;
                          if (a.m == 1) {
                            with_tiles<kIntPanelTiles>(cols, [&](auto tiles) {
                              block<1, tiles>(a.row(0), a.kpad, panel, width, out, ldacc, cols);
                            });
                            return;
                          }
                          // The panel stays in L1 while its two halves pass over the rows.
                          with_rows<kRows>(rows, [&](auto r) {
                            with_tiles<kTiles>(std::min(cols, kHalf), [&](auto tiles) {
                              block<r, tiles>(a.row(row0), a.kpad, panel, width, out, ldacc,
                                              std::min(cols, kHalf));
                            });
                            if (cols > kHalf) {
                              with_tiles<kTiles>(cols - kHalf, [&](auto tiles) {
                                block<r, tiles>(a.row(row0), a.kpad, panel + kHalf * 2, width,
                                                out + kHalf, ldacc, cols - kHalf);
                              });
                            }
                          });
                        });
}

}  // namespace quantlab::kernels
