// Embind surface of model and dataset files (quantlab/io.h) and FP32 evaluation: translation
// only. Bytes arrive as Uint8Arrays (gzip already undone by the library); every check is the
// engine's, and its errors reach JS as Errors with the engine's message (guard.h).
#include <emscripten/bind.h>

#include <string>
#include <vector>

#include "guard.h"
#include "load_files.h"
#include "loaded_model.h"
#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/io.h"
#include "quantlab/nn.h"
#include "quantlab/nn_batch.h"
#include "typed_arrays.h"

namespace quantlab::bindings {
namespace {

using emscripten::val;

// A parsed IDX pair: images row-major [count, rows, cols], labels [count].
struct IdxDatasetJs {
  size_t count;
  size_t rows;
  size_t cols;
  std::vector<uint8_t> images;
  std::vector<uint8_t> labels;
};

val images_of(const IdxDatasetJs& d) { return to_typed_array(std::span<const uint8_t>(d.images)); }
void set_images(IdxDatasetJs& d, val bytes) { d.images = from_typed_array<uint8_t>(bytes); }
val labels_of(const IdxDatasetJs& d) { return to_typed_array(std::span<const uint8_t>(d.labels)); }
void set_labels(IdxDatasetJs& d, val bytes) { d.labels = from_typed_array<uint8_t>(bytes); }

IdxDatasetJs parse_idx_dataset_js(val images, val labels) {
  const Dataset dataset =
      parse_idx_dataset(from_typed_array<uint8_t>(images), from_typed_array<uint8_t>(labels));
  const auto pixels = dataset.images.values<uint8_t>();
  const auto classes = dataset.labels.values<uint8_t>();
  return {dataset.size(),
          dataset.images.shape()[1],
          dataset.images.shape()[2],
          {pixels.begin(), pixels.end()},
          {classes.begin(), classes.end()}};
}

struct EvaluationJs {
  double correct;
  double count;
};

// The manifest as save_model writes it (canonical form: same input, same text).
std::string manifest_json(const LoadedModel& loaded) {
  return serialize_manifest(loaded.model, loaded.manifest);
}

val weights_bytes(const LoadedModel& loaded) {
  const std::vector<uint8_t> bytes = serialize_safetensors({{}, loaded.model.parameters});
  return to_typed_array(std::span<const uint8_t>(bytes));
}

// image_size: null or {rows, cols} (see network_input).
EvaluationJs evaluate_js(const LoadedModel& loaded, val images, val labels, val image_size) {
  nn::Examples examples{network_input(loaded.manifest.input, images, image_size), {}};
  for (uint8_t label : from_typed_array<uint8_t>(labels)) examples.labels.push_back(label);
  const eval::Evaluation result = eval::evaluate(loaded.executor(), examples);
  return {static_cast<double>(result.correct), static_cast<double>(result.count)};
}

// Index of the highest-scoring class for each image.
val classify_js(const LoadedModel& loaded, val images, val image_size) {
  const Tensor inputs = network_input(loaded.manifest.input, images, image_size);
  const std::vector<int32_t> classes = nn::argmax_rows(nn::run_split(loaded.executor(), inputs));
  return to_typed_array(std::span<const int32_t>(classes));
}

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_models) {
  using emscripten::class_;
  using emscripten::function;
  using emscripten::value_object;

  value_object<IdxDatasetJs>("IdxDataset")
      .field("count", &IdxDatasetJs::count)
      .field("rows", &IdxDatasetJs::rows)
      .field("cols", &IdxDatasetJs::cols)
      .field("images", &images_of, &set_images)
      .field("labels", &labels_of, &set_labels);

  value_object<EvaluationJs>("Evaluation")
      .field("correct", &EvaluationJs::correct)
      .field("count", &EvaluationJs::count);

  class_<LoadedModel>("LoadedModel")
      .function("manifestJson", guarded<&manifest_json>)
      .function("weightsBytes", guarded<&weights_bytes>)
      .function("evaluate", guarded<&evaluate_js>)
      .function("classify", guarded<&classify_js>);

  function("parseIdxDataset", guarded<&parse_idx_dataset_js>);
  function("loadModel", guarded<&load_files_js<LoadedModel, &LoadedModel::model, parse_model>>);
}

}  // namespace quantlab::bindings
