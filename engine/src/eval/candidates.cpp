#include "eval/candidates.h"

#include "quantlab/error.h"

namespace quantlab::eval {

PlanCandidates::PlanCandidates(const nn::Model& model, const nn::Examples& validation,
                               const Tensor& calibration_inputs, const SensitivityOptions& options)
    : model_(model),
      validation_(validation),
      batch_size_(options.batch_size),
      choices_(options.choices),
      fp32_(quantization::quantize_model(model, quantization::preset("fp32"), {})) {
  require(!choices_.empty(), "sensitivity needs at least one layer choice");
  nn::check_examples(model.input_shape, validation);
  for (const nn::LayerSpec& spec : fp32_.model.layers) {
    if (spec.kind == nn::LayerKind::linear || spec.kind == nn::LayerKind::conv2d) {
      layers_.push_back(spec.name);
    }
  }
  for (const LayerChoice& choice : choices_) {
    quantization::Plan plan{choice.name, choice.plan, {}};
    try {
      uniform_.push_back(quantization::quantize_model(
          model, plan,
          quantization::calibrate(model, plan, calibration_inputs, options.calibration)));
    } catch (const InvalidArgument& e) {
      throw InvalidArgument("layer choice '" + choice.name + "': " + e.what());
    }
  }
  reference_ = predict(nn::Executor(fp32_.model), validation.inputs, batch_size_);
}

size_t PlanCandidates::layer_bytes(size_t layer, size_t choice) const {
  if (choice == kFp32Choice) {
    return 4 * fp32_.model.parameter(layers_[layer] + ".weight").element_count();
  }
  return (uniform_[choice].layers.at(layers_[layer]).weight.total_bits() + 7) / 8;
}

double PlanCandidates::fp32_accuracy() const {
  size_t correct = 0;
  for (size_t i = 0; i < validation_.size(); ++i) {
    correct += reference_.classes[i] == validation_.labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(validation_.size());
}

quantization::QuantizedModel PlanCandidates::assemble(const std::vector<size_t>& assignment,
                                                      const std::string& name) const {
  quantization::QuantizedModel q = fp32_;
  q.plan.name = name;
  for (size_t l = 0; l < layers_.size(); ++l) {
    if (assignment[l] == kFp32Choice) continue;
    const std::string& layer = layers_[l];
    const quantization::QuantizedModel& from = uniform_[assignment[l]];
    q.layers[layer] = from.layers.at(layer);
    q.model.parameters.erase(layer + ".weight");
    q.model.parameters[layer + ".bias"] = from.model.parameter(layer + ".bias");
    q.plan.layers[layer] = choices_[assignment[l]].plan;
    const auto range = from.calibration.input_ranges.find(layer);
    if (range != from.calibration.input_ranges.end()) q.calibration.input_ranges.insert(*range);
  }
  q.calibration.samples = uniform_.front().calibration.samples;
  q.calibration.observer = uniform_.front().calibration.observer;
  return q;
}

MeasuredPlan PlanCandidates::measure(const std::vector<size_t>& assignment, const std::string& name,
                                     const std::string& stage) const {
  const quantization::QuantizedModel q = assemble(assignment, name);
  const Predictions predictions =
      predict(quantization::make_executor(q), validation_.inputs, batch_size_);
  const Comparison c = compare(reference_, predictions, validation_.labels);
  MeasuredPlan measured;
  measured.plan = q.plan;
  measured.stage = stage;
  measured.weight_bytes = q.weight_bytes();
  measured.bits_per_weight = q.bits_per_weight();
  measured.accuracy = c.accuracy();
  measured.drop_points = c.decay_points;
  measured.kl_mean = c.kl_mean;
  measured.output_sqnr_db = c.output_sqnr_db;
  return measured;
}

}  // namespace quantlab::eval
