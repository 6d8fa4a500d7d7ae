// The simulated (fake-quant) path: each quantized Linear/Conv2d runs the FP32 kernels on its
// dequantized weights after its input went through quantize → dequantize with the parameters the
// integer path uses (static: calibrated; dynamic: min-max per row, per image for conv). ReLU and
// max-pool commute with a monotonic quantizer and quantizing grid values again returns them, so
// this matches the integer path up to float summation order (checked by the tests).
#include <vector>

#include "quantize/layers.h"
#include "quantlab/error.h"

namespace quantlab::quantization {
namespace {

void fake_quantize(float* x, size_t n, AffineParams params, Impl impl) {
  std::vector<int8_t> codes(n);
  quantize_codes(x, n, params, codes.data(), impl);
  if (impl == Impl::ref) {
    dequantize_row_i8_ref(codes.data(), n, params, x);
  } else {
    dequantize_row_i8_wasmsimd(codes.data(), n, params, x);
  }
}

class SimulatedAffine final : public nn::Layer {
 public:
  SimulatedAffine(std::unique_ptr<nn::Layer> fp32, const QuantizedLayer& layer, Impl impl)
      : Layer(fp32->spec(), fp32->input_shape(), fp32->output_shape()),
        fp32_(std::move(fp32)),
        activations_(layer.activations),
        input_params_(layer.input_params),
        impl_(impl) {}

  void forward(const Tensor& input, Tensor& output) const override {
    if (activations_ == Activations::fp32) {
      fp32_->forward(input, output);
      return;
    }
    Tensor x = input;
    auto values = x.values<float>();
    if (activations_ == Activations::int8_static) {
      fake_quantize(values.data(), values.size(), input_params_, impl_);
    } else {
      // One mapping per sample: a Linear's row, a Conv2d's image (as the dynamic kernels do).
      const size_t per_sample = input_shape().element_count();
      for (size_t offset = 0; offset < values.size(); offset += per_sample) {
        const std::span<float> sample = values.subspan(offset, per_sample);
        const AffineParams params = choose_params_dynamic(sample, 8, false, "layer input", impl_);
        fake_quantize(sample.data(), sample.size(), params, impl_);
      }
    }
    fp32_->forward(x, output);
  }

 private:
  std::unique_ptr<nn::Layer> fp32_;
  Activations activations_;
  AffineParams input_params_;
  Impl impl_;
};

}  // namespace

std::unique_ptr<nn::Layer> make_simulated_layer(const nn::Model& dequantized, size_t index,
                                                const Shape& input, const QuantizedLayer& layer,
                                                Impl impl) {
  return std::make_unique<SimulatedAffine>(nn::make_fp32_layer(dequantized, index, input, impl),
                                           layer, impl);
}

}  // namespace quantlab::quantization
