// Conv2d over NCHW activations, lowered per image to im2col + the matching GEMM:
// patches[P, K] (P = out_h · out_w output pixels, K = in · kh · kw) times W[out, K]ᵀ gives
// [P, out], which is transposed into the image's [out, out_h, out_w] planes.
#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/kernels.h"

namespace quantlab::kernels {
namespace {

// Row p of `patches` is the receptive field of output pixel p in weight order (c, ky, kx);
// taps in the padding read `pad` (0, or the zero point: the code of real 0).
template <typename T>
void im2col(const Conv2dShape& s, const T* image, T pad, T* patches) {
  const size_t out_h = s.out_height();
  const size_t out_w = s.out_width();
  T* out = patches;
  for (size_t oy = 0; oy < out_h; ++oy) {
    for (size_t ox = 0; ox < out_w; ++ox) {
      for (size_t c = 0; c < s.in_channels; ++c) {
        const T* plane = image + c * s.height * s.width;
        for (size_t ky = 0; ky < s.kernel_h; ++ky) {
          // Unsigned wrap-around makes taps above/left of the image fail the bounds test too.
          const size_t y = oy * s.stride + ky - s.padding;
          for (size_t kx = 0; kx < s.kernel_w; ++kx) {
            const size_t x = ox * s.stride + kx - s.padding;
            *out++ = y < s.height && x < s.width ? plane[y * s.width + x] : pad;
          }
        }
      }
    }
  }
}

void check_io(const void* input, const float* output) {
  require(input != nullptr && output != nullptr, "conv input or output is null");
}

void check_weights(const Conv2dShape& s, size_t n, size_t k) {
  validate_conv2d(s);
  require(n == s.out_channels && k == s.reduction(),
          "conv weights are packed as [" + std::to_string(n) + ", " + std::to_string(k) +
              "] but the shape needs [" + std::to_string(s.out_channels) + ", " +
              std::to_string(s.reduction()) + "]");
}

// For each image: `prepare(b)` returns the image's values and padding value, `gemm` multiplies
// the patches into [P, out] (bias included), which is transposed into the output.
template <typename T, typename Prepare, typename Gemm>
void lower_to_gemm(const Conv2dShape& s, Prepare prepare, Gemm gemm, float* output) {
  const size_t pixels = s.out_height() * s.out_width();
  std::vector<T> patches(pixels * s.reduction());
  std::vector<float> product(pixels * s.out_channels);
  for (size_t b = 0; b < s.batch; ++b) {
    const auto [image, pad] = prepare(b);
    im2col<T>(s, image, pad, patches.data());
    gemm(patches.data(), pixels, product.data());
    float* out = output + b * s.out_channels * pixels;
    for (size_t p = 0; p < pixels; ++p) {
      for (size_t o = 0; o < s.out_channels; ++o) {
        out[o * pixels + p] = product[p * s.out_channels + o];
      }
    }
  }
}

size_t image_size(const Conv2dShape& s) { return s.in_channels * s.height * s.width; }

// Float activations: patches hold input values, padding is 0.
// gemm(patches, pixels, product) multiplies [pixels, K] patches into [pixels, out].
template <typename PackedW, typename Gemm>
void conv_f32_input(const Conv2dShape& s, const float* input, const PackedW& w, float* output,
                    Gemm gemm) {
  check_weights(s, w.n, w.k);
  check_io(input, output);
  lower_to_gemm<float>(
      s, [&](size_t b) { return std::pair<const float*, float>(input + b * image_size(s), 0.0f); },
      gemm, output);
}

struct Int8Image {
  const int8_t* codes;
  AffineParams params;
};

// Int8 activations: image(b) gives image b's codes and mapping; padding is its zero point (the
// code of real 0). gemm(patches, pixels, params, product) as above.
template <typename PackedW, typename Image, typename Gemm>
void conv_int8_input(const Conv2dShape& s, const void* input, const PackedW& w, float* output,
                     Image image, Gemm gemm) {
  check_weights(s, w.n, w.k);
  check_io(input, output);
  AffineParams params;
  lower_to_gemm<int8_t>(
      s,
      [&](size_t b) {
        const Int8Image view = image(b);
        params = view.params;
        return std::pair<const int8_t*, int8_t>(view.codes,
                                                static_cast<int8_t>(view.params.zero_point));
      },
      [&](const int8_t* patches, size_t pixels, float* product) {
        gemm(patches, pixels, params, product);
      },
      output);
}

// Dynamic activations of a convolution: one min-max mapping per image, so padding (real 0)
// and every tap of a patch share it.
template <typename PackedW, typename Gemm>
void conv_dynamic_int8(const Conv2dShape& s, const float* input, const PackedW& w, float* output,
                       Impl impl, Gemm gemm) {
  const size_t size = image_size(s);
  std::vector<int8_t> codes(size);
  conv_int8_input(
      s, input, w, output,
      [&](size_t b) {
        const std::span<const float> values(input + b * size, size);
        const AffineParams params = choose_params_dynamic(values, 8, false, "conv input", impl);
        if (impl == Impl::ref) {
          quantize_row_i8_ref(values.data(), size, params, int_range(8, false), codes.data());
        } else {
          quantize_row_i8_wasmsimd(values.data(), size, params, int_range(8, false), codes.data());
        }
        return Int8Image{codes.data(), params};
      },
      gemm);
}

}  // namespace

void validate_conv2d(const Conv2dShape& s) {
  require(s.batch > 0 && s.in_channels > 0 && s.height > 0 && s.width > 0 && s.out_channels > 0 &&
              s.kernel_h > 0 && s.kernel_w > 0 && s.stride > 0,
          "conv2d sizes, channels, kernel and stride must all be positive");
  require(s.kernel_h <= s.height + 2 * s.padding && s.kernel_w <= s.width + 2 * s.padding,
          "conv2d kernel " + std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) +
              " is larger than the padded input " + std::to_string(s.height + 2 * s.padding) + "x" +
              std::to_string(s.width + 2 * s.padding));
}

void conv2d_f32(const Conv2dShape& s, const float* input, const PackedF32& w, const float* bias,
                float* output, Impl impl) {
  conv_f32_input(s, input, w, output, [&](const float* patches, size_t pixels, float* product) {
    gemm_f32(pixels, patches, s.reduction(), w, bias, product, s.out_channels, impl);
  });
}

void conv2d_qs8_qc8w_f32(const Conv2dShape& s, const int8_t* input, AffineParams input_params,
                         const PackedQC8W& w, const float* bias, float* output, Impl impl) {
  conv_int8_input(
      s, input, w, output,
      [&](size_t b) {
        return Int8Image{input + b * image_size(s), input_params};
      },
      [&](const int8_t* patches, size_t pixels, AffineParams params, float* product) {
        gemm_qs8_qc8w_f32(pixels, patches, s.reduction(), params, w, bias, product, s.out_channels,
                          impl);
      });
}

void conv2d_qd8_qc8w_f32(const Conv2dShape& s, const float* input, const PackedQC8W& w,
                         const float* bias, float* output, Impl impl) {
  conv_dynamic_int8(s, input, w, output, impl,
                    [&](const int8_t* patches, size_t pixels, AffineParams params, float* product) {
                      gemm_qs8_qc8w_f32(pixels, patches, s.reduction(), params, w, bias, product,
                                        s.out_channels, impl);
                    });
}

void conv2d_f32_qc4w(const Conv2dShape& s, const float* input, const PackedQC4W& w,
                     const float* bias, float* output, Impl impl) {
  conv_f32_input(s, input, w, output, [&](const float* patches, size_t pixels, float* product) {
    gemm_f32_qc4w(pixels, patches, s.reduction(), w, bias, product, s.out_channels, impl);
  });
}

void conv2d_qd8_qc4w_f32(const Conv2dShape& s, const float* input, const PackedQC4W& w,
                         const float* bias, float* output, Impl impl) {
  conv_dynamic_int8(s, input, w, output, impl,
                    [&](const int8_t* patches, size_t pixels, AffineParams params, float* product) {
                      gemm_qs8_qc4w_f32(pixels, patches, s.reduction(), params, w, bias, product,
                                        s.out_channels, impl);
                    });
}

}  // namespace quantlab::kernels
