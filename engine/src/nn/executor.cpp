// Runs a list of layers over a batch, timing each and optionally keeping every output.
#include <algorithm>
#include <chrono>

#include "quantlab/error.h"
#include "quantlab/nn.h"
#include "quantlab/nn_ops.h"

namespace quantlab::nn {

Executor::Executor(const Model& model, Impl impl)
    : Executor(fold_for_inference(model),
               [impl](const Model& folded, size_t index, const Shape& input) {
                 return make_fp32_layer(folded, index, input, impl);
               }) {}

Executor::Executor(const Model& inference_model, const LayerFactory& factory)
    : input_shape_(inference_model.input_shape) {
  layer_output_shapes(inference_model);
  DType flowing = DType::f32;
  Shape current = inference_model.input_shape;
  for (size_t i = 0; i < inference_model.layers.size(); ++i) {
    std::unique_ptr<Layer> layer = factory(inference_model, i, current);
    const std::string& name = inference_model.layers[i].name;
    require(layer != nullptr && layer->spec().name == name,
            "the layer factory built no layer '" + name + "'");
    require(layer->input_dtype() == flowing, "layer '" + name + "' consumes " +
                                                 dtype_name(layer->input_dtype()) +
                                                 " but its input is " + dtype_name(flowing));
    flowing = layer->output_dtype();
    current = layer->output_shape();
    layers_.push_back(std::move(layer));
  }
  require(flowing == DType::f32,
          "the last layer must produce f32, got " + std::string(dtype_name(flowing)));
}

const Layer& Executor::layer(size_t index) const {
  require(index < layers_.size(), "layer index " + std::to_string(index) + " is out of range");
  return *layers_[index];
}

void Executor::replace_layer(size_t index, std::unique_ptr<Layer> layer) {
  const Layer& old = this->layer(index);
  require(layer != nullptr, "replacement for layer '" + old.spec().name + "' is null");
  require(layer->input_shape() == old.input_shape() && layer->output_shape() == old.output_shape(),
          "replacement for layer '" + old.spec().name + "' maps " +
              layer->input_shape().to_string() + " to " + layer->output_shape().to_string() +
              ", expected " + old.input_shape().to_string() + " to " +
              old.output_shape().to_string());
  layers_[index] = std::move(layer);
}

RunResult Executor::run(const Tensor& input, const RunOptions& options) const {
  require(input.dtype() == DType::f32, "executor input must be f32");
  // Messages built only on failure: a batch-1 run is a few microseconds of work.
  require(input.shape().rank() == input_shape_.rank() + 1 && input.shape()[0] > 0, [&] {
    return "executor input must be [batch, " + input_shape_.to_string().substr(1) + ", got " +
           input.shape().to_string();
  });
  const size_t batch = input.shape()[0];
  require(ops::batched_shape(batch, input_shape_) == input.shape(), [&] {
    return "executor input shape " + input.shape().to_string() + " does not match model input " +
           input_shape_.to_string();
  });
  RunResult result;
  // Without capture only the previous output is kept alive.
  Tensor previous;
  const Tensor* current = &input;
  if (options.observer) options.observer(0, input);
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer* layer = layers_[i].get();
    // Every layer writes all of its output (Layer::forward), so it need not be zeroed first.
    Tensor output(layer->output_dtype(), ops::batched_shape(batch, layer->output_shape()),
                  Init::uninitialized);
    const auto start = std::chrono::steady_clock::now();
    layer->forward(*current, output);
    const std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - start;
    result.timings.push_back({layer->spec().name, layer->spec().kind, elapsed.count()});
    if (options.observer) options.observer(i + 1, output);
    if (options.capture_activations) result.activations.push_back(output);
    previous = std::move(output);
    current = &previous;
  }
  result.output = std::move(previous);
  return result;
}

std::vector<int32_t> argmax_rows(const Tensor& scores) {
  require(scores.shape().rank() == 2,
          "argmax_rows needs a [batch, classes] tensor, got " + scores.shape().to_string());
  const size_t cols = scores.shape()[1];
  auto values = scores.values<float>();
  std::vector<int32_t> best(scores.shape()[0]);
  for (size_t r = 0; r < best.size(); ++r) {
    const float* row = values.data() + r * cols;
    best[r] = static_cast<int32_t>(std::max_element(row, row + cols) - row);
  }
  return best;
}

void check_examples(const Shape& input_shape, const Examples& examples) {
  require(examples.size() > 0, "no examples: the example set is empty");
  require(examples.inputs.dtype() == DType::f32, "example inputs must be f32");
  const Shape expected = ops::batched_shape(examples.size(), input_shape);
  require(examples.inputs.shape() == expected,
          "example inputs have shape " + examples.inputs.shape().to_string() + " but " +
              std::to_string(examples.size()) + " labels and model input " +
              input_shape.to_string() + " need " + expected.to_string());
}

}  // namespace quantlab::nn
