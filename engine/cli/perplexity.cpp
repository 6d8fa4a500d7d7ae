// `quantlab perplexity <lm dir> [--out DIR] [--data DIR]`: the FP32 validation and test
// perplexity the manifest records (record_perplexities, lm_data.h), measured by this build;
// --out saves the model with them (DIR may be the model's own). For when the engine's FP32 math
// changes (docs/language-model.md).
#include <cstdio>

#include "command.h"
#include "examples.h"
#include "lm_data.h"
#include "quantlab/error.h"
#include "quantlab/io_lm.h"

namespace quantlab::cli {
namespace {

int run_perplexity(const std::vector<std::string>& args) {
  const Arguments parsed = parse_arguments(args, {"out", "data"});
  require(parsed.positional.size() == 1, "perplexity needs exactly one language model directory");
  const std::string dir = parsed.positional[0];
  LmManifest manifest;
  const nn::lm::LanguageModel model = load_language_model(dir, manifest);
  const double recorded =
      manifest.metrics.count("test_perplexity") > 0 ? manifest.metrics.at("test_perplexity") : 0.0;
  record_perplexities(model, parsed.option("data", default_data_dir(manifest.dataset)), manifest);
  std::printf("%s: validation perplexity %.6f, test %.6f per character (manifest had test %.6f)\n",
              manifest.name.c_str(), manifest.metrics.at("validation_perplexity"),
              manifest.metrics.at("test_perplexity"), recorded);
  const std::string out = parsed.option("out", "");
  if (!out.empty()) save_language_model(out, model, manifest);
  return 0;
}

const bool registered = register_command(
    {"perplexity", "<lm dir> [--out DIR] [--data DIR]",
     "a language model's FP32 validation and test perplexity as its manifest records them "
     "(--out saves the model with them)",
     run_perplexity});

}  // namespace
}  // namespace quantlab::cli
