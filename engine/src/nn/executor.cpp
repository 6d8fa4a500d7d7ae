// Runs a list of layers over a batch, timing each and optionally keeping every output.
#include <algorithm>
#include <chrono>

#include "nn/ops.h"
#include "quantlab/error.h"
#include "quantlab/nn.h"

namespace quantlab::nn {

Executor::Executor(const Model& model, Impl impl) {
  const Model folded = fold_for_inference(model);
  input_shape_ = folded.input_shape;
  Shape current = folded.input_shape;
  for (size_t i = 0; i < folded.layers.size(); ++i) {
    layers_.push_back(make_fp32_layer(folded, i, current, impl));
    current = layers_.back()->output_shape();
  }
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
  require(input.shape().rank() == input_shape_.rank() + 1 && input.shape()[0] > 0,
          "executor input must be [batch, " + input_shape_.to_string().substr(1) + ", got " +
              input.shape().to_string());
  const size_t batch = input.shape()[0];
  require(ops::batched_shape(batch, input_shape_) == input.shape(),
          "executor input shape " + input.shape().to_string() + " does not match model input " +
              input_shape_.to_string());
  RunResult result;
  // Without capture only the previous output is kept alive.
  Tensor previous;
  const Tensor* current = &input;
  for (const auto& layer : layers_) {
    Tensor output(DType::f32, ops::batched_shape(batch, layer->output_shape()));
    const auto start = std::chrono::steady_clock::now();
    layer->forward(*current, output);
    const std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - start;
    result.timings.push_back({layer->spec().name, layer->spec().kind, elapsed.count()});
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

}  // namespace quantlab::nn
