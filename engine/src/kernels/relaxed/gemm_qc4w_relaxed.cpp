// W4A8 with relaxed SIMD: i32x4.relaxed_dot_i8x16_i7x16_add multiplies 16 int8 activation
// codes by 16 4-bit weight codes and adds each group of 4 products into an i32 lane, one
// instruction (AVX-VNNI's vpdpbusd where V8 has it) for what took four dots and four adds (and
// a nibble spread) with i32x4.dot_i16x8. Exact on every lowering (Eq. 57): the codes u are in
// [0, 15], so the 7-bit operand's high bit is clear, and a pair sum is at most
// 2 · 128 · 15 = 3840 in magnitude.
//
// The packed layout is PackedQC4W's (packed_layouts.h): a 16-byte block holds 8 k of 4
// columns, column j's nibbles in bytes 4j..4j+3 as (k0 k2)(k4 k6)(k1 k3)(k5 k7). Masking the low
// nibbles gives bytes (k0 k4 k1 k5) per column, the high ones (k2 k6 k3 k7); the activations
// arrive permuted to match, so two splats per block meet them directly.
#include "kernels/relaxed/relaxed_abi.h"
#include "kernels/relaxed/relaxed_simd.h"

namespace quantlab::kernels::relaxed {
namespace {

constexpr uint32_t kTileN = 4;
constexpr uint32_t kPanelTiles = 4;
constexpr uint32_t kBlockK = 8;

inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

// Per group: blocks [first, end) of the packed rows.
struct Blocks {
  uint32_t first;
  uint32_t end;
};
inline Blocks group_blocks(const QC4WArgs& p, uint32_t g) {
  const uint32_t k_end = min_u32(p.k, (g + 1) * p.group_size);
  return {g * p.group_size / kBlockK, (k_end + kBlockK - 1) / kBlockK};
}

// Rows × Tiles outputs over tiles [tile0, tile0 + Tiles) of one panel.
template <uint32_t Rows, uint32_t Tiles>
void block(const QC4WArgs& p, uint32_t row0, uint32_t tile0, uint32_t panel_tiles,
           const uint8_t* tile_blocks) {
  const v128_t low_nibbles = wasm_i8x16_splat(0x0F);
  const int8_t* rows[Rows];
  QUANTLAB_UNROLL
  for (uint32_t r = 0; r < Rows; ++r) rows[r] = p.a + (row0 + r) * p.kpad;
  v128_t out[Rows][Tiles];
  QUANTLAB_UNROLL
  for (uint32_t r = 0; r < Rows; ++r) {
    QUANTLAB_UNROLL
    for (uint32_t t = 0; t < Tiles; ++t) out[r][t] = wasm_f32x4_splat(0.0f);
  }
  for (uint32_t g = 0; g < p.groups; ++g) {
    const Blocks range = group_blocks(p, g);
    v128_t sum[Rows][Tiles];
    QUANTLAB_UNROLL
    for (uint32_t r = 0; r < Rows; ++r) {
      QUANTLAB_UNROLL
      for (uint32_t t = 0; t < Tiles; ++t) sum[r][t] = wasm_i32x4_splat(0);
    }
    for (uint32_t b = range.first; b < range.end; ++b) {
      // Each tile's two code vectors meet every row's splats at once: the codes do not stay
      // live across tiles, which keeps V8 from spilling the sums.
      QUANTLAB_UNROLL
      for (uint32_t t = 0; t < Tiles; ++t) {
        const v128_t codes = wasm_v128_load(tile_blocks + (b * panel_tiles + t) * 16);
        const v128_t low = wasm_v128_and(codes, low_nibbles);
        const v128_t high = wasm_v128_and(wasm_u16x8_shr(codes, 4), low_nibbles);
        QUANTLAB_UNROLL
        for (uint32_t r = 0; r < Rows; ++r) {
          const int8_t* x = rows[r] + b * kBlockK;
          sum[r][t] =
              wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load32_splat(x), low, sum[r][t]);
          sum[r][t] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load32_splat(x + 4), high,
                                                             sum[r][t]);
        }
      }
    }
    // Σ (a − z_a)(u − z_w) = Σ a·u − z_w Σ (a − z_a) − z_a Σ u (Eq. 57).
    QUANTLAB_UNROLL
    for (uint32_t t = 0; t < Tiles; ++t) {
      const uint32_t param = ((tile0 + t) * p.groups + g) * kTileN;
      const v128_t code_sum = wasm_v128_load(p.code_sums + param);
      const v128_t zero_point =
          p.symmetric ? wasm_i32x4_splat(8) : wasm_i32x4_load16x4(p.zero_points + param);
      QUANTLAB_UNROLL
      for (uint32_t r = 0; r < Rows; ++r) {
        const uint32_t row = row0 + r;
        const v128_t exact = wasm_i32x4_sub(
            wasm_i32x4_sub(
                sum[r][t],
                wasm_i32x4_mul(zero_point, wasm_i32x4_splat(p.centered_sums[row * p.groups + g]))),
            wasm_i32x4_mul(code_sum, wasm_i32x4_splat(p.a_zero_points[row])));
        if (p.c == nullptr) {
          // Per-group output: lane j is column col0 + j, groups apart.
          const uint32_t col0 = (tile0 + t) * kTileN;
          int32_t* out = p.acc + (row * p.n + col0) * p.groups + g;
          const uint32_t cols = min_u32(kTileN, p.n - col0);
          if (cols > 0) out[0] = wasm_i32x4_extract_lane(exact, 0);
          if (cols > 1) out[p.groups] = wasm_i32x4_extract_lane(exact, 1);
          if (cols > 2) out[2 * p.groups] = wasm_i32x4_extract_lane(exact, 2);
          if (cols > 3) out[3 * p.groups] = wasm_i32x4_extract_lane(exact, 3);
        } else {
          // The same float operations in the same order as the SIMD128 kernel.
          out[r][t] = wasm_f32x4_add(out[r][t], wasm_f32x4_mul(wasm_f32x4_convert_i32x4(exact),
                                                               wasm_v128_load(p.scales + param)));
        }
      }
    }
  }
  if (p.c == nullptr) return;
  QUANTLAB_UNROLL
  for (uint32_t r = 0; r < Rows; ++r) {
    const v128_t a_scale = wasm_f32x4_splat(p.a_scales[row0 + r]);
    float* c = p.c + (row0 + r) * p.ldc;
    QUANTLAB_UNROLL
    for (uint32_t t = 0; t < Tiles; ++t) {
      const uint32_t col0 = (tile0 + t) * kTileN;
      if (col0 >= p.n) continue;
      v128_t v = wasm_f32x4_mul(out[r][t], a_scale);
      const uint32_t cols = min_u32(kTileN, p.n - col0);
      if (p.bias != nullptr) {
        // Lanes past N add 0 instead of reading past the bias.
        v = wasm_f32x4_add(
            v, cols == kTileN ? wasm_v128_load(p.bias + col0)
                              : wasm_f32x4_make(p.bias[col0], cols > 1 ? p.bias[col0 + 1] : 0.0f,
                                                cols > 2 ? p.bias[col0 + 2] : 0.0f, 0.0f));
      }
      store_lanes(v, c + col0, cols);
    }
  }
}

// All rows over the tiles of one panel: Tiles at a time while they fill it, then one.
template <uint32_t Rows, uint32_t Tiles>
void panel_rows(const QC4WArgs& p, uint32_t row0, uint32_t first_tile, uint32_t panel_tiles,
                const uint8_t* panel) {
  uint32_t t = 0;
  for (; t + Tiles <= panel_tiles; t += Tiles) {
    block<Rows, Tiles>(p, row0, first_tile + t, panel_tiles, panel + t * 16);
  }
  for (; t < panel_tiles; ++t) block<Rows, 1>(p, row0, first_tile + t, panel_tiles, panel + t * 16);
}

}  // namespace
}  // namespace quantlab::kernels::relaxed

// GEMV (M = 1): 1 row × 4 tiles; GEMM: 2 rows × 2 tiles. Each output needs an f32 sum and an
// i32 group sum in registers.
QUANTLAB_RELAXED_EXPORT(quantlab_relaxed_qc4w)
void quantlab_relaxed_qc4w(const quantlab::kernels::relaxed::QC4WArgs* args) {
  using namespace quantlab::kernels::relaxed;
  const QC4WArgs& p = *args;
  const uint32_t tiles = (p.n + kTileN - 1) / kTileN;
  const uint32_t end_tile = (p.col_end + kTileN - 1) / kTileN;
  const uint32_t blocks_per_tile = p.kpad / kBlockK;
  for (uint32_t first_tile = p.col_begin / kTileN; first_tile < end_tile;
       first_tile += kPanelTiles) {
    const uint32_t panel_tiles = min_u32(kPanelTiles, tiles - first_tile);
    const uint8_t* panel = p.packed + first_tile * blocks_per_tile * 16;
    if (p.m == 1) {
      panel_rows<1, 4>(p, 0, first_tile, panel_tiles, panel);
      continue;
    }
    uint32_t row = 0;
    for (; row + 2 <= p.m; row += 2) panel_rows<2, 2>(p, row, first_tile, panel_tiles, panel);
    for (; row < p.m; ++row) panel_rows<1, 2>(p, row, first_tile, panel_tiles, panel);
  }
}
