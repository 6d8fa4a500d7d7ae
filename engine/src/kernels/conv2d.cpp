// Conv2d over NCHW activations. Two lowerings, picked per variant by measurement:
//  - direct (conv2d_direct.h) for one input channel at stride 1 with ≤ 25 taps (a CNN's first
//    layer), SIMD variants only: K = kh · kw = 9 is too short for the GEMMs (the int8 GEMM
//    pads K to 16), and im2col + transposing [P, out] cost more than the products;
//  - otherwise im2col + the matching GEMM: patches[P, K] (P = out_h · out_w, K = in · kh · kw)
//    times W[out, K]ᵀ gives [P, out], written transposed into the image's [out, out_h, out_w].
// Integer activations are quantized (or, static, centered) once per image straight into the
// centered-i16 layout the integer kernels consume (kernels/centered_rows.h); im2col copies those
// i16 values into the GEMM rows (no int8 patches, no re-centering, no per-call allocation:
// scratch buffers live per thread and only grow). Padding taps are 0 in every variant (real 0,
// or a centered zero point). W4A32 dequantizes the nibbles once per call and runs the f32 path:
// each weight meets P · batch patches, so unpacking inside the GEMM repeats that work per row
// block. The `ref` impl keeps im2col + the reference GEMMs as the oracle. The images of a batch
// are split across the pool's threads (for_each_image), each thread with its own scratch; the
// GEMMs inside then run on their caller's thread, so each image's bits are those of one thread.
//
// Measured 2026-11-25 on the shared dev VM (AMD EPYC, 2 vCPUs), Node 20.20.2, wasm SIMD128,
// single thread, ms per call, median, the shipped CNN's layers at batch 64 (3×3, stride 1, pad 1).
// Pieces of the old path (all im2col + GEMM), throwaway program timing each step ×64 images:
//                          quantize  im2col  center  GEMM            dequant  transpose
//   28×28×1→16  (K=9)        0.16     0.53    0.32   int8 0.80 (K→16) 0.39     0.83
//                                                    W4A8 1.38, W4A32 2.42, f32 0.34
//   14×14×16→32 (K=144)      0.40     1.89    0.13   int8 1.39        0.17     0.51
//                                                    W4A8 2.50, W4A32 5.42, f32 2.18
// So: im2col was the largest piece of layer 2, the first layer lost to the K=9 GEMM, the
// transpose and dequantization, and W4A32 to unpacking nibbles inside its GEMM.
// Same program, same session, new code, direct vs im2col (direct disabled by a temporary switch;
// the integer direct column first with i32x4.mul, then with the paired-tap dot that ships):
//                          f32    INT8 dyn     W4A32  W4A8
//   28×28×1→16  direct     0.42   0.69 → 0.54  0.41   0.69 → 0.54
//   28×28×1→16  im2col     0.83   1.58      0.83   2.21
//   14×14×16→32 im2col     2.88   2.53      2.91   3.77   (direct does not apply: 16 channels)
// `bash scripts/bench.sh --no-ort --case=conv` (ms, same session, load average ≈ 1 from other
// sessions), old module → this code:
//                          f32          INT8 dyn     W4A32        W4A8
//   28×28×1→16  b64        1.01 → 0.41  2.23 → 0.51  3.05 → 0.41  2.58 → 0.50
//   14×14×16→32 b64        4.03 → 2.75  4.86 → 2.48  7.57 → 2.78  5.61 → 3.56
// The quantized first layer stays ≈ 1.25× the f32 one: the image's min-max and quantization
// passes (0.16 ms above) are about the difference. W4A8 on the second layer is bound by its GEMM
// kernel (2.50 ms above), which this change leaves alone.
#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "kernels/centered_rows.h"
#include "kernels/conv2d_direct.h"
#include "kernels/gemm_args.h"
#include "kernels/kernel_impls.h"
#include "kernels/packed_layouts.h"
#include "quantlab/error.h"
#include "quantlab/kernels.h"
#include "quantlab/threads.h"

namespace quantlab::kernels {
namespace {

struct Scratch {
  std::vector<float> patches;  // f32 patches [P, K]
  std::vector<int16_t> image;  // one centered image
  CenteredRows rows;           // centered patches [P, kpad]
  std::vector<int32_t> acc;    // [P, out]
  std::vector<float> product;  // [P, out]
};

Scratch& scratch() {
  thread_local Scratch buffers;
  return buffers;
}

template <typename T>
T* grown(std::vector<T>& buffer, size_t size) {
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

// Rows [P, kpad] with the columns past K zero: im2col rewrites only the first K of each row.
CenteredRows& centered_patches(size_t pixels, size_t k) {
  CenteredRows& rows = scratch().rows;
  if (rows.m != pixels || rows.k != k) rows = zero_rows(pixels, k);
  return rows;
}

// Row p (stride ld) of `patches` is the receptive field of output pixel p in weight order
// (c, ky, kx); taps in the padding are 0. A compile-time kernel width turns each kernel row
// into plain moves (std::copy_n with a run-time width became a memmove call per row in wasm,
// twice as slow as the old per-tap loop).
template <size_t KernelW, typename T>
void im2col_rows(const Conv2dShape& s, const T* image, T* patches, size_t ld) {
  const size_t kernel_w = KernelW != 0 ? KernelW : s.kernel_w;
  const size_t out_w = s.out_width();
  for (size_t oy = 0; oy < s.out_height(); ++oy) {
    for (size_t ox = 0; ox < out_w; ++ox) {
      T* out = patches + (oy * out_w + ox) * ld;
      // Unsigned wrap-around makes taps above/left of the image fail the bounds tests too.
      const size_t x0 = ox * s.stride - s.padding;
      const bool row_inside = x0 < s.width && x0 + kernel_w <= s.width;
      for (size_t c = 0; c < s.in_channels; ++c) {
        const T* plane = image + c * s.height * s.width;
        for (size_t ky = 0; ky < s.kernel_h; ++ky, out += kernel_w) {
          const size_t y = oy * s.stride + ky - s.padding;
          const size_t row = y * s.width + x0;
          if (y < s.height && row_inside) {
            for (size_t kx = 0; kx < kernel_w; ++kx) out[kx] = plane[row + kx];
          } else {
            for (size_t kx = 0; kx < kernel_w; ++kx) {
              out[kx] = y < s.height && x0 + kx < s.width ? plane[row + kx] : T{0};
            }
          }
        }
      }
    }
  }
}

template <typename T>
void im2col(const Conv2dShape& s, const T* image, T* patches, size_t ld) {
  if (s.kernel_w == 3) {
    im2col_rows<3>(s, image, patches, ld);
  } else {
    im2col_rows<0>(s, image, patches, ld);
  }
}

// product[P, out] → output planes [out, P], bias already included.
void transpose_product(const float* product, size_t pixels, size_t channels, float* out) {
  for (size_t o = 0; o < channels; ++o) {
    for (size_t p = 0; p < pixels; ++p) out[o * pixels + p] = product[p * channels + o];
  }
}

void check_io(const void* input, const float* output) {
  require(input != nullptr && output != nullptr, "conv input or output is null");
}

void check_weights(const Conv2dShape& s, size_t n, size_t k) {
  validate_conv2d(s);
  require(n == s.out_channels && k == s.reduction(), [&] {
    return "conv weights are packed as [" + std::to_string(n) + ", " + std::to_string(k) +
           "] but the shape needs [" + std::to_string(s.out_channels) + ", " +
           std::to_string(s.reduction()) + "]";
  });
}

size_t image_size(const Conv2dShape& s) { return s.in_channels * s.height * s.width; }
size_t pixels(const Conv2dShape& s) { return s.out_height() * s.out_width(); }

// Calls image(b) for every image of the batch, ranges of images on the pool's threads.
template <typename Image>
void for_each_image(const Conv2dShape& s, Image image) {
  parallel_ranges(s.batch, 1, [&](size_t begin, size_t end) {
    for (size_t b = begin; b < end; ++b) image(b);
  });
}

// Float activations. gemm(patches, pixels, product) multiplies [pixels, K] patches into
// [pixels, out] with the bias.
template <typename PackedW, typename Gemm>
void conv_f32_input(const Conv2dShape& s, const float* input, const PackedW& w, float* output,
                    Gemm gemm) {
  check_weights(s, w.n, w.k);
  check_io(input, output);
  const size_t p = pixels(s);
  for_each_image(s, [&](size_t b) {
    float* patches = grown(scratch().patches, p * s.reduction());
    float* product = grown(scratch().product, p * s.out_channels);
    im2col(s, input + b * image_size(s), patches, s.reduction());
    gemm(patches, p, product);
    transpose_product(product, p, s.out_channels, output + b * s.out_channels * p);
  });
}

// Integer activations. center(b, image) writes image b centered on its zero point and returns
// its parameters; gemm(rows, output planes) multiplies the centered patches into the image's
// output.
template <typename PackedW, typename Center, typename Gemm>
void conv_centered_input(const Conv2dShape& s, const void* input, const PackedW& w, float* output,
                         Center center, Gemm gemm) {
  check_weights(s, w.n, w.k);
  check_io(input, output);
  const size_t p = pixels(s);
  for_each_image(s, [&](size_t b) {
    int16_t* image = grown(scratch().image, image_size(s));
    CenteredRows& rows = centered_patches(p, s.reduction());
    const AffineParams params = center(b, image);
    std::fill(rows.scales.begin(), rows.scales.end(), params.scale);
    std::fill(rows.zero_points.begin(), rows.zero_points.end(), params.zero_point);
    im2col(s, image, rows.values.data(), rows.kpad);
    gemm(rows, output + b * s.out_channels * p);
  });
}

// Dynamic activations: one min-max mapping per image, so padding (real 0) and every tap of a
// patch share it.
auto quantize_image(const Conv2dShape& s, const float* input, Impl impl) {
  return [=](size_t b, int16_t* centered) {
    const std::span<const float> values(input + b * image_size(s), image_size(s));
    const AffineParams params = choose_params_dynamic(values, 8, false, "conv input", impl);
    if (impl == Impl::ref) {
      quantize_row_centered_i16_ref(values.data(), values.size(), params, int_range(8, false),
                                    centered);
    } else {
      quantize_row_centered_i16_wasmsimd(values.data(), values.size(), params, int_range(8, false),
                                         centered);
    }
    return params;
  };
}

// Static activations: the codes are centered on their calibrated zero point (Eq. 15).
auto center_static_image(const Conv2dShape& s, const int8_t* input, AffineParams params) {
  validate_activation_params(params);
  return [=](size_t b, int16_t* centered) {
    const int8_t* codes = input + b * image_size(s);
    for (size_t i = 0; i < image_size(s); ++i) {
      centered[i] = static_cast<int16_t>(codes[i] - params.zero_point);
    }
    return params;
  };
}

// Exact accumulators → output planes: a_scale · w_scale[o] · acc + bias[o] (Eq. 1 applied to
// the product of two affine values), transposed on the way.
auto qc8w_gemm(const PackedQC8W& w, const float* bias, Impl impl) {
  return [=, &w](const CenteredRows& rows, float* out) {
    int32_t* acc = grown(scratch().acc, rows.m * w.n);
    gemm_qs8_qc8w_i32_impl(rows, w, acc, w.n, impl);
    for (size_t o = 0; o < w.n; ++o) {
      const float scale = rows.scales[0] * w.scales[o];
      const float offset = bias != nullptr ? bias[o] : 0.0f;
      for (size_t p = 0; p < rows.m; ++p) {
        out[o * rows.m + p] = static_cast<float>(acc[p * w.n + o]) * scale + offset;
      }
    }
  };
}

auto qc4w_gemm(const PackedQC4W& w, const float* bias, Impl impl) {
  return [=, &w](const CenteredRows& rows, float* out) {
    float* product = grown(scratch().product, rows.m * w.n);
    gemm_qd8_qc4w_f32_impl(rows, w, bias, product, w.n, impl);
    transpose_product(product, rows.m, w.n, out);
  };
}

// The direct kernel replaces im2col + GEMM for the SIMD variants when it applies (see top).
bool goes_direct(const Conv2dShape& s, Impl impl) {
  return impl != Impl::ref && conv2d_direct_applies(s);
}

// Real [out, K] weights, weight(o, r) read once per call from a packed layout.
template <typename Weight>
std::vector<float> real_weights(size_t n, size_t k, Weight weight) {
  std::vector<float> weights(n * k);
  for (size_t o = 0; o < n; ++o) {
    for (size_t r = 0; r < k; ++r) weights[o * k + r] = weight(o, r);
  }
  return weights;
}

void direct_f32_input(const Conv2dShape& s, const float* input, const std::vector<float>& weights,
                      const float* bias, float* output) {
  for_each_image(s, [&](size_t b) {
    conv2d_direct_f32(s, input + b * image_size(s), weights.data(), bias,
                      output + b * s.out_channels * pixels(s));
  });
}

// Integer weights code(o, r) (centered on their zero point) with scale(o, g) per group.
struct IntegerTaps {
  std::vector<int32_t> codes;  // [out, K]
  std::vector<float> scales;   // [out, groups]
  size_t group_size = 0;
};

// center(b, image) as for conv_centered_input; scales are multiplied by the image's scale.
template <typename Center>
void direct_centered_input(const Conv2dShape& s, const IntegerTaps& w, Center center,
                           const float* bias, float* output) {
  for_each_image(s, [&](size_t b) {
    int16_t* image = grown(scratch().image, image_size(s));
    std::vector<float> scales(w.scales.size());
    const float image_scale = center(b, image).scale;
    for (size_t i = 0; i < scales.size(); ++i) scales[i] = image_scale * w.scales[i];
    conv2d_direct_centered(s, image, w.codes.data(), w.group_size, scales.data(), bias,
                           output + b * s.out_channels * pixels(s));
  });
}

IntegerTaps integer_taps(const PackedQC8W& w) {
  IntegerTaps taps{std::vector<int32_t>(w.n * w.k), w.scales, w.k};
  for (size_t o = 0; o < w.n; ++o) {
    for (size_t r = 0; r < w.k; ++r) taps.codes[o * w.k + r] = packed_qc8w_at(w, o, r);
  }
  return taps;
}

IntegerTaps integer_taps(const PackedQC4W& w) {
  IntegerTaps taps{std::vector<int32_t>(w.n * w.k), std::vector<float>(w.n * w.groups()),
                   w.group_size};
  for (size_t o = 0; o < w.n; ++o) {
    for (size_t r = 0; r < w.k; ++r) {
      const size_t param = packed_qc4w_param_index(w, o, r / w.group_size);
      taps.codes[o * w.k + r] = packed_qc4w_code(w, o, r) - w.zero_points[param];
    }
    for (size_t g = 0; g < w.groups(); ++g) {
      taps.scales[o * w.groups() + g] = w.scales[packed_qc4w_param_index(w, o, g)];
    }
  }
  return taps;
}

// Integer activations: the direct kernel when it applies, else im2col + gemm (as
// conv_centered_input).
template <typename PackedW, typename Center, typename Gemm>
void conv_integer_input(const Conv2dShape& s, const void* input, const PackedW& w,
                        const float* bias, float* output, Impl impl, Center center, Gemm gemm) {
  if (goes_direct(s, impl)) {
    check_weights(s, w.n, w.k);
    check_io(input, output);
    direct_centered_input(s, integer_taps(w), center, bias, output);
    return;
  }
  conv_centered_input(s, input, w, output, center, gemm);
}

}  // namespace

void validate_conv2d(const Conv2dShape& s) {
  require(s.batch > 0 && s.in_channels > 0 && s.height > 0 && s.width > 0 && s.out_channels > 0 &&
              s.kernel_h > 0 && s.kernel_w > 0 && s.stride > 0,
          "conv2d sizes, channels, kernel and stride must all be positive");
  require(s.kernel_h <= s.height + 2 * s.padding && s.kernel_w <= s.width + 2 * s.padding, [&] {
    return "conv2d kernel " + std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) +
           " is larger than the padded input " + std::to_string(s.height + 2 * s.padding) + "x" +
           std::to_string(s.width + 2 * s.padding);
  });
}

void conv2d_f32(const Conv2dShape& s, const float* input, const PackedF32& w, const float* bias,
                float* output, Impl impl) {
  if (goes_direct(s, impl)) {
    check_weights(s, w.n, w.k);
    check_io(input, output);
    direct_f32_input(
        s, input,
        real_weights(w.n, w.k, [&](size_t o, size_t r) { return packed_f32_at(w, o, r); }), bias,
        output);
    return;
  }
  conv_f32_input(s, input, w, output, [&](const float* patches, size_t pixels, float* product) {
    gemm_f32(pixels, patches, s.reduction(), w, bias, product, s.out_channels, impl);
  });
}

void conv2d_qs8_qc8w_f32(const Conv2dShape& s, const int8_t* input, AffineParams input_params,
                         const PackedQC8W& w, const float* bias, float* output, Impl impl) {
  conv_integer_input(s, input, w, bias, output, impl, center_static_image(s, input, input_params),
                     qc8w_gemm(w, bias, impl));
}

void conv2d_qd8_qc8w_f32(const Conv2dShape& s, const float* input, const PackedQC8W& w,
                         const float* bias, float* output, Impl impl) {
  conv_integer_input(s, input, w, bias, output, impl, quantize_image(s, input, impl),
                     qc8w_gemm(w, bias, impl));
}

void conv2d_f32_qc4w(const Conv2dShape& s, const float* input, const PackedQC4W& w,
                     const float* bias, float* output, Impl impl) {
  if (impl == Impl::ref) {
    conv_f32_input(s, input, w, output, [&](const float* patches, size_t pixels, float* product) {
      gemm_f32_qc4w(pixels, patches, s.reduction(), w, bias, product, s.out_channels, impl);
    });
    return;
  }
  // Every weight meets P · batch patches, so dequantizing the nibbles once per call and running
  // the f32 path beats unpacking them inside the GEMM (see top).
  check_weights(s, w.n, w.k);
  check_io(input, output);
  const IntegerTaps taps = integer_taps(w);
  const std::vector<float> weights = real_weights(w.n, w.k, [&](size_t o, size_t r) {
    return taps.scales[o * w.groups() + r / w.group_size] *
           static_cast<float>(taps.codes[o * w.k + r]);
  });
  if (goes_direct(s, impl)) {
    direct_f32_input(s, input, weights, bias, output);
    return;
  }
  conv2d_f32(s, input, pack_f32(weights.data(), w.n, w.k), bias, output, impl);
}

void conv2d_qd8_qc4w_f32(const Conv2dShape& s, const float* input, const PackedQC4W& w,
                         const float* bias, float* output, Impl impl) {
  conv_integer_input(s, input, w, bias, output, impl, quantize_image(s, input, impl),
                     qc4w_gemm(w, bias, impl));
}

void conv2d_qs8_qc4w_f32(const Conv2dShape& s, const int8_t* input, AffineParams input_params,
                         const PackedQC4W& w, const float* bias, float* output, Impl impl) {
  conv_integer_input(s, input, w, bias, output, impl, center_static_image(s, input, input_params),
                     qc4w_gemm(w, bias, impl));
}

}  // namespace quantlab::kernels
