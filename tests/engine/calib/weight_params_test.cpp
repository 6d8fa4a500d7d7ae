// choose_weight_params (docs/quantization.md, Eqs. 5-7 and 21).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "io/expect_error.h"
#include "quantlab/calib.h"
#include "quantlab/quant.h"

namespace quantlab::calib {
namespace {

std::vector<float> ramp_weights(size_t count) {
  std::vector<float> weights(count);
  for (size_t i = 0; i < count; ++i) {
    weights[i] = static_cast<float>((i * 37) % 101) / 17.0f - 2.5f + (i % 13 == 0 ? 4.0f : 0.0f);
  }
  return weights;
}

TEST(WeightParams, MinMaxEqualsQuantizesOwnParameters) {
  const Shape shape{6, 3, 10};  // rows of K = 30: groups of 8 leave a shorter last group
  const std::vector<float> weights = ramp_weights(shape.element_count());
  for (const int bits : {8, 4}) {
    for (const bool symmetric : {true, false}) {
      for (const Granularity granularity :
           {Granularity::per_tensor, Granularity::per_channel, Granularity::per_group}) {
        QuantScheme scheme;
        scheme.bits = bits;
        scheme.symmetric = symmetric;
        scheme.granularity = granularity;
        scheme.group_size = 8;
        SCOPED_TRACE(scheme.to_string());
        const QuantizedTensor reference = quantize(weights, shape, scheme);
        const WeightParams params =
            choose_weight_params(weights, shape, scheme, WeightRange::minmax);
        EXPECT_EQ(params.scales, reference.scales);
        EXPECT_EQ(params.zero_points, reference.zero_points);
      }
    }
  }
  QuantScheme strided;  // 8-bit channels along an inner axis: runs of 10, strided
  strided.granularity = Granularity::per_channel;
  strided.axis = 1;
  EXPECT_EQ(choose_weight_params(weights, shape, strided, WeightRange::minmax).scales,
            quantize(weights, shape, strided).scales);
}

TEST(WeightParams, MseNeverLosesToMinMaxOnAnyRun) {
  const Shape shape{6, 30};
  const std::vector<float> weights = ramp_weights(shape.element_count());
  QuantScheme scheme;
  scheme.bits = 4;
  scheme.granularity = Granularity::per_group;
  scheme.group_size = 8;
  const auto run_errors = [&](WeightRange range) {
    const WeightParams params = choose_weight_params(weights, shape, scheme, range);
    const std::vector<float> round_trip =
        dequantize(quantize_with_params(weights, shape, scheme, params.scales, params.zero_points));
    std::vector<double> errors(params.scales.size(), 0.0);
    for (size_t i = 0; i < weights.size(); ++i) {
      const double error = weights[i] - round_trip[i];
      errors[i / 30 * 4 + i % 30 / 8] += error * error;
    }
    return errors;
  };
  const std::vector<double> minmax = run_errors(WeightRange::minmax);
  const std::vector<double> mse = run_errors(WeightRange::mse);
  for (size_t p = 0; p < minmax.size(); ++p) EXPECT_LE(mse[p], minmax[p]) << "group " << p;
}

TEST(WeightParams, RejectsBadInputLikeQuantize) {
  const Shape shape{2, 3};
  QuantScheme scheme;
  EXPECT_ERROR(choose_weight_params(std::vector<float>(5, 1.0f), shape, scheme, WeightRange::mse),
               "needs 6 values, got 5");
  std::vector<float> weights(6, 1.0f);
  weights[4] = NAN;
  EXPECT_ERROR(choose_weight_params(weights, shape, scheme, WeightRange::minmax), "NaN at index 4");
}

}  // namespace
}  // namespace quantlab::calib
