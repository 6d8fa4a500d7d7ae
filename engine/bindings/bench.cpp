// Embind surface of the benchmark: the roofline probes (quantlab/roofline.h) and kernel calls
// ready to time (quantlab/kernels.h). Translation only; timing and statistics live in the
// TypeScript runner, so our calls and ONNX Runtime's are timed the same way.
#include <emscripten/bind.h>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "guard.h"
#include "quantlab/error.h"
#include "quantlab/kernels.h"
#include "quantlab/roofline.h"
#include "typed_arrays.h"

namespace quantlab::bindings {
namespace {

using emscripten::val;

roofline::StreamRead make_stream_read(size_t bytes) { return roofline::StreamRead(bytes); }
// Doubles: a pass count times 256 MiB, or a flop count, passes 2^32.
double stream_read_bytes(const roofline::StreamRead& probe) {
  return static_cast<double>(probe.bytes());
}
uint32_t stream_read_pass(const roofline::StreamRead& probe, size_t streams) {
  return probe.pass(streams);
}
double f32_mul_add_flops(size_t iterations) { return roofline::f32_mul_add_flops(iterations); }
double i16_dot_ops(size_t iterations) { return roofline::i16_dot_ops(iterations); }

// One kernel call with its weights packed and its input and output held in wasm memory, so
// that run() times the kernel alone: no packing, no copies across the JS boundary.
class BenchCall {
 public:
  using Kernel = std::function<void(const float* input, float* output)>;

  BenchCall(Kernel kernel, std::vector<float> input, size_t output_count, size_t weight_bytes)
      : kernel_(std::move(kernel)),
        input_(std::make_shared<std::vector<float>>(std::move(input))),
        output_(std::make_shared<std::vector<float>>(output_count)),
        weight_bytes_(static_cast<double>(weight_bytes)) {}

  void run(size_t repetitions) {
    for (size_t i = 0; i < repetitions; ++i) kernel_(input_->data(), output_->data());
  }
  val output() const { return to_typed_array(std::span<const float>(*output_)); }
  // Bytes the packed weights occupy, scales included: what a call streams from memory.
  double weight_bytes() const { return weight_bytes_; }

 private:
  Kernel kernel_;
  // Shared rather than owned: Embind copies the object a factory returns, the buffers need not.
  std::shared_ptr<std::vector<float>> input_;
  std::shared_ptr<std::vector<float>> output_;
  double weight_bytes_;
};

std::vector<float> checked_floats(const val& array, size_t count, const std::string& what) {
  std::vector<float> values = from_typed_array<float>(array);
  require(values.size() == count, what + " has " + std::to_string(values.size()) +
                                      " values, expected " + std::to_string(count));
  return values;
}

// C[M, N] = A[M, K] · W[N, K]ᵀ with weights packed as `Packed`; gemm(a, c) runs the kernel.
template <typename Packed, typename Gemm>
BenchCall matmul_call(size_t m, std::shared_ptr<const Packed> w, const val& activations,
                      Gemm gemm) {
  std::vector<float> a = checked_floats(activations, m * w->k, "activations");
  const size_t weight_bytes = w->byte_size();
  const size_t n = w->n;
  return BenchCall([w, gemm](const float* in, float* out) { gemm(*w, in, out); }, std::move(a),
                   m * n, weight_bytes);
}

BenchCall matmul_f32(size_t m, size_t n, size_t k, val weights, val activations) {
  auto w = std::make_shared<const kernels::PackedF32>(
      kernels::pack_f32(checked_floats(weights, n * k, "weights").data(), n, k));
  return matmul_call(m, w, activations, [m](const kernels::PackedF32& p, const float* a, float* c) {
    kernels::gemm_f32(m, a, p.k, p, nullptr, c, p.n);
  });
}

// The integer kernels a bench call runs, by name: "simd128", "relaxed" (both timed by the bench;
// exact, same outputs) or "ref" (the scalar reference, which tests compare them with).
Impl integer_impl(const std::string& kernel_set) {
  if (kernel_set == "ref") return Impl::ref;
  if (kernel_set == "relaxed") return Impl::relaxed;
  require(kernel_set == "simd128",
          "bench kernels must be \"simd128\", \"relaxed\" or \"ref\" (got \"" + kernel_set + "\")");
  return Impl::wasmsimd;
}

// INT8 weights against activations quantized per row at run time (qd8).
BenchCall matmul_qc8w(size_t m, const QuantizedTensor& weights, val activations,
                      const std::string& kernel_set) {
  auto w = std::make_shared<const kernels::PackedQC8W>(kernels::pack_qc8w(weights));
  return matmul_call(
      m, w, activations,
      [m, impl = integer_impl(kernel_set)](const kernels::PackedQC8W& p, const float* a, float* c) {
        kernels::gemm_qd8_qc8w_f32(m, a, p.k, p, nullptr, c, p.n, impl);
      });
}

// 4-bit weights against f32 activations (W4A32) or dynamically quantized int8 ones (W4A8).
BenchCall matmul_qc4w(size_t m, const QuantizedTensor& weights, val activations,
                      bool int8_activations, const std::string& kernel_set) {
  auto w = std::make_shared<const kernels::PackedQC4W>(kernels::pack_qc4w(weights));
  return matmul_call(m, w, activations,
                     [m, int8_activations, impl = integer_impl(kernel_set)](
                         const kernels::PackedQC4W& p, const float* a, float* c) {
                       if (int8_activations) {
                         kernels::gemm_qd8_qc4w_f32(m, a, p.k, p, nullptr, c, p.n, impl);
                       } else {
                         kernels::gemm_f32_qc4w(m, a, p.k, p, nullptr, c, p.n, impl);
                       }
                     });
}

// NCHW convolution geometry from a JS object with the fields of the TypeScript ConvCase.
kernels::Conv2dShape conv_shape(const val& js) {
  const auto field = [&js](const char* name) { return js[name].as<size_t>(); };
  kernels::Conv2dShape shape;
  shape.batch = field("batch");
  shape.in_channels = field("inChannels");
  shape.height = field("height");
  shape.width = field("width");
  shape.out_channels = field("outChannels");
  shape.kernel_h = shape.kernel_w = field("kernel");
  shape.stride = field("stride");
  shape.padding = field("padding");
  kernels::validate_conv2d(shape);
  return shape;
}

// output = conv(input, W) with weights packed as `Packed`; conv(shape, in, out) runs the kernel.
template <typename Packed, typename Conv>
BenchCall conv_call(const kernels::Conv2dShape& shape, std::shared_ptr<const Packed> w,
                    const val& input, Conv conv) {
  std::vector<float> x =
      checked_floats(input, shape.batch * shape.in_channels * shape.height * shape.width, "input");
  const size_t outputs = shape.batch * shape.out_channels * shape.out_height() * shape.out_width();
  const size_t weight_bytes = w->byte_size();
  return BenchCall([shape, w, conv](const float* in, float* out) { conv(shape, *w, in, out); },
                   std::move(x), outputs, weight_bytes);
}

BenchCall conv2d_f32(val js_shape, val weights, val input) {
  const kernels::Conv2dShape shape = conv_shape(js_shape);
  const size_t n = shape.out_channels;
  const size_t k = shape.reduction();
  auto w = std::make_shared<const kernels::PackedF32>(
      kernels::pack_f32(checked_floats(weights, n * k, "weights").data(), n, k));
  return conv_call(shape, w, input,
                   [](const kernels::Conv2dShape& s, const kernels::PackedF32& p, const float* in,
                      float* out) { kernels::conv2d_f32(s, in, p, nullptr, out); });
}

BenchCall conv2d_qc8w(val js_shape, const QuantizedTensor& weights, val input,
                      const std::string& kernel_set) {
  auto w = std::make_shared<const kernels::PackedQC8W>(kernels::pack_qc8w(weights));
  return conv_call(conv_shape(js_shape), w, input,
                   [impl = integer_impl(kernel_set)](
                       const kernels::Conv2dShape& s, const kernels::PackedQC8W& p, const float* in,
                       float* out) { kernels::conv2d_qd8_qc8w_f32(s, in, p, nullptr, out, impl); });
}

BenchCall conv2d_qc4w(val js_shape, const QuantizedTensor& weights, val input,
                      bool int8_activations, const std::string& kernel_set) {
  auto w = std::make_shared<const kernels::PackedQC4W>(kernels::pack_qc4w(weights));
  return conv_call(conv_shape(js_shape), w, input,
                   [int8_activations, impl = integer_impl(kernel_set)](
                       const kernels::Conv2dShape& s, const kernels::PackedQC4W& p, const float* in,
                       float* out) {
                     if (int8_activations) {
                       kernels::conv2d_qd8_qc4w_f32(s, in, p, nullptr, out, impl);
                     } else {
                       kernels::conv2d_f32_qc4w(s, in, p, nullptr, out, impl);
                     }
                   });
}

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_bench) {
  using emscripten::class_;
  using emscripten::function;

  class_<roofline::StreamRead>("RooflineStreamRead")
      .constructor(guarded<&make_stream_read>)
      .function("bytes", &stream_read_bytes)
      .function("pass", guarded<&stream_read_pass>);
  function("rooflineF32MulAdd", &roofline::f32_mul_add);
  function("rooflineF32MulAddFlops", &f32_mul_add_flops);
  function("rooflineI16Dot", &roofline::i16_dot);
  function("rooflineI16DotOps", &i16_dot_ops);
  function("rooflineI16DotAdd", &roofline::i16_dot_add);

  class_<BenchCall>("BenchCall")
      .function("run", &BenchCall::run)
      .function("output", &BenchCall::output)
      .function("weightBytes", &BenchCall::weight_bytes);
  function("benchMatmulF32", guarded<&matmul_f32>);
  function("benchMatmulQC8W", guarded<&matmul_qc8w>);
  function("benchMatmulQC4W", guarded<&matmul_qc4w>);
  function("benchConv2dF32", guarded<&conv2d_f32>);
  function("benchConv2dQC8W", guarded<&conv2d_qc8w>);
  function("benchConv2dQC4W", guarded<&conv2d_qc4w>);
}

}  // namespace quantlab::bindings
