// Embind surface of general inference: a loaded model (loaded_model.h) on any f32 input of
// shape [batch, ...input shape]. Translation only: the executor checks the shape, and its
// errors reach JS with the engine's message (guard.h).
#include <emscripten/bind.h>

#include <span>

#include "guard.h"
#include "loaded_model.h"
#include "quantlab/nn.h"
#include "quantlab/nn_batch.h"
#include "quantlab/tensor.h"
#include "typed_arrays.h"

namespace quantlab::bindings {
namespace {

using emscripten::val;

// Returns {output: Float32Array, shape: Uint32Array}.
val run_model_js(const LoadedModel& loaded, val input, val dims) {
  const Tensor x =
      Tensor::from_f32(Shape(from_typed_array<size_t>(dims)), from_typed_array<float>(input));
  const Tensor y = nn::run_split(loaded.executor(), x);
  val result = val::object();
  result.set("output", to_typed_array(y.values<float>()));
  result.set("shape", to_typed_array(std::span<const size_t>(y.shape().dims())));
  return result;
}

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_run) { emscripten::function("runModel", guarded<&run_model_js>); }

}  // namespace quantlab::bindings
