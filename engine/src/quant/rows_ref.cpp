// Scalar reference of the row primitives: the oracle the SIMD versions must equal bit for bit.
#include <algorithm>
#include <cmath>

#include "quantlab/quant.h"
#include "quantlab/quant_values.h"

namespace quantlab {

FloatRange float_range_ref(const float* x, size_t n) {
  FloatRange range{x[0], x[0], true};
  for (size_t i = 0; i < n; ++i) {
    range.finite = range.finite && std::isfinite(x[i]);
    range.min = std::min(range.min, x[i]);
    range.max = std::max(range.max, x[i]);
  }
  return range;
}

void quantize_row_i8_ref(const float* x, size_t n, AffineParams p, IntRange r, int8_t* q) {
  for (size_t i = 0; i < n; ++i) q[i] = static_cast<int8_t>(quantize_value(x[i], p, r));
}

void quantize_row_centered_i16_ref(const float* x, size_t n, AffineParams p, IntRange r,
                                   int16_t* centered) {
  for (size_t i = 0; i < n; ++i) {
    centered[i] = static_cast<int16_t>(quantize_value(x[i], p, r) - p.zero_point);
  }
}

void dequantize_row_i8_ref(const int8_t* q, size_t n, AffineParams p, float* x) {
  for (size_t i = 0; i < n; ++i) x[i] = dequantize_value(q[i], p);
}

void quantize_row_i4_ref(const float* x, size_t n, AffineParams p, IntRange r, uint8_t* packed) {
  for (size_t i = 0; i < n; i += 2) {
    const int32_t low = quantize_value(x[i], p, r);
    const int32_t high = i + 1 < n ? quantize_value(x[i + 1], p, r) : 0;
    packed[i / 2] = pack_nibbles(low, high);  // Eq. 9
  }
}

void dequantize_row_i4_ref(const uint8_t* packed, size_t n, AffineParams p, bool is_signed,
                           float* x) {
  for (size_t i = 0; i < n; ++i) {
    x[i] = dequantize_value(unpack_nibble(packed[i / 2], i % 2 == 1, is_signed), p);
  }
}

}  // namespace quantlab
