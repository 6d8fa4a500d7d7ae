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

// Where the blocks of the tile holding column col0 start (packed_layouts.h): block b of that tile
// and of the t-th tile after it in the same panel of `panel_tiles` tiles sits at
// tile_blocks + (b · panel_tiles + t) · 16.
inline const uint8_t* qc4w_tile_blocks(const PackedQC4W& w, size_t col0) {
  return w.data.data() + packed_qc4w_block(w, col0, 0);
}

// Calls step(k0, blocks) for each block in `range`, blocks[t] holding the 16 bytes of the t-th
// tile from tile_blocks (all Tiles in one panel).
template <size_t Tiles, typename Step>
inline void for_each_packed_block(const uint8_t* tile_blocks, size_t panel_tiles, BlockRange range,
                                  Step&& step) {
  for (size_t b = range.begin; b < range.end; ++b) {
    v128_t blocks[Tiles];
    for (size_t t = 0; t < Tiles; ++t) {
      blocks[t] = wasm_v128_load(tile_blocks + (b * panel_tiles + t) * 16);
    }
    step(b * kIntBlockK, blocks);
  }
}

// The same over the blocks of `group`.
template <size_t Tiles, typename Step>
inline void for_each_group_block(const PackedQC4W& w, const uint8_t* tile_blocks,
                                 size_t panel_tiles, size_t group, Step&& step) {
  for_each_packed_block<Tiles>(tile_blocks, panel_tiles, group_blocks(w, group), step);
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
