// Inference form of a model: BatchNorm folded into the preceding Linear/Conv2d, Dropout dropped.
#include <cmath>

#include "quantlab/error.h"
#include "quantlab/nn.h"

namespace quantlab::nn {

namespace {

// Scales the output rows of `weight` and rewrites `bias` so that the layer computes
// BatchNorm(layer(x)) with the running statistics.
void fold_batchnorm_into(const Model& source, const LayerSpec& norm, Tensor& weight, Tensor& bias) {
  auto gamma = source.parameter(norm.name + ".weight").values<float>();
  auto beta = source.parameter(norm.name + ".bias").values<float>();
  auto mean = source.parameter(norm.name + ".running_mean").values<float>();
  auto var = source.parameter(norm.name + ".running_var").values<float>();
  auto w = weight.values<float>();
  auto b = bias.values<float>();
  const size_t rows = weight.shape().rows();
  const size_t row_length = weight.shape().row_length();
  require(rows == norm.channels, "batchnorm '" + norm.name + "' has " +
                                     std::to_string(norm.channels) +
                                     " channels but follows a layer with " + std::to_string(rows));
  for (size_t o = 0; o < rows; ++o) {
    require(var[o] >= 0.0f, "batchnorm '" + norm.name + "' has a negative running variance");
    const float factor = gamma[o] / std::sqrt(var[o] + norm.epsilon);
    for (size_t k = 0; k < row_length; ++k) w[o * row_length + k] *= factor;
    b[o] = (b[o] - mean[o]) * factor + beta[o];
  }
}

}  // namespace

Model fold_for_inference(const Model& model) {
  validate_model(model);
  Model folded;
  folded.input_shape = model.input_shape;
  for (const LayerSpec& layer : model.layers) {
    if (layer.kind == LayerKind::dropout) continue;
    if (layer.kind == LayerKind::batchnorm) {
      const bool follows_affine =
          !folded.layers.empty() && (folded.layers.back().kind == LayerKind::linear ||
                                     folded.layers.back().kind == LayerKind::conv2d);
      require(follows_affine, "batchnorm '" + layer.name +
                                  "' must directly follow a linear or conv2d layer to be folded");
      const std::string& previous = folded.layers.back().name;
      fold_batchnorm_into(model, layer, folded.parameter(previous + ".weight"),
                          folded.parameter(previous + ".bias"));
      continue;
    }
    folded.layers.push_back(layer);
    for (const ParameterSpec& p : parameter_specs(layer)) {
      folded.parameters.emplace(p.name, model.parameter(p.name));
    }
  }
  return folded;
}

}  // namespace quantlab::nn
