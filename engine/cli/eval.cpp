// `quantlab eval <model dir>`: test accuracy of a saved model (FP32 or quantized) on its
// dataset's test split, checked against what its manifest records.
#include <cstdio>

#include "command.h"
#include "examples.h"
#include "model_loading.h"
#include "quantlab/error.h"

namespace quantlab::cli {
namespace {

int run_eval(const std::vector<std::string>& args) {
  const Arguments parsed = parse_arguments(args, {"data"});
  require(parsed.positional.size() == 1, "eval needs exactly one model directory");
  const LoadedModel loaded = load_any_model(parsed.positional[0]);
  const ModelManifest& manifest = loaded.manifest;
  const nn::Examples test = load_examples(parsed.option("data", default_data_dir(manifest.dataset)),
                                          "test", manifest.input);
  const eval::Evaluation result = eval::evaluate(loaded.executor(), test);
  std::printf("%s%s: test accuracy %.2f%% (%zu / %zu) on %s\n", manifest.name.c_str(),
              loaded.quantized ? (" (" + loaded.quantized->plan.name + ")").c_str() : "",
              100.0 * result.accuracy(), result.correct, result.count, manifest.dataset.c_str());
  // The manifest records what training (or quantize) measured; the same weights and data must
  // reproduce it.
  const auto recorded = [&](const std::string& name) {
    const auto metric = manifest.metrics.find(name);
    require(metric != manifest.metrics.end(), "manifest.json metrics has no '" + name + "'");
    return metric->second;
  };
  const double recorded_correct = recorded("test_correct");
  const double recorded_count = recorded("test_count");
  const bool reproduced = recorded_correct == static_cast<double>(result.correct) &&
                          recorded_count == static_cast<double>(result.count);
  std::printf("recorded in manifest: %.2f%% (%.0f / %.0f): %s\n", 100.0 * recorded("test_accuracy"),
              recorded_correct, recorded_count, reproduced ? "reproduced" : "NOT reproduced");
  return reproduced ? 0 : 1;
}

const bool registered = register_command(
    {"eval", "<model dir> [--data DIR]",
     "print the test accuracy of a saved model (FP32 or quantized: manifest.json + "
     "model.safetensors) and check it against the manifest",
     run_eval});

}  // namespace
}  // namespace quantlab::cli
