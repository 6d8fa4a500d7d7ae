// What GPTQ and bias correction share inside the quantize layer: gathering the statistics of a
// layer's input during calibration, and correcting a bias after the weights are quantized.
#pragma once

#include <span>
#include <vector>

#include "quantlab/nn.h"
#include "quantlab/quantize.h"

namespace quantlab::quantization {

// Accumulates InputStatistics over batches of one Linear/Conv2d layer's f32 input.
class InputAccumulator {
 public:
  // `input`: the layer's per-sample input shape; `hessian`: also accumulate XᵀX (K² doubles).
  InputAccumulator(const nn::LayerSpec& layer, const Shape& input, bool hessian);
  void add(const Tensor& batch);
  InputStatistics finish() const;

 private:
  void add_row(const double* x);

  nn::LayerSpec layer_;
  Shape input_;
  size_t k_;
  size_t rows_ = 0;
  std::vector<double> sum_;
  std::vector<double> gram_;  // upper triangle of XᵀX, row-major K×K; empty without hessian
};

// Throws InvalidArgument naming the field unless the options are valid and `inputs` is f32
// [count, ...the folded model's input shape].
void check_calibration(const nn::Model& folded, const Tensor& inputs,
                       const CalibrationOptions& options);

// Runs the folded FP32 model over the first min(options.samples, count) inputs in batches of
// options.batch_size, handing every layer's input to `observe` (point i: the input of layer i);
// returns how many inputs ran. Throws Cancelled when `progress` returns false.
size_t observe_calibration_run(const nn::Model& folded, const Tensor& inputs,
                               const CalibrationOptions& options, const nn::RunObserver& observe,
                               const Progress& progress);

// Eq. 26: bias[o] −= Σ_k (Ŵ[o,k] − W[o,k]) · mean[k], Ŵ the dequantized weight.
void correct_bias(std::span<const float> weight, const QuantizedTensor& quantized,
                  std::span<const double> mean, std::span<float> bias);

}  // namespace quantlab::quantization
