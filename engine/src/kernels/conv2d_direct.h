// Direct Conv2d for one input channel at stride 1 (a CNN's first layer), where im2col's
// K = kh · kw is too short for the GEMMs: four adjacent output pixels per SIMD vector, the
// kernel's taps splatted once per output channel, output planes written in place (no
// transpose). Works on one image, zero-padded here.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quantlab/kernels.h"

namespace quantlab::kernels {

// The splatted taps live in registers/stack: kernels of at most this many taps go direct.
inline constexpr size_t kDirectConvMaxTaps = 25;

inline bool conv2d_direct_applies(const Conv2dShape& s) {
  return s.in_channels == 1 && s.stride == 1 && s.reduction() <= kDirectConvMaxTaps;
}

// out[o, y, x] = bias[o] + Σ_taps weights[o, tap] · image(y + ky - pad, x + kx - pad).
// weights: real values [out, K]; bias may be null.
void conv2d_direct_f32(const Conv2dShape& s, const float* image, const float* weights,
                       const float* bias, float* out);

// Integer taps over a centered image, exact per group of `group_size` taps in int32:
//   out[o, y, x] = bias[o] + Σ_g scales[o · groups + g] · Σ_{tap in g} weights[o, tap] · image
// with scales already multiplied by the image's scale.
void conv2d_direct_centered(const Conv2dShape& s, const int16_t* image, const int32_t* weights,
                            size_t group_size, const float* scales, const float* bias, float* out);

}  // namespace quantlab::kernels
