// Running any executor over a whole example set, batch by batch, each batch's images split
// across the thread pool (nn::run_split).
#include <algorithm>
#include <cstring>

#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/nn_batch.h"
#include "quantlab/nn_ops.h"

namespace quantlab::eval {

Predictions predict(const nn::Executor& executor, const Tensor& inputs, size_t batch_size,
                    const Progress& progress) {
  require(batch_size > 0, "evaluation batch size must be at least 1");
  const Shape& sample = executor.input_shape();
  require(inputs.dtype() == DType::f32 && inputs.shape().rank() == sample.rank() + 1 &&
              inputs.shape()[0] > 0 &&
              nn::ops::batched_shape(inputs.shape()[0], sample) == inputs.shape(),
          "inputs must be f32 [count, " + sample.to_string().substr(1) + ", got " +
              inputs.shape().to_string());
  const size_t count = inputs.shape()[0];
  Predictions predictions;
  size_t classes = 0;
  for (size_t begin = 0; begin < count; begin += batch_size) {
    const size_t end = std::min(begin + batch_size, count);
    const Tensor logits = nn::run_split(executor, nn::ops::batch_rows(inputs, sample, begin, end));
    require(logits.shape().rank() == 2,
            "the model's output must be [batch, classes], got " + logits.shape().to_string());
    if (begin == 0) {
      classes = logits.shape()[1];
      predictions.logits = Tensor(DType::f32, Shape{count, classes});
    }
    std::memcpy(predictions.logits.values<float>().data() + begin * classes,
                logits.values<float>().data(), logits.byte_size());
    const std::vector<int32_t> best = nn::argmax_rows(logits);
    predictions.classes.insert(predictions.classes.end(), best.begin(), best.end());
    if (progress && !progress(end, count)) throw Cancelled();
  }
  return predictions;
}

Evaluation evaluate(const nn::Executor& executor, const nn::Examples& examples, size_t batch_size,
                    const Progress& progress) {
  nn::check_examples(executor.input_shape(), examples);
  const Predictions predictions = predict(executor, examples.inputs, batch_size, progress);
  Evaluation evaluation;
  evaluation.count = examples.size();
  for (size_t i = 0; i < evaluation.count; ++i) {
    evaluation.correct += predictions.classes[i] == examples.labels[i];
  }
  return evaluation;
}

}  // namespace quantlab::eval
