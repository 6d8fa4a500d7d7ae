// Per-layer output error of a quantized executor against FP32: where in the network the error
// enters and how it grows.
#include <algorithm>
#include <cmath>
#include <limits>

#include "quantlab/error.h"
#include "quantlab/eval.h"

namespace quantlab::eval {
namespace {

// The real values of a layer output: f32 as is, int8 codes through Eq. 1.
std::vector<float> real_values(const nn::Layer& layer, const Tensor& output) {
  if (output.dtype() == DType::f32) {
    const auto v = output.values<float>();
    return {v.begin(), v.end()};
  }
  const auto codes = output.values<int8_t>();
  std::vector<float> real(codes.size());
  dequantize_row_i8_ref(codes.data(), codes.size(), layer.output_params(), real.data());
  return real;
}

}  // namespace

std::vector<LayerError> layer_errors(const nn::Executor& reference, const nn::Executor& candidate,
                                     const Tensor& inputs) {
  require(reference.layer_count() == candidate.layer_count(),
          "layer errors need two executors of the same model");
  nn::RunOptions capture;
  capture.capture_activations = true;
  const nn::RunResult ref = reference.run(inputs, capture);
  const nn::RunResult cand = candidate.run(inputs, capture);
  std::vector<LayerError> errors;
  for (size_t i = 0; i < reference.layer_count(); ++i) {
    std::vector<float> r = real_values(reference.layer(i), ref.activations[i]);
    const std::vector<float> c = real_values(candidate.layer(i), cand.activations[i]);
    if (cand.activations[i].dtype() == DType::i8) {
      // Codes handed to the next layer cover its input range, with any following ReLU fused into
      // the clamp: compare against FP32 clamped the same way, so the figure is the rounding and
      // calibration error, not the fused ReLU.
      const AffineParams p = candidate.layer(i).output_params();
      const float low = p.scale * static_cast<float>(-128 - p.zero_point);
      const float high = p.scale * static_cast<float>(127 - p.zero_point);
      for (float& v : r) v = std::min(std::max(v, low), high);
    }
    double signal = 0, noise = 0;
    for (size_t j = 0; j < r.size(); ++j) {
      const double d = static_cast<double>(r[j]) - c[j];
      signal += static_cast<double>(r[j]) * r[j];
      noise += d * d;
    }
    const nn::LayerSpec& spec = reference.layer(i).spec();
    errors.push_back(
        {spec.name, nn::layer_kind_name(spec.kind),
         noise == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(signal / noise)});
  }
  return errors;
}

}  // namespace quantlab::eval
