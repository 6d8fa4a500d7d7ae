// Per-value quantization steps (quant layer): the one definition of Eqs. 1, 4 and 9 for a single
// value, shared by the reference rows, the SIMD tails and the kernels' nibble packing. The SIMD
// bodies dequantize with the same float operations in the same order and quantize by Eq. 4a, which
// yields the same integers as Eq. 4 here; both are checked bit for bit by the tests.
#pragma once

#include <algorithm>
#include <cstdint>

#include "quantlab/quant.h"

namespace quantlab {

// Eq. 4: q = clamp(round_half_to_even(x / scale) + zero_point, qmin, qmax). The clamp happens
// in float so that huge x/scale never reaches an int conversion out of range.
inline int32_t quantize_value(float x, AffineParams p, IntRange r) {
  float q = round_half_to_even(x / p.scale) + static_cast<float>(p.zero_point);
  q = std::min(std::max(q, static_cast<float>(r.qmin)), static_cast<float>(r.qmax));
  return static_cast<int32_t>(q);
}

// Eq. 1: real = scale * (q - zero_point), the difference taken exactly in integers.
inline float dequantize_value(int32_t q, AffineParams p) {
  return static_cast<float>(q - p.zero_point) * p.scale;
}

// Eq. 9: element 2j in the low nibble of byte j, element 2j+1 in the high nibble.
inline uint8_t pack_nibbles(int32_t low, int32_t high) {
  return static_cast<uint8_t>((low & 0x0F) | ((high & 0x0F) << 4));
}

inline int32_t unpack_nibble(uint8_t byte, bool high, bool is_signed) {
  const int32_t nibble = high ? byte >> 4 : byte & 0x0F;
  return is_signed && nibble >= 8 ? nibble - 16 : nibble;
}

}  // namespace quantlab
