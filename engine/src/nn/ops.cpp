#include "nn/ops.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace quantlab::nn::ops {

Shape batched_shape(size_t batch, const Shape& sample) {
  std::vector<size_t> dims{batch};
  dims.insert(dims.end(), sample.dims().begin(), sample.dims().end());
  return Shape(std::move(dims));
}

void relu(const float* x, size_t n, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void maxpool2d(const PoolGeometry& g, const float* x, float* y, uint32_t* argmax) {
  const size_t oh = g.out_height();
  const size_t ow = g.out_width();
  for (size_t p = 0; p < g.planes; ++p) {
    const size_t plane = p * g.height * g.width;
    for (size_t oy = 0; oy < oh; ++oy) {
      for (size_t ox = 0; ox < ow; ++ox) {
        size_t best = plane + oy * g.stride * g.width + ox * g.stride;
        for (size_t ky = 0; ky < g.kernel; ++ky) {
          for (size_t kx = 0; kx < g.kernel; ++kx) {
            const size_t i = plane + (oy * g.stride + ky) * g.width + ox * g.stride + kx;
            if (x[i] > x[best]) best = i;
          }
        }
        const size_t out = (p * oh + oy) * ow + ox;
        y[out] = x[best];
        if (argmax) argmax[out] = static_cast<uint32_t>(best);
      }
    }
  }
}

void avgpool2d(const PoolGeometry& g, const float* x, float* y) {
  const size_t oh = g.out_height();
  const size_t ow = g.out_width();
  const float inv_area = 1.0f / static_cast<float>(g.kernel * g.kernel);
  for (size_t p = 0; p < g.planes; ++p) {
    const float* plane = x + p * g.height * g.width;
    for (size_t oy = 0; oy < oh; ++oy) {
      for (size_t ox = 0; ox < ow; ++ox) {
        float sum = 0.0f;
        for (size_t ky = 0; ky < g.kernel; ++ky) {
          for (size_t kx = 0; kx < g.kernel; ++kx) {
            sum += plane[(oy * g.stride + ky) * g.width + ox * g.stride + kx];
          }
        }
        y[(p * oh + oy) * ow + ox] = sum * inv_area;
      }
    }
  }
}

void softmax_rows(const float* x, size_t rows, size_t cols, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* in = x + r * cols;
    float* out = y + r * cols;
    const float max = *std::max_element(in, in + cols);
    float sum = 0.0f;
    for (size_t c = 0; c < cols; ++c) {
      out[c] = std::exp(in[c] - max);
      sum += out[c];
    }
    for (size_t c = 0; c < cols; ++c) out[c] /= sum;
  }
}

}  // namespace quantlab::nn::ops
