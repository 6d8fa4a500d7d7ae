#include "quantlab/nn_ops.h"
#include "train/layers.h"

namespace quantlab::train {

TrainLayer::TrainLayer(const nn::LayerSpec& spec, Shape input_shape, Shape output_shape)
    : spec_(spec), input_shape_(std::move(input_shape)), output_shape_(std::move(output_shape)) {}

Tensor TrainLayer::new_output(size_t batch) const {
  return Tensor(DType::f32, nn::ops::batched_shape(batch, output_shape_));
}

Tensor TrainLayer::new_input_gradient(size_t batch) const {
  return Tensor(DType::f32, nn::ops::batched_shape(batch, input_shape_));
}

Tensor& add_gradient(LayerContext& context, const std::string& name) {
  const Tensor& parameter = context.model.parameter(name);
  return context.gradients.insert_or_assign(name, Tensor(DType::f32, parameter.shape()))
      .first->second;
}

std::unique_ptr<TrainLayer> make_train_layer(const nn::LayerSpec& spec, const Shape& input,
                                             LayerContext& context) {
  switch (spec.kind) {
    case nn::LayerKind::linear:
    case nn::LayerKind::conv2d:
      return make_affine_layer(spec, input, context);
    case nn::LayerKind::batchnorm:
      return make_batchnorm_layer(spec, input, context);
    default:
      return make_parameterless_layer(spec, input, context);
  }
}

}  // namespace quantlab::train
