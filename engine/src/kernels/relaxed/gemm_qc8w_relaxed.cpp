// INT8-weight GEMM with relaxed SIMD: i32x4.relaxed_dot_i8x16_i7x16_add multiplies 16 int8
// weights by 16 values of the other operand and adds each group of 4 products into an i32 lane
// (one column), one instruction (AVX-VNNI's vpdpbusd, Arm's sdot) for 16 multiply-adds. The
// activations are that operand, in one of two layouts (QC8WArgs::planes, Eq. 56 and 58):
//  - two planes, on every lowering: the centered values c ∈ [−255, 255], offset to c + 255 and
//    split into a 7-bit low part and a high part in [0, 3], two dots per row and 4-k step:
//    Σ c·w = Σ lo·w + 128 Σ hi·w − 255 Σ w;
//  - one plane, where the engine's probe showed how the lowering reads a full byte (vpdpbusd
//    unsigned, sdot signed, neither saturating): c + d_r in that byte's range, d_r per row, one
//    dot: Σ c·w = Σ (c + d_r)·w − d_r Σ w.
//
// Weights: PackedQC8W's k-pair panels (packed_layouts.h) are laid out again, per panel, in k
// quads ([quad][tile][column][4 k], 16 bytes per tile), which one shuffle of two k pairs gives;
// the panel's column sums Σ_k w come from the same pass. Rows are taken two at a time, with the
// panel's four tiles for one plane and two tiles at a time for two: 8 i32 accumulators either
// way, enough independent dot chains to hide the instruction's latency (with one plane and two
// tiles, 4 chains, it ran no faster than two planes).
#include "kernels/relaxed/relaxed_abi.h"
#include "kernels/relaxed/relaxed_simd.h"

namespace quantlab::kernels::relaxed {
namespace {

constexpr uint32_t kTileN = 4;
constexpr uint32_t kPanelN = 16;
constexpr uint32_t kPanelTiles = kPanelN / kTileN;
constexpr uint32_t kBlockRows = 2;
constexpr uint32_t kPlaneQuadBytes = 4;  // one plane of one row's 4-k step

inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

// The panel at column col0 ([k pair][tiles][8 bytes]) into [quad][4 tiles][16 bytes]; tiles
// past the panel's width are zero. The 4 tiles' column sums Σ_k w follow the quads as i32.
void lay_out_quads(const int8_t* panel, uint32_t width, uint32_t kpad, int8_t* quads) {
  const uint32_t tiles = width / kTileN;
  const v128_t ones = wasm_i8x16_splat(1);
  int8_t* column_sums = quads + kpad / 4 * kPanelTiles * 16;
  QUANTLAB_UNROLL
  for (uint32_t t = 0; t < kPanelTiles; ++t) {
    wasm_v128_store(column_sums + t * 16, wasm_i32x4_splat(0));
  }
  for (uint32_t q = 0; q < kpad / 4; ++q) {
    const int8_t* pair = panel + q * 2 * 2 * width;
    QUANTLAB_UNROLL
    for (uint32_t t = 0; t < kPanelTiles; ++t) {
      v128_t quad = wasm_i32x4_splat(0);
      if (t < tiles) {
        const v128_t even = wasm_v128_load64_zero(pair + t * 8);
        const v128_t odd = wasm_v128_load64_zero(pair + 2 * width + t * 8);
        quad = wasm_i16x8_shuffle(even, odd, 0, 8, 1, 9, 2, 10, 3, 11);
        // Weights are the signed operand, ones the 7-bit one: exact.
        int8_t* sum = column_sums + t * 16;
        wasm_v128_store(sum,
                        wasm_i32x4_relaxed_dot_i8x16_i7x16_add(quad, ones, wasm_v128_load(sum)));
      }
      wasm_v128_store(quads + (q * kPanelTiles + t) * 16, quad);
    }
  }
}

// kBlockRows × Tiles outputs: `a` at the rows' block of activations, `w` at the first tile of
// the quad layout, sums at the tiles' Σ_k w. Rows past M are zero in `a` and not stored.
template <uint32_t Planes, uint32_t Tiles>
void block(const QC8WArgs& p, const uint8_t* a, const int8_t* w, const int8_t* sums, uint32_t row0,
           uint32_t col0) {
  v128_t acc[Planes][kBlockRows][Tiles];
  QUANTLAB_UNROLL
  for (uint32_t plane = 0; plane < Planes; ++plane) {
    QUANTLAB_UNROLL
    for (uint32_t r = 0; r < kBlockRows; ++r) {
      QUANTLAB_UNROLL
      for (uint32_t t = 0; t < Tiles; ++t) acc[plane][r][t] = wasm_i32x4_splat(0);
    }
  }
  const uint32_t quads = p.kpad / 4;
  for (uint32_t q = 0; q < quads; ++q) {
    v128_t wv[Tiles];
    QUANTLAB_UNROLL
    for (uint32_t t = 0; t < Tiles; ++t) wv[t] = wasm_v128_load(w + (q * kPanelTiles + t) * 16);
    const uint8_t* x = a + q * kBlockRows * Planes * kPlaneQuadBytes;
    QUANTLAB_UNROLL
    for (uint32_t r = 0; r < kBlockRows; ++r) {
      QUANTLAB_UNROLL
      for (uint32_t plane = 0; plane < Planes; ++plane) {
        const v128_t xv = wasm_v128_load32_splat(x + (r * Planes + plane) * kPlaneQuadBytes);
        QUANTLAB_UNROLL
        for (uint32_t t = 0; t < Tiles; ++t) {
          acc[plane][r][t] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wv[t], xv, acc[plane][r][t]);
        }
      }
    }
  }
  // Σ c·w = Σ lo·w + 128 Σ hi·w − d_r Σ w (Eq. 56 with d_r = 255, Eq. 58 with one plane).
  QUANTLAB_UNROLL
  for (uint32_t r = 0; r < kBlockRows; ++r) {
    if (row0 + r >= p.m) break;
    const v128_t offset = wasm_i32x4_splat(p.offsets[row0 + r]);
    QUANTLAB_UNROLL
    for (uint32_t t = 0; t < Tiles; ++t) {
      const uint32_t col = col0 + t * kTileN;
      if (col >= p.n) continue;
      v128_t exact = acc[0][r][t];
      if (Planes == 2) exact = wasm_i32x4_add(exact, wasm_i32x4_shl(acc[Planes - 1][r][t], 7));
      exact = wasm_i32x4_sub(exact, wasm_i32x4_mul(wasm_v128_load(sums + t * 16), offset));
      store_lanes(exact, p.acc + (row0 + r) * p.ldacc + col, min_u32(kTileN, p.n - col));
    }
  }
}

}  // namespace
}  // namespace quantlab::kernels::relaxed

QUANTLAB_RELAXED_EXPORT(quantlab_relaxed_qc8w)
void quantlab_relaxed_qc8w(const quantlab::kernels::relaxed::QC8WArgs* args) {
  using namespace quantlab::kernels::relaxed;
  const QC8WArgs& p = *args;
  const uint32_t padded_n = (p.n + kTileN - 1) / kTileN * kTileN;
  const uint32_t block_bytes = kBlockRows * (p.kpad / 4) * p.planes * kPlaneQuadBytes;
  for (uint32_t col0 = 0; col0 < p.n; col0 += kPanelN) {
    lay_out_quads(p.packed + col0 * p.kpad, min_u32(kPanelN, padded_n - col0), p.kpad, p.scratch);
    const int8_t* sums = p.scratch + p.kpad / 4 * kPanelTiles * 16;
    for (uint32_t row0 = 0; row0 < p.m; row0 += kBlockRows) {
      const uint8_t* a = p.a + row0 / kBlockRows * block_bytes;
      if (p.planes == 1) {
        block<1, kPanelTiles>(p, a, p.scratch, sums, row0, col0);
        continue;
      }
      for (uint32_t half = 0; half < kPanelTiles; half += 2) {
        const uint32_t col = col0 + half * kTileN;
        if (col >= p.n) break;
        block<2, 2>(p, a, p.scratch + half * 16, sums + half * 16, row0, col);
      }
    }
  }
}
