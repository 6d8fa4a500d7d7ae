#include <algorithm>

#include "quantlab/error.h"
#include "quantlab/train.h"
#include "train/layers.h"

namespace quantlab::train {

class Network::Layers {
 public:
  std::vector<std::unique_ptr<TrainLayer>> list;
};

Network::Network(nn::Model& model, uint64_t seed, size_t layer_count)
    : layers_(std::make_unique<Layers>()) {
  nn::validate_model(model);
  Rng layer_seeds(seed);
  LayerContext context{model, gradients_, 0};
  Shape current = model.input_shape;
  const size_t count = std::min(layer_count, model.layers.size());
  for (size_t i = 0; i < count; ++i) {
    const nn::LayerSpec& spec = model.layers[i];
    context.seed = layer_seeds.next();
    layers_->list.push_back(make_train_layer(spec, current, context));
    current = nn::output_shape(spec, current);
  }
}

Network::~Network() = default;

Tensor Network::forward(const Tensor& input, bool training) {
  require(input.dtype() == DType::f32 && input.shape().rank() >= 2 && input.shape()[0] > 0,
          "network input must be a non-empty f32 batch, got " + input.shape().to_string());
  Tensor current = input;
  for (auto& layer : layers_->list) current = layer->forward(current, training);
  return current;
}

Tensor Network::backward(const Tensor& grad_output) {
  Tensor current = grad_output;
  for (auto it = layers_->list.rbegin(); it != layers_->list.rend(); ++it) {
    current = (*it)->backward(current);
  }
  return current;
}

void Network::zero_gradients() {
  for (auto& [name, gradient] : gradients_) {
    auto v = gradient.values<float>();
    std::fill(v.begin(), v.end(), 0.0f);
  }
}

}  // namespace quantlab::train
