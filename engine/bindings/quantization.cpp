// Embind surface of whole-model quantization and the report (quantlab/quantize.h, eval.h, io.h):
// translation only. Plans and options cross as JSON text (the plan file format, docs/plans.md);
// images as u8 arrays with the model's image size; the report comes back as its JSON text
// (docs/report.md) and is formatted by the engine, so every front end prints the same tables.
#include <emscripten/bind.h>

#include <string>
#include <vector>

#include "guard.h"
#include "load_files.h"
#include "loaded_model.h"
#include "loaded_quantized_model.h"
#include "quantlab/eval.h"
#include "quantlab/io.h"
#include "quantlab/kernels.h"
#include "quantlab/nn_batch.h"
#include "quantlab/threads.h"
#include "typed_arrays.h"

namespace quantlab::bindings {
namespace {

using emscripten::val;
using nlohmann::json;

nn::Examples examples_of(const InputSpec& input, const val& images, const val& labels,
                         const val& image_size) {
  nn::Examples examples{network_input(input, images, image_size), {}};
  for (uint8_t label : from_typed_array<uint8_t>(labels)) examples.labels.push_back(label);
  return examples;
}

quantization::CalibrationOptions calibration_from(const json& options) {
  quantization::CalibrationOptions c;
  if (options.contains("method"))
    c.observer.method = calib::parse_method(options["method"].get<std::string>());
  if (options.contains("percentile")) c.observer.percentile = options["percentile"].get<double>();
  if (options.contains("samples")) c.samples = options["samples"].get<size_t>();
  calib::validate_options(c.observer);
  return c;
}

val plan_presets() {
  val names = val::array();
  for (const std::string& name : quantization::preset_names()) names.call<void>("push", name);
  return names;
}

std::string preset_plan(const std::string& name) {
  return plan_to_json(quantization::preset(name)).dump();
}

// options: {plans: [name | plan], calibration: {method, percentile, samples}, speedRounds,
// machine, command, int4Methods, validation, searchBudget}; validation > 0 takes that many
// examples from the end of the validation images (the training split) for the sensitivity table
// and, with searchBudget ("5bpw", "300KB", "91.5%"), the search. on_progress({stage, done,
// total}) returning false cancels.
std::string report_js(const LoadedModel& loaded, val test_images, val test_labels,
                      val calibration_images, val validation_images, val validation_labels,
                      val image_size, const std::string& options_json, val on_progress) {
  const json options = json::parse(options_json);
  eval::ReportOptions report;
  for (const json& spec : options.at("plans")) report.plans.push_back(plan_from_spec(spec, "plan"));
  report.calibration = calibration_from(options.value("calibration", json::object()));
  report.speed.rounds = options.value("speedRounds", size_t{5});
  report.measure_speed = report.speed.rounds > 0;
  report.model_name = loaded.manifest.name;
  report.dataset = loaded.manifest.dataset;
  const size_t threads = thread_count();
  report.machine = options.value(
      "machine",
      "wasm " + std::string(kernels::simd_kernels_name()) + ", " +
          (threads == 1 ? std::string("one thread") : std::to_string(threads) + " threads"));
  report.command = options.value("command", std::string());
  report.int4_methods = options.value("int4Methods", false);
  if (const size_t count = options.value("validation", size_t{0}); count > 0) {
    report.validation = eval::validation_slice(
        examples_of(loaded.manifest.input, validation_images, validation_labels, image_size),
        count);
  }
  if (options.contains("searchBudget")) {
    report.search_budget = eval::parse_budget(options["searchBudget"].get<std::string>());
  }
  const nn::Examples test =
      examples_of(loaded.manifest.input, test_images, test_labels, image_size);
  const Tensor calibration = network_input(loaded.manifest.input, calibration_images, image_size);
  return eval::report(loaded.model, test, calibration, report,
                      [&](const eval::ReportProgress& p) {
                        val event = val::object();
                        event.set("stage", p.stage);
                        event.set("done", static_cast<double>(p.done));
                        event.set("total", static_cast<double>(p.total));
                        return !on_progress(event).isFalse();
                      })
      .dump();
}

// options: {budget: "5bpw" | "300KB" | "91.5%", validation: count, calibration: {...}}; the
// training images calibrate (from the front) and validate (the last `validation`). Returns
// {search, sensitivity (JSON text, docs/report.md), chosenPlan (plan JSON text), budgetMet,
// markdown}.
val search_js(const LoadedModel& loaded, val train_images, val train_labels, val image_size,
              const std::string& options_json, val on_progress) {
  const json options = json::parse(options_json);
  eval::SearchOptions search;
  search.budget = eval::parse_budget(options.at("budget").get<std::string>());
  search.sensitivity.calibration = calibration_from(options.value("calibration", json::object()));
  const nn::Examples train =
      examples_of(loaded.manifest.input, train_images, train_labels, image_size);
  const nn::Examples validation =
      eval::validation_slice(train, options.value("validation", size_t{5000}));
  const eval::SearchResult result =
      eval::search(loaded.model, validation, train.inputs, search, [&](size_t done, size_t total) {
        val event = val::object();
        event.set("stage", std::string("search"));
        event.set("done", static_cast<double>(done));
        event.set("total", static_cast<double>(total));
        return !on_progress(event).isFalse();
      });
  const auto front = eval::search_json(result, search.budget);
  const auto sensitivity = eval::sensitivity_json(result.sensitivity);
  val answer = val::object();
  answer.set("search", front.dump());
  answer.set("sensitivity", sensitivity.dump());
  answer.set("chosenPlan", plan_to_json(result.measured[result.chosen].plan).dump());
  answer.set("budgetMet", result.budget_met);
  answer.set("markdown", "## Sensitivity\n\n" + eval::sensitivity_markdown(sensitivity) +
                             "\n## Pareto front\n\n" + eval::search_markdown(front));
  return answer;
}

std::string report_markdown_js(const std::string& report) {
  return eval::report_markdown(nlohmann::ordered_json::parse(report));
}
std::string report_csv_js(const std::string& report) {
  return eval::report_csv(nlohmann::ordered_json::parse(report));
}

// on_progress({done, total}) after each calibration batch; false cancels (AbortError).
LoadedQuantizedModel quantize_js(const LoadedModel& loaded, const std::string& plan_json,
                                 val calibration_images, val image_size,
                                 const std::string& calibration_json, val on_progress) {
  const quantization::Plan plan = plan_from_spec(json::parse(plan_json), "plan");
  const Tensor inputs = network_input(loaded.manifest.input, calibration_images, image_size);
  const quantization::Calibration calibration = quantization::calibrate(
      loaded.model, plan, inputs, calibration_from(json::parse(calibration_json)),
      [&](size_t done, size_t total) {
        val event = val::object();
        event.set("done", static_cast<double>(done));
        event.set("total", static_cast<double>(total));
        return !on_progress(event).isFalse();
      });
  return {quantization::quantize_model(loaded.model, plan, calibration), loaded.manifest, {}};
}

// calibration_json: {method (ignored: every method is observed), percentile, samples}. Returns per
// Linear/Conv2d layer {layer, firstEdge, binWidth, counts: Float64Array, min, max, ranges:
// [{method, min, max, clippedFraction, kl}]}; on_progress(done, total) returning false cancels.
val activation_histograms_js(const LoadedModel& loaded, val images, val image_size,
                             const std::string& calibration_json, val on_progress) {
  const Tensor inputs = network_input(loaded.manifest.input, images, image_size);
  const std::vector<quantization::LayerActivations> layers = quantization::activation_histograms(
      loaded.model, inputs, calibration_from(json::parse(calibration_json)),
      [&](size_t done, size_t total) {
        return !on_progress(static_cast<double>(done), static_cast<double>(total)).isFalse();
      });
  val out = val::array();
  for (const quantization::LayerActivations& layer : layers) {
    val entry = val::object();
    entry.set("layer", layer.layer);
    entry.set("firstEdge", layer.histogram.first_edge);
    entry.set("binWidth", layer.histogram.bin_width);
    const std::vector<double> counts(layer.histogram.counts.begin(), layer.histogram.counts.end());
    entry.set("counts", to_typed_array(std::span<const double>(counts)));
    entry.set("min", layer.histogram.min);
    entry.set("max", layer.histogram.max);
    val ranges = val::array();
    for (const quantization::ObserverChoice& choice : layer.ranges) {
      val range = val::object();
      range.set("method", std::string(calib::method_name(choice.method)));
      range.set("min", choice.range.min);
      range.set("max", choice.range.max);
      range.set("clippedFraction", choice.clipped_fraction);
      range.set("kl", choice.kl);
      ranges.call<void>("push", range);
    }
    entry.set("ranges", ranges);
    out.call<void>("push", entry);
  }
  return out;
}

val evaluate_quantized(const LoadedQuantizedModel& q, val images, val labels, val image_size) {
  const eval::Evaluation result =
      eval::evaluate(q.executor(), examples_of(q.manifest.input, images, labels, image_size));
  val out = val::object();
  out.set("correct", static_cast<double>(result.correct));
  out.set("count", static_cast<double>(result.count));
  return out;
}

val classify_quantized(const LoadedQuantizedModel& q, val images, val image_size) {
  const std::vector<int32_t> classes = nn::argmax_rows(
      nn::run_split(q.executor(), network_input(q.manifest.input, images, image_size)));
  return to_typed_array(std::span<const int32_t>(classes));
}

std::string quantized_manifest(const LoadedQuantizedModel& q) {
  return serialize_quantized_manifest(q.quantized, q.manifest);
}
val quantized_weights(const LoadedQuantizedModel& q) {
  const std::vector<uint8_t> bytes = serialize_quantized_weights(q.quantized);
  return to_typed_array(std::span<const uint8_t>(bytes));
}
double weight_bytes(const LoadedQuantizedModel& q) {
  return static_cast<double>(q.quantized.weight_bytes());
}
double bits_per_weight(const LoadedQuantizedModel& q) { return q.quantized.bits_per_weight(); }
std::string plan_of(const LoadedQuantizedModel& q) { return plan_to_json(q.quantized.plan).dump(); }

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_quantization) {
  using emscripten::class_;
  using emscripten::function;
  class_<LoadedQuantizedModel>("QuantizedModel")
      .function("evaluate", guarded<&evaluate_quantized>)
      .function("classify", guarded<&classify_quantized>)
      .function("manifestJson", guarded<&quantized_manifest>)
      .function("weightsBytes", guarded<&quantized_weights>)
      .function("weightBytes", guarded<&weight_bytes>)
      .function("bitsPerWeight", guarded<&bits_per_weight>)
      .function("planJson", guarded<&plan_of>);
  function("planPresets", guarded<&plan_presets>);
  function("presetPlan", guarded<&preset_plan>);
  function("report", guarded<&report_js>);
  function("search", guarded<&search_js>);
  function("reportMarkdown", guarded<&report_markdown_js>);
  function("reportCsv", guarded<&report_csv_js>);
  function("quantizeModel", guarded<&quantize_js>);
  function("activationHistograms", guarded<&activation_histograms_js>);
  function("loadQuantizedModel",
           guarded<&load_files_js<LoadedQuantizedModel, &LoadedQuantizedModel::quantized,
                                  parse_quantized_model>>);
}

}  // namespace quantlab::bindings
