// Scalar layer math shared by the FP32 executor layers and the trainer, so both compute the same
// forward pass. Buffers are batch-major NCHW.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quantlab/tensor.h"

namespace quantlab::nn::ops {

// [batch, ...sample]
Shape batched_shape(size_t batch, const Shape& sample);

struct PoolGeometry {
  size_t planes = 0;  // batch · channels
  size_t height = 0;
  size_t width = 0;
  size_t kernel = 0;
  size_t stride = 0;

  size_t out_height() const { return (height - kernel) / stride + 1; }
  size_t out_width() const { return (width - kernel) / stride + 1; }
};

void relu(const float* x, size_t n, float* y);

// `argmax` (may be null) receives, per output, the flat input index of the chosen maximum; the
// first maximum in row-major window order wins ties.
void maxpool2d(const PoolGeometry& g, const float* x, float* y, uint32_t* argmax);
void avgpool2d(const PoolGeometry& g, const float* x, float* y);

// Numerically stable softmax of each row (max subtracted before exp).
void softmax_rows(const float* x, size_t rows, size_t cols, float* y);

}  // namespace quantlab::nn::ops
