// Calibration: the FP32 model runs over the calibration set and one observer per statically
// quantized layer watches that layer's input through the executor's observer hook; layers planned
// with GPTQ or bias correction gather their input statistics through the same hook.
#include <algorithm>
#include <map>

#include "quantize/methods.h"
#include "quantlab/error.h"
#include "quantlab/nn_ops.h"
#include "quantlab/quantize.h"

namespace quantlab::quantization {

Calibration calibrate(const nn::Model& model, const Plan& plan, const Tensor& inputs,
                      const CalibrationOptions& options, const Progress& progress) {
  const nn::Model folded = nn::fold_for_inference(model);
  validate_plan(plan, folded);
  check_calibration(folded, inputs, options);

  Calibration calibration;
  calibration.observer = options.observer;
  // Point i of a run is the input of layer i (nn::RunObserver).
  std::map<size_t, calib::Observer> observers;
  std::map<size_t, InputAccumulator> accumulators;
  const std::vector<Shape> outputs = nn::layer_output_shapes(folded);
  for (size_t i = 0; i < folded.layers.size(); ++i) {
    const LayerPlan& layer = plan.for_layer(folded.layers[i].name);
    const bool has_weights = folded.layers[i].kind == nn::LayerKind::linear ||
                             folded.layers[i].kind == nn::LayerKind::conv2d;
    if (!has_weights || layer.weights == WeightFormat::fp32) continue;
    if (layer.activations == Activations::int8_static) {
      observers.emplace(i, calib::Observer(options.observer));
    }
    if (layer.needs_input_statistics()) {
      const Shape& input = i == 0 ? folded.input_shape : outputs[i - 1];
      accumulators.emplace(i, InputAccumulator(folded.layers[i], input, layer.needs_hessian()));
    }
  }
  calibration.samples = std::min(options.samples, inputs.shape()[0]);
  if (observers.empty() && accumulators.empty()) return calibration;

  observe_calibration_run(
      folded, inputs, options,
      [&](size_t point, const Tensor& value) {
        const auto it = observers.find(point);
        if (it != observers.end()) it->second.observe(value.values<float>());
        const auto statistics = accumulators.find(point);
        if (statistics != accumulators.end()) statistics->second.add(value);
      },
      progress);
  for (const auto& [index, observer] : observers) {
    calibration.input_ranges.emplace(folded.layers[index].name, observer.range(8, false));
  }
  for (const auto& [index, accumulator] : accumulators) {
    calibration.inputs.emplace(folded.layers[index].name, accumulator.finish());
  }
  return calibration;
}

void check_calibration(const nn::Model& folded, const Tensor& inputs,
                       const CalibrationOptions& options) {
  calib::validate_options(options.observer);
  require(options.samples > 0, "calibration size must be at least 1");
  require(options.batch_size > 0, "calibration batch size must be at least 1");
  require(inputs.dtype() == DType::f32 && inputs.shape().rank() == folded.input_shape.rank() + 1 &&
              inputs.shape().element_count() > 0 &&
              nn::ops::batched_shape(inputs.shape()[0], folded.input_shape) == inputs.shape(),
          "calibration inputs must be f32 [count, " + folded.input_shape.to_string().substr(1) +
              ", got " + inputs.shape().to_string());
}

size_t observe_calibration_run(const nn::Model& folded, const Tensor& inputs,
                               const CalibrationOptions& options, const nn::RunObserver& observe,
                               const Progress& progress) {
  const size_t count = std::min(options.samples, inputs.shape()[0]);
  const nn::Executor executor(folded);
  nn::RunOptions run;
  run.observer = observe;
  for (size_t begin = 0; begin < count; begin += options.batch_size) {
    const size_t end = std::min(begin + options.batch_size, count);
    executor.run(nn::ops::batch_rows(inputs, folded.input_shape, begin, end), run);
    if (progress && !progress(end, count)) throw Cancelled();
  }
  return count;
}

}  // namespace quantlab::quantization
