// Embind surface of the trainer (quantlab/train.h): translation only. A loaded model is copied,
// optionally re-initialised (training from its architecture), trained on u8 images and labels
// with a JS config, and returned as a new handle; the engine checks every value. The JS
// progress callback cancels by returning false (training stops after that batch).
#include "quantlab/train.h"

#include <emscripten/bind.h>

#include <cstdint>
#include <string>
#include <utility>

#include "guard.h"
#include "loaded_model.h"
#include "typed_arrays.h"

namespace quantlab::bindings {
namespace {

using emscripten::val;

// config: {optimizer: "sgd" | "adam", learningRate, momentum, weightDecay, epochs, batchSize,
// seed}, every field present (the library fills the defaults).
train::TrainConfig train_config(const val& config) {
  train::TrainConfig result;
  result.epochs = config["epochs"].as<size_t>();
  result.batch_size = config["batchSize"].as<size_t>();
  result.seed = static_cast<uint64_t>(config["seed"].as<double>());
  result.optimizer.kind = train::parse_optimizer_kind(config["optimizer"].as<std::string>());
  result.optimizer.learning_rate = config["learningRate"].as<float>();
  result.optimizer.momentum = config["momentum"].as<float>();
  result.optimizer.weight_decay = config["weightDecay"].as<float>();
  return result;
}

val progress_object(const train::Progress& progress) {
  val event = val::object();
  event.set("epoch", static_cast<double>(progress.epoch));
  event.set("epochs", static_cast<double>(progress.epochs));
  event.set("batch", static_cast<double>(progress.batch));
  event.set("batches", static_cast<double>(progress.batches));
  event.set("loss", progress.loss);
  event.set("accuracy", progress.accuracy);
  event.set("learningRate", progress.learning_rate);
  return event;
}

// initSeed: null keeps the model's parameters (fine-tuning); a number re-initialises them with
// that seed first (training from the architecture).
// Returns {model, cancelled, epochsCompleted, loss, accuracy, seconds}.
// image_size: null or {rows, cols} (see network_input).
val train_model_js(const LoadedModel& source, val images, val labels, val image_size, val config,
                   val init_seed, val on_progress) {
  const train::TrainConfig train_config_value = train_config(config);
  LoadedModel trained = source;
  if (!init_seed.isNull()) {
    train::initialize_parameters(trained.model, static_cast<uint64_t>(init_seed.as<double>()));
  }
  nn::Examples examples{network_input(trained.manifest.input, images, image_size), {}};
  for (uint8_t label : from_typed_array<uint8_t>(labels)) examples.labels.push_back(label);
  const train::TrainResult outcome = train::train(
      trained.model, examples, train_config_value,
      [&](const train::Progress& p) { return !on_progress(progress_object(p)).isFalse(); });
  val result = val::object();
  result.set("model", val(std::move(trained)));
  result.set("cancelled", outcome.cancelled);
  result.set("epochsCompleted", static_cast<double>(outcome.epochs_completed));
  result.set("loss", outcome.loss);
  result.set("accuracy", outcome.accuracy);
  result.set("seconds", outcome.seconds);
  return result;
}

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_train) {
  emscripten::function("trainModel", guarded<&train_model_js>);
}

}  // namespace quantlab::bindings
