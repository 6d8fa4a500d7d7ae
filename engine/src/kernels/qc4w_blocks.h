// Walking the 4-bit packed layout (packed_layouts.h) in SIMD kernels: which blocks of 8 k a
// group spans, and the four k pairs of a 16-byte block as i16x8 vectors of unsigned codes.
#pragma once

#include <algorithm>
#include <cstddef>

#include "common/simd128.h"
#include "kernels/packed_layouts.h"

namespace quantlab::kernels {

struct BlockRange {
  size_t begin;
  size_t end;
};

inline BlockRange group_blocks(const PackedQC4W& w, size_t group) {
  const size_t k_end = std::min(w.k, (group + 1) * w.group_size);
  return {group * w.group_size / kIntBlockK, round_up(k_end, kIntBlockK) / kIntBlockK};
}

// Codes of k pair `Pair` (0..3) of a block: lane l = column l/2 at k-parity l%2. The top
// nibble needs no mask: the logical shift brings in zeros.
template <int Pair>
inline v128_t block_pair_codes(v128_t block) {
  if constexpr (Pair == 3) {
    return wasm_u16x8_shr(block, 12);
  } else if constexpr (Pair == 0) {
    return wasm_v128_and(block, wasm_i16x8_splat(0x000F));
  } else {
    return wasm_v128_and(wasm_u16x8_shr(block, 4 * Pair), wasm_i16x8_splat(0x000F));
  }
}

// Calls step(k0, blocks) for each block of `group`, blocks[t] holding tile t's 16 bytes; tile t
// starts at tile_data + t · blocks_per_tile · 16.
template <size_t Tiles, typename Step>
inline void for_each_group_block(const PackedQC4W& w, const uint8_t* tile_data,
                                 size_t blocks_per_tile, size_t group, Step&& step) {
  const BlockRange range = group_blocks(w, group);
  for (size_t b = range.begin; b < range.end; ++b) {
    v128_t blocks[Tiles];
    for (size_t t = 0; t < Tiles; ++t) {
      blocks[t] = wasm_v128_load(tile_data + (t * blocks_per_tile + b) * 16);
    }
    step(b * kIntBlockK, blocks);
  }
}

// Stores the first `cols` lanes of Tiles f32x4 results to c, adding bias (may be null).
template <size_t Tiles>
inline void store_with_bias(const v128_t (&values)[Tiles], size_t cols, const float* bias,
                            float* c) {
  alignas(16) float lanes[Tiles * kIntTileN];
  for (size_t t = 0; t < Tiles; ++t) wasm_v128_store(lanes + t * kIntTileN, values[t]);
  for (size_t j = 0; j < cols; ++j) c[j] = bias != nullptr ? lanes[j] + bias[j] : lanes[j];
}

}  // namespace quantlab::kernels
