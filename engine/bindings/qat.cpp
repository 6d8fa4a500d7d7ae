// Embind surface of quantization-aware training (quantlab/train_qat.h): translation only. A
// loaded FP32 model is fine-tuned under a plan (JSON text: a preset name or a plan object) on u8
// training images; the result is a quantized model handle. The JS progress callback receives
// every batch and stops training by returning false; the model stays usable either way.
#include <emscripten/bind.h>

#include <string>

#include "guard.h"
#include "loaded_model.h"
#include "loaded_quantized_model.h"
#include "quantlab/io.h"
#include "quantlab/train_qat.h"
#include "typed_arrays.h"

namespace quantlab::bindings {
namespace {

using emscripten::val;
using nlohmann::json;

// options: {epochs, batchSize, examplesPerEpoch, learningRate, lsq, learnBits, budgetBits,
// activationBits, seed, calibrationSamples}; absent fields keep QatConfig's defaults.
train::QatConfig config_of(const json& options) {
  train::QatConfig config;
  config.epochs = options.value("epochs", config.epochs);
  config.batch_size = options.value("batchSize", config.batch_size);
  config.examples_per_epoch = options.value("examplesPerEpoch", config.examples_per_epoch);
  config.optimizer.learning_rate = options.value("learningRate", config.optimizer.learning_rate);
  config.lsq = options.value("lsq", config.lsq);
  config.learn_bits = options.value("learnBits", config.learn_bits);
  config.budget_bits = options.value("budgetBits", config.budget_bits);
  config.activation_bits = options.value("activationBits", config.activation_bits);
  config.seed = options.value("seed", config.seed);
  config.calibration.samples = options.value("calibrationSamples", config.calibration.samples);
  return config;
}

val progress_of(const train::QatProgress& p) {
  val event = val::object();
  event.set("epoch", static_cast<double>(p.train.epoch));
  event.set("epochs", static_cast<double>(p.train.epochs));
  event.set("batch", static_cast<double>(p.train.batch));
  event.set("batches", static_cast<double>(p.train.batches));
  event.set("loss", p.train.loss);
  event.set("accuracy", p.train.accuracy);
  event.set("expectedBits", p.expected_bits);
  val scales = val::object();
  for (const train::QuantizerState& q : p.scales) scales.set(q.name, q.scale);
  event.set("scales", scales);
  return event;
}

// Returns {model: QuantizedModel, cancelled, epochsCompleted, loss, accuracy, seconds, bits}.
val qat_js(const LoadedModel& loaded, val images, val labels, val image_size,
           const std::string& plan_json, const std::string& options_json, val on_progress) {
  nn::Examples data{network_input(loaded.manifest.input, images, image_size), {}};
  for (uint8_t label : from_typed_array<uint8_t>(labels)) data.labels.push_back(label);
  const train::QatResult result = train::qat(
      loaded.model, plan_from_spec(json::parse(plan_json), "plan"), data,
      config_of(json::parse(options_json)),
      [&](const train::QatProgress& p) { return !on_progress(progress_of(p)).isFalse(); });
  val out = val::object();
  out.set("model", val(LoadedQuantizedModel{result.quantized, loaded.manifest, {}}));
  out.set("cancelled", result.cancelled);
  out.set("epochsCompleted", static_cast<double>(result.epochs_completed));
  out.set("loss", result.loss);
  out.set("accuracy", result.accuracy);
  out.set("seconds", result.seconds);
  out.set("activationBits", result.activation_bits);
  val bits = val::array();
  for (const train::LayerBits& layer : result.bits) {
    val entry = val::object();
    entry.set("layer", layer.layer);
    entry.set("chosen", layer.chosen);
    entry.set("bitsPerWeight", layer.bits_per_weight);
    bits.call<void>("push", entry);
  }
  out.set("bits", bits);
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_qat) { emscripten::function("qat", guarded<&qat_js>); }

}  // namespace quantlab::bindings
