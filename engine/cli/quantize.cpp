// `quantlab quantize <model dir> --plan P --out DIR`: calibrate on the training split, quantize,
// evaluate on the test split and write the quantized model (manifest records the measured
// accuracy, so `quantlab eval DIR` checks the file reproduces it).
#include <cstdio>
#include <filesystem>

#include "command.h"
#include "examples.h"
#include "model_loading.h"
#include "quantlab/error.h"

namespace quantlab::cli {
namespace {

int run_quantize(const std::vector<std::string>& args) {
  std::vector<std::string> known = {"plan", "out", "data"};
  known.insert(known.end(), kCalibrationOptions.begin(), kCalibrationOptions.end());
  const Arguments parsed = parse_arguments(args, known);
  PlannedModel planned = load_planned_model(parsed, "quantize");
  const quantization::Plan& plan = planned.plan;
  const nn::Model& model = planned.model;
  ModelManifest& manifest = planned.manifest;
  const std::string& out = planned.out;
  const nn::Examples& train = planned.train;
  const nn::Examples& test = planned.test;
  const quantization::CalibrationOptions calibration = calibration_options(parsed);
  const quantization::QuantizedModel quantized = quantization::quantize_model(
      model, plan, quantization::calibrate(model, plan, train.inputs, calibration));
  const eval::Evaluation result = eval::evaluate(quantization::make_executor(quantized), test);
  manifest.metrics = {{"test_accuracy", result.accuracy()},
                      {"test_correct", static_cast<double>(result.correct)},
                      {"test_count", static_cast<double>(result.count)},
                      {"weight_bytes", static_cast<double>(quantized.weight_bytes())},
                      {"bits_per_weight", quantized.bits_per_weight()}};
  save_quantized_model(out, quantized, manifest);
  std::printf(
      "%s (%s): test accuracy %.2f%% (%zu / %zu), %.2f bits per weight, %zu bytes of "
      "weights; saved to %s\n",
      manifest.name.c_str(), plan.name.c_str(), 100.0 * result.accuracy(), result.correct,
      result.count, quantized.bits_per_weight(), quantized.weight_bytes(), out.c_str());
  return 0;
}

const bool registered = register_command(
    {"quantize", "<model dir> --out DIR [--plan PRESET|plan.json] [--data DIR] [--calib ...]",
     "calibrate on the training split, quantize with a plan (default int8) and write the "
     "quantized model",
     run_quantize});

}  // namespace
}  // namespace quantlab::cli
