// ReLU, pooling, Flatten, Softmax and Dropout with backprop. Forward math is nn/ops, the same
// code the executor runs.
#include <cstring>
#include <vector>

#include "quantlab/nn_ops.h"
#include "quantlab/train.h"
#include "train/layers.h"

namespace quantlab::train {

namespace {

using nn::LayerKind;

class ReluLayer final : public TrainLayer {
 public:
  using TrainLayer::TrainLayer;

  Tensor forward(const Tensor& input, bool) override {
    output_ = new_output(input.shape()[0]);
    nn::ops::relu(input.values<float>().data(), input.element_count(),
                  output_.values<float>().data());
    return output_;
  }

  Tensor backward(const Tensor& grad_output) override {
    Tensor grad_input = new_input_gradient(grad_output.shape()[0]);
    auto y = output_.values<float>();
    auto dy = grad_output.values<float>();
    auto dx = grad_input.values<float>();
    for (size_t i = 0; i < dx.size(); ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
    return grad_input;
  }

 private:
  Tensor output_;
};

class PoolLayer final : public TrainLayer {
 public:
  using TrainLayer::TrainLayer;

  Tensor forward(const Tensor& input, bool) override {
    geometry_ = nn::ops::pool_geometry(spec(), input_shape(), input.shape()[0]);
    Tensor output = new_output(input.shape()[0]);
    const float* x = input.values<float>().data();
    float* y = output.values<float>().data();
    if (spec().kind == LayerKind::maxpool2d) {
      argmax_.resize(output.element_count());
      nn::ops::maxpool2d(geometry_, x, y, argmax_.data());
    } else {
      nn::ops::avgpool2d(geometry_, x, y);
    }
    return output;
  }

  Tensor backward(const Tensor& grad_output) override {
    Tensor grad_input = new_input_gradient(grad_output.shape()[0]);
    const float* dy = grad_output.values<float>().data();
    float* dx = grad_input.values<float>().data();
    if (spec().kind == LayerKind::maxpool2d) {
      for (size_t i = 0; i < argmax_.size(); ++i) dx[argmax_[i]] += dy[i];
      return grad_input;
    }
    const size_t oh = geometry_.out_height(), ow = geometry_.out_width();
    const size_t h = geometry_.height, w = geometry_.width, k = geometry_.kernel;
    const float share = 1.0f / static_cast<float>(k * k);
    for (size_t p = 0; p < geometry_.planes; ++p) {
      for (size_t oy = 0; oy < oh; ++oy) {
        for (size_t ox = 0; ox < ow; ++ox) {
          const float g = dy[(p * oh + oy) * ow + ox] * share;
          for (size_t ky = 0; ky < k; ++ky) {
            float* row = dx + (p * h + oy * geometry_.stride + ky) * w + ox * geometry_.stride;
            for (size_t kx = 0; kx < k; ++kx) row[kx] += g;
          }
        }
      }
    }
    return grad_input;
  }

 private:
  nn::ops::PoolGeometry geometry_;
  std::vector<uint32_t> argmax_;
};

class FlattenLayer final : public TrainLayer {
 public:
  using TrainLayer::TrainLayer;

  Tensor forward(const Tensor& input, bool) override {
    return reshaped(input, new_output(input.shape()[0]));
  }
  Tensor backward(const Tensor& grad_output) override {
    return reshaped(grad_output, new_input_gradient(grad_output.shape()[0]));
  }

 private:
  static Tensor reshaped(const Tensor& from, Tensor to) {
    std::memcpy(to.bytes(), from.bytes(), from.byte_size());
    return to;
  }
};

class SoftmaxLayer final : public TrainLayer {
 public:
  using TrainLayer::TrainLayer;

  Tensor forward(const Tensor& input, bool) override {
    output_ = new_output(input.shape()[0]);
    nn::ops::softmax_rows(input.values<float>().data(), rows(input), cols(),
                          output_.values<float>().data());
    return output_;
  }

  // dx = y ⊙ (dy − Σ dy·y), row by row.
  Tensor backward(const Tensor& grad_output) override {
    Tensor grad_input = new_input_gradient(grad_output.shape()[0]);
    const float* y = output_.values<float>().data();
    const float* dy = grad_output.values<float>().data();
    float* dx = grad_input.values<float>().data();
    for (size_t r = 0; r < rows(grad_output); ++r) {
      const size_t base = r * cols();
      float dot = 0.0f;
      for (size_t c = 0; c < cols(); ++c) dot += dy[base + c] * y[base + c];
      for (size_t c = 0; c < cols(); ++c) dx[base + c] = y[base + c] * (dy[base + c] - dot);
    }
    return grad_input;
  }

 private:
  size_t cols() const { return output_shape().dims().back(); }
  size_t rows(const Tensor& t) const { return t.element_count() / cols(); }
  Tensor output_;
};

// Inverted dropout: kept values are scaled by 1/(1−rate) so inference is the identity.
class DropoutLayer final : public TrainLayer {
 public:
  DropoutLayer(const nn::LayerSpec& spec, const Shape& input, uint64_t seed)
      : TrainLayer(spec, input, input), rng_(seed) {}

  Tensor forward(const Tensor& input, bool training) override {
    Tensor output = input;
    auto y = output.values<float>();
    mask_.assign(y.size(), 1.0f);
    if (!training || spec().rate == 0.0f) return output;
    const float keep_scale = 1.0f / (1.0f - spec().rate);
    for (size_t i = 0; i < y.size(); ++i) {
      mask_[i] = rng_.uniform() < spec().rate ? 0.0f : keep_scale;
      y[i] *= mask_[i];
    }
    return output;
  }

  Tensor backward(const Tensor& grad_output) override {
    Tensor grad_input = grad_output;
    auto dx = grad_input.values<float>();
    for (size_t i = 0; i < dx.size(); ++i) dx[i] *= mask_[i];
    return grad_input;
  }

 private:
  Rng rng_;
  std::vector<float> mask_;
};

}  // namespace

std::unique_ptr<TrainLayer> make_parameterless_layer(const nn::LayerSpec& spec, const Shape& input,
                                                     LayerContext& context) {
  const Shape output = nn::output_shape(spec, input);
  switch (spec.kind) {
    case LayerKind::relu:
      return std::make_unique<ReluLayer>(spec, input, output);
    case LayerKind::maxpool2d:
    case LayerKind::avgpool2d:
      return std::make_unique<PoolLayer>(spec, input, output);
    case LayerKind::flatten:
      return std::make_unique<FlattenLayer>(spec, input, output);
    case LayerKind::softmax:
      return std::make_unique<SoftmaxLayer>(spec, input, output);
    default:
      return std::make_unique<DropoutLayer>(spec, input, context.seed);
  }
}

}  // namespace quantlab::train
