// Executor runs over groups of a batch's images, the groups split across the pool.
#include <algorithm>
#include <cstring>
#include <utility>

#include "quantlab/error.h"
#include "quantlab/nn_batch.h"
#include "quantlab/nn_ops.h"
#include "quantlab/threads.h"

namespace quantlab::nn {

namespace {

std::vector<double> milliseconds(const std::vector<LayerTiming>& timings) {
  std::vector<double> ms;
  for (const LayerTiming& timing : timings) ms.push_back(timing.milliseconds);
  return ms;
}

}  // namespace

SplitRun run_split_timed(const Executor& executor, const Tensor& input) {
  const Shape& sample = executor.input_shape();
  const size_t batch = input.shape().rank() == 0 ? 0 : input.shape()[0];
  // One group (or an input Executor::run rejects with its message): its kernels split their own
  // work (GEMM rows, GEMV columns, conv images) across the pool.
  if (batch <= kImagesPerGroup || input.dtype() != DType::f32 ||
      input.shape() != ops::batched_shape(batch, sample) || executor.layer_count() == 0) {
    RunResult result = executor.run(input);
    return {std::move(result.output), milliseconds(result.timings)};
  }
  const Shape out_sample = executor.layer(executor.layer_count() - 1).output_shape();
  SplitRun run{Tensor(DType::f32, ops::batched_shape(batch, out_sample), Init::uninitialized), {}};
  const size_t image_bytes = run.output.byte_size() / batch;
  // Each group's layer times in a slot of its own: the threads write disjoint slots.
  std::vector<std::vector<double>> group_ms((batch + kImagesPerGroup - 1) / kImagesPerGroup);
  parallel_ranges(batch, kImagesPerGroup, [&](size_t begin, size_t end) {
    for (size_t first = begin; first < end; first += kImagesPerGroup) {
      const size_t last = std::min(end, first + kImagesPerGroup);
      const RunResult y = executor.run(ops::batch_rows(input, sample, first, last));
      std::memcpy(run.output.bytes() + first * image_bytes, y.output.bytes(), y.output.byte_size());
      group_ms[first / kImagesPerGroup] = milliseconds(y.timings);
    }
  });
  run.layer_ms.assign(executor.layer_count(), 0.0);
  for (const std::vector<double>& ms : group_ms) {
    for (size_t i = 0; i < ms.size(); ++i) run.layer_ms[i] += ms[i];
  }
  return run;
}

Tensor run_split(const Executor& executor, const Tensor& input) {
  return run_split_timed(executor, input).output;
}

}  // namespace quantlab::nn
