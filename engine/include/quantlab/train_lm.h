// Training of the transformer language model (layer 7, nn_lm.h): initialisation, backprop through
// every block (LayerNorm, causal attention, GELU MLP, residuals, tied embedding) and a seeded,
// reproducible training loop: AdamW, linear warm-up then cosine decay, gradient-norm clipping.
// The same seed on the same build gives the same weights bit for bit.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "quantlab/nn_lm.h"
#include "quantlab/train.h"

namespace quantlab::train {

// GPT-2's scheme with Rng's uniform draws: weights uniform with standard deviation 0.02
// (residual projections attn.proj and mlp.down divided by sqrt(2 · layers)), biases 0,
// LayerNorm weight 1 and bias 0. Replaces every parameter.
void initialize_language_model(nn::lm::LanguageModel& model, uint64_t seed);

// Trainable view of a LanguageModel (which must outlive it).
class LmNetwork {
 public:
  explicit LmNetwork(nn::lm::LanguageModel& model);
  ~LmNetwork();
  LmNetwork(const LmNetwork&) = delete;
  LmNetwork& operator=(const LmNetwork&) = delete;

  // `tokens`: `batch` rows of length + 1 ids; row r reads ids 0 … length − 1 and predicts ids
  // 1 … length. Returns the mean next-token cross-entropy (nats); with `backward`, the gradients
  // of that mean are written into gradients() (replacing the previous ones).
  double step(std::span<const int32_t> tokens, size_t batch, size_t length, bool backward);
  std::map<std::string, Tensor>& gradients();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

struct LmTrainConfig {
  size_t steps = 1000;
  size_t batch_size = 16;
  size_t sequence = 128;   // tokens read per row (≤ context)
  size_t warmup = 50;      // steps of linear learning-rate warm-up, then cosine decay to 0
  float clip_norm = 1.0f;  // global gradient norm clipped to this (0: off)
  uint64_t seed = 1;       // the rows' random start offsets
  OptimizerConfig optimizer;
};

struct LmProgress {
  size_t step = 0;  // 1-based
  size_t steps = 0;
  double loss = 0;  // this step's mean cross-entropy
  float learning_rate = 0;
};
using LmProgressCallback = std::function<bool(const LmProgress&)>;

struct LmTrainResult {
  size_t steps_completed = 0;
  bool cancelled = false;
  double loss = 0;  // mean over the last (up to) 50 steps
  double seconds = 0;
};

// Trains from the model's current parameters on windows of `tokens` (the training split, ids of
// model.tokenizer) drawn at seeded random offsets.
LmTrainResult train_language_model(nn::lm::LanguageModel& model, std::span<const int32_t> tokens,
                                   const LmTrainConfig& config,
                                   const LmProgressCallback& progress = {},
                                   const std::atomic<bool>* cancel = nullptr);

}  // namespace quantlab::train
