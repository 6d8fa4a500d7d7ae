// Per-layer sensitivity (docs/quantization.md §14): one layer quantized, the rest FP32, measured
// on a validation slice of the training split.
#include "eval/candidates.h"
#include "quantlab/error.h"

namespace quantlab::eval {

nn::Examples validation_slice(const nn::Examples& train, size_t count) {
  require(count > 0 && count < train.size(), "validation slice: " + std::to_string(count) +
                                                 " examples requested from a training "
                                                 "split of " +
                                                 std::to_string(train.size()) +
                                                 "; it must be at least 1 and leave the "
                                                 "front of the split to calibration");
  const size_t per_sample = train.inputs.element_count() / train.size();
  const size_t first = train.size() - count;
  nn::Examples slice;
  std::vector<size_t> dims = train.inputs.shape().dims();
  dims[0] = count;
  slice.inputs = Tensor(DType::f32, Shape(dims));
  const auto from = train.inputs.values<float>().subspan(first * per_sample, count * per_sample);
  std::copy(from.begin(), from.end(), slice.inputs.values<float>().begin());
  slice.labels.assign(train.labels.begin() + static_cast<std::ptrdiff_t>(first),
                      train.labels.end());
  return slice;
}

std::vector<LayerChoice> default_layer_choices() {
  using quantization::preset;
  LayerChoice int4_channel{"int4-channel", {}};
  int4_channel.plan.weights = quantization::WeightFormat::int4;
  int4_channel.plan.granularity = Granularity::per_channel;
  int4_channel.plan.method = quantization::WeightMethod::gptq;
  return {
      {"int8", preset("int8").defaults}, {"int4-g32", preset("int4-g32").defaults}, int4_channel};
}

Sensitivity sensitivity_of(const PlanCandidates& candidates, const Progress& progress) {
  Sensitivity result;
  result.fp32_accuracy = candidates.fp32_accuracy();
  result.validation_examples = candidates.validation_size();
  const size_t layers = candidates.layers().size(), choices = candidates.choices().size();
  for (size_t l = 0; l < layers; ++l) {
    for (size_t c = 0; c < choices; ++c) {
      std::vector<size_t> assignment(layers, kFp32Choice);
      assignment[l] = c;
      const std::string& layer = candidates.layers()[l];
      const std::string& choice = candidates.choices()[c].name;
      const MeasuredPlan m = candidates.measure(assignment, layer + ":" + choice, "sensitivity");
      const size_t bytes = candidates.layer_bytes(l, c);
      result.rows.push_back({layer, choice, m.drop_points, m.kl_mean, m.output_sqnr_db, bytes,
                             candidates.layer_bytes(l, kFp32Choice) - bytes});
      if (progress && !progress(l * choices + c + 1, layers * choices)) throw Cancelled();
    }
  }
  return result;
}

Sensitivity sensitivity(const nn::Model& model, const nn::Examples& validation,
                        const Tensor& calibration_inputs, const SensitivityOptions& options,
                        const Progress& progress) {
  return sensitivity_of(PlanCandidates(model, validation, calibration_inputs, options), progress);
}

}  // namespace quantlab::eval
