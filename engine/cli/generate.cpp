// `quantlab generate <lm dir> --plan P --prompt "..." [--tokens N] [--temperature T] [--seed S]`:
// continues the prompt under a plan (fp32 by default), deterministically for a seed, and prints
// the continuation; tokens per second on stderr.
#include <cstdio>

#include "command.h"
#include "examples.h"
#include "lm_data.h"
#include "quantlab/error.h"
#include "quantlab/eval_lm.h"
#include "quantlab/io.h"
#include "quantlab/quantize_lm.h"

namespace quantlab::cli {
namespace {

int run_generate(const std::vector<std::string>& args) {
  const Arguments parsed = parse_arguments(
      args, {"plan", "prompt", "tokens", "temperature", "seed", "data", "calib-size"});
  require(parsed.positional.size() == 1, "generate needs exactly one language model directory");
  LmManifest manifest;
  const nn::lm::LanguageModel model = load_language_model(parsed.positional[0], manifest);
  eval::GenerateOptions options;
  options.tokens = whole_option(parsed, "tokens", options.tokens);
  options.seed = whole_option(parsed, "seed", options.seed);
  options.temperature = std::stof(parsed.option("temperature", "0.8"));
  const quantization::Plan plan = eval::lm_plan_by_name_or_file(parsed.option("plan", "fp32"));
  quantization::CalibrationOptions calibrate;
  calibrate.samples = whole_option(parsed, "calib-size", 64);
  const std::string data = parsed.option("data", default_data_dir(manifest.dataset));
  const std::vector<int32_t> calibration =
      model.tokenizer.encode(read_text_split(data, "calibration"));
  const quantization::QuantizedLanguageModel quantized = quantization::quantize_language_model(
      model, plan, quantization::calibrate_language_model(model, plan, calibration, calibrate));
  nn::lm::Session session(quantized.model, quantization::integer_linears(quantized));
  const eval::Generation generation =
      eval::generate(session, model.tokenizer, parsed.option("prompt", ""), options);
  std::printf("%s\n", generation.text.c_str());
  std::fprintf(
      stderr, "%s: %zu tokens, %.0f tokens/s generating\n", plan.name.c_str(),
      generation.tokens.size(),
      generation.generate_ms > 0
          ? 1000.0 * static_cast<double>(generation.tokens.size() - 1) / generation.generate_ms
          : 0.0);
  return 0;
}

const bool registered = register_command(
    {"generate",
     "<lm dir> [--plan fp32|int8|int4-g32|w4a8|gptq-int4-g32|plan.json] [--prompt TEXT] "
     "[--tokens N] [--temperature T] [--seed S]",
     "continue a prompt with a language model under a plan (deterministic for a seed)",
     run_generate});

}  // namespace
}  // namespace quantlab::cli
