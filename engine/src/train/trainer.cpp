// The mini-batch training loop and FP32 evaluation.
#include <chrono>
#include <numeric>

#include "quantlab/error.h"
#include "quantlab/train.h"
#include "train/batch.h"

namespace quantlab::train {

TrainResult train(nn::Model& model, const nn::Examples& data, const TrainConfig& config,
                  const ProgressCallback& progress, const std::atomic<bool>* cancel) {
  nn::validate_model(model);
  nn::check_examples(model.input_shape, data);
  require(config.epochs > 0 && config.batch_size > 0, "epochs and batch size must be at least 1");
  const auto start = std::chrono::steady_clock::now();
  const bool ends_in_softmax = model.layers.back().kind == nn::LayerKind::softmax;
  Network network(model, config.seed, model.layers.size() - (ends_in_softmax ? 1 : 0));
  Optimizer optimizer(config.optimizer);
  // A stream separate from the network's dropout streams.
  Rng shuffler(config.seed ^ 0x5eed5eed5eed5eedULL);
  std::vector<size_t> order(data.size());
  std::iota(order.begin(), order.end(), size_t{0});
  const size_t batches = (data.size() + config.batch_size - 1) / config.batch_size;
  const size_t total_steps = batches * config.epochs;

  TrainResult result;
  std::vector<int32_t> labels;
  Tensor grad;
  for (size_t epoch = 0; epoch < config.epochs && !result.cancelled; ++epoch) {
    shuffler.shuffle(order);
    double loss_sum = 0;
    size_t correct = 0, seen = 0;
    for (size_t b = 0; b < batches; ++b) {
      const size_t begin = b * config.batch_size;
      const size_t end = std::min(begin + config.batch_size, data.size());
      const Tensor inputs = gather_batch(data, model.input_shape, order, begin, end, labels);
      network.zero_gradients();
      const LossResult loss = softmax_cross_entropy(network.forward(inputs, true), labels, &grad);
      network.backward(grad);
      const float lr =
          scheduled_learning_rate(config.optimizer, epoch * batches + b, batches, total_steps);
      optimizer.step(model, network.gradients(), lr);

      loss_sum += loss.loss;
      correct += loss.correct;
      seen += end - begin;
      result.loss = loss_sum / static_cast<double>(b + 1);
      result.accuracy = static_cast<double>(correct) / static_cast<double>(seen);
      const Progress report{epoch + 1,   config.epochs,   b + 1, batches,
                            result.loss, result.accuracy, lr};
      const bool keep_going = !progress || progress(report);
      if (!keep_going || (cancel && cancel->load())) {
        result.cancelled = true;
        break;
      }
    }
    if (!result.cancelled) result.epochs_completed = epoch + 1;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace quantlab::train
