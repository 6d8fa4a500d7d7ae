// The FP32-vs-quantized report (schema: docs/report.md). Every plan is calibrated on the same
// calibration inputs, quantized, run on the integer kernels over the whole test set and compared
// with FP32 on the same examples; the speed of all executors is measured in the same run.
#include <cmath>
#include <memory>

#include "eval/markdown.h"
#include "eval/report_provenance.h"
#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/io.h"
#include "quantlab/nn_ops.h"
#include "quantlab/version.h"

namespace quantlab::eval {
namespace {

using markdown::finite_or_null;
using nlohmann::ordered_json;

ordered_json speed_json(const Speed& speed, const Speed& fp32) {
  return {{"batch1_ms", speed.batch1_ms},
          {"batch_ms", speed.batch_ms},
          {"images_per_second", speed.images_per_second},
          {"speedup_batch1", fp32.batch1_ms / speed.batch1_ms},
          {"speedup_batch", fp32.batch_ms / speed.batch_ms},
          {"layer_batch_ms", speed.layer_batch_ms},
          {"layer_batch1_ms", speed.layer_batch1_ms}};
}

// What the FP32 model weighs by the same accounting (Eq. 10 with 32-bit values).
quantization::QuantizedModel fp32_as_quantized(const nn::Model& model) {
  return quantization::quantize_model(model, quantization::preset("fp32"), {});
}

struct Beyond {
  ordered_json sections = ordered_json::object();  // "sensitivity", "search"
  std::optional<quantization::Plan> chosen;        // the search's, named "mixed"
};

// The sensitivity table and the search, on the validation slice only.
template <typename Stage>
Beyond beyond_sections(const nn::Model& model, const Tensor& calibration_inputs,
                       const ReportOptions& options, const Stage& stage) {
  Beyond beyond;
  if (options.validation.size() == 0) return beyond;
  SensitivityOptions sensitivity_options;
  sensitivity_options.calibration = options.calibration;
  if (!options.search_budget) {
    beyond.sections["sensitivity"] = sensitivity_json(sensitivity(
        model, options.validation, calibration_inputs, sensitivity_options, stage("sensitivity")));
    return beyond;
  }
  SearchOptions search_options;
  search_options.budget = *options.search_budget;
  search_options.sensitivity = sensitivity_options;
  const SearchResult result = search(model, options.validation, calibration_inputs, search_options,
                                     stage("sensitivity and search"));
  beyond.sections["sensitivity"] = sensitivity_json(result.sensitivity);
  beyond.sections["search"] = search_json(result, search_options.budget);
  beyond.chosen = result.measured[result.chosen].plan;
  beyond.chosen->name = "mixed";
  return beyond;
}

}  // namespace

std::vector<quantization::Plan> int4_method_plans() {
  std::vector<quantization::Plan> plans;
  for (const Granularity granularity : {Granularity::per_channel, Granularity::per_tensor}) {
    for (const auto method : {quantization::WeightMethod::rtn, quantization::WeightMethod::gptq}) {
      for (const bool corrected : {false, true}) {
        quantization::LayerPlan layer;
        layer.weights = quantization::WeightFormat::int4;
        layer.granularity = granularity;
        layer.method = method;
        layer.bias_correction = corrected;
        const std::string name = std::string("int4-") +
                                 (granularity == Granularity::per_channel ? "channel" : "tensor") +
                                 "-" + quantization::weight_method_name(method) +
                                 (corrected ? "-bc" : "");
        plans.push_back({name, layer, {}});
      }
    }
  }
  return plans;
}

ordered_json report(const nn::Model& model, const nn::Examples& test,
                    const Tensor& calibration_inputs, const ReportOptions& options,
                    const ReportProgressCallback& progress) {
  nn::check_examples(model.input_shape, test);
  const auto stage = [&](const std::string& name) {
    return [&progress, name](size_t done, size_t total) {
      return !progress || progress({name, done, total});
    };
  };
  std::vector<quantization::Plan> plans;
  for (const quantization::Plan& plan : options.plans) {
    if (plan.name != "fp32") plans.push_back(plan);
  }
  const size_t int4_methods_begin = plans.size();
  if (options.int4_methods) {
    for (const quantization::Plan& plan : int4_method_plans()) plans.push_back(plan);
  }
  const size_t int4_methods_end = plans.size();
  // Every plan is checked before any work, so a bad one fails at once.
  const nn::Model folded = nn::fold_for_inference(model);
  for (const quantization::Plan& plan : plans) {
    try {
      quantization::validate_plan(plan, folded);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument("plan '" + plan.name + "': " + e.what());
    }
  }

  const Beyond beyond = beyond_sections(model, calibration_inputs, options, stage);
  if (beyond.chosen) plans.push_back(*beyond.chosen);

  const nn::Executor fp32(model);
  const Predictions reference = predict(fp32, test.inputs, 256, stage("fp32: test set"));
  const quantization::QuantizedModel fp32_model = fp32_as_quantized(model);
  const size_t error_samples = std::min(options.layer_error_samples, test.size());
  const Tensor error_inputs = nn::ops::batch_rows(test.inputs, model.input_shape, 0, error_samples);

  std::vector<std::unique_ptr<nn::Executor>> executors;
  ordered_json rows = ordered_json::array();
  for (const quantization::Plan& plan : plans) {
    const quantization::Calibration calibration = quantization::calibrate(
        model, plan, calibration_inputs, options.calibration, stage(plan.name + ": calibrating"));
    const quantization::QuantizedModel quantized =
        quantization::quantize_model(model, plan, calibration);
    executors.push_back(std::make_unique<nn::Executor>(quantization::make_executor(quantized)));
    const Predictions predictions =
        predict(*executors.back(), test.inputs, 256, stage(plan.name + ": test set"));
    const Comparison c = compare(reference, predictions, test.labels);
    ordered_json layers = ordered_json::array();
    for (const LayerError& e : layer_errors(fp32, *executors.back(), error_inputs)) {
      layers.push_back(
          {{"name", e.name}, {"kind", e.kind}, {"sqnr_db", finite_or_null(e.sqnr_db)}});
    }
    const size_t index = rows.size();
    const bool int4_method = index >= int4_methods_begin && index < int4_methods_end;
    rows.push_back({
        {"name", plan.name},
        {"section", int4_method ? "int4-methods" : "plans"},
        {"plan", plan_to_json(plan)},
        {"accuracy", c.accuracy()},
        {"correct", c.correct},
        {"accuracy_interval", {c.accuracy_interval.low, c.accuracy_interval.high}},
        {"decay_points", c.decay_points},
        {"agreement", c.agreement},
        {"flips", static_cast<size_t>(std::llround((1.0 - c.agreement) * c.count))},
        {"mcnemar",
         {{"fp32_only_correct", c.mcnemar.reference_only},
          {"plan_only_correct", c.mcnemar.candidate_only},
          {"p_value", c.mcnemar.p_value}}},
        {"logits_mse", c.logits_mse},
        {"output_sqnr_db", finite_or_null(c.output_sqnr_db)},
        {"cosine", c.cosine},
        {"kl_mean", c.kl_mean},
        {"weight_bytes", quantized.weight_bytes()},
        {"bits_per_weight", quantized.bits_per_weight()},
        {"size_vs_fp32", static_cast<double>(quantized.weight_bytes()) / fp32_model.weight_bytes()},
        {"calibration_samples", calibration.samples},
        {"layers", layers},
        {"predictions", encode_classes(predictions.classes)},
    });
    if (int4_method && options.validation.size() > 0) {
      rows.back()["validation_accuracy"] =
          evaluate(*executors.back(), options.validation, 256, stage(plan.name + ": validation"))
              .accuracy();
    }
  }

  const size_t correct = [&] {
    size_t n = 0;
    for (size_t i = 0; i < test.size(); ++i) n += reference.classes[i] == test.labels[i];
    return n;
  }();
  const Interval interval = wilson_interval(correct, test.size());
  ordered_json fp32_row = {
      {"name", "fp32"},
      {"accuracy", static_cast<double>(correct) / test.size()},
      {"correct", correct},
      {"accuracy_interval", {interval.low, interval.high}},
      {"weight_bytes", fp32_model.weight_bytes()},
      {"bits_per_weight", fp32_model.bits_per_weight()},
      {"predictions", encode_classes(reference.classes)},
  };

  ordered_json speed_options = nullptr;
  if (options.measure_speed) {
    std::vector<const nn::Executor*> timed = {&fp32};
    for (const auto& e : executors) timed.push_back(e.get());
    const std::vector<Speed> speeds =
        measure_speed(timed, test.inputs, options.speed, stage("measuring speed"));
    fp32_row["speed"] = speed_json(speeds[0], speeds[0]);
    for (size_t i = 0; i < rows.size(); ++i)
      rows[i]["speed"] = speed_json(speeds[i + 1], speeds[0]);
    speed_options = {{"rounds", options.speed.rounds},
                     {"single_images", options.speed.single_images},
                     {"batch_size", options.speed.batch_size}};
  }

  ordered_json result = {
      {"format", "quantlab-report"},
      {"version", 1},
      {"model",
       {{"name", options.model_name},
        {"dataset", options.dataset},
        {"weights", fp32_model.weight_count()},
        {"parameters", nn::parameter_count(folded)}}},
      {"test_examples", test.size()},
      {"calibration",
       {{"method", calib::method_name(options.calibration.observer.method)},
        {"percentile", options.calibration.observer.percentile},
        {"samples", std::min(options.calibration.samples, calibration_inputs.shape()[0])},
        {"source", "training split"}}},
      {"layer_error_examples", error_samples},
      {"speed", speed_options},
      {"machine", options.machine},
      {"command", options.command},
      {"engine_version", kEngineVersion},
      {"model_sha256", model_sha256(model)},
      {"dataset_sha256", dataset_sha256(test)},
      {"test_labels", encode_classes(test.labels)},
      {"fp32", fp32_row},
      {"plans", rows},
  };
  for (const auto& [key, value] : beyond.sections.items()) result[key] = value;
  return result;
}

}  // namespace quantlab::eval
