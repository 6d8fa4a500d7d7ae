#include "train/batch.h"

#include <cstring>

#include "quantlab/nn_ops.h"

namespace quantlab::train {

Tensor gather_batch(const nn::Examples& data, const Shape& sample,
                    const std::vector<size_t>& indices, size_t begin, size_t end,
                    std::vector<int32_t>& labels) {
  const size_t row = sample.element_count();
  Tensor batch(DType::f32, nn::ops::batched_shape(end - begin, sample));
  const float* source = data.inputs.values<float>().data();
  float* target = batch.values<float>().data();
  labels.clear();
  for (size_t i = begin; i < end; ++i) {
    std::memcpy(target + (i - begin) * row, source + indices[i] * row, row * sizeof(float));
    labels.push_back(data.labels[indices[i]]);
  }
  return batch;
}

}  // namespace quantlab::train
