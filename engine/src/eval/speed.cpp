// Timing executors against each other in one run. Absolute times drift with the machine (shared
// hosts change speed by 10-20% between minutes), so every round times all executors back to back
// and the medians over rounds are compared.
#include <algorithm>
#include <chrono>

#include "eval/median.h"
#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/nn_batch.h"
#include "quantlab/nn_ops.h"

namespace quantlab::eval {
namespace {

using Clock = std::chrono::steady_clock;

// One run's wall time and each layer's share of it.
struct Timed {
  double total_ms = 0;
  std::vector<double> layer_ms;
};

// Times `inputs` run one after another through nn::run_split, the path evaluation and
// classification take (a batch in 32-image groups across the pool's threads), so the rows
// compare FP32 and the plans as users run them. The layers' times are summed over the groups
// (thread time) and scaled to the wall time: their shares, adding up to the total at every
// thread count.
Timed time_runs(const nn::Executor& executor, const std::vector<const Tensor*>& inputs) {
  Timed timed;
  std::vector<double> thread_ms(executor.layer_count(), 0.0);
  const auto start = Clock::now();
  for (const Tensor* input : inputs) {
    const nn::SplitRun run = nn::run_split_timed(executor, *input);
    for (size_t i = 0; i < run.layer_ms.size(); ++i) thread_ms[i] += run.layer_ms[i];
  }
  const double wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  double layers_ms = 0;
  for (double ms : thread_ms) layers_ms += ms;
  const double runs = static_cast<double>(inputs.size());
  timed.total_ms = wall_ms / runs;
  for (double ms : thread_ms) {
    timed.layer_ms.push_back(layers_ms > 0 ? ms / layers_ms * timed.total_ms : 0.0);
  }
  return timed;
}

// Per layer, the median over rounds.
std::vector<double> layer_medians(const std::vector<Timed>& rounds) {
  std::vector<double> medians;
  for (size_t layer = 0; layer < rounds[0].layer_ms.size(); ++layer) {
    std::vector<double> values;
    for (const Timed& t : rounds) values.push_back(t.layer_ms[layer]);
    medians.push_back(median(values));
  }
  return medians;
}

}  // namespace

std::vector<Speed> measure_speed(const std::vector<const nn::Executor*>& executors,
                                 const Tensor& inputs, const SpeedOptions& options,
                                 const quantization::Progress& progress) {
  require(!executors.empty(), "measure_speed needs at least one executor");
  require(options.rounds > 0 && options.single_images > 0 && options.batch_size > 0,
          "speed rounds, single images and batch size must be at least 1");
  const Shape& sample = executors[0]->input_shape();
  require(inputs.shape().rank() == sample.rank() + 1 &&
              inputs.shape()[0] >= std::max(options.batch_size, options.single_images),
          "speed measurement needs at least " +
              std::to_string(std::max(options.batch_size, options.single_images)) +
              " inputs, got " + inputs.shape().to_string());
  const Tensor batch = nn::ops::batch_rows(inputs, sample, 0, options.batch_size);
  std::vector<Tensor> singles;
  for (size_t i = 0; i < options.single_images; ++i) {
    singles.push_back(nn::ops::batch_rows(inputs, sample, i, i + 1));
  }
  // One untimed pass: first-touch allocation and the kernels' scratch buffers.
  for (const nn::Executor* e : executors) {
    nn::run_split(*e, batch);
    nn::run_split(*e, singles[0]);
  }
  std::vector<const Tensor*> single_inputs;
  for (const Tensor& one : singles) single_inputs.push_back(&one);
  std::vector<std::vector<Timed>> single(executors.size()), batched(executors.size());
  const auto proceed = [&](size_t done) {
    if (progress && !progress(done, options.rounds)) throw Cancelled();
  };
  proceed(0);
  for (size_t round = 0; round < options.rounds; ++round) {
    for (size_t e = 0; e < executors.size(); ++e) {
      single[e].push_back(time_runs(*executors[e], single_inputs));
      batched[e].push_back(time_runs(*executors[e], {&batch}));
    }
    proceed(round + 1);
  }
  std::vector<Speed> speeds;
  for (size_t e = 0; e < executors.size(); ++e) {
    const auto totals = [](const std::vector<Timed>& rounds) {
      std::vector<double> values;
      for (const Timed& t : rounds) values.push_back(t.total_ms);
      return median(values);
    };
    Speed s;
    s.batch1_ms = totals(single[e]);
    s.batch_ms = totals(batched[e]);
    s.images_per_second = 1000.0 * static_cast<double>(options.batch_size) / s.batch_ms;
    s.layer_batch_ms = layer_medians(batched[e]);
    s.layer_batch1_ms = layer_medians(single[e]);
    speeds.push_back(s);
  }
  return speeds;
}

}  // namespace quantlab::eval
