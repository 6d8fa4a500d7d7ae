// Embind surface of the transformer language model (nn_lm.h): load, generate under several plans
// side by side with tokens per second and per-token KL from FP32, and the LM report. Translation
// only; quantized variants are kept per plan, so a second prompt does not quantize again.
#include <emscripten/bind.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "guard.h"
#include "load_files.h"
#include "quantlab/eval_lm.h"
#include "quantlab/io.h"
#include "quantlab/io_lm.h"
#include "quantlab/quantize_lm.h"
#include "typed_arrays.h"

namespace quantlab::bindings {
namespace {

using emscripten::val;
using nlohmann::json;

struct LoadedLanguageModel {
  nn::lm::LanguageModel model;
  LmManifest manifest;
  // By the plan's JSON text: the quantized model (FP32 too, as the plan "fp32") and the session
  // running it, which reads that heap copy, so moving the handle keeps it valid.
  struct Variant {
    std::unique_ptr<quantization::QuantizedLanguageModel> quantized;
    std::unique_ptr<nn::lm::Session> session;
  };
  std::map<std::string, Variant> variants;
};

std::string lm_manifest_json(const LoadedLanguageModel& loaded) {
  return serialize_language_model_manifest(loaded.model, loaded.manifest);
}

quantization::CalibrationOptions calibration_of(const json& options) {
  quantization::CalibrationOptions c;
  c.samples = options.value("calibrationWindows", size_t{64});
  return c;
}

LoadedLanguageModel::Variant& variant(LoadedLanguageModel& loaded, const quantization::Plan& plan,
                                      const std::vector<int32_t>& calibration,
                                      const quantization::CalibrationOptions& options) {
  const std::string key = plan_to_json(plan).dump();
  auto it = loaded.variants.find(key);
  if (it != loaded.variants.end()) return it->second;
  LoadedLanguageModel::Variant v;
  v.quantized =
      std::make_unique<quantization::QuantizedLanguageModel>(quantization::quantize_language_model(
          loaded.model, plan,
          quantization::calibrate_language_model(loaded.model, plan, calibration, options)));
  v.session = std::make_unique<nn::lm::Session>(v.quantized->model,
                                                quantization::integer_linears(*v.quantized));
  return loaded.variants.emplace(key, std::move(v)).first->second;
}

// options: {plans: [name | plan], tokens, temperature, seed, calibrationWindows}. The first
// plan's distributions are the reference of every other plan's per-token KL.
std::string generate_js(LoadedLanguageModel& loaded, const std::string& prompt,
                        const std::string& calibration_text, const std::string& options_json) {
  const json options = json::parse(options_json);
  eval::GenerateOptions generate;
  generate.tokens = options.value("tokens", size_t{120});
  generate.temperature = options.value("temperature", 0.8f);
  generate.seed = options.value("seed", uint64_t{1});
  const std::vector<int32_t> calibration = loaded.model.tokenizer.encode(calibration_text);
  json continuations = json::array();
  nn::lm::Session* reference = nullptr;
  for (const json& spec : options.at("plans")) {
    const quantization::Plan plan = eval::lm_plan_from_spec(spec, "plan");
    LoadedLanguageModel::Variant& v = variant(loaded, plan, calibration, calibration_of(options));
    const eval::Generation g = eval::generate(*v.session, loaded.model.tokenizer, prompt, generate);
    json entry = {
        {"plan", plan.name},
        {"text", g.text},
        {"tokens", g.tokens},
        {"bitsPerWeight", v.quantized->bits_per_weight()},
        {"weightBytes", v.quantized->weight_bytes()},
        {"prefillMs", g.prefill_ms},
        {"generateMs", g.generate_ms},
        {"tokensPerSecond", g.generate_ms > 0 && g.tokens.size() > 1
                                ? 1000.0 * static_cast<double>(g.tokens.size() - 1) / g.generate_ms
                                : 0.0}};
    entry["kl"] = reference == nullptr
                      ? json(nullptr)
                      : json(eval::generation_kl(*reference, loaded.model.tokenizer, prompt, g));
    if (reference == nullptr) reference = v.session.get();
    continuations.push_back(std::move(entry));
  }
  return json{{"continuations", continuations}}.dump();
}

// options: {plans, tokens, calibrationWindows, speedRounds}; on_progress({stage, done, total})
// returning false cancels. Returns {markdown, rows: [...]}.
std::string lm_report_js(const LoadedLanguageModel& loaded, const std::string& test_text,
                         const std::string& calibration_text, const std::string& options_json,
                         val on_progress) {
  const json options = json::parse(options_json);
  eval::LmReportOptions report;
  for (const json& spec : options.value("plans", json::array())) {
    report.plans.push_back(eval::lm_plan_from_spec(spec, "plan"));
  }
  report.tokens = options.value("tokens", report.tokens);
  report.calibration_windows = options.value("calibrationWindows", report.calibration_windows);
  report.speed_rounds = options.value("speedRounds", report.speed_rounds);
  const eval::LmReport result =
      eval::lm_report(loaded.model, loaded.manifest.name, loaded.model.tokenizer.encode(test_text),
                      loaded.model.tokenizer.encode(calibration_text), report,
                      [&](const std::string& stage, size_t done, size_t total) {
                        val progress = val::object();
                        progress.set("stage", stage);
                        progress.set("done", done);
                        progress.set("total", total);
                        return on_progress(progress).as<bool>();
                      });
  json rows = json::array();
  for (const eval::LmReportRow& row : result.rows) {
    rows.push_back({{"plan", row.plan},
                    {"bitsPerWeight", row.bits_per_weight},
                    {"weightBytes", row.weight_bytes},
                    {"perplexity", row.quality.perplexity},
                    {"klMean", row.quality.kl_mean},
                    {"klP99", row.quality.kl_p99},
                    {"top1Agreement", row.quality.top1_agreement},
                    {"prefillTokensPerSecond", row.speed.prefill_tokens_per_second},
                    {"generateTokensPerSecond", row.speed.generate_tokens_per_second}});
  }
  return json{
      {"markdown", eval::lm_report_markdown(result)}, {"tokens", result.tokens}, {"rows", rows}}
      .dump();
}

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_language_model) {
  emscripten::class_<LoadedLanguageModel>("LoadedLanguageModel")
      .function("manifestJson", guarded<&lm_manifest_json>)
      .function("generate", guarded<&generate_js>)
      .function("report", guarded<&lm_report_js>);
  emscripten::function(
      "loadLanguageModel",
      guarded<
          &load_files_js<LoadedLanguageModel, &LoadedLanguageModel::model, parse_language_model>>);
}

}  // namespace quantlab::bindings
