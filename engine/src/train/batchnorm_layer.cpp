// BatchNorm over the channel axis (features for 2-D input). Training normalises with the batch
// statistics and updates the running ones; otherwise the running statistics are used, as in
// the folded inference form.
#include <cmath>
#include <vector>

#include "quantlab/error.h"
#include "train/layers.h"

namespace quantlab::train {

namespace {

class BatchNormLayer final : public TrainLayer {
 public:
  BatchNormLayer(const nn::LayerSpec& spec, const Shape& input, LayerContext& context)
      : TrainLayer(spec, input, nn::output_shape(spec, input)),
        gamma_(context.model.parameter(spec.name + ".weight")),
        beta_(context.model.parameter(spec.name + ".bias")),
        running_mean_(context.model.parameter(spec.name + ".running_mean")),
        running_var_(context.model.parameter(spec.name + ".running_var")),
        gamma_grad_(add_gradient(context, spec.name + ".weight")),
        beta_grad_(add_gradient(context, spec.name + ".bias")) {}

  Tensor forward(const Tensor& input, bool training) override {
    batch_ = input.shape()[0];
    training_ = training;
    const size_t channels = spec().channels;
    const size_t count = batch_ * spatial();
    require(!training || count > 1,
            "batchnorm '" + spec().name + "' needs more than one value per channel to train");
    const float* x = input.values<float>().data();
    auto rm = running_mean_.values<float>();
    auto rv = running_var_.values<float>();
    inv_std_.assign(channels, 0.0f);
    std::vector<float> mean(channels);
    for (size_t c = 0; c < channels; ++c) {
      float var;
      if (training) {
        double sum = 0, sum_sq = 0;
        for_each_index(c, [&](size_t i) { sum += x[i]; });
        mean[c] = static_cast<float>(sum / count);
        for_each_index(c, [&](size_t i) { sum_sq += (x[i] - mean[c]) * (x[i] - mean[c]); });
        var = static_cast<float>(sum_sq / count);
        const float m = spec().momentum;
        rm[c] = (1 - m) * rm[c] + m * mean[c];
        rv[c] = (1 - m) * rv[c] + m * var * static_cast<float>(count) / (count - 1);
      } else {
        mean[c] = rm[c];
        var = rv[c];
      }
      inv_std_[c] = 1.0f / std::sqrt(var + spec().epsilon);
    }
    normalized_ = input;
    Tensor output = new_output(batch_);
    float* xhat = normalized_.values<float>().data();
    float* y = output.values<float>().data();
    const float* g = gamma_.values<float>().data();
    const float* b = beta_.values<float>().data();
    for (size_t c = 0; c < channels; ++c) {
      for_each_index(c, [&](size_t i) {
        xhat[i] = (x[i] - mean[c]) * inv_std_[c];
        y[i] = g[c] * xhat[i] + b[c];
      });
    }
    return output;
  }

  Tensor backward(const Tensor& grad_output) override {
    const float* dy = grad_output.values<float>().data();
    const float* xhat = normalized_.values<float>().data();
    const float* g = gamma_.values<float>().data();
    float* dgamma = gamma_grad_.values<float>().data();
    float* dbeta = beta_grad_.values<float>().data();
    Tensor grad_input = new_input_gradient(batch_);
    float* dx = grad_input.values<float>().data();
    const float count = static_cast<float>(batch_ * spatial());
    for (size_t c = 0; c < spec().channels; ++c) {
      double sum_dy = 0, sum_dy_xhat = 0;
      for_each_index(c, [&](size_t i) {
        sum_dy += dy[i];
        sum_dy_xhat += dy[i] * xhat[i];
      });
      dgamma[c] += static_cast<float>(sum_dy_xhat);
      dbeta[c] += static_cast<float>(sum_dy);
      const float scale = g[c] * inv_std_[c];
      if (!training_) {
        for_each_index(c, [&](size_t i) { dx[i] = scale * dy[i]; });
        continue;
      }
      // Batch statistics depend on every input: the two mean terms remove that dependence.
      const float mean_dy = static_cast<float>(sum_dy) / count;
      const float mean_dy_xhat = static_cast<float>(sum_dy_xhat) / count;
      for_each_index(c,
                     [&](size_t i) { dx[i] = scale * (dy[i] - mean_dy - xhat[i] * mean_dy_xhat); });
    }
    return grad_input;
  }

 private:
  size_t spatial() const { return input_shape().element_count() / spec().channels; }

  template <typename Visit>
  void for_each_index(size_t channel, Visit visit) const {
    const size_t plane = spatial();
    for (size_t s = 0; s < batch_; ++s) {
      const size_t base = (s * spec().channels + channel) * plane;
      for (size_t i = 0; i < plane; ++i) visit(base + i);
    }
  }

  const Tensor& gamma_;
  const Tensor& beta_;
  Tensor& running_mean_;
  Tensor& running_var_;
  Tensor& gamma_grad_;
  Tensor& beta_grad_;
  size_t batch_ = 0;
  bool training_ = false;
  std::vector<float> inv_std_;
  Tensor normalized_;
};

}  // namespace

std::unique_ptr<TrainLayer> make_batchnorm_layer(const nn::LayerSpec& spec, const Shape& input,
                                                 LayerContext& context) {
  return std::make_unique<BatchNormLayer>(spec, input, context);
}

}  // namespace quantlab::train
