// Tensor-level quantization: layouts, packing, parameters, edge cases and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "quant_test_data.h"
#include "quantlab/error.h"
#include "quantlab/quant.h"

namespace quantlab {
namespace {

using testing::all_schemes;
using testing::weights_like;

// Message of the InvalidArgument that fn throws, or "" if it throws none.
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(Quantize, MatchesOnnxQuantizeLinearOnItsExample) {
  // ONNX QuantizeLinear's example input with scale 2: 3/2 = 1.5 rounds to 2, -254/2 = -127,
  // and the large values saturate.
  const std::vector<float> x = {0, 2, 3, 1000, -254, -1000};
  const float scale[] = {2.0f};
  const int32_t zero_point[] = {0};
  const QuantizedTensor qt = quantize_with_params(x, Shape{6}, {8, false}, scale, zero_point);
  const std::vector<int32_t> expected = {0, 1, 2, 127, -127, -128};
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(qt.q(i), expected[i]) << "element " << i;
}

TEST(Quantize, RoundTripErrorIsAtMostHalfAStep) {
  // Eq. 8: inside the range, |x - x̂| <= scale / 2.
  const Shape shape{12, 100};
  const std::vector<float> x = weights_like(shape.element_count(), 7);
  for (const QuantScheme& scheme : all_schemes()) {
    const QuantizedTensor qt = quantize(x, shape, scheme);
    const std::vector<float> y = dequantize(qt);
    for (size_t i = 0; i < x.size(); ++i) {
      const float scale = qt.scales[qt.param_index(i)];
      // The float ops of Eqs. 1 and 4 each add half an ulp of the operand magnitude.
      const float slack = 4 * FLT_EPSILON * (std::abs(x[i]) + scale);
      ASSERT_LE(std::abs(x[i] - y[i]), scale / 2 + slack) << scheme.to_string() << " element " << i;
    }
  }
}

TEST(Quantize, ExtremesMapToTheEndsOfTheRange) {
  const std::vector<float> x = {-1.0f, 0.25f, 3.0f, 0.0f};
  const QuantizedTensor asym = quantize(x, Shape{4}, {4, false});
  EXPECT_EQ(asym.q(0), 0);
  EXPECT_EQ(asym.q(2), 15);
  EXPECT_EQ(asym.q(3), asym.zero_points[0]);  // zero is exact
  const QuantizedTensor sym = quantize(x, Shape{4}, {8, true});
  EXPECT_EQ(sym.q(2), 127);
  EXPECT_EQ(sym.q(3), 0);
}

TEST(Quantize, AllZeroTensorRoundTripsExactly) {
  const std::vector<float> x(37, 0.0f);
  for (const QuantScheme& scheme : all_schemes()) {
    const std::vector<float> y = dequantize(quantize(x, Shape{1, 37}, scheme));
    for (float v : y) ASSERT_EQ(v, 0.0f) << scheme.to_string();
  }
}

TEST(Quantize, ConstantTensorRoundTripsExactly) {
  // A constant c maps to an end of the (zero-widened) range, which is represented exactly up
  // to the float rounding of scale * q.
  for (float c : {0.75f, -2.5f, 1000.0f}) {
    const std::vector<float> x(33, c);
    for (const QuantScheme& scheme : all_schemes()) {
      const std::vector<float> y = dequantize(quantize(x, Shape{3, 11}, scheme));
      for (float v : y) ASSERT_NEAR(v, c, std::abs(c) * 2 * FLT_EPSILON) << scheme.to_string();
    }
  }
}

TEST(Quantize, PacksTwoNibblesPerByteLowFirst) {
  // Scale 1, symmetric INT4: q = x. Seven values: the last byte's high nibble is padding.
  const std::vector<float> x = {1, -1, 7, -8, 0, 3, -2};
  const float scale[] = {1.0f};
  const int32_t zero_point[] = {0};
  const QuantizedTensor qt = quantize_with_params(x, Shape{7}, {4, true}, scale, zero_point);
  const std::vector<uint8_t> expected = {0xF1, 0x87, 0x30, 0x0E};
  EXPECT_EQ(qt.data, expected);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(qt.q(i), static_cast<int32_t>(x[i]));
}

TEST(Quantize, FourBitRowsStartOnByteBoundaries) {
  // Two rows of three: each row takes two bytes, the second nibble of byte 1 is padding.
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  const float scale[] = {1.0f};
  const int32_t zero_point[] = {0};
  const QuantizedTensor qt = quantize_with_params(x, Shape{2, 3}, {4, false}, scale, zero_point);
  const std::vector<uint8_t> expected = {0x21, 0x03, 0x54, 0x06};
  EXPECT_EQ(qt.data, expected);
  EXPECT_EQ(dequantize(qt), x);
}

TEST(Quantize, GroupsRunAlongRowsAndTheLastGroupMayBeShort) {
  // K = 70 with group 32: groups of 32, 32 and 6 per row.
  const Shape shape{3, 70};
  const std::vector<float> x = weights_like(shape.element_count(), 3);
  const QuantizedTensor qt = quantize(x, shape, {4, true, Granularity::per_group, 0, 32});
  ASSERT_EQ(qt.scales.size(), 9u);
  EXPECT_EQ(qt.param_index(0), 0u);
  EXPECT_EQ(qt.param_index(64), 2u);
  EXPECT_EQ(qt.param_index(69), 2u);
  EXPECT_EQ(qt.param_index(70), 3u);
  const std::vector<uint32_t> indices = qt.param_indices();
  for (size_t i = 0; i < indices.size(); ++i) ASSERT_EQ(indices[i], qt.param_index(i));
  // The short group's scale comes from its own six values only.
  float max_abs = 0;
  for (size_t i = 64; i < 70; ++i) max_abs = std::max(max_abs, std::abs(x[i]));
  EXPECT_FLOAT_EQ(qt.scales[2], max_abs / 7.0f);
}

TEST(Quantize, PerChannelWorksOnAnyAxis) {
  const Shape shape{2, 3, 4};
  std::vector<float> x(shape.element_count());
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>((i / 4) % 3 + 1) * (i % 2 ? 1 : -0.5f);
  const QuantizedTensor qt = quantize(x, shape, {8, true, Granularity::per_channel, 1});
  ASSERT_EQ(qt.scales.size(), 3u);
  for (size_t c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(qt.scales[c], static_cast<float>(c + 1) / 127.0f);
  EXPECT_EQ(qt.param_index(5), 1u);
  EXPECT_EQ(qt.param_index(13), 0u);
  // Each channel's largest magnitude maps to qmax.
  EXPECT_EQ(qt.q(1), 127);
}

TEST(Quantize, BitsPerWeightCountScalesAndZeroPoints) {
  const Shape shape{4, 64};
  const std::vector<float> x = weights_like(shape.element_count(), 1);
  // Eq. 10.
  EXPECT_DOUBLE_EQ(quantize(x, shape, {4, true, Granularity::per_group, 0, 32}).bits_per_weight(),
                   4.0 + 32.0 / 32);
  EXPECT_DOUBLE_EQ(quantize(x, shape, {4, false, Granularity::per_group, 0, 32}).bits_per_weight(),
                   4.0 + 36.0 / 32);
  EXPECT_DOUBLE_EQ(quantize(x, shape, {4, true, Granularity::per_group, 0, 128}).bits_per_weight(),
                   4.0 + 32.0 / 64);  // one group per 64-long row
  EXPECT_DOUBLE_EQ(quantize(x, shape, {8, true, Granularity::per_channel, 0}).bits_per_weight(),
                   8.0 + 32.0 / 64);
  EXPECT_DOUBLE_EQ(quantize(x, shape, {8, false}).bits_per_weight(), 8.0 + 40.0 / 256);
  // Padding bytes of odd rows are storage too.
  const std::vector<float> odd(3 * 5, 1.0f);
  EXPECT_EQ(quantize(odd, Shape{3, 5}, {4, true}).payload_bits(), 3u * 3 * 8);
}

TEST(Quantize, RejectsNonFiniteInputNamingTheElement) {
  std::vector<float> x(10, 1.0f);
  x[3] = NAN;
  EXPECT_NE(error_of([&] { quantize(x, Shape{10}, {}); }).find("NaN at index 3"),
            std::string::npos);
  x[3] = 1.0f;
  x[9] = -INFINITY;
  EXPECT_NE(error_of([&] {
              quantize(x, Shape{10}, {4, true});
            }).find("Inf at index 9"),
            std::string::npos);
}

TEST(Quantize, RejectsImpossibleSchemesWithAClearMessage) {
  const std::vector<float> x(12, 1.0f);
  EXPECT_NE(error_of([&] {
              quantize(x, Shape{12}, {3, true});
            }).find("bits must be 8 or 4"),
            std::string::npos);
  EXPECT_NE(error_of([&] { quantize(x, Shape{13}, {}); }).find("needs 13 values, got 12"),
            std::string::npos);
  EXPECT_NE(error_of([&] { quantize({}, Shape{0}, {}); }).find("empty tensor"), std::string::npos);
  EXPECT_NE(error_of([&] {
              quantize(x, Shape{3, 4}, {8, true, Granularity::per_channel, 2});
            }).find("axis 2 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              quantize(x, Shape{3, 4}, {4, true, Granularity::per_channel, 1});
            }).find("INT4 per-channel"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              quantize(x, Shape{3, 4}, {4, true, Granularity::per_group, 0, 3});
            }).find("group size must be even"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              quantize(x, Shape{3, 4}, {8, true, Granularity::per_group, 0, 0});
            }).find("group size must be positive"),
            std::string::npos);
}

TEST(QuantizeWithParams, ChecksTheParameters) {
  const std::vector<float> x(8, 1.0f);
  const float one[] = {1.0f};
  const float zero[] = {0.0f};
  const float two[] = {1.0f, 1.0f};
  const int32_t zp0[] = {0};
  const int32_t zp16[] = {16};
  const int32_t zp00[] = {0, 0};
  EXPECT_NE(error_of([&] {
              quantize_with_params(x, Shape{8}, {}, two, zp00);
            }).find("needs 1 scales and zero points, got 2 and 2"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { quantize_with_params(x, Shape{8}, {}, zero, zp0); }).find("must be positive"),
      std::string::npos);
  EXPECT_NE(error_of([&] {
              quantize_with_params(x, Shape{8}, {4, false}, one, zp16);
            }).find("zero point 0 = 16"),
            std::string::npos);
  const int32_t zp1[] = {1};
  EXPECT_NE(error_of([&] {
              quantize_with_params(x, Shape{8}, {8, true}, one, zp1);
            }).find("zero point"),
            std::string::npos);
}

TEST(Dequantize, RejectsAnInconsistentTensor) {
  QuantizedTensor qt = quantize(std::vector<float>(8, 1.0f), Shape{8}, {4, true});
  qt.data.pop_back();
  EXPECT_NE(error_of([&] { dequantize(qt); }).find("needs 4 code bytes"), std::string::npos);
  qt = quantize(std::vector<float>(8, 1.0f), Shape{8}, {4, true});
  qt.scales[0] = -1.0f;
  EXPECT_NE(error_of([&] { dequantize(qt); }).find("scale 0 must be positive"), std::string::npos);
}

}  // namespace
}  // namespace quantlab
