// Files of the language model (io, beside the layers; lm.h): a directory with manifest.json and
// model.safetensors like every model, the manifest saying what the LM is:
//   {"format": "quantlab-lm", "version": 1, "name", "dataset", "tokenizer": {"kind":
//    "characters", "alphabet": [byte, …]}, "config": {"vocab", "context", "width", "heads",
//    "layers", "hidden", "epsilon"}, "recipe": {..}, "metrics": {..}}
// and the weights every parameter of nn::lm::parameter_specs by name (F32). A recipe
// (models/<name>/recipe.json) is the same document without tokenizer, config.vocab and metrics,
// plus "training": {"steps", "batch_size", "sequence", "warmup", "clip_norm", "seed",
// "learning_rate", "weight_decay"} and "init_seed".
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "quantlab/nn_lm.h"

namespace quantlab {

struct LmManifest {
  std::string name;
  std::string dataset;  // "brown": build/data/brown/{train,validation,test}.txt
  nlohmann::json recipe = nlohmann::json::object();
  std::map<std::string, double> metrics;  // test_perplexity, train_seconds, ...
};

// Whether manifest.json bytes describe a language model ("format": "quantlab-lm").
bool is_language_model_manifest(std::span<const uint8_t> manifest_json);
nn::lm::LanguageModel parse_language_model(std::span<const uint8_t> manifest_json,
                                           std::span<const uint8_t> weights, LmManifest& manifest);
nn::lm::LanguageModel load_language_model(const std::string& dir, LmManifest& manifest);
std::string serialize_language_model_manifest(const nn::lm::LanguageModel& model,
                                              const LmManifest& manifest);
std::vector<uint8_t> serialize_language_model_weights(const nn::lm::LanguageModel& model);
void save_language_model(const std::string& dir, const nn::lm::LanguageModel& model,
                         const LmManifest& manifest);

// The training settings of a recipe, as written (the CLI hands them to train_lm.h; io sits
// below train and does not see its types).
struct LmTraining {
  size_t steps = 0;
  size_t batch_size = 0;
  size_t sequence = 0;
  size_t warmup = 0;
  double clip_norm = 0;
  uint64_t seed = 1;
  double learning_rate = 0;  // AdamW
  double weight_decay = 0;
};

// A recipe: the configuration (vocab left 0: the tokenizer decides) and the training settings.
struct LmRecipe {
  std::string name;
  std::string dataset;
  nn::lm::Config config;
  uint64_t init_seed = 1;
  LmTraining training;
  nlohmann::json document;  // verbatim, stored in the manifest
};
LmRecipe parse_lm_recipe(std::string_view text, const std::string& what);

}  // namespace quantlab
