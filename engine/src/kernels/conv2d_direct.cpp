#include "kernels/conv2d_direct.h"

#include <algorithm>
#include <vector>

#include "common/simd128.h"
#include "kernels/packed_layouts.h"

namespace quantlab::kernels {
namespace {

constexpr size_t kLanes = 4;
// Output pixels per block of the 3×3 integer kernel; its loads reach kPairBlock values further.
constexpr size_t kPairBlock = 8;

// The image inside a zero border of `padding`, rows wide enough that the last vector of a row
// (out_w rounded up to the lanes, plus the kernel's reach) stays inside the buffer.
template <typename T>
struct PaddedImage {
  size_t width = 0;
  const T* data = nullptr;
};

template <typename T>
PaddedImage<T> pad_image(const Conv2dShape& s, const T* image) {
  thread_local std::vector<T> buffer;
  const size_t width = round_up(s.out_width(), kPairBlock) + s.kernel_w - 1 + kPairBlock;
  const size_t height = s.height + 2 * s.padding;
  buffer.assign(width * height, T{0});
  for (size_t y = 0; y < s.height; ++y) {
    std::copy_n(image + y * s.width, s.width, buffer.data() + (y + s.padding) * width + s.padding);
  }
  return {width, buffer.data()};
}

// Stores the first `count` lanes of v.
void store_lanes(float* out, v128_t v, size_t count) {
  if (count == kLanes) {
    wasm_v128_store(out, v);
    return;
  }
  alignas(16) float lanes[kLanes];
  wasm_v128_store(lanes, v);
  std::copy_n(lanes, count, out);
}

// Calls f(out pointer, first pixel of the row block, lanes to store) over one output plane.
template <typename F>
void for_each_vector(const Conv2dShape& s, float* plane, F f) {
  const size_t out_w = s.out_width();
  for (size_t oy = 0; oy < s.out_height(); ++oy) {
    for (size_t ox = 0; ox < out_w; ox += kLanes) {
      f(plane + oy * out_w + ox, oy, ox, std::min(kLanes, out_w - ox));
    }
  }
}

// KernelH/KernelW: compile-time kernel (0: run-time), so that a 3×3 kernel's tap loops unroll
// into straight-line loads and multiply-adds; with the run-time loops the 3×3 first layer ran
// about 1.6× slower in V8.
template <size_t KernelH, size_t KernelW>
void direct_f32(const Conv2dShape& s, const float* image, const float* weights, const float* bias,
                float* out) {
  const size_t kh = KernelH != 0 ? KernelH : s.kernel_h;
  const size_t kw = KernelW != 0 ? KernelW : s.kernel_w;
  const PaddedImage<float> padded = pad_image(s, image);
  const size_t plane = s.out_height() * s.out_width();
  v128_t w[kDirectConvMaxTaps];
  for (size_t o = 0; o < s.out_channels; ++o) {
    for (size_t t = 0; t < kh * kw; ++t) w[t] = wasm_f32x4_splat(weights[o * kh * kw + t]);
    const v128_t start = wasm_f32x4_splat(bias != nullptr ? bias[o] : 0.0f);
    for_each_vector(s, out + o * plane, [&](float* dst, size_t oy, size_t ox, size_t count) {
      v128_t acc = start;
      for (size_t ky = 0; ky < kh; ++ky) {
        const float* row = padded.data + (oy + ky) * padded.width + ox;
        for (size_t kx = 0; kx < kw; ++kx) {
          acc = wasm_f32x4_add(acc, wasm_f32x4_mul(w[ky * kw + kx], wasm_v128_load(row + kx)));
        }
      }
      store_lanes(dst, acc, count);
    });
  }
}

void direct_centered(const Conv2dShape& s, const int16_t* image, const int32_t* weights,
                     size_t group, const float* scales, const float* bias, float* out) {
  const size_t kw = s.kernel_w;
  const size_t taps = s.reduction();
  const size_t groups = (taps + group - 1) / group;
  const PaddedImage<int16_t> padded = pad_image(s, image);
  const size_t plane = s.out_height() * s.out_width();
  v128_t w[kDirectConvMaxTaps];
  for (size_t o = 0; o < s.out_channels; ++o) {
    for (size_t t = 0; t < taps; ++t) w[t] = wasm_i32x4_splat(weights[o * taps + t]);
    const v128_t start = wasm_f32x4_splat(bias != nullptr ? bias[o] : 0.0f);
    for_each_vector(s, out + o * plane, [&](float* dst, size_t oy, size_t ox, size_t count) {
      v128_t result = start;
      for (size_t g = 0; g < groups; ++g) {
        // |centered| ≤ 255 and |weight| ≤ 127, so a group of ≤ 25 taps is exact in int32.
        v128_t acc = wasm_i32x4_splat(0);
        for (size_t t = g * group; t < std::min(taps, (g + 1) * group); ++t) {
          const int16_t* at = padded.data + (oy + t / kw) * padded.width + ox + t % kw;
          acc = wasm_i32x4_add(acc, wasm_i32x4_mul(w[t], wasm_i32x4_load16x4(at)));
        }
        result = wasm_f32x4_add(result, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc),
                                                       wasm_f32x4_splat(scales[o * groups + g])));
      }
      store_lanes(dst, result, count);
    });
  }
}

// 3×3, one group: i32x4.dot_i16x8 of 8 image values with the tap pair (w0, w1) splatted gives
// w0 · img[x + 2l] + w1 · img[x + 2l + 1] in lane l, i.e. taps 0 and 1 of the even pixels
// x, x + 2, x + 4, x + 6; the same vector loaded one value later serves the odd pixels, and
// (w2, 0) adds tap 2. Eight pixels per kernel row cost 4 loads, 4 dots and 4 adds, where
// widening loads and i32x4.mul (slow on x64) cost 6 loads, 6 multiplies and 6 adds.
void direct_centered_3x3(const Conv2dShape& s, const int16_t* image, const int32_t* weights,
                         const float* scales, const float* bias, float* out) {
  const PaddedImage<int16_t> padded = pad_image(s, image);
  const size_t out_w = s.out_width();
  const size_t plane = s.out_height() * out_w;
  const auto pair = [](int32_t first, int32_t second) {
    return wasm_i32x4_splat(
        static_cast<int32_t>(static_cast<uint16_t>(first) | static_cast<uint32_t>(second) << 16));
  };
  for (size_t o = 0; o < s.out_channels; ++o) {
    const int32_t* w = weights + o * 9;
    const v128_t w01[3] = {pair(w[0], w[1]), pair(w[3], w[4]), pair(w[6], w[7])};
    const v128_t w2[3] = {pair(w[2], 0), pair(w[5], 0), pair(w[8], 0)};
    const v128_t scale = wasm_f32x4_splat(scales[o]);
    const v128_t start = wasm_f32x4_splat(bias != nullptr ? bias[o] : 0.0f);
    for (size_t oy = 0; oy < s.out_height(); ++oy) {
      for (size_t ox = 0; ox < out_w; ox += kPairBlock) {
        v128_t even = wasm_i32x4_splat(0);
        v128_t odd = wasm_i32x4_splat(0);
        for (size_t ky = 0; ky < 3; ++ky) {
          const int16_t* row = padded.data + (oy + ky) * padded.width + ox;
          even = wasm_i32x4_add(even, wasm_i32x4_dot_i16x8(wasm_v128_load(row), w01[ky]));
          odd = wasm_i32x4_add(odd, wasm_i32x4_dot_i16x8(wasm_v128_load(row + 1), w01[ky]));
          even = wasm_i32x4_add(even, wasm_i32x4_dot_i16x8(wasm_v128_load(row + 2), w2[ky]));
          odd = wasm_i32x4_add(odd, wasm_i32x4_dot_i16x8(wasm_v128_load(row + 3), w2[ky]));
        }
        const v128_t e =
            wasm_f32x4_add(start, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(even), scale));
        const v128_t d =
            wasm_f32x4_add(start, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(odd), scale));
        float* dst = out + o * plane + oy * out_w + ox;
        const size_t count = std::min(kPairBlock, out_w - ox);
        store_lanes(dst, wasm_i32x4_shuffle(e, d, 0, 4, 1, 5), std::min(kLanes, count));
        if (count > kLanes)
          store_lanes(dst + kLanes, wasm_i32x4_shuffle(e, d, 2, 6, 3, 7), count - kLanes);
      }
    }
  }
}

bool is_3x3(const Conv2dShape& s) { return s.kernel_h == 3 && s.kernel_w == 3; }

}  // namespace

void conv2d_direct_f32(const Conv2dShape& s, const float* image, const float* weights,
                       const float* bias, float* out) {
  if (is_3x3(s)) {
    direct_f32<3, 3>(s, image, weights, bias, out);
  } else {
    direct_f32<0, 0>(s, image, weights, bias, out);
  }
}

void conv2d_direct_centered(const Conv2dShape& s, const int16_t* image, const int32_t* weights,
                            size_t group_size, const float* scales, const float* bias, float* out) {
  if (is_3x3(s) && group_size >= s.reduction()) {
    direct_centered_3x3(s, image, weights, scales, bias, out);
  } else {
    direct_centered(s, image, weights, group_size, scales, bias, out);
  }
}

}  // namespace quantlab::kernels
