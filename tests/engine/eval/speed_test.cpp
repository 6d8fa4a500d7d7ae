// The report's speed rows (eval::measure_speed) time the path evaluation takes (nn::run_split):
// at 1 and 2 threads, a batch of several 32-image groups and single images give a time per
// executor and each layer's share of it, the shares adding up to the time. No test asserts
// how long anything takes.
#include <gtest/gtest.h>

#include <numeric>

#include "quantlab/eval.h"
#include "quantlab/threads.h"
#include "shipped_data.h"

namespace quantlab::eval {
namespace {

TEST(MeasureSpeed, LayerSharesAddUpToTheTimeOfTheSplitRunAtEveryThreadCount) {
  const testing::Shipped mlp = testing::load_shipped("mnist-mlp");
  const nn::Executor fp32(mlp.model);
  // A batch of 3 groups of 32 images and one of 4; one round, so the medians are its times.
  const SpeedOptions options{.rounds = 1, .single_images = 2, .batch_size = 100};
  const Tensor inputs = testing::shipped_examples(mlp.manifest, "test", 100).inputs;
  const size_t saved = thread_count();
  for (size_t threads : {1, 2}) {
    set_thread_count(threads);
    const std::vector<Speed> speeds = measure_speed({&fp32, &fp32}, inputs, options);
    ASSERT_EQ(speeds.size(), 2u);
    for (const Speed& s : speeds) {
      EXPECT_GT(s.batch_ms, 0.0);
      EXPECT_GT(s.batch1_ms, 0.0);
      EXPECT_DOUBLE_EQ(s.images_per_second, 1000.0 * 100 / s.batch_ms);
      ASSERT_EQ(s.layer_batch_ms.size(), fp32.layer_count());
      ASSERT_EQ(s.layer_batch1_ms.size(), fp32.layer_count());
      const double batch_layers =
          std::accumulate(s.layer_batch_ms.begin(), s.layer_batch_ms.end(), 0.0);
      const double single_layers =
          std::accumulate(s.layer_batch1_ms.begin(), s.layer_batch1_ms.end(), 0.0);
      EXPECT_NEAR(batch_layers, s.batch_ms, 1e-9 * s.batch_ms) << threads << " threads";
      EXPECT_NEAR(single_layers, s.batch1_ms, 1e-9 * s.batch1_ms) << threads << " threads";
    }
  }
  set_thread_count(saved);
}

}  // namespace
}  // namespace quantlab::eval
