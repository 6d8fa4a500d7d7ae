#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "quantlab/nn_ops.h"

namespace quantlab::nn::ops {

Shape batched_shape(size_t batch, const Shape& sample) {
  std::vector<size_t> dims{batch};
  dims.insert(dims.end(), sample.dims().begin(), sample.dims().end());
  return Shape(std::move(dims));
}

Tensor batch_rows(const Tensor& batch, const Shape& sample, size_t begin, size_t end) {
  Tensor rows(DType::f32, batched_shape(end - begin, sample), Init::uninitialized);
  const size_t per_sample = sample.element_count();
  std::memcpy(rows.bytes(), batch.values<float>().data() + begin * per_sample, rows.byte_size());
  return rows;
}

PoolGeometry pool_geometry(const LayerSpec& layer, const Shape& input, size_t batch) {
  PoolGeometry g;
  g.planes = batch * input[0];
  g.height = input[1];
  g.width = input[2];
  g.kernel = layer.kernel;
  g.stride = layer.stride;
  return g;
}

kernels::Conv2dShape conv2d_shape(const LayerSpec& layer, const Shape& input, size_t batch) {
  kernels::Conv2dShape shape;
  shape.batch = batch;
  shape.in_channels = layer.in_channels;
  shape.height = input[1];
  shape.width = input[2];
  shape.out_channels = layer.out_channels;
  shape.kernel_h = shape.kernel_w = layer.kernel;
  shape.stride = layer.stride;
  shape.padding = layer.padding;
  return shape;
}

void relu_codes(const int8_t* x, size_t n, int8_t zero, int8_t* y) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] > zero ? x[i] : zero;
}

void relu(const float* x, size_t n, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

namespace {

// The CNNs' 2×2 window at stride 2, value only: two input rows per output row, in a loop simple
// enough to vectorize (the general loop took 15 ms of a 45 ms fashion-cnn batch in wasm).
template <typename T>
void maxpool2x2(const PoolGeometry& g, const T* x, T* y) {
  const size_t oh = g.out_height();
  const size_t ow = g.out_width();
  for (size_t p = 0; p < g.planes; ++p) {
    for (size_t oy = 0; oy < oh; ++oy) {
      const T* top = x + (p * g.height + 2 * oy) * g.width;
      const T* bottom = top + g.width;
      T* out = y + (p * oh + oy) * ow;
      for (size_t ox = 0; ox < ow; ++ox) {
        out[ox] = std::max(std::max(top[2 * ox], top[2 * ox + 1]),
                           std::max(bottom[2 * ox], bottom[2 * ox + 1]));
      }
    }
  }
}

}  // namespace

template <typename T>
void maxpool2d(const PoolGeometry& geometry, const T* x, T* y, uint32_t* argmax) {
  // A local copy: stores through an int8_t (char) pointer may alias anything, which would make
  // the compiler reload every field of a referenced geometry per tap.
  const PoolGeometry g = geometry;
  if (argmax == nullptr && g.kernel == 2 && g.stride == 2) {
    maxpool2x2(g, x, y);
    return;
  }
  const size_t oh = g.out_height();
  const size_t ow = g.out_width();
  for (size_t p = 0; p < g.planes; ++p) {
    const size_t plane = p * g.height * g.width;
    for (size_t oy = 0; oy < oh; ++oy) {
      for (size_t ox = 0; ox < ow; ++ox) {
        const size_t first = plane + oy * g.stride * g.width + ox * g.stride;
        const size_t out = (p * oh + oy) * ow + ox;
        if (argmax == nullptr) {
          // Inference needs only the value: a branch-free max (ReLU outputs are full of ties
          // and the index-tracking comparison mispredicts on real activations).
          T best = x[first];
          for (size_t ky = 0; ky < g.kernel; ++ky) {
            const T* row = x + first + ky * g.width;
            for (size_t kx = 0; kx < g.kernel; ++kx) best = std::max(best, row[kx]);
          }
          y[out] = best;
          continue;
        }
        size_t best = first;
        for (size_t ky = 0; ky < g.kernel; ++ky) {
          for (size_t kx = 0; kx < g.kernel; ++kx) {
            const size_t i = first + ky * g.width + kx;
            if (x[i] > x[best]) best = i;
          }
        }
        y[out] = x[best];
        argmax[out] = static_cast<uint32_t>(best);
      }
    }
  }
}

template void maxpool2d<float>(const PoolGeometry&, const float*, float*, uint32_t*);
template void maxpool2d<int8_t>(const PoolGeometry&, const int8_t*, int8_t*, uint32_t*);

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
