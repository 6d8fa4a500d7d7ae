// `quantlab report <lm dir>`: FP32 and each plan of a language model on its test split —
// perplexity, KL of the next-token distribution from FP32's, top-1 agreement, tokens per second
// for prefill and generation — as Markdown (eval_lm.h). report.cpp hands language models here.
#include <cstdio>
#include <sstream>

#include "command.h"
#include "examples.h"
#include "lm_data.h"
#include "machine.h"
#include "quantlab/error.h"
#include "quantlab/eval_lm.h"
#include "quantlab/io.h"

namespace quantlab::cli {

int run_lm_report(const std::vector<std::string>& args) {
  const Arguments parsed =
      parse_arguments(args, {"plans", "out", "data", "speed-rounds", "tokens", "calib-size"});
  require(parsed.positional.size() == 1, "report needs exactly one model directory");
  LmManifest manifest;
  const nn::lm::LanguageModel model = load_language_model(parsed.positional[0], manifest);
  eval::LmReportOptions options;
  const std::string plans = parsed.option("plans", "");
  std::stringstream list(plans);
  for (std::string spec; std::getline(list, spec, ',');) {
    if (!spec.empty()) options.plans.push_back(eval::lm_plan_by_name_or_file(spec));
  }
  options.speed_rounds = whole_option(parsed, "speed-rounds", options.speed_rounds);
  options.tokens = whole_option(parsed, "tokens", options.tokens);
  options.calibration_windows = whole_option(parsed, "calib-size", options.calibration_windows);
  const std::string data = parsed.option("data", default_data_dir(manifest.dataset));
  const std::vector<int32_t> test = model.tokenizer.encode(read_text_split(data, "test"));
  const std::vector<int32_t> calibration =
      model.tokenizer.encode(read_text_split(data, "calibration"));
  const eval::LmReport report =
      eval::lm_report(model, manifest.name, test, calibration, options,
                      [](const std::string& stage, size_t done, size_t total) {
                        std::fprintf(stderr, "%s %zu/%zu\n", stage.c_str(), done, total);
                        return true;
                      });
  const std::string text =
      eval::lm_report_markdown(report) + "\nMachine: " + native_machine() + ".\n";
  write_output(text, parsed.option("out", ""), "report");
  return 0;
}

}  // namespace quantlab::cli
