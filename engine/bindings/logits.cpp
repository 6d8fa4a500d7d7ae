// Embind surface of per-image outputs: the logits of a model (FP32 kernels) or a quantized model
// (integer kernels) for u8 images, normalized as the model's manifest says. Translation only;
// the lab uses it to show each precision's top classes for the same images.
#include <emscripten/bind.h>

#include <span>

#include "guard.h"
#include "loaded_model.h"
#include "loaded_quantized_model.h"
#include "quantlab/nn.h"
#include "quantlab/nn_batch.h"
#include "quantlab/quantize.h"
#include "typed_arrays.h"

namespace quantlab::bindings {
namespace {

using emscripten::val;

// Returns {output: Float32Array, shape: Uint32Array}: [images, classes].
val logits_of(const Tensor& y) {
  val result = val::object();
  result.set("output", to_typed_array(y.values<float>()));
  result.set("shape", to_typed_array(std::span<const size_t>(y.shape().dims())));
  return result;
}

val model_logits(const LoadedModel& loaded, val images, val image_size) {
  return logits_of(
      nn::run_split(loaded.executor(), network_input(loaded.manifest.input, images, image_size)));
}

val quantized_logits(const LoadedQuantizedModel& q, val images, val image_size) {
  return logits_of(
      nn::run_split(q.executor(), network_input(q.manifest.input, images, image_size)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_logits) {
  emscripten::function("modelLogits", guarded<&model_logits>);
  emscripten::function("quantizedLogits", guarded<&quantized_logits>);
}

}  // namespace quantlab::bindings
