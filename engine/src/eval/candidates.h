// The plans sensitivity and search compare, built from per-choice pieces: each choice quantizes
// every layer once (one calibration, one quantize_model), and a mixed plan takes each layer's
// quantized weight, bias and input parameters from its choice's model. Calibration observes the
// FP32 model, so a layer's pieces do not depend on the other layers' choices and the assembled
// model equals quantize_model on the mixed plan.
#pragma once

#include <string>
#include <vector>

#include "quantlab/eval.h"

namespace quantlab::eval {

inline constexpr size_t kFp32Choice = SIZE_MAX;

class PlanCandidates {
 public:
  PlanCandidates(const nn::Model& model, const nn::Examples& validation,
                 const Tensor& calibration_inputs, const SensitivityOptions& options);

  const std::vector<std::string>& layers() const { return layers_; }  // Linear/Conv2d, in order
  const std::vector<LayerChoice>& choices() const { return choices_; }
  size_t layer_bytes(size_t layer, size_t choice) const;  // the weight as stored; FP32: 4/value
  double fp32_accuracy() const;
  size_t validation_size() const { return validation_.size(); }

  // assignment[l]: a choice index for layers()[l], or kFp32Choice.
  quantization::QuantizedModel assemble(const std::vector<size_t>& assignment,
                                        const std::string& name) const;
  MeasuredPlan measure(const std::vector<size_t>& assignment, const std::string& name,
                       const std::string& stage) const;

 private:
  nn::Model model_;
  const nn::Examples& validation_;
  size_t batch_size_;
  std::vector<std::string> layers_;
  std::vector<LayerChoice> choices_;
  std::vector<quantization::QuantizedModel> uniform_;  // per choice: every layer quantized
  quantization::QuantizedModel fp32_;
  Predictions reference_;
};

// The sensitivity table over these candidates (progress: after each measured plan).
Sensitivity sensitivity_of(const PlanCandidates& candidates, const Progress& progress);

}  // namespace quantlab::eval
