// Executor runs over groups of a batch's images, the groups split across the pool.
#include <algorithm>
#include <cstring>

#include "quantlab/error.h"
#include "quantlab/nn_batch.h"
#include "quantlab/nn_ops.h"
#include "quantlab/threads.h"

namespace quantlab::nn {

Tensor run_split(const Executor& executor, const Tensor& input) {
  const Shape& sample = executor.input_shape();
  const size_t batch = input.shape().rank() == 0 ? 0 : input.shape()[0];
  // One group (or an input Executor::run rejects with its message): its kernels split their own
  // work (GEMM rows, conv images) across the pool.
  if (batch <= kImagesPerGroup || input.dtype() != DType::f32 ||
      input.shape() != ops::batched_shape(batch, sample) || executor.layer_count() == 0) {
    return executor.run(input).output;
  }
  const Shape out_sample = executor.layer(executor.layer_count() - 1).output_shape();
  Tensor output(DType::f32, ops::batched_shape(batch, out_sample), Init::uninitialized);
  const size_t image_bytes = output.byte_size() / batch;
  parallel_ranges(batch, kImagesPerGroup, [&](size_t begin, size_t end) {
    for (size_t first = begin; first < end; first += kImagesPerGroup) {
      const size_t last = std::min(end, first + kImagesPerGroup);
      const Tensor y = executor.run(ops::batch_rows(input, sample, first, last)).output;
      std::memcpy(output.bytes() + first * image_bytes, y.bytes(), y.byte_size());
    }
  });
  return output;
}

}  // namespace quantlab::nn
