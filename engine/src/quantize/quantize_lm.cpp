// Calibration, quantization and integer execution of the language model's Linears
// (quantize_lm.h), through the sequential model's quantize_model and integer layers.
#include "quantlab/quantize_lm.h"

#include <algorithm>
#include <map>

#include "quantize/layers.h"
#include "quantize/methods.h"
#include "quantlab/error.h"

namespace quantlab::quantization {

Calibration calibrate_language_model(const nn::lm::LanguageModel& model, const Plan& plan,
                                     std::span<const int32_t> tokens,
                                     const CalibrationOptions& options, const Progress& progress) {
  calib::validate_options(options.observer);
  require(options.samples > 0, "calibration size must be at least 1 window");
  const nn::Model view = nn::lm::linear_view(model);
  validate_plan(plan, view);
  const size_t context = model.config.context;
  const size_t windows = std::min(options.samples, tokens.size() / context);
  require(windows > 0, [&] {
    return "calibration needs at least one window of " + std::to_string(context) + " tokens, got " +
           std::to_string(tokens.size());
  });

  Calibration calibration;
  calibration.observer = options.observer;
  calibration.samples = windows;
  std::map<size_t, calib::Observer> observers;
  std::map<size_t, InputAccumulator> accumulators;
  for (size_t i = 0; i < view.layers.size(); ++i) {
    const LayerPlan& layer = plan.for_layer(view.layers[i].name);
    if (layer.weights == WeightFormat::fp32) continue;
    if (layer.activations == Activations::int8_static) {
      observers.emplace(i, calib::Observer(options.observer));
    }
    if (layer.needs_input_statistics()) {
      accumulators.emplace(i, InputAccumulator(view.layers[i], Shape{view.layers[i].in_features},
                                               layer.needs_hessian()));
    }
  }
  if (observers.empty() && accumulators.empty()) return calibration;

  nn::lm::Session session(model);
  const nn::lm::LinearObserver observer = [&](size_t index, const Tensor& input) {
    const auto it = observers.find(index);
    if (it != observers.end()) it->second.observe(input.values<float>());
    const auto statistics = accumulators.find(index);
    if (statistics != accumulators.end()) statistics->second.add(input);
  };
  for (size_t w = 0; w < windows; ++w) {
    session.reset();
    session.forward(tokens.subspan(w * context, context), observer);
    if (progress && !progress(w + 1, windows)) throw Cancelled();
  }
  for (const auto& [index, o] : observers) {
    calibration.input_ranges.emplace(view.layers[index].name, o.range(8, false));
  }
  for (const auto& [index, accumulator] : accumulators) {
    calibration.inputs.emplace(view.layers[index].name, accumulator.finish());
  }
  return calibration;
}

QuantizedLanguageModel quantize_language_model(const nn::lm::LanguageModel& model, const Plan& plan,
                                               const Calibration& calibration) {
  QuantizedLanguageModel quantized{model,
                                   quantize_layers(nn::lm::linear_view(model), plan, calibration)};
  const auto head = quantized.linears.layers.find("head");
  if (head != quantized.linears.layers.end()) {
    quantized.model.parameters["embed.weight"] =
        Tensor::from_f32(head->second.weight.shape, dequantize(head->second.weight));
  }
  return quantized;
}

size_t QuantizedLanguageModel::weight_bytes() const {
  // The Linears' share (codes, scales, biases, FP32 weights of unplanned ones, the tied
  // embedding as "head") plus what only the LM holds: positions and LayerNorms.
  size_t bytes = linears.weight_bytes();
  for (const auto& [name, tensor] : model.parameters) {
    const std::string owner = name.substr(0, name.rfind('.'));
    const bool in_view = name == "embed.weight" ||
                         std::any_of(linears.model.layers.begin(), linears.model.layers.end(),
                                     [&](const nn::LayerSpec& s) { return s.name == owner; });
    if (!in_view) bytes += tensor.byte_size();
  }
  return bytes;
}

nn::lm::LinearFactory integer_linears(const QuantizedLanguageModel& quantized, Impl impl) {
  // linears.model is the view in inference form: the same layers in the same order.
  return [&quantized, impl](const nn::Model& view, size_t index) -> std::unique_ptr<nn::Layer> {
    const nn::LayerSpec& spec = view.layers.at(index);
    const auto it = quantized.linears.layers.find(spec.name);
    if (it == quantized.linears.layers.end()) return nn::lm::fp32_linears(impl)(view, index);
    return make_integer_layer(quantized.linears.model, index, Shape{spec.in_features}, it->second,
                              CodeFlow{}, impl);
  };
}

}  // namespace quantlab::quantization
