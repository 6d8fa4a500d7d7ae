#include <gtest/gtest.h>

#include <cmath>

#include "quant_test_data.h"
#include "quantlab/error.h"
#include "quantlab/quant.h"

namespace quantlab {
namespace {

TEST(ErrorStats, MatchesHandComputedValues) {
  const std::vector<float> x = {1, -2, 3, 4};
  const std::vector<float> y = {1, -2.5f, 3, 5};
  const ErrorStats s = error_stats(x, y);
  EXPECT_DOUBLE_EQ(s.mse, (0.25 + 1.0) / 4);
  EXPECT_DOUBLE_EQ(s.max_abs_error, 1.0);
  EXPECT_DOUBLE_EQ(s.mean_abs_error, 1.5 / 4);
  EXPECT_DOUBLE_EQ(s.signal_power, 30.0 / 4);
  EXPECT_DOUBLE_EQ(s.sqnr_db, 10 * std::log10(30.0 / 1.25));
}

TEST(ErrorStats, ExactCopyHasInfiniteSqnr) {
  const std::vector<float> x = {1, 2};
  EXPECT_TRUE(std::isinf(error_stats(x, x).sqnr_db));
}

TEST(ErrorStats, RejectsMismatchedOrEmptyInput) {
  const std::vector<float> x = {1, 2};
  const std::vector<float> y = {1};
  EXPECT_THROW(error_stats(x, y), InvalidArgument);
  EXPECT_THROW(error_stats({}, {}), InvalidArgument);
}

TEST(ErrorStats, EightBitsBeatFourBitsBySixDecibelsPerBit) {
  // Eq. 13: uniform rounding noise loses about 6.02 dB per bit removed.
  const Shape shape{64, 256};
  const std::vector<float> x = testing::weights_like(shape.element_count(), 11);
  const QuantScheme int8{8, true, Granularity::per_channel};
  const QuantScheme int4{4, true, Granularity::per_channel};
  const double sqnr8 = error_stats(x, dequantize(quantize(x, shape, int8))).sqnr_db;
  const double sqnr4 = error_stats(x, dequantize(quantize(x, shape, int4))).sqnr_db;
  // Same scale rule (max / qmax), qmax 127 vs 7: 20·log10(127/7) ≈ 25.2 dB.
  EXPECT_NEAR(sqnr8 - sqnr4, 20 * std::log10(127.0 / 7.0), 1.0);
}

}  // namespace
}  // namespace quantlab
