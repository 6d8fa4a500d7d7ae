// Scalar layer math (nn layer) shared by the FP32 executor layers, the trainer and the quantized
// layers, so all of them compute the same forward pass. Buffers are batch-major NCHW.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quantlab/kernels.h"
#include "quantlab/nn.h"
#include "quantlab/tensor.h"

namespace quantlab::nn::ops {

// [batch, ...sample]
Shape batched_shape(size_t batch, const Shape& sample);

// Samples [begin, end) of a batch-major f32 tensor of `sample`-shaped rows, as a new batch.
Tensor batch_rows(const Tensor& batch, const Shape& sample, size_t begin, size_t end);

struct PoolGeometry {
  size_t planes = 0;  // batch · channels
  size_t height = 0;
  size_t width = 0;
  size_t kernel = 0;
  size_t stride = 0;

  size_t out_height() const { return (height - kernel) / stride + 1; }
  size_t out_width() const { return (width - kernel) / stride + 1; }
};

// Geometry of a pooling or conv2d `layer` over a batch of per-sample `input` [C, H, W].
PoolGeometry pool_geometry(const LayerSpec& layer, const Shape& input, size_t batch);
kernels::Conv2dShape conv2d_shape(const LayerSpec& layer, const Shape& input, size_t batch);

void relu(const float* x, size_t n, float* y);
// ReLU on int8 codes of an affine mapping: real = scale · (q − zero) ≥ 0 ⇔ q ≥ zero (Eq. 1), so
// it clamps the codes at the zero point.
void relu_codes(const int8_t* x, size_t n, int8_t zero, int8_t* y);

// `argmax` (may be null) receives, per output, the flat input index of the chosen maximum; the
// first maximum in row-major window order wins ties.
// Defined for float and for int8 codes (max commutes with a monotonic affine map, so pooling codes
// equals quantizing the pooled reals).
template <typename T>
void maxpool2d(const PoolGeometry& g, const T* x, T* y, uint32_t* argmax);
void avgpool2d(const PoolGeometry& g, const float* x, float* y);

// Numerically stable softmax of each row (max subtracted before exp).
void softmax_rows(const float* x, size_t rows, size_t cols, float* y);

}  // namespace quantlab::nn::ops
