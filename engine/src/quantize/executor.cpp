// Builds the executor of a QuantizedModel: decides where int8 codes flow between layers on the
// integer path, and which layer implementation runs each spec.
#include <vector>

#include "quantize/layers.h"
#include "quantlab/error.h"

namespace quantlab::quantization {
namespace {

// Layers that can work on int8 codes without changing their mapping.
bool preserves_codes(nn::LayerKind kind) {
  return kind == nn::LayerKind::relu || kind == nn::LayerKind::maxpool2d ||
         kind == nn::LayerKind::flatten;
}

const QuantizedLayer* static_layer(const QuantizedModel& q, size_t index) {
  const auto it = q.layers.find(q.model.layers[index].name);
  if (it == q.layers.end() || it->second.activations != Activations::int8_static) return nullptr;
  return &it->second;
}

// For every static layer, walk back over code-preserving layers to its producer; if that is
// static too, the producer requantizes to the consumer's input mapping and codes flow between.
std::vector<CodeFlow> code_flows(const QuantizedModel& q) {
  const auto& layers = q.model.layers;
  std::vector<CodeFlow> flows(layers.size());
  for (size_t consumer = 0; consumer < layers.size(); ++consumer) {
    const QuantizedLayer* target = static_layer(q, consumer);
    if (target == nullptr) continue;
    size_t producer = consumer;
    while (producer > 0 && preserves_codes(layers[producer - 1].kind)) --producer;
    if (producer == 0 || static_layer(q, producer - 1) == nullptr) continue;
    --producer;
    flows[producer].codes_out = true;
    flows[producer].params = target->input_params;
    for (size_t i = producer + 1; i < consumer; ++i) {
      flows[i] = {true, true, target->input_params};
    }
    flows[consumer].codes_in = true;
  }
  return flows;
}

// The model with every quantized weight replaced by its dequantized values.
nn::Model dequantized_model(const QuantizedModel& q) {
  nn::Model model = q.model;
  for (const auto& [name, layer] : q.layers) {
    model.parameters[name + ".weight"] =
        Tensor::from_f32(layer.weight.shape, dequantize(layer.weight));
  }
  return model;
}

}  // namespace

nn::Executor make_executor(const QuantizedModel& quantized, Execution execution, Impl impl) {
  validate_quantized_model(quantized);
  if (execution == Execution::simulated) {
    const nn::Model model = dequantized_model(quantized);
    return nn::Executor(model, [&](const nn::Model& m, size_t index, const Shape& input) {
      const auto it = quantized.layers.find(m.layers[index].name);
      if (it == quantized.layers.end()) return nn::make_fp32_layer(m, index, input, impl);
      return make_simulated_layer(m, index, input, it->second, impl);
    });
  }
  const std::vector<CodeFlow> flows = code_flows(quantized);
  return nn::Executor(quantized.model, [&](const nn::Model& m, size_t index, const Shape& input) {
    const auto it = quantized.layers.find(m.layers[index].name);
    if (it != quantized.layers.end()) {
      return make_integer_layer(m, index, input, it->second, flows[index], impl);
    }
    if (flows[index].codes_in) return make_code_layer(m, index, input, flows[index]);
    return nn::make_fp32_layer(m, index, input, impl);
  });
}

}  // namespace quantlab::quantization
