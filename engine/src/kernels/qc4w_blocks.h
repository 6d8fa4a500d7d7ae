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

}  // namespace quantlab::kernels
