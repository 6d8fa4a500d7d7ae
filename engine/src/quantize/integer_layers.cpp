// Integer execution of a planned model, the way TFLite and XNNPACK run integer graphs: int32
// accumulation in the kernels; with static activations a layer whose consumer is also static
// requantizes its output to the consumer's input mapping (Eq. 4), and ReLU, max-pool and flatten
// in between work on the codes; a layer dequantizes only where a float layer follows.
#include <algorithm>
#include <cstring>
#include <variant>
#include <vector>

#include "quantize/layers.h"
#include "quantlab/error.h"
#include "quantlab/kernels.h"
#include "quantlab/nn_ops.h"

namespace quantlab::quantization {
namespace {

using Packed = std::variant<kernels::PackedQC8W, kernels::PackedQC4W>;

// Per-thread scratch that only grows: a fresh zeroed vector per call cost a memset and page
// faults over the whole output (12.8 MB for the first conv at batch 256) on every batch.
template <typename T>
T* scratch(size_t count) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < count) buffer.resize(count);
  return buffer.data();
}

Packed pack(const QuantizedTensor& weight) {
  if (weight.scheme.bits == 8) return kernels::pack_qc8w(weight);
  return kernels::pack_qc4w(weight);
}

class IntegerAffine final : public nn::Layer {
 public:
  IntegerAffine(const nn::Model& model, const nn::LayerSpec& spec, Shape in, Shape out,
                const QuantizedLayer& layer, const CodeFlow& flow, Impl impl)
      : Layer(spec, std::move(in), std::move(out)),
        weight_(pack(layer.weight)),
        bias_(model.parameter(spec.name + ".bias")),
        activations_(layer.activations),
        input_params_(layer.input_params),
        flow_(flow),
        impl_(impl) {
    require(!flow.codes_in || activations_ == Activations::int8_static,
            "layer '" + spec.name + "' receives int8 codes but does not take static activations");
  }

  DType input_dtype() const override { return flow_.codes_in ? DType::i8 : DType::f32; }
  DType output_dtype() const override { return flow_.codes_out ? DType::i8 : DType::f32; }
  AffineParams output_params() const override { return flow_.params; }

  void forward(const Tensor& input, Tensor& output) const override {
    const size_t batch = input.shape()[0];
    // A float output that will be requantized lives in scratch, else in `output` itself.
    float* y =
        flow_.codes_out ? scratch<float>(output.element_count()) : output.values<float>().data();
    if (activations_ == Activations::int8_static) {
      const int8_t* codes = nullptr;
      if (flow_.codes_in) {
        codes = input.values<int8_t>().data();
      } else {
        int8_t* quantized = scratch<int8_t>(input.element_count());
        quantize_codes(input.values<float>().data(), input.element_count(), input_params_,
                       quantized, impl_);
        codes = quantized;
      }
      run_static(batch, codes, y);
    } else {
      run_float_input(batch, input.values<float>().data(), y);
    }
    if (flow_.codes_out) {
      quantize_codes(y, output.element_count(), flow_.params, output.values<int8_t>().data(),
                     impl_);
    }
  }

 private:
  bool is_conv() const { return spec().kind == nn::LayerKind::conv2d; }
  const float* bias() const { return bias_.values<float>().data(); }

  void run_static(size_t batch, const int8_t* a, float* y) const {
    const AffineParams p = input_params_;
    if (is_conv()) {
      const auto shape = nn::ops::conv2d_shape(spec(), input_shape(), batch);
      if (const auto* w8 = std::get_if<kernels::PackedQC8W>(&weight_)) {
        kernels::conv2d_qs8_qc8w_f32(shape, a, p, *w8, bias(), y, impl_);
      } else {
        kernels::conv2d_qs8_qc4w_f32(shape, a, p, std::get<kernels::PackedQC4W>(weight_), bias(), y,
                                     impl_);
      }
      return;
    }
    const size_t k = spec().in_features;
    const size_t n = spec().out_features;
    if (const auto* w8 = std::get_if<kernels::PackedQC8W>(&weight_)) {
      kernels::gemm_qs8_qc8w_f32(batch, a, k, p, *w8, bias(), y, n, impl_);
    } else {
      kernels::gemm_qs8_qc4w_f32(batch, a, k, p, std::get<kernels::PackedQC4W>(weight_), bias(), y,
                                 n, impl_);
    }
  }

  void run_float_input(size_t batch, const float* x, float* y) const {
    const bool dynamic = activations_ == Activations::int8_dynamic;
    if (is_conv()) {
      const auto shape = nn::ops::conv2d_shape(spec(), input_shape(), batch);
      if (const auto* w8 = std::get_if<kernels::PackedQC8W>(&weight_)) {
        kernels::conv2d_qd8_qc8w_f32(shape, x, *w8, bias(), y, impl_);
      } else if (dynamic) {
        kernels::conv2d_qd8_qc4w_f32(shape, x, std::get<kernels::PackedQC4W>(weight_), bias(), y,
                                     impl_);
      } else {
        kernels::conv2d_f32_qc4w(shape, x, std::get<kernels::PackedQC4W>(weight_), bias(), y,
                                 impl_);
      }
      return;
    }
    const size_t k = spec().in_features;
    const size_t n = spec().out_features;
    if (const auto* w8 = std::get_if<kernels::PackedQC8W>(&weight_)) {
      kernels::gemm_qd8_qc8w_f32(batch, x, k, *w8, bias(), y, n, impl_);
    } else if (dynamic) {
      kernels::gemm_qd8_qc4w_f32(batch, x, k, std::get<kernels::PackedQC4W>(weight_), bias(), y, n,
                                 impl_);
    } else {
      kernels::gemm_f32_qc4w(batch, x, k, std::get<kernels::PackedQC4W>(weight_), bias(), y, n,
                             impl_);
    }
  }

  Packed weight_;
  Tensor bias_;
  Activations activations_;
  AffineParams input_params_;
  CodeFlow flow_;
  Impl impl_;
};

class CodeLayer final : public nn::Layer {
 public:
  CodeLayer(const nn::LayerSpec& spec, Shape in, Shape out, const CodeFlow& flow)
      : Layer(spec, std::move(in), std::move(out)), flow_(flow) {}

  DType input_dtype() const override { return DType::i8; }
  DType output_dtype() const override { return DType::i8; }
  AffineParams output_params() const override { return flow_.params; }

  void forward(const Tensor& input, Tensor& output) const override {
    const int8_t* x = input.values<int8_t>().data();
    int8_t* y = output.values<int8_t>().data();
    const size_t n = input.element_count();
    switch (spec().kind) {
      case nn::LayerKind::relu:
        nn::ops::relu_codes(x, n, static_cast<int8_t>(flow_.params.zero_point), y);
        return;
      case nn::LayerKind::maxpool2d:
        nn::ops::maxpool2d(nn::ops::pool_geometry(spec(), input_shape(), input.shape()[0]), x, y,
                           static_cast<uint32_t*>(nullptr));
        return;
      default:  // flatten: the codes are already [batch, C·H·W] in memory
        std::memcpy(y, x, n);
        return;
    }
  }

 private:
  CodeFlow flow_;
};

}  // namespace

void quantize_codes(const float* x, size_t n, AffineParams params, int8_t* codes, Impl impl) {
  const IntRange range = int_range(8, false);
  if (impl == Impl::ref) {
    quantize_row_i8_ref(x, n, params, range, codes);
  } else {
    quantize_row_i8_wasmsimd(x, n, params, range, codes);
  }
}

std::unique_ptr<nn::Layer> make_integer_layer(const nn::Model& model, size_t index,
                                              const Shape& input, const QuantizedLayer& layer,
                                              const CodeFlow& flow, Impl impl) {
  const nn::LayerSpec& spec = model.layers.at(index);
  return std::make_unique<IntegerAffine>(model, spec, input, nn::output_shape(spec, input), layer,
                                         flow, impl);
}

std::unique_ptr<nn::Layer> make_code_layer(const nn::Model& model, size_t index, const Shape& input,
                                           const CodeFlow& flow) {
  const nn::LayerSpec& spec = model.layers.at(index);
  return std::make_unique<CodeLayer>(spec, input, nn::output_shape(spec, input), flow);
}

}  // namespace quantlab::quantization
