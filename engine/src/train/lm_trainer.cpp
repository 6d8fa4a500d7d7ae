// Initialisation and the training loop of the language model (train_lm.h).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <numbers>
#include <numeric>

#include "quantlab/error.h"
#include "quantlab/train_lm.h"

namespace quantlab::train {
namespace {

bool is_layer_norm(const std::string& name) { return name.find("norm") != std::string::npos; }

bool is_residual_projection(const std::string& name) {
  return name.ends_with("attn.proj.weight") || name.ends_with("mlp.down.weight");
}

// Scales every gradient so that their global L2 norm is at most `limit`.
void clip_gradients(std::map<std::string, Tensor>& gradients, float limit) {
  double squares = 0;
  for (const auto& [name, g] : gradients) {
    for (const float v : g.values<float>()) squares += static_cast<double>(v) * v;
  }
  const double norm = std::sqrt(squares);
  if (limit <= 0 || norm <= limit) return;
  const auto scale = static_cast<float>(limit / norm);
  for (auto& [name, g] : gradients) {
    for (float& v : g.values<float>()) v *= scale;
  }
}

float learning_rate_at(const LmTrainConfig& config, size_t step) {
  const float peak = config.optimizer.learning_rate;
  if (step < config.warmup) return peak * static_cast<float>(step + 1) / config.warmup;
  const double progress = static_cast<double>(step - config.warmup) /
                          static_cast<double>(std::max<size_t>(1, config.steps - config.warmup));
  return static_cast<float>(peak * 0.5 * (1.0 + std::cos(std::numbers::pi * progress)));
}

}  // namespace

void initialize_language_model(nn::lm::LanguageModel& model, uint64_t seed) {
  nn::lm::allocate_parameters(model);
  Rng rng(seed);
  // Uniform on [−a, a] has standard deviation a / sqrt(3).
  const float bound = 0.02f * std::numbers::sqrt3_v<float>;
  const float residual = 1.0f / std::sqrt(2.0f * static_cast<float>(model.config.layers));
  for (auto& [name, tensor] : model.parameters) {
    if (tensor.shape().rank() < 2 || is_layer_norm(name)) continue;
    const float a = is_residual_projection(name) ? bound * residual : bound;
    for (float& v : tensor.values<float>()) v = (2.0f * rng.uniform() - 1.0f) * a;
  }
}

LmTrainResult train_language_model(nn::lm::LanguageModel& model, std::span<const int32_t> tokens,
                                   const LmTrainConfig& config, const LmProgressCallback& progress,
                                   const std::atomic<bool>* cancel) {
  require(config.steps > 0 && config.batch_size > 0, "lm training needs steps and batch size ≥ 1");
  require(config.sequence > 0 && config.sequence <= model.config.context, [&] {
    return "lm training sequence " + std::to_string(config.sequence) + " must be in 1 … context " +
           std::to_string(model.config.context);
  });
  require(tokens.size() > config.sequence + 1, [&] {
    return "lm training needs more than sequence + 1 = " + std::to_string(config.sequence + 1) +
           " tokens, got " + std::to_string(tokens.size());
  });
  const auto start = std::chrono::steady_clock::now();
  LmNetwork network(model);
  Optimizer optimizer(config.optimizer);
  Rng rng(config.seed);
  const size_t row = config.sequence + 1;
  std::vector<int32_t> batch(config.batch_size * row);
  std::deque<double> recent;
  LmTrainResult result;
  for (size_t step = 0; step < config.steps; ++step) {
    if (cancel != nullptr && cancel->load()) {
      result.cancelled = true;
      break;
    }
    for (size_t b = 0; b < config.batch_size; ++b) {
      const size_t offset = rng.below(tokens.size() - row + 1);
      std::copy(tokens.begin() + offset, tokens.begin() + offset + row, batch.begin() + b * row);
    }
    const double loss = network.step(batch, config.batch_size, config.sequence, true);
    clip_gradients(network.gradients(), config.clip_norm);
    const float rate = learning_rate_at(config, step);
    optimizer.step(model.parameters, network.gradients(), rate);
    recent.push_back(loss);
    if (recent.size() > 50) recent.pop_front();
    result.steps_completed = step + 1;
    if (progress && !progress({step + 1, config.steps, loss, rate})) {
      result.cancelled = true;
      break;
    }
  }
  result.loss = recent.empty() ? 0.0
                               : std::accumulate(recent.begin(), recent.end(), 0.0) /
                                     static_cast<double>(recent.size());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace quantlab::train
