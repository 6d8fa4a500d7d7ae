// Running a batch with its images split across the thread pool (quantlab/threads.h): each
// thread runs the whole layer chain on its own images, so the element-wise layers, the
// activations' quantization and the small GEMMs are parallel too, not only the big kernels.
#pragma once

#include <cstddef>
#include <vector>

#include "quantlab/nn.h"
#include "quantlab/tensor.h"

namespace quantlab::nn {

// Images per group: a batch is cut into groups of this many images from its start, whatever
// the thread count, and each group is one Executor::run. A thread takes whole groups, so every
// image is computed within the same group by the same code at every thread count: the output
// is the same bits at every count (a batch of one image, the GEMV path, stays one image).
inline constexpr size_t kImagesPerGroup = 32;

// The output of executor.run(input) computed group by group, the groups split across the pool.
// input: [batch, ...executor.input_shape()] f32; returns [batch, ...last layer's output shape].
Tensor run_split(const Executor& executor, const Tensor& input);

// run_split's output and, per layer, its milliseconds summed over the groups (thread time: at
// n threads the layers sum to about n times the wall time). The report's speed rows time this.
struct SplitRun {
  Tensor output;
  std::vector<double> layer_ms;
};
SplitRun run_split_timed(const Executor& executor, const Tensor& input);

}  // namespace quantlab::nn
