// The wasmsimd row primitives must equal the scalar reference bit for bit: integer outputs are
// identical bytes and dequantized floats identical bit patterns. Lengths sweep below, at and
// above the 16- and 32-value SIMD blocks, so both the vector body and the scalar tail run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "quant_test_data.h"
#include "quantlab/error.h"
#include "quantlab/quant.h"

namespace quantlab {
namespace {

using testing::all_schemes;
using testing::weights_like;

const size_t kLengths[] = {1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 64, 65, 100, 255, 1023};

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(SimdEquivalence, TensorQuantizeAndDequantizeEqualTheReference) {
  for (size_t k : kLengths) {
    for (size_t rows : {1u, 3u}) {
      const Shape shape{rows, k};
      const std::vector<float> x = weights_like(shape.element_count(), static_cast<uint32_t>(k));
      for (const QuantScheme& scheme : all_schemes()) {
        const QuantizedTensor ref = quantize(x, shape, scheme, Impl::ref);
        const QuantizedTensor simd = quantize(x, shape, scheme, Impl::wasmsimd);
        ASSERT_EQ(ref.data, simd.data) << scheme.to_string() << " shape " << shape.to_string();
        ASSERT_EQ(ref.scales, simd.scales);
        ASSERT_TRUE(same_bits(dequantize(ref, Impl::ref), dequantize(ref, Impl::wasmsimd)))
            << scheme.to_string() << " shape " << shape.to_string();
      }
    }
  }
}

TEST(SimdEquivalence, TiesAndSaturationRoundTheSameWay) {
  // x/scale lands exactly on .5 ties, and far outside the range, in every lane position; zero
  // points at both ends of each range and inside it (the SIMD rows clamp before rounding, Eq. 4a).
  std::vector<float> x;
  for (int i = -600; i <= 600; ++i) x.push_back(static_cast<float>(i) * 0.5f);
  x.push_back(1e30f);
  x.push_back(-1e30f);
  for (int bits : {8, 4}) {
    for (bool symmetric : {true, false}) {
      const IntRange r = int_range(bits, symmetric);
      for (int32_t zero_point : {r.qmin, 0, 3, r.qmax}) {
        if (symmetric && zero_point != 0) continue;  // symmetric schemes have zero point 0
        const AffineParams p{1.0f, zero_point};
        const std::string where = "bits " + std::to_string(bits) + " symmetric " +
                                  std::to_string(symmetric) + " zero point " +
                                  std::to_string(zero_point);
        const size_t bytes = bits == 8 ? x.size() : (x.size() + 1) / 2;
        std::vector<uint8_t> ref(bytes), simd(bytes);
        if (bits == 8) {
          quantize_row_i8_ref(x.data(), x.size(), p, r, reinterpret_cast<int8_t*>(ref.data()));
          quantize_row_i8_wasmsimd(x.data(), x.size(), p, r,
                                   reinterpret_cast<int8_t*>(simd.data()));
          std::vector<int16_t> centered_ref(x.size()), centered_simd(x.size());
          quantize_row_centered_i16_ref(x.data(), x.size(), p, r, centered_ref.data());
          quantize_row_centered_i16_wasmsimd(x.data(), x.size(), p, r, centered_simd.data());
          EXPECT_EQ(centered_ref, centered_simd) << "centered int16, " << where;
        } else {
          quantize_row_i4_ref(x.data(), x.size(), p, r, ref.data());
          quantize_row_i4_wasmsimd(x.data(), x.size(), p, r, simd.data());
        }
        EXPECT_EQ(ref, simd) << where;
      }
    }
  }
}

TEST(SimdEquivalence, CenteredCodesEqualTheReferenceAndTheCodesMinusZeroPoint) {
  for (size_t n : kLengths) {
    const std::vector<float> x = weights_like(n, static_cast<uint32_t>(n) + 9);
    const AffineParams p = choose_params_dynamic(x, 8, false, "x");
    const IntRange r = int_range(8, false);
    std::vector<int16_t> ref(n), simd(n);
    std::vector<int8_t> codes(n);
    quantize_row_centered_i16_ref(x.data(), n, p, r, ref.data());
    quantize_row_centered_i16_wasmsimd(x.data(), n, p, r, simd.data());
    quantize_row_i8_ref(x.data(), n, p, r, codes.data());
    ASSERT_EQ(ref, simd) << n;
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(ref[i], codes[i] - p.zero_point) << n << " " << i;
  }
}

TEST(SimdEquivalence, EveryNibbleDequantizesTheSame) {
  // All 256 byte values, signed and unsigned nibbles.
  std::vector<uint8_t> packed(256);
  for (size_t i = 0; i < 256; ++i) packed[i] = static_cast<uint8_t>(i);
  for (bool is_signed : {true, false}) {
    std::vector<float> ref(512), simd(512);
    const AffineParams p{0.37f, is_signed ? 0 : 8};
    dequantize_row_i4_ref(packed.data(), 512, p, is_signed, ref.data());
    dequantize_row_i4_wasmsimd(packed.data(), 512, p, is_signed, simd.data());
    EXPECT_TRUE(same_bits(ref, simd)) << "signed " << is_signed;
  }
  std::vector<float> ref(256), simd(256);
  const AffineParams p{0.37f, -5};
  dequantize_row_i8_ref(reinterpret_cast<const int8_t*>(packed.data()), 256, p, ref.data());
  dequantize_row_i8_wasmsimd(reinterpret_cast<const int8_t*>(packed.data()), 256, p, simd.data());
  EXPECT_TRUE(same_bits(ref, simd));
}

TEST(SimdEquivalence, FloatRangeFindsExtremesAndNonFiniteValuesAnywhere) {
  for (size_t n : kLengths) {
    std::vector<float> x = weights_like(n, static_cast<uint32_t>(n) + 5);
    const FloatRange ref = float_range_ref(x.data(), n);
    const FloatRange simd = float_range_wasmsimd(x.data(), n);
    EXPECT_EQ(ref.min, simd.min) << n;
    EXPECT_EQ(ref.max, simd.max) << n;
    EXPECT_TRUE(ref.finite && simd.finite) << n;
    // A NaN or infinity in any position, vector body or tail, is seen by both.
    for (size_t at : {size_t{0}, n / 2, n - 1}) {
      for (float bad : {NAN, INFINITY, -INFINITY}) {
        const float kept = x[at];
        x[at] = bad;
        EXPECT_FALSE(float_range_ref(x.data(), n).finite) << n << " at " << at;
        EXPECT_FALSE(float_range_wasmsimd(x.data(), n).finite) << n << " at " << at;
        x[at] = kept;
      }
    }
  }
}

TEST(ChooseParamsDynamic, NamesTheFirstNonFiniteValue) {
  std::vector<float> x(40, 0.5f);
  x[37] = NAN;
  try {
    choose_params_dynamic(x, 8, false, "activations");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("activations contains NaN at index 37"), std::string::npos)
        << e.what();
  }
  x[37] = -2.0f;
  const AffineParams p = choose_params_dynamic(x, 8, false, "activations");
  const AffineParams expected = choose_params_minmax(-2.0f, 0.5f, 8, false);
  EXPECT_EQ(p.scale, expected.scale);
  EXPECT_EQ(p.zero_point, expected.zero_point);
}

}  // namespace
}  // namespace quantlab
