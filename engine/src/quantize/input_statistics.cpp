// The statistics of a layer's input that GPTQ (Eq. 22) and bias correction (Eq. 26) read: rows
// of the layer's matrix view are the input vectors of a Linear and the im2col patches of a
// Conv2d, so that a row times a weight row is one output value.
#include <algorithm>

#include "quantize/methods.h"
#include "quantlab/error.h"

namespace quantlab::quantization {

InputAccumulator::InputAccumulator(const nn::LayerSpec& layer, const Shape& input, bool hessian)
    : layer_(layer),
      input_(input),
      k_(layer.kind == nn::LayerKind::linear ? layer.in_features
                                             : layer.in_channels * layer.kernel * layer.kernel),
      sum_(k_, 0.0) {
  if (hessian) gram_.assign(k_ * k_, 0.0);
}

void InputAccumulator::add_row(const double* x) {
  ++rows_;
  for (size_t i = 0; i < k_; ++i) {
    const double xi = x[i];
    // ReLU outputs are mostly zero: skipping them saves most of the O(K²) work.
    if (xi == 0.0) continue;
    sum_[i] += xi;
    if (gram_.empty()) continue;
    double* g = gram_.data() + i * k_;
    for (size_t j = i; j < k_; ++j) g[j] += xi * x[j];
  }
}

void InputAccumulator::add(const Tensor& batch) {
  require(batch.dtype() == DType::f32,
          "layer '" + layer_.name + "': input statistics need the FP32 input");
  const auto values = batch.values<float>();
  const size_t per_sample = input_.element_count();
  const size_t count = values.size() / per_sample;
  std::vector<double> row(k_);
  if (layer_.kind == nn::LayerKind::linear) {
    for (size_t b = 0; b < count; ++b) {
      std::copy_n(values.data() + b * per_sample, k_, row.begin());
      add_row(row.data());
    }
    return;
  }
  const size_t channels = input_[0], height = input_[1], width = input_[2];
  const size_t kernel = layer_.kernel, stride = layer_.stride, pad = layer_.padding;
  const size_t out_h = (height + 2 * pad - kernel) / stride + 1;
  const size_t out_w = (width + 2 * pad - kernel) / stride + 1;
  for (size_t b = 0; b < count; ++b) {
    const float* image = values.data() + b * per_sample;
    for (size_t oy = 0; oy < out_h; ++oy) {
      for (size_t ox = 0; ox < out_w; ++ox) {
        size_t k = 0;
        for (size_t c = 0; c < channels; ++c) {
          for (size_t ky = 0; ky < kernel; ++ky) {
            for (size_t kx = 0; kx < kernel; ++kx, ++k) {
              // Unsigned wrap-around makes a position in the padding compare out of range.
              const size_t y = oy * stride + ky - pad, x = ox * stride + kx - pad;
              row[k] = y < height && x < width ? image[(c * height + y) * width + x] : 0.0;
            }
          }
        }
        add_row(row.data());
      }
    }
  }
}

InputStatistics InputAccumulator::finish() const {
  InputStatistics stats;
  stats.rows = rows_;
  const double n = static_cast<double>(std::max<size_t>(rows_, 1));
  stats.mean.resize(k_);
  for (size_t i = 0; i < k_; ++i) stats.mean[i] = sum_[i] / n;
  if (gram_.empty()) return stats;
  stats.hessian.resize(k_ * k_);
  for (size_t i = 0; i < k_; ++i) {
    for (size_t j = i; j < k_; ++j) {
      const double h = 2.0 * gram_[i * k_ + j] / n;
      stats.hessian[i * k_ + j] = h;
      stats.hessian[j * k_ + i] = h;
    }
  }
  return stats;
}

}  // namespace quantlab::quantization
