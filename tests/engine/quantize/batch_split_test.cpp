// nn::run_split (a batch's images in groups across the thread pool) on fashion-cnn, FP32 and
// quantized (int8: static activations with codes flowing between layers; w4a8: dynamic per-row
// activations): the same bits as one Executor::run over the whole batch, at 1, 2 and 3 threads,
// also through run_split_timed, which times each layer over the groups.
// 133 images make ragged groups (4 × 32 + 5): 3 + 2 groups on 2 threads, 2 + 2 + 1 on 3.
#include <gtest/gtest.h>

#include <cstring>

#include "quantlab/error.h"
#include "quantlab/nn_batch.h"
#include "quantlab/quantize.h"
#include "quantlab/threads.h"
#include "shipped_data.h"

namespace quantlab::quantization {
namespace {

using testing::shipped_examples;

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.bytes(), b.bytes(), a.byte_size()) == 0;
}

TEST(RunSplit, SameBitsAsOneWholeBatchRunAtEveryThreadCount) {
  const testing::Shipped s = testing::load_shipped("fashion-cnn");
  const nn::Examples calibration = shipped_examples(s.manifest, "train", 64);
  const nn::Examples test = shipped_examples(s.manifest, "test", 133);
  std::vector<nn::Executor> executors;
  executors.emplace_back(s.model);
  for (const char* plan : {"int8", "w4a8"}) {
    const Plan p = preset(plan);
    executors.push_back(
        make_executor(quantize_model(s.model, p, calibrate(s.model, p, calibration.inputs, {}))));
  }
  const size_t saved = thread_count();
  for (const nn::Executor& executor : executors) {
    set_thread_count(1);
    const Tensor whole = executor.run(test.inputs).output;
    for (size_t threads : {1, 2, 3}) {
      set_thread_count(threads);
      EXPECT_TRUE(same_bits(nn::run_split(executor, test.inputs), whole)) << threads << " threads";
      // The timed variant (the report's speed rows) computes the same and times every layer.
      const nn::SplitRun timed = nn::run_split_timed(executor, test.inputs);
      EXPECT_TRUE(same_bits(timed.output, whole)) << threads << " threads";
      ASSERT_EQ(timed.layer_ms.size(), executor.layer_count());
      double total = 0;
      for (double ms : timed.layer_ms) {
        EXPECT_GE(ms, 0.0);
        total += ms;
      }
      EXPECT_GT(total, 0.0);
    }
  }
  set_thread_count(saved);
}

TEST(RunSplit, RejectsABadInputWithTheExecutorsMessage) {
  const testing::Shipped s = testing::load_shipped("fashion-cnn");
  const nn::Executor executor(s.model);
  const Tensor wrong(DType::f32, Shape{40, 1, 27, 28});
  EXPECT_THROW(
      {
        try {
          nn::run_split(executor, wrong);
        } catch (const InvalidArgument& e) {
          EXPECT_NE(std::string(e.what()).find("does not match model input"), std::string::npos);
          throw;
        }
      },
      InvalidArgument);
}

}  // namespace
}  // namespace quantlab::quantization
