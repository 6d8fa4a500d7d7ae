// The fake-quant model a QAT result was trained as. With 8-bit activations it is the quantize
// layer's simulated path; with 4-bit static activations each such layer's input goes through
// Eq. 40 on the 4-bit grid before the FP32 layer on dequantized weights.
#include "quantlab/train_qat.h"
#include "train/fake_quant.h"

namespace quantlab::train {
namespace {

class FourBitInput final : public nn::Layer {
 public:
  FourBitInput(std::unique_ptr<nn::Layer> fp32, AffineParams params)
      : Layer(fp32->spec(), fp32->input_shape(), fp32->output_shape()),
        fp32_(std::move(fp32)),
        params_(params) {}

  void forward(const Tensor& input, Tensor& output) const override {
    Tensor x(DType::f32, input.shape());
    const auto in = input.values<float>();
    fq::fake_quantize(in.data(), in.size(), params_, int_range(4, false), x.values<float>().data());
    fp32_->forward(x, output);
  }

 private:
  std::unique_ptr<nn::Layer> fp32_;
  AffineParams params_;
};

}  // namespace

nn::Executor fake_quant_executor(const QatResult& result, Impl impl) {
  const quantization::QuantizedModel& q = result.quantized;
  nn::Executor executor = quantization::make_executor(q, quantization::Execution::simulated, impl);
  if (result.activation_bits == 8) return executor;
  nn::Model dequantized = q.model;
  for (const auto& [name, layer] : q.layers) {
    dequantized.parameters[name + ".weight"] =
        Tensor::from_f32(layer.weight.shape, dequantize(layer.weight));
  }
  for (size_t i = 0; i < dequantized.layers.size(); ++i) {
    const auto it = result.input_params_4bit.find(dequantized.layers[i].name);
    if (it == result.input_params_4bit.end()) continue;
    const nn::Layer& old = executor.layer(i);
    executor.replace_layer(
        i, std::make_unique<FourBitInput>(
               nn::make_fp32_layer(dequantized, i, old.input_shape(), impl), it->second));
  }
  return executor;
}

}  // namespace quantlab::train
