// Embind surface of the benchmark: the roofline probes (quantlab/roofline.h). Translation only;
// timing and statistics live in the TypeScript runner so ours and ONNX Runtime's calls are
// timed the same way.
#include <emscripten/bind.h>

#include "guard.h"
#include "quantlab/roofline.h"

namespace quantlab::bindings {
namespace {

roofline::StreamRead make_stream_read(size_t bytes) { return roofline::StreamRead(bytes); }
// Doubles: a pass count times 256 MiB, or a flop count, passes 2^32.
double stream_read_bytes(const roofline::StreamRead& probe) {
  return static_cast<double>(probe.bytes());
}
double f32_mul_add_flops(size_t iterations) { return roofline::f32_mul_add_flops(iterations); }
double i16_dot_ops(size_t iterations) { return roofline::i16_dot_ops(iterations); }

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_bench) {
  using emscripten::class_;
  using emscripten::function;

  class_<roofline::StreamRead>("RooflineStreamRead")
      .constructor(guarded<&make_stream_read>)
      .function("bytes", &stream_read_bytes)
      .function("pass", &roofline::StreamRead::pass);
  function("rooflineF32MulAdd", &roofline::f32_mul_add);
  function("rooflineF32MulAddFlops", &f32_mul_add_flops);
  function("rooflineI16Dot", &roofline::i16_dot);
  function("rooflineI16DotOps", &i16_dot_ops);
}

}  // namespace quantlab::bindings
