// The trainable Linear/Conv2d of QAT: computes with fake-quantized weights and inputs (Eq. 40),
// sends gradients back by the straight-through estimator and LSQ/LSQ+ (Eqs. 41-46), and, when it
// has several candidate precisions, mixes them by a tempered softmax (Eqs. 47-49).
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "quantlab/quantize.h"
#include "train/fake_quant.h"
#include "train/layers.h"

namespace quantlab::train {

// One precision a layer may take: its plan, weight quantizer (none for FP32) and which input
// variant it reads (0: float, 1: quantized).
struct Candidate {
  std::string name;
  quantization::LayerPlan plan;
  std::optional<fq::WeightQuantizer> weight;
  size_t input = 0;
  double bits = 0;  // Eq. 10 for this layer's weight
  std::vector<float> w_hat;
};

inline double dot_f64(std::span<const float> a, std::span<const float> b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

class QatAffine final : public TrainLayer {
 public:
  QatAffine(const nn::LayerSpec& spec, const Shape& input, LayerContext& context,
            std::map<std::string, Tensor>& optimizer_grads, std::vector<Candidate> candidates,
            std::optional<fq::InputQuantizer> input_quantizer)
      : TrainLayer(spec, input, nn::output_shape(spec, input)),
        inner_(make_affine_layer(spec, input, context)),
        weight_(context.model.parameter(spec.name + ".weight")),
        latent_(context.model.parameter(spec.name + ".latent")),
        weight_grad_(context.gradients.at(spec.name + ".weight")),
        bias_grad_(context.gradients.at(spec.name + ".bias")),
        latent_grad_(optimizer_grads.at(spec.name + ".latent")),
        opt_bias_grad_(optimizer_grads.at(spec.name + ".bias")),
        candidates_(std::move(candidates)),
        input_quantizer_(std::move(input_quantizer)) {
    logits_.resize(candidates_.size());
    probabilities_.assign(candidates_.size(), 0.0f);
    set_discrete(0);
  }

  std::vector<Candidate>& candidates() { return candidates_; }
  const std::vector<Candidate>& candidates() const { return candidates_; }
  fq::InputQuantizer* input_quantizer() { return input_quantizer_ ? &*input_quantizer_ : nullptr; }
  const fq::InputQuantizer* input_quantizer() const {
    return input_quantizer_ ? &*input_quantizer_ : nullptr;
  }
  // The softmax of the last relaxed step (what the relaxation ended believing).
  const std::vector<float>& relaxed_probabilities() const { return relaxed_; }
  fq::LearnedVector& logits() { return logits_; }
  const std::vector<float>& probabilities() const { return probabilities_; }
  const Tensor& latent() const { return latent_; }
  bool mixing() const { return !discrete_; }
  size_t chosen() const { return chosen_; }

  // Eq. 47: π = softmax(α / T).
  void set_temperature(float temperature) {
    discrete_ = candidates_.size() == 1;
    if (discrete_) return;
    temperature_ = temperature;
    const float top = *std::max_element(logits_.value.begin(), logits_.value.end());
    float sum = 0;
    for (size_t k = 0; k < probabilities_.size(); ++k) {
      probabilities_[k] = std::exp((logits_.value[k] - top) / temperature);
      sum += probabilities_[k];
    }
    for (float& p : probabilities_) p /= sum;
    relaxed_ = probabilities_;
  }
  // One-hot on candidate k from now on.
  void set_discrete(size_t k) {
    discrete_ = true;
    chosen_ = k;
    std::fill(probabilities_.begin(), probabilities_.end(), 0.0f);
    probabilities_[k] = 1.0f;
  }
  size_t argmax() const {
    return static_cast<size_t>(std::max_element(logits_.value.begin(), logits_.value.end()) -
                               logits_.value.begin());
  }
  // E[bits] of this layer's weight (Eq. 48, one term).
  double expected_bits() const {
    double bits = 0;
    for (size_t k = 0; k < candidates_.size(); ++k) bits += probabilities_[k] * candidates_[k].bits;
    return bits;
  }
  void set_penalty(double per_bit) { penalty_per_bit_ = per_bit; }

  Tensor forward(const Tensor& input, bool training) override {
    input_ = input;
    // Input variants: float, and the plan's quantized input (Eq. 40); mixed by the summed
    // probability of the candidates reading each (Eq. 49).
    const double quantized_share = input_share(1);
    Tensor mixed = input;
    if (input_quantizer_ && quantized_share > 0) {
      quantized_input_ = Tensor(DType::f32, input.shape());
      input_quantizer_->forward(input, quantized_input_, training);
      if (quantized_share == 1.0) {
        mixed = quantized_input_;
      } else {
        auto m = mixed.values<float>();
        const auto q = quantized_input_.values<float>();
        const auto a = static_cast<float>(quantized_share);
        for (size_t i = 0; i < m.size(); ++i) m[i] = (1 - a) * m[i] + a * q[i];
      }
    }
    // Weights: W̃ = Σ_k π_k Ŵ_k (Eq. 49), Ŵ_fp32 = W.
    auto w_tilde = weight_.values<float>();
    const auto w = latent_.values<float>();
    std::fill(w_tilde.begin(), w_tilde.end(), 0.0f);
    for (size_t k = 0; k < candidates_.size(); ++k) {
      const float pi = probabilities_[k];
      if (pi == 0.0f && !mixing()) continue;
      Candidate& c = candidates_[k];
      c.w_hat.resize(w.size());
      if (c.weight) {
        c.weight->forward(w.data(), c.w_hat.data());
      } else {
        std::copy(w.begin(), w.end(), c.w_hat.begin());
      }
      for (size_t i = 0; i < w.size(); ++i) w_tilde[i] += pi * c.w_hat[i];
    }
    return inner_->forward(mixed, training);
  }

  Tensor backward(const Tensor& grad_output) override {
    const Tensor grad_mixed = inner_->backward(grad_output);
    const auto dw_tilde = weight_grad_.values<float>();
    auto dw = latent_grad_.values<float>();
    const auto w = latent_.values<float>();
    std::vector<double> dpi(candidates_.size(), 0.0);
    for (size_t k = 0; k < candidates_.size(); ++k) {
      const float pi = probabilities_[k];
      Candidate& c = candidates_[k];
      if (mixing()) dpi[k] = dot_f64(dw_tilde, c.w_hat) + penalty_per_bit_ * c.bits;
      if (pi == 0.0f) continue;
      if (c.weight) {
        c.weight->backward(w.data(), dw_tilde.data(), pi, dw.data());
      } else {
        for (size_t i = 0; i < dw.size(); ++i) dw[i] += pi * dw_tilde[i];
      }
    }
    auto db = opt_bias_grad_.values<float>();
    const auto inner_db = bias_grad_.values<float>();
    for (size_t i = 0; i < db.size(); ++i) db[i] += inner_db[i];

    Tensor grad_input = new_input_gradient(input_.shape()[0]);
    const auto dmixed = grad_mixed.values<float>();
    const double quantized_share = input_share(1);
    if (input_quantizer_ && quantized_share > 0) {
      input_quantizer_->backward(input_, grad_mixed, static_cast<float>(quantized_share),
                                 grad_input);
    }
    auto dx = grad_input.values<float>();
    const auto float_share = static_cast<float>(1.0 - (input_quantizer_ ? quantized_share : 0.0));
    if (float_share > 0) {
      for (size_t i = 0; i < dx.size(); ++i) dx[i] += float_share * dmixed[i];
    }
    if (mixing()) {
      // ∂L/∂ρ of each input variant reaches every candidate reading it.
      const double d_float = dot_f64(dmixed, input_.values<float>());
      const double d_quantized =
          input_quantizer_ ? dot_f64(dmixed, quantized_input_.values<float>()) : d_float;
      for (size_t k = 0; k < candidates_.size(); ++k) {
        dpi[k] += candidates_[k].input == 1 ? d_quantized : d_float;
      }
      // Softmax with temperature: ∂L/∂α_j = π_j (∂L/∂π_j − Σ_k π_k ∂L/∂π_k) / T.
      double mean = 0;
      for (size_t k = 0; k < dpi.size(); ++k) mean += probabilities_[k] * dpi[k];
      for (size_t k = 0; k < dpi.size(); ++k) {
        logits_.grad[k] += static_cast<float>(probabilities_[k] * (dpi[k] - mean) / temperature_);
      }
    }
    return grad_input;
  }

 private:
  double input_share(size_t variant) const {
    double share = 0;
    for (size_t k = 0; k < candidates_.size(); ++k) {
      if (candidates_[k].input == variant) share += probabilities_[k];
    }
    return share;
  }

  std::unique_ptr<TrainLayer> inner_;
  Tensor& weight_;  // W̃, what inner_ computes with
  Tensor& latent_;  // the trained FP32 weight W
  Tensor& weight_grad_;
  Tensor& bias_grad_;
  Tensor& latent_grad_;
  Tensor& opt_bias_grad_;
  std::vector<Candidate> candidates_;
  std::optional<fq::InputQuantizer> input_quantizer_;
  fq::LearnedVector logits_;
  std::vector<float> probabilities_;
  std::vector<float> relaxed_;
  float temperature_ = 1.0f;
  bool discrete_ = true;
  size_t chosen_ = 0;
  double penalty_per_bit_ = 0;
  Tensor input_;
  Tensor quantized_input_;
};

}  // namespace quantlab::train
