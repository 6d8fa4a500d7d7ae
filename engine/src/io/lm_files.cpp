// The language model's manifest, weights and recipe (io_lm.h).
#include <string_view>

#include "io/manifest.h"
#include "io/strict_json.h"
#include "quantlab/error.h"
#include "quantlab/io.h"
#include "quantlab/io_lm.h"

namespace quantlab {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kFormat = "quantlab-lm";
constexpr uint64_t kVersion = 1;

json parse_document(std::span<const uint8_t> bytes, const std::string& what) {
  return parse_json_strict({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, what);
}

// The architecture fields of "config"; vocab only when `with_vocab` (a recipe leaves it to the
// tokenizer).
nn::lm::Config config_from_json(const json& value, const std::string& where, bool with_vocab) {
  std::vector<std::string> fields = {"context", "width", "heads", "layers", "hidden", "epsilon"};
  if (with_vocab) fields.push_back("vocab");
  require_only_fields(value, fields, where);
  nn::lm::Config c;
  if (with_vocab) c.vocab = as_size(field(value, "vocab", where), where + " vocab");
  c.context = as_size(field(value, "context", where), where + " context");
  c.width = as_size(field(value, "width", where), where + " width");
  c.heads = as_size(field(value, "heads", where), where + " heads");
  c.layers = as_size(field(value, "layers", where), where + " layers");
  c.hidden = as_size(field(value, "hidden", where), where + " hidden");
  c.epsilon = static_cast<float>(as_number(field(value, "epsilon", where), where + " epsilon"));
  // Bounds before any allocation: a width of 10^9 in a hostile file is refused here.
  for (const auto& entry : {std::pair{c.context, "context"},
                            {c.width, "width"},
                            {c.layers, "layers"},
                            {c.hidden, "hidden"},
                            {c.vocab, "vocab"}}) {
    require(entry.first <= 65536, [&] {
      return where + " " + entry.second + " " + std::to_string(entry.first) +
             " is larger than 65536";
    });
  }
  nn::lm::Config checked = c;
  if (!with_vocab) checked.vocab = 1;
  try {
    nn::lm::validate_config(checked);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(where + ": " + e.what());
  }
  return c;
}

ordered_json config_to_json(const nn::lm::Config& c) {
  return {{"vocab", c.vocab},
          {"context", c.context},
          {"width", c.width},
          {"heads", c.heads},
          {"layers", c.layers},
          {"hidden", c.hidden},
          {"epsilon", shortest_double(c.epsilon)}};
}

nn::lm::Tokenizer tokenizer_from_json(const json& value, const std::string& where) {
  require_only_fields(value, {"kind", "alphabet"}, where);
  const std::string kind = as_string(field(value, "kind", where), where + " kind");
  require(kind == "characters", where + " kind '" + kind + "' is not supported (characters)");
  const json& alphabet = field(value, "alphabet", where);
  require(alphabet.is_array() && alphabet.size() <= 255,
          where + " alphabet must be a list of at most 255 byte values");
  std::string bytes;
  for (const json& b : alphabet) {
    const uint64_t byte = as_size(b, where + " alphabet entry");
    require(byte <= 255, where + " alphabet entry " + std::to_string(byte) + " is not a byte");
    bytes += static_cast<char>(byte);
  }
  try {
    return nn::lm::Tokenizer(bytes);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(where + ": " + e.what());
  }
}

}  // namespace

bool is_language_model_manifest(std::span<const uint8_t> manifest_json) {
  const json document = parse_document(manifest_json, kManifest);
  return document.is_object() && document.contains("format") && document["format"] == kFormat;
}

nn::lm::LanguageModel parse_language_model(std::span<const uint8_t> manifest_json,
                                           std::span<const uint8_t> weights, LmManifest& manifest) {
  const json document = parse_document(manifest_json, kManifest);
  require_only_fields(
      document,
      {"format", "version", "name", "dataset", "tokenizer", "config", "recipe", "metrics"},
      kManifest);
  require_format_version(document, kFormat, kVersion);
  LmManifest parsed;
  parsed.name = as_string(field(document, "name", kManifest), kManifest + " name");
  parsed.dataset = as_string(field(document, "dataset", kManifest), kManifest + " dataset");
  parsed.recipe = field(document, "recipe", kManifest);
  require(parsed.recipe.is_object(), kManifest + " recipe must be a JSON object");
  parsed.metrics = metrics_from_json(field(document, "metrics", kManifest), kManifest + " metrics");
  nn::lm::LanguageModel model;
  model.tokenizer =
      tokenizer_from_json(field(document, "tokenizer", kManifest), kManifest + " tokenizer");
  model.config =
      config_from_json(field(document, "config", kManifest), kManifest + " config", true);
  read_parameters(weights, model, nn::lm::validate_language_model);
  manifest = std::move(parsed);
  return model;
}

nn::lm::LanguageModel load_language_model(const std::string& dir, LmManifest& manifest) {
  return parse_model_directory(dir, [&](const auto& manifest_json, const auto& weights) {
    return parse_language_model(manifest_json, weights, manifest);
  });
}

std::string serialize_language_model_manifest(const nn::lm::LanguageModel& model,
                                              const LmManifest& manifest) {
  std::vector<int> alphabet;
  for (const char c : model.tokenizer.alphabet()) alphabet.push_back(static_cast<unsigned char>(c));
  const ordered_json document = {
      {"format", kFormat},
      {"version", kVersion},
      {"name", manifest.name},
      {"dataset", manifest.dataset},
      {"tokenizer", {{"kind", "characters"}, {"alphabet", alphabet}}},
      {"config", config_to_json(model.config)},
      {"recipe", manifest.recipe},
      {"metrics", manifest.metrics},
  };
  return document.dump(2) + "\n";
}

std::vector<uint8_t> serialize_language_model_weights(const nn::lm::LanguageModel& model) {
  return serialize_safetensors({{}, model.parameters});
}

void save_language_model(const std::string& dir, const nn::lm::LanguageModel& model,
                         const LmManifest& manifest) {
  nn::lm::validate_language_model(model);
  const std::string text = serialize_language_model_manifest(model, manifest);
  write_file_bytes(dir + "/" + kWeightsFileName, serialize_language_model_weights(model));
  write_file_bytes(dir + "/" + kManifestFileName,
                   {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

LmRecipe parse_lm_recipe(std::string_view text, const std::string& what) {
  const json document = parse_json_strict(text, what);
  require_only_fields(document, {"format", "name", "dataset", "config", "init_seed", "training"},
                      what);
  const std::string format = as_string(field(document, "format", what), what + " format");
  require(format == kFormat, what + " format is '" + format + "', expected '" + kFormat + "'");
  LmRecipe recipe;
  recipe.name = as_string(field(document, "name", what), what + " name");
  recipe.dataset = as_string(field(document, "dataset", what), what + " dataset");
  recipe.config = config_from_json(field(document, "config", what), what + " config", false);
  recipe.init_seed = as_size(field(document, "init_seed", what), what + " init_seed");
  const std::string where = what + " training";
  const json& t = field(document, "training", what);
  require_only_fields(t,
                      {"steps", "batch_size", "sequence", "warmup", "clip_norm", "seed",
                       "learning_rate", "weight_decay"},
                      where);
  LmTraining& c = recipe.training;
  c.steps = as_size(field(t, "steps", where), where + " steps");
  c.batch_size = as_size(field(t, "batch_size", where), where + " batch_size");
  c.sequence = as_size(field(t, "sequence", where), where + " sequence");
  c.warmup = as_size(field(t, "warmup", where), where + " warmup");
  c.clip_norm = as_number(field(t, "clip_norm", where), where + " clip_norm");
  c.seed = as_size(field(t, "seed", where), where + " seed");
  c.learning_rate = as_number(field(t, "learning_rate", where), where + " learning_rate");
  c.weight_decay = as_number(field(t, "weight_decay", where), where + " weight_decay");
  recipe.document = document;
  return recipe;
}

}  // namespace quantlab
