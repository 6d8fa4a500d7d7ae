// Int8-weight GEMM with WebAssembly SIMD128: exact int32 accumulation with i32x4.dot_i16x8.
// Accumulator lanes are columns (packed_layouts.h), so no horizontal sums are needed.
//
// GEMV (M = 1) streams the packed int8 panels once, two far-apart panels at a time
// (gemv_streams): per k pair one i16x8.load8x8_s per 4-column tile (weights widened on load)
// against one splatted activation pair; it runs at the streaming bandwidth. Large GEMVs split
// their panels across threads (gemv).
//
// GEMM (M > 1) is bound by the vector pipes and the front end, not by memory. It blocks 4 rows ×
// 2 tiles (8 accumulators, no spills in V8's code) and passes both halves of a panel over the
// rows while the panel sits in L1. The centered activations are first interleaved in blocks of
// 4 rows ([block][k pair][row]), so one pointer with constant offsets addresses the four splats
// and the loop walks pointers (Emscripten passes -disable-lsr, so clang keeps k · panel_width
// multiplies otherwise): 4 splat loads, 2 widening weight loads, 8 dots, 8 adds and 3 scalar
// instructions per k pair, down from 10 scalar (measured in Node 20 over M = 2…256, N and K in
// {1024, 4096}: 92–104 GOP/s against 57–104 with per-row pointers, +10% at K = 4096). Large
// GEMMs with K ≤ 1024 widen the panels first (gemm_widened).
#include <algorithm>
#include <cstring>
#include <vector>

#include "common/simd128.h"
#include "kernels/gemm_blocking.h"
#include "kernels/kernel_impls.h"
#include "kernels/packed_layouts.h"

namespace quantlab::kernels {
namespace {

// The GEMV: `w` points at the panel's first tile (panel of `panel_width` columns); only the
// store is cut to `cols`.
template <size_t Tiles>
void gemv_panel(const int16_t* a, size_t kpad, const int8_t* w, size_t panel_width, int32_t* acc,
                size_t cols) {
  v128_t sum[Tiles];
  std::fill(sum, sum + Tiles, wasm_i32x4_splat(0));
  for (size_t k = 0; k < kpad; k += 2) {
    const v128_t x = wasm_v128_load32_splat(a + k);
    for (size_t t = 0; t < Tiles; ++t) {
      const v128_t codes = wasm_i16x8_load8x8(w + k * panel_width + t * 2 * kIntTileN);
      sum[t] = wasm_i32x4_add(sum[t], wasm_i32x4_dot_i16x8(x, codes));
    }
  }
  alignas(16) int32_t row[Tiles * kIntTileN];
  for (size_t t = 0; t < Tiles; ++t) wasm_v128_store(row + t * kIntTileN, sum[t]);
  std::copy(row, row + cols, acc);
}

// The GEMV reads kStreams full panels at once, each from its own part of the columns, so that the
// streams sit far apart in memory (as the FP32 GEMV does, see gemm_f32_wasmsimd.cpp); one splat
// per k pair serves them all. Measured in Node 20 at 1×4096×11008 (45 MB): 1.25–1.7 ms against
// 1.5–1.9 ms one panel at a time (a noisy machine); four streams, two tiles each in two passes,
// took 2.2 ms. In cache (1×1024×1024) it is as fast or slightly faster.
constexpr size_t kStreams = 2;

// Full panels first_panel + s · span for s < kStreams.
void gemv_streams(const int16_t* a, size_t kpad, const int8_t* packed, size_t first_panel,
                  size_t span, int32_t* acc) {
  v128_t sum[kStreams][kIntPanelTiles];
  const int8_t* at[kStreams];
  for (size_t s = 0; s < kStreams; ++s) {
    std::fill(sum[s], sum[s] + kIntPanelTiles, wasm_i32x4_splat(0));
    at[s] = packed + (first_panel + s * span) * kQC8WPanelN * kpad;
  }
  for (size_t k = 0; k < kpad; k += 2) {
    const v128_t x = wasm_v128_load32_splat(a + k);
    for (size_t s = 0; s < kStreams; ++s) {
      for (size_t t = 0; t < kIntPanelTiles; ++t) {
        const v128_t codes = wasm_i16x8_load8x8(at[s] + k * kQC8WPanelN + t * 2 * kIntTileN);
        sum[s][t] = wasm_i32x4_add(sum[s][t], wasm_i32x4_dot_i16x8(x, codes));
      }
    }
  }
  for (size_t s = 0; s < kStreams; ++s) {
    int32_t* out = acc + (first_panel + s * span) * kQC8WPanelN;
    for (size_t t = 0; t < kIntPanelTiles; ++t) wasm_v128_store(out + t * kIntTileN, sum[s][t]);
  }
}

// Calls f(std::integral_constant<size_t, tiles>{}) for the tiles covering `cols` columns.
template <size_t MaxTiles, typename F>
void with_tiles(size_t cols, F&& f) {
  with_rows<MaxTiles>((cols + kIntTileN - 1) / kIntTileN, f);
}

// Units as the FP32 GEMV's (gemm_blocking.h, for_gemv_units); the sums are exact, so any split
// gives the same bits.
void gemv(const CenteredRows& a, const PackedQC8W& w, int32_t* acc) {
  const int8_t* packed = reinterpret_cast<const int8_t*>(w.data.data());
  for_gemv_units(
      w.n, kQC8WPanelN, kStreams, w.n * a.kpad * sizeof(int16_t),
      [&](size_t panel, size_t span) { gemv_streams(a.row(0), a.kpad, packed, panel, span, acc); },
      [&](size_t col0, size_t cols) {
        with_tiles<kIntPanelTiles>(cols, [&](auto tiles) {
          gemv_panel<tiles>(a.row(0), a.kpad, packed + col0 * a.kpad, qc8w_panel_width(w, col0),
                            acc + col0, cols);
        });
      });
}

constexpr size_t kBlockRows = 4;
constexpr size_t kHalfTiles = 2;
constexpr size_t kHalfLanes = kHalfTiles * 2 * kIntTileN;  // i16 lanes per k pair in a half
constexpr size_t kHalfCols = kHalfTiles * kIntTileN;

// Activation pairs as i32, [block of 4 rows][k pair][row in block]; rows past M are zero.
std::vector<int32_t> interleave_row_blocks(const CenteredRows& a) {
  const size_t pairs = a.kpad / 2;
  const size_t blocks = (a.m + kBlockRows - 1) / kBlockRows;
  std::vector<int32_t> out(blocks * pairs * kBlockRows, 0);
  for (size_t i = 0; i < a.m; ++i) {
    int32_t* block = out.data() + i / kBlockRows * pairs * kBlockRows + i % kBlockRows;
    const int16_t* row = a.row(i);
    for (size_t p = 0; p < pairs; ++p) std::memcpy(block + p * kBlockRows, row + 2 * p, 4);
  }
  return out;
}

// Tiles weight vectors of one k pair: int8 codes widened on load, or codes already widened.
inline v128_t load_weights(const int8_t* w) { return wasm_i16x8_load8x8(w); }
inline v128_t load_weights(const int16_t* w) { return wasm_v128_load(w); }

// `a` points at a block of interleaved activations, `w` at the first tile of the block, whose
// k pairs lie `stride` elements apart (packed_layouts.h for int8, widen_panel for int16); only
// the store is cut to `cols`.
template <size_t Rows, size_t Tiles, typename Weight>
void gemm_block(const int32_t* a, size_t pairs, const Weight* w, size_t stride, int32_t* acc,
                size_t ldacc, size_t cols) {
  v128_t sum[Rows][Tiles];
  for (auto& row : sum) std::fill(row, row + Tiles, wasm_i32x4_splat(0));
  const int32_t* const a_end = a + pairs * kBlockRows;
#if defined(__clang__)
#pragma clang loop unroll(disable)
#endif
  for (; a != a_end; a += kBlockRows, w += stride) {
    // Not unrolled: clang would hoist the loads of an unrolled body ahead of the arithmetic,
    // and V8 then spills the accumulators.
    v128_t wv[Tiles];
    for (size_t t = 0; t < Tiles; ++t) wv[t] = load_weights(w + t * 2 * kIntTileN);
    for (size_t r = 0; r < Rows; ++r) {
      const v128_t x = wasm_v128_load32_splat(a + r);
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

// Large GEMMs with a short K first widen each panel to i16 once per row chunk, so the loop loads
// weights with plain v128.load instead of i16x8.load8x8_s, whose widening takes a vector pipe:
// 4 splats, 2 loads, 8 dots, 8 adds, 3 scalar per k pair. It pays when the widened panel
// (32 · kpad bytes) stays in L1 and enough rows share each widening; measured in Node 20 at
// M = 64…256, N = 1024 and 4096, K = 1024: 93–99 GOP/s against 87–95 with load8x8_s, while at
// K = 4096 or M < 16 it lost up to 3×.
constexpr size_t kWidenMaxK = 1024;
constexpr size_t kWidenMinRows = 64;

// Widens a panel's codes to i16 as two halves of 2 tiles, each [k pair][16 lanes]; tiles past
// the panel's width are zero.
void widen_panel(const int8_t* panel, size_t width, size_t pairs, int16_t* out) {
  const size_t tiles = width / kIntTileN;
  for (size_t p = 0; p < pairs; ++p) {
    for (size_t t = 0; t < kIntPanelTiles; ++t) {
      const v128_t codes = t < tiles ? wasm_i16x8_load8x8(panel + p * 2 * width + t * 2 * kIntTileN)
                                     : wasm_i32x4_splat(0);
      int16_t* half = out + t / kHalfTiles * pairs * kHalfLanes;
      wasm_v128_store(half + p * kHalfLanes + t % kHalfTiles * 2 * kIntTileN, codes);
    }
  }
}

void gemm_widened(const CenteredRows& a, const PackedQC8W& w, const std::vector<int32_t>& blocks,
                  int32_t* acc, size_t ldacc) {
  const int8_t* packed = reinterpret_cast<const int8_t*>(w.data.data());
  const size_t pairs = a.kpad / 2;
  // Rows split across threads as in for_each_block (gemm_blocking.h), each range widening the
  // panels into its own buffer; within a range, rows in chunks whose activations stay in L2
  // while every panel passes over them.
  const size_t chunk_rows =
      std::max(kBlockRows, kChunkBytes / (a.kpad * sizeof(int16_t)) / kBlockRows * kBlockRows);
  const size_t work = a.m * w.n * a.kpad * sizeof(int16_t);
  for_row_ranges<kBlockRows>(a.m, work, [&](size_t begin, size_t end) {
    AlignedBuffer widened(kQC8WPanelN * a.kpad * sizeof(int16_t));
    int16_t* halves = reinterpret_cast<int16_t*>(widened.data());
    for (size_t chunk = begin; chunk < end; chunk += chunk_rows) {
      const size_t chunk_end = std::min(end, chunk + chunk_rows);
      for (size_t col0 = 0; col0 < w.n; col0 += kQC8WPanelN) {
        widen_panel(packed + col0 * a.kpad, qc8w_panel_width(w, col0), pairs, halves);
        for (size_t row0 = chunk; row0 < chunk_end; row0 += kBlockRows) {
          const int32_t* block = blocks.data() + row0 / kBlockRows * pairs * kBlockRows;
          with_rows<kBlockRows>(std::min(kBlockRows, chunk_end - row0), [&](auto rows) {
            for (size_t half = 0; half < kIntPanelTiles / kHalfTiles; ++half) {
              const size_t first = col0 + half * kHalfCols;
              if (first >= w.n) break;
              gemm_block<rows, kHalfTiles>(block, pairs, halves + half * pairs * kHalfLanes,
                                           kHalfLanes, acc + row0 * ldacc + first, ldacc,
                                           std::min(kHalfCols, w.n - first));
            }
          });
        }
      }
    }
  });
}

}  // namespace

void gemm_qs8_qc8w_i32__wasmsimd(const CenteredRows& a, const PackedQC8W& w, int32_t* acc,
                                 size_t ldacc) {
  if (a.m == 0) return;
  const int8_t* packed = reinterpret_cast<const int8_t*>(w.data.data());
  if (a.m == 1) {
    gemv(a, w, acc);
    return;
  }
  const std::vector<int32_t> blocks = interleave_row_blocks(a);
  if (a.m >= kWidenMinRows && a.kpad <= kWidenMaxK) {
    gemm_widened(a, w, blocks, acc, ldacc);
    return;
  }
  constexpr size_t kHalf = kHalfTiles * kIntTileN;
  const size_t pairs = a.kpad / 2;
  for_each_block<kBlockRows>(
      a.m, w.n, a.kpad * sizeof(int16_t), kQC8WPanelN,
      [&](size_t row0, size_t rows, size_t col0, size_t cols) {
        const int8_t* panel = packed + col0 * a.kpad;
        const size_t width = qc8w_panel_width(w, col0);
        const int32_t* block = blocks.data() + row0 / kBlockRows * pairs * kBlockRows;
        int32_t* out = acc + row0 * ldacc + col0;
        // The panel stays in L1 while its two halves pass over the rows.
        with_rows<kBlockRows>(rows, [&](auto r) {
          with_tiles<kHalfTiles>(std::min(cols, kHalf), [&](auto tiles) {
            gemm_block<r, tiles>(block, pairs, panel, 2 * width, out, ldacc, std::min(cols, kHalf));
          });
          if (cols > kHalf) {
            with_tiles<kHalfTiles>(cols - kHalf, [&](auto tiles) {
              gemm_block<r, tiles>(block, pairs, panel + kHalf * 2, 2 * width, out + kHalf, ldacc,
                                   cols - kHalf);
            });
          }
        });
      });
}

}  // namespace quantlab::kernels
