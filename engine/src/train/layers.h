// Trainable layers: one per nn::LayerKind, each caching in forward what its backward needs.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "quantlab/nn.h"
#include "quantlab/tensor.h"

namespace quantlab::train {

// What a layer needs to find its parameters and register their gradients.
struct LayerContext {
  nn::Model& model;
  std::map<std::string, Tensor>& gradients;
  uint64_t seed;  // per-layer stream for dropout masks
};

class TrainLayer {
 public:
  TrainLayer(const nn::LayerSpec& spec, Shape input_shape, Shape output_shape);
  virtual ~TrainLayer() = default;
  TrainLayer(const TrainLayer&) = delete;
  TrainLayer& operator=(const TrainLayer&) = delete;

  // input [batch, ...input_shape] → [batch, ...output_shape]
  virtual Tensor forward(const Tensor& input, bool training) = 0;
  // Gradient w.r.t. the last forward's output → gradient w.r.t. its input; adds parameter
  // gradients into the context's gradient tensors.
  virtual Tensor backward(const Tensor& grad_output) = 0;

 protected:
  const nn::LayerSpec& spec() const { return spec_; }
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }
  Tensor new_output(size_t batch) const;
  Tensor new_input_gradient(size_t batch) const;

 private:
  nn::LayerSpec spec_;
  Shape input_shape_;
  Shape output_shape_;
};

// Registers a zero gradient for parameter `name` and returns it.
Tensor& add_gradient(LayerContext& context, const std::string& name);

std::unique_ptr<TrainLayer> make_affine_layer(const nn::LayerSpec& spec, const Shape& input,
                                              LayerContext& context);
std::unique_ptr<TrainLayer> make_batchnorm_layer(const nn::LayerSpec& spec, const Shape& input,
                                                 LayerContext& context);
std::unique_ptr<TrainLayer> make_parameterless_layer(const nn::LayerSpec& spec, const Shape& input,
                                                     LayerContext& context);

std::unique_ptr<TrainLayer> make_train_layer(const nn::LayerSpec& spec, const Shape& input,
                                             LayerContext& context);

}  // namespace quantlab::train
