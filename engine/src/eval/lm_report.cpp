// The LM report: FP32 and every plan on the same test tokens, timed in the same rounds
// (eval_lm.h).
#include <algorithm>
#include <chrono>
#include <memory>

#include "eval/markdown.h"
#include "eval/median.h"
#include "quantlab/error.h"
#include "quantlab/eval_lm.h"
#include "quantlab/io.h"

namespace quantlab::eval {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kGptqPlan = "gptq-int4-g32";

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One round of each speed: a full window from an empty cache, then `context / 2` single tokens
// after a prompt of the other half (greedy, so every plan reads the same kind of work).
LmSpeed time_round(nn::lm::Session& session, std::span<const int32_t> window) {
  const size_t context = session.context();
  LmSpeed speed;
  session.reset();
  auto start = Clock::now();
  session.forward(window.first(context));
  speed.prefill_tokens_per_second = static_cast<double>(context) / seconds_since(start);
  const size_t prompt = context / 2;
  session.reset();
  // `logits` outlives each step: `row` points into the last step's logits.
  Tensor logits = session.forward(window.first(prompt));
  const size_t vocab = logits.shape()[1];
  const float* row = logits.values<float>().data() + (prompt - 1) * vocab;
  start = Clock::now();
  for (size_t t = prompt; t < context; ++t) {
    const auto next = static_cast<int32_t>(std::max_element(row, row + vocab) - row);
    logits = session.forward(std::span(&next, 1));
    row = logits.values<float>().data();
  }
  speed.generate_tokens_per_second = static_cast<double>(context - prompt) / seconds_since(start);
  return speed;
}

}  // namespace

std::vector<quantization::Plan> lm_report_plans() {
  quantization::Plan gptq = quantization::preset("int4-g32");
  gptq.name = kGptqPlan;
  gptq.defaults.method = quantization::WeightMethod::gptq;
  // The tied head keeps round-to-nearest: GPTQ's error feedback tunes the head's outputs on its
  // calibrated inputs by moving every embedding row, which the embedding lookup reads too
  // (brown-lm: +1.61% perplexity with a GPTQ head, +0.16% with an RTN one; docs/language-model.md).
  gptq.layers["head"] = quantization::preset("int4-g32").defaults;
  return {quantization::preset("int8"), quantization::preset("int4-g32"),
          quantization::preset("w4a8"), gptq};
}

quantization::Plan lm_plan_by_name_or_file(const std::string& spec) {
  if (spec == kGptqPlan) return lm_report_plans().back();
  return plan_by_name_or_file(spec);
}

quantization::Plan lm_plan_from_spec(const nlohmann::json& spec, const std::string& what) {
  if (spec.is_string() && spec.get<std::string>() == kGptqPlan) return lm_report_plans().back();
  return plan_from_spec(spec, what);
}

LmReport lm_report(const nn::lm::LanguageModel& model, const std::string& name,
                   std::span<const int32_t> test, std::span<const int32_t> calibration,
                   const LmReportOptions& options, const LmReportProgress& progress) {
  require(options.speed_rounds > 0, "lm report: speed rounds must be at least 1");
  const size_t context = model.config.context;
  const size_t scored = std::min(test.size(), options.tokens / context * context + 1);
  const std::vector<quantization::Plan> plans =
      options.plans.empty() ? lm_report_plans() : options.plans;
  auto report_progress = [&](const std::string& stage, size_t done, size_t total) {
    if (progress && !progress(stage, done, total)) throw Cancelled();
  };

  LmReport report;
  report.model = name;
  report.parameters = nn::lm::parameter_count(model);
  report.speed_rounds = options.speed_rounds;
  std::vector<quantization::QuantizedLanguageModel> quantized;
  quantized.reserve(plans.size());
  std::vector<std::unique_ptr<nn::lm::Session>> sessions;
  sessions.push_back(std::make_unique<nn::lm::Session>(model, nn::lm::fp32_linears(options.impl)));
  report.rows.push_back({"fp32", 32.0, 4 * report.parameters, {}, {}});
  for (size_t p = 0; p < plans.size(); ++p) {
    quantization::CalibrationOptions calibrate;
    calibrate.samples = options.calibration_windows;
    const quantization::Calibration calibration_result =
        quantization::calibrate_language_model(model, plans[p], calibration, calibrate);
    report.calibration_windows = calibration_result.samples;
    quantized.push_back(quantization::quantize_language_model(model, plans[p], calibration_result));
    sessions.push_back(std::make_unique<nn::lm::Session>(
        quantized.back().model, quantization::integer_linears(quantized.back(), options.impl)));
    report.rows.push_back({plans[p].name,
                           quantized.back().bits_per_weight(),
                           quantized.back().weight_bytes(),
                           {},
                           {}});
    report_progress("quantize", p + 1, plans.size());
  }

  const NextTokenScores reference = next_token_scores(*sessions[0], test.first(scored));
  report.tokens = reference.positions;
  for (size_t s = 0; s < sessions.size(); ++s) {
    report.rows[s].quality =
        s == 0 ? lm_quality(reference, reference)
               : lm_quality(reference, next_token_scores(*sessions[s], test.first(scored)));
    report_progress("score", s + 1, sessions.size());
  }

  std::vector<std::vector<double>> prefill(sessions.size()), generate(sessions.size());
  for (size_t round = 0; round < options.speed_rounds; ++round) {
    for (size_t s = 0; s < sessions.size(); ++s) {
      const LmSpeed speed = time_round(*sessions[s], test.first(context));
      prefill[s].push_back(speed.prefill_tokens_per_second);
      generate[s].push_back(speed.generate_tokens_per_second);
    }
    report_progress("speed", round + 1, options.speed_rounds);
  }
  for (size_t s = 0; s < sessions.size(); ++s) {
    report.rows[s].speed = {median(prefill[s]), median(generate[s])};
  }
  return report;
}

std::string lm_report_markdown(const LmReport& report) {
  using markdown::format;
  std::vector<std::vector<std::string>> rows{
      {"plan", "bits/weight", "size", "perplexity", "Δ perplexity", "KL mean", "KL p99",
       "top-1 agreement", "prefill tok/s", "generate tok/s"}};
  const LmReportRow& base = report.rows.front();
  for (const LmReportRow& row : report.rows) {
    const double delta = row.quality.perplexity / base.quality.perplexity - 1;
    rows.push_back(
        {row.plan, format("%.2f", row.bits_per_weight),
         markdown::bytes_text(static_cast<double>(row.weight_bytes)),
         format("%.3f", row.quality.perplexity),
         &row == &base ? "—" : format("%+.2f%%", 100 * delta), format("%.4f", row.quality.kl_mean),
         format("%.4f", row.quality.kl_p99), markdown::percent(row.quality.top1_agreement),
         format("%.0f", row.speed.prefill_tokens_per_second) +
             format(" (%.2f×)",
                    row.speed.prefill_tokens_per_second / base.speed.prefill_tokens_per_second),
         format("%.0f", row.speed.generate_tokens_per_second) +
             format(" (%.2f×)",
                    row.speed.generate_tokens_per_second / base.speed.generate_tokens_per_second)});
  }
  markdown::Text text;
  text << "# " << report.model << ": FP32 vs quantized\n\n"
       << report.parameters << " parameters; " << report.tokens
       << " test positions scored (perplexity per character); calibration: "
       << report.calibration_windows << " windows of the calibration text; speeds at batch 1, "
       << "medians of " << report.speed_rounds << " rounds, every plan timed in each round; "
       << "prefill splits its matrix products' rows across the engine's threads; generation at "
       << "batch 1 splits a product's output columns across them only above the GEMV threshold "
       << "(docs/threads.md), so smaller products run on one thread.\n\n"
       << markdown::table(rows);
  return text.str();
}

}  // namespace quantlab::eval
