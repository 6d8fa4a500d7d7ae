// W4A32 (weight-only 4-bit) GEMM with WebAssembly SIMD128.
//
// GEMM (the block kernel): per 16-byte block (4 columns × 8 k) each k pair's codes (one i16x8,
// packed_layouts.h) have the group's zero point subtracted in i16, are split by k-parity into
// two i32x4 (one lane per column), converted to f32 and scaled by the group's scales; then each
// row does two mul+add with splatted activations. The dequantization is paid once per block and
// shared by all rows of the register block.
//
// GEMV (M = 1, full panels): gemv_tile, one tile at a time over all groups, with per-group float
// sums scaled once per group (see gemv_group_tile).
#include <algorithm>
#include <vector>

#include "common/simd128.h"
#include "kernels/gemm_blocking.h"
#include "kernels/kernel_impls.h"
#include "kernels/qc4w_blocks.h"

namespace quantlab::kernels {
namespace {

struct Problem {
  const float* a;  // rows padded with zeros to kpad
  size_t kpad;
  const PackedQC4W& w;
  const float* bias;
  float* c;
  size_t ldc;
};

template <size_t Tiles>
struct GroupParams {
  v128_t zero_points[Tiles];  // i16 lanes: the column's zero point at both k-parities
  v128_t scales[Tiles];
};

template <size_t Tiles>
GroupParams<Tiles> group_params(const PackedQC4W& w, size_t col0, size_t group) {
  GroupParams<Tiles> params;
  for (size_t t = 0; t < Tiles; ++t) {
    const size_t param = packed_qc4w_param_index(w, col0 + t * kIntTileN, group);
    const v128_t zp = wasm_i32x4_load16x4(w.zero_points.data() + param);
    params.zero_points[t] = wasm_v128_or(zp, wasm_i32x4_shl(zp, 16));
    params.scales[t] = wasm_v128_load(w.scales.data() + param);
  }
  return params;
}

template <int Pair, size_t Rows, size_t Tiles>
inline void mul_add_pair(const float* const* rows, size_t k0, const v128_t* blocks,
                         const GroupParams<Tiles>& params, v128_t (&out)[Rows][Tiles]) {
  for (size_t t = 0; t < Tiles; ++t) {
    const v128_t centered =
        wasm_i16x8_sub(block_pair_codes<Pair>(blocks[t]), params.zero_points[t]);
    const v128_t even = wasm_i32x4_shr(wasm_i32x4_shl(centered, 16), 16);
    const v128_t odd = wasm_i32x4_shr(centered, 16);
    const v128_t w_even = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(even), params.scales[t]);
    const v128_t w_odd = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(odd), params.scales[t]);
    for (size_t r = 0; r < Rows; ++r) {
      const v128_t x_even = wasm_v128_load32_splat(rows[r] + k0 + 2 * Pair);
      const v128_t x_odd = wasm_v128_load32_splat(rows[r] + k0 + 2 * Pair + 1);
      out[r][t] = wasm_f32x4_add(
          out[r][t], wasm_f32x4_add(wasm_f32x4_mul(x_even, w_even), wasm_f32x4_mul(x_odd, w_odd)));
    }
  }
}

template <size_t Rows, size_t Tiles>
void block(const Problem& p, size_t row0, size_t col0) {
  const PackedQC4W& w = p.w;
  const uint8_t* tile_blocks = qc4w_tile_blocks(w, col0);
  const size_t panel_tiles = qc4w_panel_tiles(w, col0);
  const float* rows[Rows];
  for (size_t r = 0; r < Rows; ++r) rows[r] = p.a + (row0 + r) * p.kpad;

  v128_t out[Rows][Tiles];
  for (auto& row : out) std::fill(row, row + Tiles, wasm_f32x4_splat(0.0f));
  for (size_t g = 0; g < w.groups(); ++g) {
    const GroupParams<Tiles> params = group_params<Tiles>(w, col0, g);
    for_each_group_block<Tiles>(w, tile_blocks, panel_tiles, g,
                                [&](size_t k0, const v128_t* blocks) {
                                  mul_add_pair<0>(rows, k0, blocks, params, out);
                                  mul_add_pair<1>(rows, k0, blocks, params, out);
                                  mul_add_pair<2>(rows, k0, blocks, params, out);
                                  mul_add_pair<3>(rows, k0, blocks, params, out);
                                });
  }
  const size_t cols = std::min(Tiles * kIntTileN, w.n - col0);
  for (size_t r = 0; r < Rows; ++r) {
    store_with_bias(out[r], cols, p.bias != nullptr ? p.bias + col0 : nullptr,
                    p.c + (row0 + r) * p.ldc + col0);
  }
}

// The GEMV's sum over one group and one tile of Σ_k x_k · (u_k - zp), scaled by the caller once
// per group rather than per weight.
//
// Read as i32x4, a block's lane j holds column j's codes: nibble p of the low half at k = 2p,
// of the high half at k = 2p + 1 (packed_layouts.h), so each k's codes take a shift and a mask,
// with no sign extension. OR-ing 2^23's exponent onto a code u < 2^23 gives the float 2^23 + u
// exactly, and subtracting the float 2^23 + zp leaves u - zp exactly: that replaces
// i32x4.convert and the zero-point subtraction, and keeps the shift pipes (which the
// sign-extending split of the block kernel above saturated) mostly free. Measured in Node 20 at
// 1×4096×11008: 5.1–5.4 ms (with gemv_tile below), against 6.2–6.9 ms for the block kernel.
// Passes over 2 or 4 tiles at once, and a loop over k pairs (fewer live registers), were no
// faster. The unpacking (14 shifts and masks per 32 weights) is the largest cost: with it
// skipped (wrong results, timing only) the kernel took 4.1–4.5 ms.
//
// One tile at a time: its 8 activation splats per block are all live at once in V8's code; the
// other tiles of the panel re-read its bytes from the caches (K · 8 bytes per panel). Only for
// full panels: a block's tiles sit kStride bytes apart.
inline v128_t gemv_group_tile(const float* x, const uint8_t* tile_blocks, BlockRange range,
                              v128_t offsets) {
  constexpr size_t kStride = kIntPanelTiles * 16;
  constexpr int32_t kExponent = 0x4B000000;  // the bits of 2^23
  const v128_t nibble = wasm_i32x4_splat(0x0000000F);
  const v128_t exponent = wasm_i32x4_splat(kExponent);
  v128_t acc = wasm_f32x4_splat(0.0f);
  x += range.begin * kIntBlockK;
  const uint8_t* end = tile_blocks + range.end * kStride;
  for (const uint8_t* at = tile_blocks + range.begin * kStride; at != end;
       at += kStride, x += kIntBlockK) {
    const v128_t block = wasm_v128_load(at);
    // Σ over k = 2p, 2p + 1 of x_k · (u_k - zp).
    const auto pair = [&](auto pair_index) {
      constexpr int kPair = decltype(pair_index)::value;
      const v128_t even = kPair == 0 ? wasm_v128_and(block, nibble)
                                     : wasm_v128_and(wasm_u32x4_shr(block, 4 * kPair), nibble);
      const v128_t odd = kPair == 3 ? wasm_u32x4_shr(block, 28)
                                    : wasm_v128_and(wasm_u32x4_shr(block, 16 + 4 * kPair), nibble);
      const v128_t w_even = wasm_f32x4_sub(wasm_v128_or(even, exponent), offsets);
      const v128_t w_odd = wasm_f32x4_sub(wasm_v128_or(odd, exponent), offsets);
      return wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load32_splat(x + 2 * kPair), w_even),
                            wasm_f32x4_mul(wasm_v128_load32_splat(x + 2 * kPair + 1), w_odd));
    };
    // A tree, so that the chain through `acc` is one add per block, not eight.
    const v128_t low = wasm_f32x4_add(pair(std::integral_constant<int, 0>{}),
                                      pair(std::integral_constant<int, 1>{}));
    const v128_t high = wasm_f32x4_add(pair(std::integral_constant<int, 2>{}),
                                       pair(std::integral_constant<int, 3>{}));
    acc = wasm_f32x4_add(acc, wasm_f32x4_add(low, high));
  }
  return acc;
}

// One tile of a GEMV over all groups: per group the float sum of Eq. 16's inner product with
// the codes, then one multiply by the group's scales. Not inlined, so that V8 allocates its
// registers for this loop alone (inlined into the panel loop, the accumulator was spilled on
// every block).
template <bool Symmetric>
__attribute__((noinline)) v128_t gemv_tile(const Problem& p, size_t col0) {
  const PackedQC4W& w = p.w;
  const uint8_t* tile_blocks = w.data.data() + packed_qc4w_block(w, col0, 0);
  constexpr float kTwoPow23 = 8388608.0f;
  v128_t offsets = wasm_f32x4_splat(kTwoPow23 + kSymmetricZeroPoint);
  v128_t out = wasm_f32x4_splat(0.0f);
  for (size_t g = 0; g < w.groups(); ++g) {
    const size_t param = packed_qc4w_param_index(w, col0, g);
    if constexpr (!Symmetric) {
      offsets = wasm_f32x4_add(
          wasm_f32x4_convert_i32x4(wasm_i32x4_load16x4(w.zero_points.data() + param)),
          wasm_f32x4_splat(kTwoPow23));
    }
    const v128_t sum = gemv_group_tile(p.a, tile_blocks, group_blocks(w, g), offsets);
    out = wasm_f32x4_add(out, wasm_f32x4_mul(sum, wasm_v128_load(w.scales.data() + param)));
  }
  return out;
}

// GEMV over a full panel (4 tiles).
template <bool Symmetric>
void gemv_panel(const Problem& p, size_t col0) {
  v128_t out[kIntPanelTiles];
  for (size_t t = 0; t < kIntPanelTiles; ++t)
    out[t] = gemv_tile<Symmetric>(p, col0 + t * kIntTileN);
  store_with_bias(out, kIntPanelTiles * kIntTileN, p.bias != nullptr ? p.bias + col0 : nullptr,
                  p.c + col0);
}

// Columns of a panel: `Tiles` tiles at a time while they fill it, then single tiles.
template <size_t Rows, size_t Tiles>
void panel(const Problem& p, size_t row0, size_t col0, size_t cols) {
  if (cols == Tiles * kIntTileN) {
    block<Rows, Tiles>(p, row0, col0);
    return;
  }
  for (size_t col = col0; col < col0 + cols; col += kIntTileN) block<Rows, 1>(p, row0, col);
}

}  // namespace

void gemm_f32_qc4w__wasmsimd(size_t m, const float* a, size_t lda, const PackedQC4W& w,
                             const float* bias, float* c, size_t ldc) {
  // The kernel reads whole blocks of 8 k: give it rows padded with zeros.
  const size_t kpad = round_up(w.k, kIntBlockK);
  std::vector<float> padded(m * kpad, 0.0f);
  for (size_t i = 0; i < m; ++i)
    std::copy(a + i * lda, a + i * lda + w.k, padded.data() + i * kpad);
  const Problem p{padded.data(), kpad, w, bias, c, ldc};
  // GEMV (M = 1) takes whole panels (gemv_panel; a partial last panel goes through the block
  // kernel); GEMM shares each dequantized tile among 4 rows.
  constexpr size_t kRows = 4;
  constexpr size_t kGemvTiles = 4;
  const size_t panel_cols = (m == 1 ? kGemvTiles : 1) * kIntTileN;
  for_each_block<kRows>(m, w.n, kpad * sizeof(float), panel_cols,
                        [&](size_t row0, size_t rows, size_t col0, size_t cols) {
                          if (m == 1) {
                            if (cols == kGemvTiles * kIntTileN) {
                              p.w.symmetric ? gemv_panel<true>(p, col0)
                                            : gemv_panel<false>(p, col0);
                            } else {
                              panel<1, kGemvTiles>(p, row0, col0, cols);
                            }
                            return;
                          }
                          with_rows<kRows>(rows, [&](auto r) { panel<r, 1>(p, row0, col0, cols); });
                        });
}

}  // namespace quantlab::kernels
