#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <tuple>

#include "gemm_test_support.h"
#include "qc4w_test_weights.h"
#include "quantlab/error.h"
#include "quantlab/kernels.h"

namespace quantlab::testing {
namespace {

using namespace quantlab::kernels;

// Naive direct convolution in double: output[b, o, y, x] over real input and weight values
// (weight(o, r) with r = (c · kh + ky) · kw + kx); padding taps are real 0.
std::vector<Expected> direct_conv(const Conv2dShape& s, const std::function<double(size_t)>& input,
                                  const std::function<double(size_t, size_t)>& weight,
                                  const std::vector<float>& bias) {
  const size_t oh = s.out_height(), ow = s.out_width();
  std::vector<Expected> out(s.batch * s.out_channels * oh * ow);
  for (size_t b = 0; b < s.batch; ++b) {
    for (size_t o = 0; o < s.out_channels; ++o) {
      for (size_t y = 0; y < oh; ++y) {
        for (size_t x = 0; x < ow; ++x) {
          Expected e{bias[o], std::fabs(bias[o])};
          for (size_t c = 0; c < s.in_channels; ++c) {
            for (size_t ky = 0; ky < s.kernel_h; ++ky) {
              for (size_t kx = 0; kx < s.kernel_w; ++kx) {
                const long iy = static_cast<long>(y * s.stride + ky) - static_cast<long>(s.padding);
                const long ix = static_cast<long>(x * s.stride + kx) - static_cast<long>(s.padding);
                if (iy < 0 || ix < 0 || iy >= static_cast<long>(s.height) ||
                    ix >= static_cast<long>(s.width)) {
                  continue;
                }
                const double product =
                    input(((b * s.in_channels + c) * s.height + iy) * s.width + ix) *
                    weight(o, (c * s.kernel_h + ky) * s.kernel_w + kx);
                e.value += product;
                e.magnitude += std::fabs(product);
              }
            }
          }
          out[((b * s.out_channels + o) * oh + y) * ow + x] = e;
        }
      }
    }
  }
  return out;
}

void expect_conv(const std::vector<float>& got, const std::vector<Expected>& want,
                 const Conv2dShape& s, const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) expect_close(got[i], want[i], s.reduction(), what);
}

// Dynamic activations: each image quantized with its own min-max parameters (as the kernels).
std::vector<double> dequantized_images(const Conv2dShape& s, const std::vector<float>& input) {
  const size_t size = s.in_channels * s.height * s.width;
  std::vector<double> real(input.size());
  for (size_t b = 0; b < s.batch; ++b) {
    const float* image = input.data() + b * size;
    const auto [lo, hi] = std::minmax_element(image, image + size);
    const AffineParams p = choose_params_minmax(*lo, *hi, 8, false);
    std::vector<int8_t> q(size);
    quantize_row_i8_ref(image, size, p, int_range(8, false), q.data());
    for (size_t i = 0; i < size; ++i) real[b * size + i] = double{p.scale} * (q[i] - p.zero_point);
  }
  return real;
}

// Kernel size (square), stride.
class Conv2dSweep : public ::testing::TestWithParam<std::tuple<size_t, size_t>> {};

TEST_P(Conv2dSweep, AllWeightTypesMatchDirectConvolution) {
  const auto [kernel, stride] = GetParam();
  Random random(static_cast<uint32_t>(kernel * 10 + stride));
  for (size_t padding : {0, 1, 2}) {
    for (auto [h, w] : {std::pair<size_t, size_t>{5, 7}, {9, 9}, {1, 6}}) {
      for (size_t batch : {1, 3}) {
        for (size_t in : {1, 3}) {
          const size_t out = batch == 1 ? 16 : 5;
          const Conv2dShape s{batch, in, h, w, out, kernel, kernel, stride, padding};
          if (kernel > h + 2 * padding || kernel > w + 2 * padding) continue;
          const std::string name = "k" + std::to_string(kernel) + " s" + std::to_string(stride) +
                                   " p" + std::to_string(padding) + " " + std::to_string(h) + "x" +
                                   std::to_string(w) + " b" + std::to_string(batch) + " in" +
                                   std::to_string(in);
          const size_t k = s.reduction();
          const std::vector<float> input = random.floats(batch * in * h * w, -0.5f, 1.5f);
          const std::vector<float> weights = random.floats(out * k);
          const std::vector<float> bias = random.floats(out);
          const std::vector<int8_t> codes8 = random.ints<int8_t>(out * k, -127, 127);
          const std::vector<float> scales8 = random.floats(out, 0.001f, 0.01f);
          const std::vector<int8_t> input8 = random.ints<int8_t>(input.size(), -128, 127);
          const AffineParams input8_params{0.02f, random.integer(-100, 100)};
          const Qc4wWeights w4(random, out, k, 32, false);

          const PackedF32 wf = pack_f32(weights.data(), out, k);
          const PackedQC8W w8 = pack_qc8w(codes8.data(), scales8.data(), out, k);
          const std::vector<double> dynamic = dequantized_images(s, input);
          const auto real_input = [&](size_t i) { return double{input[i]}; };
          const auto dynamic_input = [&](size_t i) { return dynamic[i]; };
          const auto static_input = [&](size_t i) {
            return double{input8_params.scale} * (input8[i] - input8_params.zero_point);
          };
          const auto real_w8 = [&](size_t o, size_t r) {
            return double{scales8[o]} * codes8[o * k + r];
          };
          const auto real_w4 = [&](size_t o, size_t r) { return w4.real(o, r); };

          const auto f32_want = direct_conv(
              s, real_input, [&](size_t o, size_t r) { return double{weights[o * k + r]}; }, bias);
          const auto qd8_qc8w_want = direct_conv(s, dynamic_input, real_w8, bias);
          const auto qs8_qc8w_want = direct_conv(s, static_input, real_w8, bias);
          const auto f32_qc4w_want = direct_conv(s, real_input, real_w4, bias);
          const auto qd8_qc4w_want = direct_conv(s, dynamic_input, real_w4, bias);

          for (Impl impl : kImpls) {
            const std::string where = name + " " + impl_name(impl);
            std::vector<float> result(f32_want.size());
            conv2d_f32(s, input.data(), wf, bias.data(), result.data(), impl);
            expect_conv(result, f32_want, s, "f32 " + where);
            conv2d_qd8_qc8w_f32(s, input.data(), w8, bias.data(), result.data(), impl);
            expect_conv(result, qd8_qc8w_want, s, "qd8_qc8w " + where);
            conv2d_qs8_qc8w_f32(s, input8.data(), input8_params, w8, bias.data(), result.data(),
                                impl);
            expect_conv(result, qs8_qc8w_want, s, "qs8_qc8w " + where);
            conv2d_f32_qc4w(s, input.data(), w4.packed, bias.data(), result.data(), impl);
            expect_conv(result, f32_qc4w_want, s, "f32_qc4w " + where);
            conv2d_qd8_qc4w_f32(s, input.data(), w4.packed, bias.data(), result.data(), impl);
            expect_conv(result, qd8_qc4w_want, s, "qd8_qc4w " + where);
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(KernelStride, Conv2dSweep,
                         ::testing::Combine(::testing::Values(1, 2, 3, 5),
                                            ::testing::Values(1, 2)));

TEST(Conv2d, RejectsMismatchedWeightsAndShapes) {
  const Conv2dShape s{1, 2, 4, 4, 3, 3, 3, 1, 1};
  const std::vector<float> w(3 * 2 * 9, 0.1f), input(2 * 16), bias(3);
  std::vector<float> output(3 * 16);
  EXPECT_NO_THROW(
      conv2d_f32(s, input.data(), pack_f32(w.data(), 3, 18), bias.data(), output.data()));
  EXPECT_THROW(conv2d_f32(s, input.data(), pack_f32(w.data(), 2, 27), bias.data(), output.data()),
               InvalidArgument);
  Conv2dShape too_big = s;
  too_big.kernel_h = 7;
  EXPECT_THROW(validate_conv2d(too_big), InvalidArgument);
  Conv2dShape no_stride = s;
  no_stride.stride = 0;
  EXPECT_THROW(validate_conv2d(no_stride), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::testing
