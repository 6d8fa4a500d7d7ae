// Training (layer 7): backprop through every nn layer, softmax cross-entropy, SGD with momentum
// and Adam, learning-rate schedules, seeded and reproducible mini-batch training with progress
// and cancellation. The same seed on the same build gives the same weights bit for bit: every
// random draw (initialisation, shuffling, dropout masks) comes from Rng, never from <random>'s
// implementation-defined distributions.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "quantlab/nn.h"
#include "quantlab/tensor.h"

namespace quantlab::train {

// SplitMix64: tiny, fast and identical on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  float uniform();         // [0, 1)
  size_t below(size_t n);  // [0, n), n > 0
  // Fisher–Yates shuffle of `order`.
  void shuffle(std::vector<size_t>& order);

 private:
  uint64_t state_;
};

// He-uniform weights (bound sqrt(6 / fan_in), suited to ReLU networks), zero biases, BatchNorm
// weight 1, bias 0, running mean 0, running variance 1. Replaces any existing parameters.
void initialize_parameters(nn::Model& model, uint64_t seed);

// Trainable view of a Model: forward caches what backward needs; backward accumulates the
// parameter gradients (same names and shapes as the parameters; BatchNorm running statistics
// have none) and returns the gradient with respect to the input. Parameters are read from and
// updated in the Model, which must outlive the Network.
class Network {
 public:
  // `seed` draws the dropout masks. Only the first `layer_count` layers run (all by default).
  Network(nn::Model& model, uint64_t seed, size_t layer_count = SIZE_MAX);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // training: BatchNorm uses batch statistics (and updates its running ones), Dropout drops.
  Tensor forward(const Tensor& input, bool training);
  Tensor backward(const Tensor& grad_output);

  std::map<std::string, Tensor>& gradients() { return gradients_; }
  void zero_gradients();

 private:
  class Layers;
  std::unique_ptr<Layers> layers_;
  std::map<std::string, Tensor> gradients_;
};

struct LossResult {
  double loss = 0;     // mean over the batch
  size_t correct = 0;  // rows whose argmax equals the label
};

// Mean softmax cross-entropy of logits [batch, classes] against labels. If grad is not null it
// receives dLoss/dLogits = (softmax − one_hot) / batch.
LossResult softmax_cross_entropy(const Tensor& logits, std::span<const int32_t> labels,
                                 Tensor* grad);

enum class OptimizerKind : uint8_t {
  sgd,   // v = μ·v + g + λ·w;  w -= lr·v   (PyTorch SGD, L2 weight decay)
  adam,  // Adam with decoupled weight decay (AdamW): w -= lr·(m̂ / (sqrt(v̂) + ε) + λ·w)
};

enum class ScheduleKind : uint8_t {
  constant,
  step,    // lr · gamma^(floor(epoch / step_epochs))
  cosine,  // lr · (1 + cos(π · step / total_steps)) / 2, per batch
};

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::adam;
  float learning_rate = 1e-3f;
  float momentum = 0.9f;  // sgd
  float beta1 = 0.9f;     // adam
  float beta2 = 0.999f;   // adam
  float epsilon = 1e-8f;  // adam
  // Applied to weights (parameters of rank ≥ 2) only; biases and BatchNorm are not decayed.
  float weight_decay = 0.0f;
  ScheduleKind schedule = ScheduleKind::constant;
  size_t step_epochs = 1;  // step schedule
  float gamma = 0.1f;      // step schedule
};

const char* optimizer_kind_name(OptimizerKind kind);
OptimizerKind parse_optimizer_kind(const std::string& name);
const char* schedule_kind_name(ScheduleKind kind);
ScheduleKind parse_schedule_kind(const std::string& name);

// Learning rate at batch `step` (0-based) of a run with `steps_per_epoch` batches per epoch
// and `total_steps` in all.
float scheduled_learning_rate(const OptimizerConfig& config, size_t step, size_t steps_per_epoch,
                              size_t total_steps);

class Optimizer {
 public:
  explicit Optimizer(const OptimizerConfig& config);
  // Updates every parameter that has a gradient.
  void step(nn::Model& model, const std::map<std::string, Tensor>& gradients, float learning_rate);
  // The same over a bare parameter map (the language model's, train_lm.h).
  void step(std::map<std::string, Tensor>& parameters,
            const std::map<std::string, Tensor>& gradients, float learning_rate);

 private:
  OptimizerConfig config_;
  size_t steps_ = 0;
  std::map<std::string, std::vector<float>> first_moment_;   // sgd velocity / adam m
  std::map<std::string, std::vector<float>> second_moment_;  // adam v
};

struct TrainConfig {
  size_t epochs = 1;
  size_t batch_size = 64;
  uint64_t seed = 1;  // shuffling and dropout (initialisation is initialize_parameters' seed)
  OptimizerConfig optimizer;
};

struct Progress {
  size_t epoch = 0;  // 1-based
  size_t epochs = 0;
  size_t batch = 0;  // 1-based within the epoch
  size_t batches = 0;
  double loss = 0;      // mean over this epoch's batches so far
  double accuracy = 0;  // fraction of this epoch's examples so far classified right
  float learning_rate = 0;
};

// Return false to cancel; training stops after the current batch.
using ProgressCallback = std::function<bool(const Progress&)>;

struct TrainResult {
  size_t epochs_completed = 0;
  bool cancelled = false;
  double loss = 0;      // last epoch's mean loss (partial epoch if cancelled)
  double accuracy = 0;  // last epoch's training accuracy
  double seconds = 0;   // wall time
};

// Trains model in place from its current parameters (call initialize_parameters first for a
// fresh model). The loss is softmax cross-entropy of the last layer's output; a final Softmax
// layer is skipped during training, since the loss applies it. `cancel` (may be null) is polled
// between batches, like the callback.
TrainResult train(nn::Model& model, const nn::Examples& data, const TrainConfig& config,
                  const ProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr);

}  // namespace quantlab::train
