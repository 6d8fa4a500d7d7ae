// Linear and Conv2d with backprop. Conv2d lowers to one matrix product per batch through an
// explicit patch matrix (im2col), which backward reuses for the weight gradient.
#include <algorithm>
#include <vector>

#include "train/layers.h"
#include "train/matmul.h"

namespace quantlab::train {

namespace {

// Weight [out, ...] and bias [out] with their gradients, shared by Linear and Conv2d.
class AffineLayer : public TrainLayer {
 public:
  AffineLayer(const nn::LayerSpec& spec, const Shape& input, LayerContext& context)
      : TrainLayer(spec, input, nn::output_shape(spec, input)),
        weight_(context.model.parameter(spec.name + ".weight")),
        bias_(context.model.parameter(spec.name + ".bias")),
        weight_grad_(add_gradient(context, spec.name + ".weight")),
        bias_grad_(add_gradient(context, spec.name + ".bias")) {}

 protected:
  const Tensor& weight_;
  const Tensor& bias_;
  Tensor& weight_grad_;
  Tensor& bias_grad_;
};

class LinearLayer final : public AffineLayer {
 public:
  using AffineLayer::AffineLayer;

  Tensor forward(const Tensor& input, bool) override {
    input_ = input;
    const size_t batch = input.shape()[0];
    const size_t in = spec().in_features;
    const size_t out = spec().out_features;
    Tensor output = new_output(batch);
    float* y = output.values<float>().data();
    matmul_abt(batch, out, in, input.values<float>().data(), weight_.values<float>().data(), y);
    const float* b = bias_.values<float>().data();
    for (size_t r = 0; r < batch; ++r) {
      for (size_t o = 0; o < out; ++o) y[r * out + o] += b[o];
    }
    return output;
  }

  Tensor backward(const Tensor& grad_output) override {
    const size_t batch = grad_output.shape()[0];
    const size_t in = spec().in_features;
    const size_t out = spec().out_features;
    const float* dy = grad_output.values<float>().data();
    matmul_atb_accumulate(out, in, batch, dy, input_.values<float>().data(),
                          weight_grad_.values<float>().data());
    float* db = bias_grad_.values<float>().data();
    for (size_t r = 0; r < batch; ++r) {
      for (size_t o = 0; o < out; ++o) db[o] += dy[r * out + o];
    }
    Tensor grad_input = new_input_gradient(batch);
    matmul_ab(batch, in, out, dy, weight_.values<float>().data(),
              grad_input.values<float>().data());
    return grad_input;
  }

 private:
  Tensor input_;
};

class Conv2dLayer final : public AffineLayer {
 public:
  Conv2dLayer(const nn::LayerSpec& spec, const Shape& input, LayerContext& context)
      : AffineLayer(spec, input, context),
        height_(input.dims()[1]),
        width_(input.dims()[2]),
        out_height_(output_shape().dims()[1]),
        out_width_(output_shape().dims()[2]) {}

  Tensor forward(const Tensor& input, bool) override {
    batch_ = input.shape().dims()[0];
    build_patches(input.values<float>().data());
    // Yᵀ[batch·P, O] = patches[batch·P, K] · W[O, K]ᵀ, then each sample's [P, O] → [O, P].
    std::vector<float>& transposed = transposed_output_;
    transposed.resize(batch_ * positions() * channels_out());
    matmul_abt(batch_ * positions(), channels_out(), reduction(), patches_.data(),
               weight_.values<float>().data(), transposed.data());
    Tensor output = new_output(batch_);
    float* y = output.values<float>().data();
    const float* b = bias_.values<float>().data();
    const size_t plane = positions() * channels_out();
    for (size_t s = 0; s < batch_; ++s) {
      transpose(transposed.data() + s * plane, positions(), channels_out(), y + s * plane);
      for (size_t o = 0; o < channels_out(); ++o) {
        float* row = y + s * plane + o * positions();
        for (size_t p = 0; p < positions(); ++p) row[p] += b[o];
      }
    }
    return output;
  }

  Tensor backward(const Tensor& grad_output) override {
    const float* dy = grad_output.values<float>().data();
    const size_t plane = positions() * channels_out();
    // dYᵀ as [batch·P, O], the layout shared by both products below.
    std::vector<float>& dy_t = dy_t_;
    dy_t.resize(batch_ * plane);
    float* db = bias_grad_.values<float>().data();
    for (size_t s = 0; s < batch_; ++s) {
      transpose(dy + s * plane, channels_out(), positions(), dy_t.data() + s * plane);
      for (size_t o = 0; o < channels_out(); ++o) {
        const float* row = dy + s * plane + o * positions();
        for (size_t p = 0; p < positions(); ++p) db[o] += row[p];
      }
    }
    // dW[O, K] += dYᵀᵀ · patches
    matmul_atb_accumulate(channels_out(), reduction(), batch_ * positions(), dy_t.data(),
                          patches_.data(), weight_grad_.values<float>().data());
    // dpatches[batch·P, K] = dYᵀ · W
    std::vector<float>& dpatches = dpatches_;
    dpatches.resize(batch_ * positions() * reduction());
    matmul_ab(batch_ * positions(), reduction(), channels_out(), dy_t.data(),
              weight_.values<float>().data(), dpatches.data());
    Tensor grad_input = new_input_gradient(batch_);
    scatter_patches(dpatches.data(), grad_input.values<float>().data());
    return grad_input;
  }

 private:
  size_t channels_out() const { return spec().out_channels; }
  size_t positions() const { return out_height_ * out_width_; }
  size_t reduction() const { return spec().in_channels * spec().kernel * spec().kernel; }

  // Calls visit(patch_index, input_index) for every in-bounds tap; padding taps are skipped.
  template <typename Visit>
  void for_each_tap(Visit visit) const {
    const size_t c_in = spec().in_channels, k = spec().kernel, stride = spec().stride;
    const size_t h = height_, w = width_, oh = out_height_, ow = out_width_;
    const auto pad = static_cast<ptrdiff_t>(spec().padding);
    for (size_t s = 0; s < batch_; ++s) {
      for (size_t oy = 0; oy < oh; ++oy) {
        for (size_t ox = 0; ox < ow; ++ox) {
          const size_t row = (s * oh + oy) * ow + ox;
          for (size_t c = 0; c < c_in; ++c) {
            for (size_t ky = 0; ky < k; ++ky) {
              const ptrdiff_t y = static_cast<ptrdiff_t>(oy * stride + ky) - pad;
              if (y < 0 || y >= static_cast<ptrdiff_t>(h)) continue;
              for (size_t kx = 0; kx < k; ++kx) {
                const ptrdiff_t x = static_cast<ptrdiff_t>(ox * stride + kx) - pad;
                if (x < 0 || x >= static_cast<ptrdiff_t>(w)) continue;
                visit(row * c_in * k * k + (c * k + ky) * k + kx,
                      ((s * c_in + c) * h + static_cast<size_t>(y)) * w + static_cast<size_t>(x));
              }
            }
          }
        }
      }
    }
  }

  void build_patches(const float* x) {
    patches_.assign(batch_ * positions() * reduction(), 0.0f);
    for_each_tap([&](size_t patch, size_t in) { patches_[patch] = x[in]; });
  }

  void scatter_patches(const float* dpatches, float* dx) const {
    for_each_tap([&](size_t patch, size_t in) { dx[in] += dpatches[patch]; });
  }

  // Cached because Shape::operator[] is checked, too slow for per-element use.
  size_t height_, width_, out_height_, out_width_;
  size_t batch_ = 0;
  std::vector<float> patches_;
  // Reused between steps to avoid reallocating megabytes per batch.
  std::vector<float> transposed_output_;
  std::vector<float> dy_t_;
  std::vector<float> dpatches_;
};

}  // namespace

std::unique_ptr<TrainLayer> make_affine_layer(const nn::LayerSpec& spec, const Shape& input,
                                              LayerContext& context) {
  if (spec.kind == nn::LayerKind::linear) {
    return std::make_unique<LinearLayer>(spec, input, context);
  }
  return std::make_unique<Conv2dLayer>(spec, input, context);
}

}  // namespace quantlab::train
