// A model directory as the CLI commands read it: FP32 or quantized, with the options shared by
// quantize and report (plans, calibration).
#pragma once

#include <memory>
#include <string>

#include "command.h"
#include "examples.h"
#include "quantlab/eval.h"
#include "quantlab/io.h"
#include "quantlab/quantize.h"

namespace quantlab::cli {

// The FP32 model, or the quantized one, of a model directory.
struct LoadedModel {
  ModelManifest manifest;
  nn::Model fp32;                                           // empty layers when quantized
  std::unique_ptr<quantization::QuantizedModel> quantized;  // null for an FP32 model
  nn::Executor executor() const;
};
LoadedModel load_any_model(const std::string& dir);

// What a command that quantizes a model under a plan starts from: the model directory (the one
// positional argument), --plan (default int8) checked against it, --out (created) and the
// dataset's splits (--data).
struct PlannedModel {
  ModelManifest manifest;
  nn::Model model;
  quantization::Plan plan;
  std::string out;
  nn::Examples train;
  nn::Examples test;
};
PlannedModel load_planned_model(const Arguments& args, const std::string& command);

// --calib METHOD, --percentile P, --calib-size N.
quantization::CalibrationOptions calibration_options(const Arguments& args);
inline const std::vector<std::string> kCalibrationOptions = {"calib", "percentile", "calib-size"};

// The "[--calib ...]" part of a usage line.
inline constexpr const char* kCalibrationUsage =
    "[--calib minmax|moving_average_minmax|percentile|mse|entropy] [--percentile P] "
    "[--calib-size N]";

}  // namespace quantlab::cli
