// `quantlab train-lm <recipe.json>`: trains the transformer language model of a recipe
// (models/<name>/recipe.json, io_lm.h) on the train split of its text corpus, with a character
// tokenizer trained on the same split; measures perplexity on the validation and test splits
// (record_perplexities, lm_data.h) and saves the model directory (manifest with recipe
// and metrics).
#include "quantlab/train_lm.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "command.h"
#include "examples.h"
#include "lm_data.h"
#include "quantlab/error.h"
#include "quantlab/eval_lm.h"
#include "quantlab/io.h"

namespace quantlab::cli {
namespace {

train::LmTrainConfig training_config(const LmTraining& t) {
  train::LmTrainConfig c;
  c.steps = t.steps;
  c.batch_size = t.batch_size;
  c.sequence = t.sequence;
  c.warmup = t.warmup;
  c.clip_norm = static_cast<float>(t.clip_norm);
  c.seed = t.seed;
  c.optimizer.kind = train::OptimizerKind::adam;
  c.optimizer.learning_rate = static_cast<float>(t.learning_rate);
  c.optimizer.weight_decay = static_cast<float>(t.weight_decay);
  return c;
}

int run_train_lm(const std::vector<std::string>& args) {
  const Arguments parsed = parse_arguments(args, {"out", "data"});
  require(parsed.positional.size() == 1, "train-lm needs exactly one recipe file");
  const std::string path = parsed.positional[0];
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  const LmRecipe recipe = parse_lm_recipe(
      {reinterpret_cast<const char*>(bytes.data()), bytes.size()}, "recipe " + path);
  const std::string data = parsed.option("data", default_data_dir(recipe.dataset));
  const std::string out = parsed.option("out", "models/" + recipe.name);

  const std::string train_text = read_text_split(data, "train");
  nn::lm::LanguageModel model;
  model.tokenizer = nn::lm::Tokenizer::train(train_text);
  model.config = recipe.config;
  model.config.vocab = model.tokenizer.size();
  train::initialize_language_model(model, recipe.init_seed);
  const std::vector<int32_t> tokens = model.tokenizer.encode(train_text);
  std::fprintf(stderr, "%s: %zu parameters, vocabulary %zu, %zu training tokens\n",
               recipe.name.c_str(), nn::lm::parameter_count(model), model.config.vocab,
               tokens.size());
  const train::LmTrainResult result = train::train_language_model(
      model, tokens, training_config(recipe.training), [](const train::LmProgress& p) {
        if (p.step % 50 == 0 || p.step == p.steps) {
          std::fprintf(stderr, "step %zu/%zu  loss %.4f  lr %.2e\n", p.step, p.steps, p.loss,
                       static_cast<double>(p.learning_rate));
        }
        return true;
      });

  LmManifest manifest;
  manifest.name = recipe.name;
  manifest.dataset = recipe.dataset;
  manifest.recipe = recipe.document;
  manifest.metrics["train_seconds"] = std::round(result.seconds);
  manifest.metrics["train_loss"] = result.loss;
  manifest.metrics["parameters"] = static_cast<double>(nn::lm::parameter_count(model));
  record_perplexities(model, data, manifest);
  std::filesystem::create_directories(out);
  save_language_model(out, model, manifest);
  std::printf("%s: test perplexity %.4f per character, validation %.4f, trained in %.0f s -> %s\n",
              recipe.name.c_str(), manifest.metrics["test_perplexity"],
              manifest.metrics["validation_perplexity"], result.seconds, out.c_str());
  return 0;
}

const bool registered = register_command(
    {"train-lm", "<recipe.json> [--out DIR] [--data DIR]",
     "train the transformer language model of a recipe (models/brown-lm/recipe.json)",
     run_train_lm});
}  // namespace

}  // namespace quantlab::cli
