// Forward with caches and backward of the whole LM over a batch of token rows (train_lm.h).
// Linears run on all batch · length rows at once; attention runs per row (sequence).
#include <cstring>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/nn_lm_ops.h"
#include "quantlab/train_lm.h"
#include "train/lm_backward.h"

namespace quantlab::train {
namespace {

using nn::lm::Config;
using Buffer = std::vector<float>;

struct Norm {  // one LayerNorm's forward results
  Buffer y, mean, rstd;
};

struct BlockCache {
  Buffer x;  // block input (residual stream)
  Norm norm1;
  Buffer qkv, probs, attended;
  Buffer mid;  // residual stream after attention
  Norm norm2;
  Buffer up, activated;  // MLP before and after GELU
};

}  // namespace

class LmNetwork::Impl {
 public:
  explicit Impl(nn::lm::LanguageModel& model) : model_(model), c_(model.config) {
    nn::lm::validate_language_model(model);
    for (const nn::ParameterSpec& spec : nn::lm::parameter_specs(c_)) {
      gradients_.emplace(spec.name, Tensor(DType::f32, spec.shape));
    }
  }

  double step(std::span<const int32_t> tokens, size_t batch, size_t length, bool backward) {
    require(batch > 0 && length > 0 && length <= c_.context, [&] {
      return "lm training rows must hold 1 … context (" + std::to_string(c_.context) +
             ") tokens, got " + std::to_string(length);
    });
    require(tokens.size() == batch * (length + 1),
            "lm training: tokens must be batch · (length + 1)");
    batch_ = batch;
    length_ = length;
    rows_ = batch * length;
    std::vector<int32_t> targets;
    inputs_.clear();
    for (size_t b = 0; b < batch; ++b) {
      for (size_t t = 0; t < length; ++t) {
        const int32_t input = tokens[b * (length + 1) + t];
        const int32_t target = tokens[b * (length + 1) + t + 1];
        for (const int32_t id : {input, target}) {
          require(id >= 0 && static_cast<size_t>(id) < c_.vocab, [&] {
            return "lm training: token id " + std::to_string(id) + " outside the vocabulary";
          });
        }
        inputs_.push_back(input);
        targets.push_back(target);
      }
    }
    forward();
    Tensor grad_logits;
    const double loss =
        softmax_cross_entropy(logits_, targets, backward ? &grad_logits : nullptr).loss;
    if (backward) this->backward(grad_logits);
    return loss;
  }

  std::map<std::string, Tensor>& gradients() { return gradients_; }

 private:
  const float* param(const std::string& name) const {
    return model_.parameter(name).values<float>().data();
  }
  float* grad(const std::string& name) { return gradients_.at(name).values<float>().data(); }

  Norm norm(const Buffer& x, const std::string& name) const {
    Norm n{Buffer(x.size()), Buffer(rows_), Buffer(rows_)};
    nn::lm::ops::layer_norm(x.data(), rows_, c_.width, param(name + ".weight"),
                            param(name + ".bias"), c_.epsilon, n.y.data(), n.mean.data(),
                            n.rstd.data());
    return n;
  }

  Buffer linear(const Buffer& x, const std::string& name, size_t in, size_t out) const {
    Buffer y(rows_ * out);
    lm::linear_forward(x.data(), rows_, in, out, param(name + ".weight"), param(name + ".bias"),
                       y.data());
    return y;
  }

  // Sequence b's attention arguments over a qkv buffer (or its gradient).
  nn::lm::ops::AttentionArgs attention_args(const float* qkv, size_t b) const {
    const float* base = qkv + b * length_ * 3 * c_.width;
    return {length_,
            0,
            c_.heads,
            c_.head_dim(),
            base,
            3 * c_.width,
            base + c_.width,
            base + 2 * c_.width,
            3 * c_.width};
  }

  size_t probs_per_row() const { return c_.heads * length_ * length_; }

  void forward() {
    const size_t w = c_.width;
    Buffer x(rows_ * w);
    const float* embed = param("embed.weight");
    const float* position = param("position.weight");
    for (size_t r = 0; r < rows_; ++r) {
      const float* e = embed + static_cast<size_t>(inputs_[r]) * w;
      const float* p = position + (r % length_) * w;
      for (size_t d = 0; d < w; ++d) x[r * w + d] = e[d] + p[d];
    }
    blocks_.assign(c_.layers, {});
    for (size_t l = 0; l < c_.layers; ++l) {
      const std::string prefix = "block" + std::to_string(l) + ".";
      BlockCache& k = blocks_[l];
      k.x = x;
      k.norm1 = norm(x, prefix + "norm1");
      k.qkv = linear(k.norm1.y, prefix + "attn.qkv", w, 3 * w);
      k.probs.assign(batch_ * probs_per_row(), 0.0f);
      k.attended.assign(rows_ * w, 0.0f);
      for (size_t b = 0; b < batch_; ++b) {
        nn::lm::ops::causal_attention(attention_args(k.qkv.data(), b),
                                      k.attended.data() + b * length_ * w, w,
                                      k.probs.data() + b * probs_per_row());
      }
      const Buffer projected = linear(k.attended, prefix + "attn.proj", w, w);
      for (size_t i = 0; i < x.size(); ++i) x[i] += projected[i];
      k.mid = x;
      k.norm2 = norm(x, prefix + "norm2");
      k.up = linear(k.norm2.y, prefix + "mlp.up", w, c_.hidden);
      k.activated = k.up;
      nn::lm::ops::gelu_inplace(k.activated.data(), k.activated.size());
      const Buffer down = linear(k.activated, prefix + "mlp.down", c_.hidden, w);
      for (size_t i = 0; i < x.size(); ++i) x[i] += down[i];
    }
    final_x_ = x;
    final_norm_ = norm(x, "norm");
    logits_ = Tensor(DType::f32, Shape{rows_, c_.vocab}, Init::uninitialized);
    lm::linear_forward(final_norm_.y.data(), rows_, w, c_.vocab, param("embed.weight"), nullptr,
                       logits_.values<float>().data());
  }

  // dx of a LayerNorm's input given dy of its output, parameter gradients accumulated.
  Buffer norm_backward(const Buffer& x, const Norm& n, const Buffer& dy, const std::string& name) {
    Buffer dx(x.size());
    lm::layer_norm_backward(x.data(), n.mean.data(), n.rstd.data(), param(name + ".weight"),
                            dy.data(), rows_, c_.width, dx.data(), grad(name + ".weight"),
                            grad(name + ".bias"));
    return dx;
  }

  Buffer linear_backward(const Buffer& x, const Buffer& dy, const std::string& name, size_t in,
                         size_t out) {
    Buffer dx(rows_ * in);
    lm::linear_backward(x.data(), dy.data(), rows_, in, out, param(name + ".weight"),
                        grad(name + ".weight"), grad(name + ".bias"), dx.data());
    return dx;
  }

  void backward(const Tensor& grad_logits) {
    for (auto& [name, tensor] : gradients_) {
      std::memset(tensor.bytes(), 0, tensor.byte_size());
    }
    const size_t w = c_.width;
    const float* dlogits = grad_logits.values<float>().data();
    Buffer d_norm(rows_ * w);
    lm::linear_backward(final_norm_.y.data(), dlogits, rows_, w, c_.vocab, param("embed.weight"),
                        grad("embed.weight"), nullptr, d_norm.data());
    Buffer dx = norm_backward(final_x_, final_norm_, d_norm, "norm");
    for (size_t l = c_.layers; l-- > 0;) {
      const std::string prefix = "block" + std::to_string(l) + ".";
      const BlockCache& k = blocks_[l];
      Buffer d_act = linear_backward(k.activated, dx, prefix + "mlp.down", c_.hidden, w);
      for (size_t i = 0; i < d_act.size(); ++i) d_act[i] *= nn::lm::ops::gelu_derivative(k.up[i]);
      const Buffer d_norm2 = linear_backward(k.norm2.y, d_act, prefix + "mlp.up", w, c_.hidden);
      const Buffer d_mid = norm_backward(k.mid, k.norm2, d_norm2, prefix + "norm2");
      for (size_t i = 0; i < dx.size(); ++i) dx[i] += d_mid[i];
      const Buffer d_attended = linear_backward(k.attended, dx, prefix + "attn.proj", w, w);
      Buffer d_qkv(rows_ * 3 * w);
      for (size_t b = 0; b < batch_; ++b) {
        const nn::lm::ops::AttentionArgs args = attention_args(k.qkv.data(), b);
        float* dq = d_qkv.data() + b * length_ * 3 * w;
        lm::causal_attention_backward(args, k.probs.data() + b * probs_per_row(),
                                      d_attended.data() + b * length_ * w, w, dq, dq + w,
                                      dq + 2 * w);
      }
      const Buffer d_norm1 = linear_backward(k.norm1.y, d_qkv, prefix + "attn.qkv", w, 3 * w);
      const Buffer d_in = norm_backward(k.x, k.norm1, d_norm1, prefix + "norm1");
      for (size_t i = 0; i < dx.size(); ++i) dx[i] += d_in[i];
    }
    float* d_embed = grad("embed.weight");
    float* d_position = grad("position.weight");
    for (size_t r = 0; r < rows_; ++r) {
      float* e = d_embed + static_cast<size_t>(inputs_[r]) * w;
      float* p = d_position + (r % length_) * w;
      for (size_t d = 0; d < w; ++d) {
        e[d] += dx[r * w + d];
        p[d] += dx[r * w + d];
      }
    }
  }

  nn::lm::LanguageModel& model_;
  const Config c_;
  std::map<std::string, Tensor> gradients_;
  size_t batch_ = 0, length_ = 0, rows_ = 0;
  std::vector<int32_t> inputs_;
  std::vector<BlockCache> blocks_;
  Buffer final_x_;
  Norm final_norm_;
  Tensor logits_;
};

LmNetwork::LmNetwork(nn::lm::LanguageModel& model) : impl_(std::make_unique<Impl>(model)) {}
LmNetwork::~LmNetwork() = default;

double LmNetwork::step(std::span<const int32_t> tokens, size_t batch, size_t length,
                       bool backward) {
  return impl_->step(tokens, batch, length, backward);
}

std::map<std::string, Tensor>& LmNetwork::gradients() { return impl_->gradients(); }

}  // namespace quantlab::train
