// `quantlab train <recipe.json>`: trains a model from a recipe, measures it on the test split and
// saves weights + manifest (recipe and metrics included) through io.
//
// Recipe (JSON object, every field required):
//   name, dataset ("mnist" | "fashion-mnist"), labels [10 names],
//   input {shape, pixel_scale, mean, std}      network input = (pixel·pixel_scale − mean) / std
//     and, optional, image_shape               [rows, cols] of the images a flat input is made of
//   architecture {layers: [...]}               the manifest's checked form (shapes stated)
//   seed                                       initialisation, shuffling and dropout
//   epochs, batch_size,
//   optimizer {kind: sgd|adam, learning_rate, momentum, weight_decay},
//   schedule {kind: constant|cosine} or {kind: step, step_epochs, gamma},
//   augment "none"                             (the only augmentation so far)
#include "quantlab/train.h"

#include <cstdio>
#include <filesystem>
#include <type_traits>

#include "command.h"
#include "examples.h"
#include "quantlab/error.h"
#include "quantlab/eval.h"

namespace quantlab::cli {
namespace {

using nlohmann::json;

const json& field(const json& object, const std::string& key, const std::string& where) {
  require(object.is_object(), where + " must be a JSON object");
  require(object.contains(key), where + " is missing '" + key + "'");
  return object[key];
}

template <typename T>
T get(const json& object, const std::string& key, const std::string& where) {
  const json& value = field(object, key, where);
  // nlohmann converts -1 (or 2.5) to an unsigned count without complaint: epochs = 2^64 - 1.
  if constexpr (std::is_unsigned_v<T>) {
    require(value.is_number_unsigned(),
            where + " '" + key + "' must be a non-negative whole number, got " + value.dump());
  }
  try {
    return value.get<T>();
  } catch (const json::exception&) {
    throw InvalidArgument(where + " '" + key + "' has the wrong type: " + value.dump());
  }
}

void require_only(const json& object, std::initializer_list<const char*> keys,
                  const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    require(known, where + " has an unknown field '" + key + "'");
  }
}

struct Recipe {
  json source;
  ModelManifest manifest;
  nn::Model model;
  uint64_t seed = 0;
  train::TrainConfig config;
};

Recipe parse_recipe(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  Recipe recipe;
  recipe.source = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  require(!recipe.source.is_discarded(), path + " is not valid JSON");
  const json& r = recipe.source;
  const std::string where = "recipe " + path;
  require_only(r,
               {"name", "dataset", "labels", "input", "architecture", "seed", "epochs",
                "batch_size", "optimizer", "schedule", "augment"},
               where);
  ModelManifest& m = recipe.manifest;
  m.name = get<std::string>(r, "name", where);
  m.dataset = get<std::string>(r, "dataset", where);
  m.labels = get<std::vector<std::string>>(r, "labels", where);
  const json& input = field(r, "input", where);
  require_only(input, {"shape", "image_shape", "pixel_scale", "mean", "std"}, where + " input");
  m.input.shape = get<std::vector<size_t>>(input, "shape", where + " input");
  if (input.contains("image_shape")) {
    m.input.image_shape = get<std::vector<size_t>>(input, "image_shape", where + " input");
  }
  m.input.pixel_scale = get<float>(input, "pixel_scale", where + " input");
  m.input.mean = get<float>(input, "mean", where + " input");
  m.input.std = get<float>(input, "std", where + " input");
  m.recipe = r;
  try {
    architecture_from_json(field(r, "architecture", where), m.input.shape, recipe.model);
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(where + ": " + error.what());
  }

  recipe.seed = get<uint64_t>(r, "seed", where);
  train::TrainConfig& c = recipe.config;
  c.seed = recipe.seed;
  c.epochs = get<size_t>(r, "epochs", where);
  c.batch_size = get<size_t>(r, "batch_size", where);
  require(get<std::string>(r, "augment", where) == "none",
          where + " augment must be \"none\" (no augmentation is implemented)");
  const json& optimizer = field(r, "optimizer", where);
  const std::string opt_where = where + " optimizer";
  require_only(optimizer, {"kind", "learning_rate", "momentum", "weight_decay"}, opt_where);
  c.optimizer.kind = train::parse_optimizer_kind(get<std::string>(optimizer, "kind", opt_where));
  c.optimizer.learning_rate = get<float>(optimizer, "learning_rate", opt_where);
  c.optimizer.momentum = get<float>(optimizer, "momentum", opt_where);
  c.optimizer.weight_decay = get<float>(optimizer, "weight_decay", opt_where);
  const json& schedule = field(r, "schedule", where);
  const std::string schedule_where = where + " schedule";
  c.optimizer.schedule =
      train::parse_schedule_kind(get<std::string>(schedule, "kind", schedule_where));
  if (c.optimizer.schedule == train::ScheduleKind::step) {
    require_only(schedule, {"kind", "step_epochs", "gamma"}, schedule_where);
    c.optimizer.step_epochs = get<size_t>(schedule, "step_epochs", schedule_where);
    c.optimizer.gamma = get<float>(schedule, "gamma", schedule_where);
  } else {
    require_only(schedule, {"kind"}, schedule_where);
  }
  return recipe;
}

int run_train(const std::vector<std::string>& args) {
  const Arguments parsed = parse_arguments(args, {"out", "data"});
  require(parsed.positional.size() == 1, "train needs exactly one recipe file");
  const std::string recipe_path = parsed.positional[0];
  Recipe recipe = parse_recipe(recipe_path);
  const std::string out_dir =
      parsed.option("out", std::filesystem::path(recipe_path).parent_path().string());
  const std::string data_dir = parsed.option("data", default_data_dir(recipe.manifest.dataset));

  // Before training, so an unusable output directory fails in a second, not after an hour.
  std::filesystem::create_directories(out_dir);
  const nn::Examples training = load_examples(data_dir, "train", recipe.manifest.input);
  const nn::Examples test = load_examples(data_dir, "test", recipe.manifest.input);
  train::initialize_parameters(recipe.model, recipe.seed);
  std::printf("%s: %zu parameters, %zu training / %zu test examples\n",
              recipe.manifest.name.c_str(), nn::parameter_count(recipe.model), training.size(),
              test.size());

  const auto report = [](const train::Progress& p) {
    if (p.batch == p.batches) {
      std::printf("epoch %zu/%zu  loss %.4f  train accuracy %.2f%%  lr %.5f\n", p.epoch, p.epochs,
                  p.loss, 100.0 * p.accuracy, p.learning_rate);
      std::fflush(stdout);
    }
    return true;
  };
  const train::TrainResult trained = train::train(recipe.model, training, recipe.config, report);
  const eval::Evaluation evaluation = eval::evaluate(nn::Executor(recipe.model), test);

  ModelManifest& manifest = recipe.manifest;
  manifest.metrics = {
      {"test_accuracy", evaluation.accuracy()},
      {"test_correct", static_cast<double>(evaluation.correct)},
      {"test_count", static_cast<double>(evaluation.count)},
      {"train_seconds", trained.seconds},
      {"train_loss", trained.loss},
      {"train_accuracy", trained.accuracy},
      {"parameter_count", static_cast<double>(nn::parameter_count(recipe.model))},
  };
  save_model(out_dir, recipe.model, manifest);
  std::printf("trained in %.1f s; test accuracy %.2f%% (%zu / %zu); saved to %s\n", trained.seconds,
              100.0 * evaluation.accuracy(), evaluation.correct, evaluation.count, out_dir.c_str());
  return 0;
}

const bool registered = register_command(
    {"train", "<recipe.json> [--out DIR] [--data DIR]",
     "train a model from a recipe; writes manifest.json + model.safetensors (default: the "
     "recipe's directory)",
     run_train});

}  // namespace
}  // namespace quantlab::cli
