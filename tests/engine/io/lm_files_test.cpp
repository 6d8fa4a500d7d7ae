// The language model's files: save and parse give the same model and bytes; every malformed
// field is refused with an error naming the file and field.
#include <gtest/gtest.h>

#include <filesystem>

#include "expect_error.h"
#include "lm_test_model.h"
#include "quantlab/io.h"
#include "quantlab/io_lm.h"

namespace quantlab {
namespace {

std::vector<uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }

struct Files {
  std::string manifest;
  std::vector<uint8_t> weights;
};

Files files_of(const nn::lm::LanguageModel& model) {
  LmManifest manifest;
  manifest.name = "small";
  manifest.dataset = "brown";
  manifest.metrics["test_perplexity"] = 3.5;
  return {serialize_language_model_manifest(model, manifest),
          serialize_language_model_weights(model)};
}

nn::lm::LanguageModel parse(const Files& f) {
  LmManifest manifest;
  return parse_language_model(bytes(f.manifest), f.weights, manifest);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(LmFiles, RoundTripIsExact) {
  const nn::lm::LanguageModel model = testing::small_language_model();
  const Files f = files_of(model);
  EXPECT_TRUE(is_language_model_manifest(bytes(f.manifest)));
  const nn::lm::LanguageModel back = parse(f);
  EXPECT_EQ(back.config, model.config);
  EXPECT_EQ(back.tokenizer.alphabet(), "abcd");
  EXPECT_EQ(files_of(back).manifest, f.manifest);
  EXPECT_EQ(files_of(back).weights, f.weights);
}

TEST(LmFiles, MalformedFieldsAreNamed) {
  const Files f = files_of(testing::small_language_model());
  auto with = [&](const std::string& from, const std::string& to) {
    return parse({replaced(f.manifest, from, to), f.weights});
  };
  EXPECT_ERROR(with("\"quantlab-lm\"", "\"quantlab-model\""), "manifest.json format");
  EXPECT_ERROR(with("\"heads\": 2", "\"heads\": 3"), "manifest.json config: lm config width");
  EXPECT_ERROR(with("\"width\": 32", "\"width\": 1000000"), "manifest.json config width");
  EXPECT_ERROR(with("\"vocab\": 5", "\"vocab\": 6"), "tokenizer has 5 tokens");
  EXPECT_ERROR(with("\"characters\"", "\"bpe\""), "manifest.json tokenizer kind");
  EXPECT_ERROR(with("97,", "300,"), "manifest.json tokenizer alphabet entry 300");
  EXPECT_ERROR(with("97,", "98,"), "byte 98 appears twice");
  EXPECT_ERROR(with("\"context\": 8", "\"context\": 4"),
               "model.safetensors does not match manifest.json: position.weight");
  EXPECT_ERROR(parse({f.manifest, {1, 2, 3}}), "model.safetensors");
}

TEST(LmFiles, RecipesAreParsedWithTheirTrainingSettings) {
  const LmRecipe recipe = parse_lm_recipe(
      R"({"format": "quantlab-lm", "name": "r", "dataset": "brown",
          "config": {"context": 16, "width": 32, "heads": 4, "layers": 1, "hidden": 64,
                     "epsilon": 1e-5},
          "init_seed": 2,
          "training": {"steps": 3, "batch_size": 2, "sequence": 16, "warmup": 1,
                       "clip_norm": 1.0, "seed": 5, "learning_rate": 0.001,
                       "weight_decay": 0.0}})",
      "recipe.json");
  EXPECT_EQ(recipe.config.width, 32u);
  EXPECT_EQ(recipe.training.seed, 5u);
  EXPECT_EQ(recipe.init_seed, 2u);
  EXPECT_ERROR(parse_lm_recipe(R"({"format": "quantlab-lm", "name": "r"})", "recipe.json"),
               "recipe.json");
}

}  // namespace
}  // namespace quantlab
