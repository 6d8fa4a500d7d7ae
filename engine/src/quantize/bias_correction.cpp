// Empirical bias correction (Eq. 26): the mean over the calibration set of the output shift that
// weight quantization causes, (Ŵ − W)·x, is (Ŵ − W)·mean(x) by linearity, so the mean input
// (patch, for conv) is all it needs.
#include "quantize/methods.h"

namespace quantlab::quantization {

void correct_bias(std::span<const float> weight, const QuantizedTensor& quantized,
                  std::span<const double> mean, std::span<float> bias) {
  const std::vector<float> approx = dequantize(quantized);
  const size_t k = mean.size();
  for (size_t o = 0; o < bias.size(); ++o) {
    double shift = 0;
    for (size_t i = 0; i < k; ++i) {
      shift += (static_cast<double>(approx[o * k + i]) - weight[o * k + i]) * mean[i];
    }
    bias[o] = static_cast<float>(bias[o] - shift);
  }
}

}  // namespace quantlab::quantization
