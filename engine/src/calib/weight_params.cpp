// Weight ranges per tensor / channel / group: min-max (Eqs. 5-7) or the clipped range that
// minimizes each run's round-trip MSE (Eq. 21).
#include <vector>

#include "quantlab/calib.h"
#include "quantlab/quant.h"
#include "quantlab/quant_layout.h"

namespace quantlab::calib {
namespace {

// Eq. 21's grid: alpha_j = 1 - j / 100 for j = 0 .. 80, i.e. clipping by up to 80%.
constexpr int kClipSteps = 80;
double clip_factor(int step) { return 1.0 - step / 100.0; }

std::vector<AffineParams> scaled_params(const std::vector<FloatRange>& ranges, double alpha,
                                        const QuantScheme& scheme) {
  std::vector<AffineParams> params;
  params.reserve(ranges.size());
  for (const FloatRange& range : ranges) {
    params.push_back(choose_params_minmax(static_cast<float>(alpha * range.min),
                                          static_cast<float>(alpha * range.max), scheme.bits,
                                          scheme.symmetric));
  }
  return params;
}

// Σ (x - x̂)² per parameter for one round trip through Eq. 4 and Eq. 1. 4-bit codes fit the
// int8 rows, whose integers and dequantized floats equal the packed 4-bit path's.
std::vector<double> squared_errors(std::span<const float> x, const RunLayout& layout,
                                   const std::vector<AffineParams>& params,
                                   const QuantScheme& scheme) {
  const IntRange ints = int_range(scheme.bits, scheme.symmetric);
  std::vector<double> errors(params.size(), 0.0);
  std::vector<int8_t> codes(x.size());
  std::vector<float> round_trip(x.size());
  layout.for_each_run([&](const Run& run) {
    const float* values = x.data() + run.offset;
    quantize_row_i8_wasmsimd(values, run.length, params[run.param], ints, codes.data());
    dequantize_row_i8_wasmsimd(codes.data(), run.length, params[run.param], round_trip.data());
    double sum = 0;
    for (size_t i = 0; i < run.length; ++i) {
      const double error = static_cast<double>(values[i]) - round_trip[i];
      sum += error * error;
    }
    errors[run.param] += sum;
  });
  return errors;
}

WeightParams to_weight_params(const std::vector<AffineParams>& params) {
  WeightParams result;
  for (const AffineParams& p : params) {
    result.scales.push_back(p.scale);
    result.zero_points.push_back(p.zero_point);
  }
  return result;
}

}  // namespace

WeightParams choose_weight_params(std::span<const float> x, const Shape& shape,
                                  const QuantScheme& scheme, WeightRange range) {
  const std::vector<FloatRange> ranges = param_ranges(x, shape, scheme);
  std::vector<AffineParams> best = scaled_params(ranges, 1.0, scheme);
  if (range == WeightRange::minmax) return to_weight_params(best);

  // Eq. 21: per run, the alpha with the smallest round-trip error; alpha = 1 (min-max) is tried
  // first and kept on ties.
  const RunLayout layout(shape, scheme);
  std::vector<double> best_errors = squared_errors(x, layout, best, scheme);
  for (int step = 1; step <= kClipSteps; ++step) {
    const std::vector<AffineParams> params = scaled_params(ranges, clip_factor(step), scheme);
    const std::vector<double> errors = squared_errors(x, layout, params, scheme);
    for (size_t p = 0; p < params.size(); ++p) {
      if (errors[p] < best_errors[p]) {
        best_errors[p] = errors[p];
        best[p] = params[p];
      }
    }
  }
  return to_weight_params(best);
}

}  // namespace quantlab::calib
