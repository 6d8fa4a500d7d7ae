#include <cmath>

#include "quantlab/error.h"
#include "quantlab/nn_ops.h"
#include "quantlab/train.h"

namespace quantlab::train {

LossResult softmax_cross_entropy(const Tensor& logits, std::span<const int32_t> labels,
                                 Tensor* grad) {
  require(logits.shape().rank() == 2,
          "cross-entropy needs logits [batch, classes], got " + logits.shape().to_string());
  const size_t batch = logits.shape()[0];
  const size_t classes = logits.shape()[1];
  require(labels.size() == batch, "cross-entropy got " + std::to_string(labels.size()) +
                                      " labels for a batch of " + std::to_string(batch));
  Tensor probabilities(DType::f32, logits.shape());
  float* p = probabilities.values<float>().data();
  nn::ops::softmax_rows(logits.values<float>().data(), batch, classes, p);
  const std::vector<int32_t> predicted = nn::argmax_rows(logits);
  LossResult result;
  for (size_t r = 0; r < batch; ++r) {
    const auto label = labels[r];
    require(label >= 0 && static_cast<size_t>(label) < classes,
            "label " + std::to_string(label) + " is outside [0, " + std::to_string(classes) + ")");
    // Clamped so a confidently wrong prediction gives a large finite loss rather than inf.
    result.loss -= std::log(std::max(p[r * classes + label], 1e-30f));
    if (predicted[r] == label) ++result.correct;
  }
  result.loss /= static_cast<double>(batch);
  if (grad) {
    const float inv_batch = 1.0f / static_cast<float>(batch);
    for (size_t r = 0; r < batch; ++r) p[r * classes + labels[r]] -= 1.0f;
    for (float& v : probabilities.values<float>()) v *= inv_batch;
    *grad = std::move(probabilities);
  }
  return result;
}

}  // namespace quantlab::train
