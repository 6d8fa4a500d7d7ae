// INT8-weight GEMM with relaxed SIMD: i32x4.relaxed_dot_i8x16_i7x16_add multiplies 16 int8
// weights by 16 7-bit values and adds each group of 4 products into an i32 lane (one column),
// one instruction (AVX-VNNI's vpdpbusd where V8 has it) for 16 multiply-adds. The 7-bit operand
// must be the activations, whose centered values c = q − z_a span [−255, 255]: the engine
// offsets them to c + 255 in [0, 510] and splits that into a low 7-bit part and a high part in
// [0, 3] (Eq. 56), so each 4-k step takes two dots per row, and
// Σ c·w = Σ lo·w + 128 Σ hi·w − 255 Σ w.
//
// Weights: PackedQC8W's k-pair panels (packed_layouts.h) are laid out again, per panel, in k
// quads ([quad][tile][column][4 k], 16 bytes per tile), which one shuffle of two k pairs gives;
// the panel's column sums Σ_k w come from the same pass. Rows are taken two at a time with two
// tiles (8 i32 accumulators, 2 weight vectors, 4 splats per quad).
#include "kernels/relaxed/relaxed_abi.h"
#include "kernels/relaxed/relaxed_simd.h"

namespace quantlab::kernels::relaxed {
namespace {

constexpr uint32_t kTileN = 4;
constexpr uint32_t kPanelN = 16;
constexpr uint32_t kPanelTiles = kPanelN / kTileN;
constexpr uint32_t kBlockRows = 2;
constexpr uint32_t kRowQuadBytes = 8;  // 4 low bytes, 4 high bytes

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

// Rows × Tiles outputs: `a` at the rows' block of activations, `w` at the first tile of the quad
// layout, sums at the tiles' Σ_k w.
template <uint32_t Rows, uint32_t Tiles>
void block(const QC8WArgs& p, const uint8_t* a, const int8_t* w, const int8_t* sums, uint32_t row0,
           uint32_t col0) {
  v128_t low[Rows][Tiles], high[Rows][Tiles];
  QUANTLAB_UNROLL
  for (uint32_t r = 0; r < Rows; ++r) {
    QUANTLAB_UNROLL
    for (uint32_t t = 0; t < Tiles; ++t) low[r][t] = high[r][t] = wasm_i32x4_splat(0);
  }
  const uint32_t quads = p.kpad / 4;
  for (uint32_t q = 0; q < quads; ++q) {
    v128_t wv[Tiles];
    QUANTLAB_UNROLL
    for (uint32_t t = 0; t < Tiles; ++t) wv[t] = wasm_v128_load(w + (q * kPanelTiles + t) * 16);
    const uint8_t* x = a + q * kBlockRows * kRowQuadBytes;
    QUANTLAB_UNROLL
    for (uint32_t r = 0; r < Rows; ++r) {
      const v128_t x_low = wasm_v128_load32_splat(x + r * kRowQuadBytes);
      const v128_t x_high = wasm_v128_load32_splat(x + r * kRowQuadBytes + 4);
      QUANTLAB_UNROLL
      for (uint32_t t = 0; t < Tiles; ++t) {
        low[r][t] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wv[t], x_low, low[r][t]);
        high[r][t] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wv[t], x_high, high[r][t]);
      }
    }
  }
  // Σ c·w = Σ lo·w + 128 Σ hi·w − 255 Σ w (Eq. 56).
  QUANTLAB_UNROLL
  for (uint32_t r = 0; r < Rows; ++r) {
    QUANTLAB_UNROLL
    for (uint32_t t = 0; t < Tiles; ++t) {
      const uint32_t col = col0 + t * kTileN;
      if (col >= p.n) continue;
      const v128_t exact =
          wasm_i32x4_sub(wasm_i32x4_add(low[r][t], wasm_i32x4_shl(high[r][t], 7)),
                         wasm_i32x4_mul(wasm_v128_load(sums + t * 16), wasm_i32x4_splat(255)));
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
  const uint32_t block_bytes = kBlockRows * (p.kpad / 4) * kRowQuadBytes;
  for (uint32_t col0 = 0; col0 < p.n; col0 += kPanelN) {
    lay_out_quads(p.packed + col0 * p.kpad, min_u32(kPanelN, padded_n - col0), p.kpad, p.scratch);
    const int8_t* sums = p.scratch + p.kpad / 4 * kPanelTiles * 16;
    for (uint32_t row0 = 0; row0 < p.m; row0 += kBlockRows) {
      const uint8_t* a = p.a + row0 / kBlockRows * block_bytes;
      for (uint32_t half = 0; half < kPanelTiles; half += 2) {
        const uint32_t col = col0 + half * kTileN;
        if (col >= p.n) break;
        const int8_t* w = p.scratch + half * 16;
        if (p.m - row0 >= kBlockRows) {
          block<kBlockRows, 2>(p, a, w, sums + half * 16, row0, col);
        } else {
          block<1, 2>(p, a, w, sums + half * 16, row0, col);
        }
      }
    }
  }
}
