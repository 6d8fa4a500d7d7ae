#include <string>

#include "kernels/packed_layouts.h"
#include "quantlab/error.h"

namespace quantlab::kernels {

PackedF32 pack_f32(const float* w, size_t n, size_t k) {
  require(n > 0 && k > 0 && w != nullptr, "pack_f32 needs a non-empty weight, got N = " +
                                              std::to_string(n) + ", K = " + std::to_string(k));
  PackedF32 packed;
  packed.n = n;
  packed.k = k;
  packed.data = AlignedBuffer(round_up(n, kF32TileN) * k * sizeof(float));
  float* out = reinterpret_cast<float*>(packed.data.data());
  for (size_t col = 0; col < n; ++col) {
    for (size_t i = 0; i < k; ++i) {
      out[(col / kF32TileN * k + i) * kF32TileN + col % kF32TileN] = w[col * k + i];
    }
  }
  return packed;
}

}  // namespace quantlab::kernels
