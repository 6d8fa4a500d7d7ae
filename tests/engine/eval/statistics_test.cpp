// The statistics of the comparison, against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "quantlab/eval.h"

namespace quantlab::eval {
namespace {

TEST(Statistics, WilsonIntervalMatchesTheClosedForm) {
  // 90 of 100: centre (0.9 + z²/200)/(1 + z²/100), half-width z·sqrt(0.09/100 + z²/40000)/(1 +
  // z²/100) with z = 1.959964 gives [0.8256, 0.9448] (Wilson 1927; e.g. Newcombe 1998, table I).
  const Interval i = wilson_interval(90, 100);
  EXPECT_NEAR(i.low, 0.8256, 1e-4);
  EXPECT_NEAR(i.high, 0.9448, 1e-4);
  EXPECT_EQ(wilson_interval(0, 10).low, 0.0);
  EXPECT_NEAR(wilson_interval(10, 10).high, 1.0, 1e-12);
}

TEST(Statistics, McNemarIsTheExactTwoSidedBinomialTest) {
  EXPECT_DOUBLE_EQ(mcnemar(10, 0).p_value, 2.0 / 1024.0);  // 2·(½)^10
  // b = 3, c = 7: 2·P(X ≤ 3), X ~ Bin(10, ½) = 2·(1 + 10 + 45 + 120)/1024 = 0.34375.
  EXPECT_NEAR(mcnemar(3, 7).p_value, 0.34375, 1e-12);
  EXPECT_DOUBLE_EQ(mcnemar(5, 5).p_value, 1.0);
  EXPECT_DOUBLE_EQ(mcnemar(0, 0).p_value, 1.0);
  // Large counts stay finite and small: 300 vs 200 discordant pairs.
  const double p = mcnemar(300, 200).p_value;
  EXPECT_GT(p, 0.0);
  EXPECT_LT(p, 1e-5);
}

Predictions predictions(std::vector<float> logits, size_t classes) {
  Predictions p;
  const size_t count = logits.size() / classes;
  p.logits = Tensor::from_f32(Shape{count, classes}, logits);
  p.classes = nn::argmax_rows(p.logits);
  return p;
}

TEST(Statistics, CompareCountsFlipsDecayAndDistances) {
  const Predictions ref = predictions({2, 0, 0, 2, 1, 0, 0, 1}, 2);   // classes 0 1 0 1
  const Predictions cand = predictions({2, 0, 2, 0, 1, 0, 1, 3}, 2);  // classes 0 0 0 1
  const std::vector<int32_t> labels = {0, 1, 0, 0};
  const Comparison c = compare(ref, cand, labels);
  EXPECT_EQ(c.count, 4u);
  EXPECT_EQ(c.correct, 2u);  // the reference gets 3 right (all but row 4)
  EXPECT_DOUBLE_EQ(c.decay_points, 25.0);
  EXPECT_DOUBLE_EQ(c.agreement, 0.75);
  EXPECT_EQ(c.mcnemar.reference_only, 1u);  // row 2
  EXPECT_EQ(c.mcnemar.candidate_only, 0u);
  // Differences: row 2 (−2, +2), row 4 (−1, −2): Σd² = 13 over 8 logits; Σ ref² = 10.
  EXPECT_DOUBLE_EQ(c.logits_mse, 13.0 / 8.0);
  EXPECT_NEAR(c.output_sqnr_db, 10 * std::log10(10.0 / 13.0), 1e-12);
  const Comparison same = compare(ref, ref, labels);
  EXPECT_EQ(same.kl_mean, 0.0);
  EXPECT_DOUBLE_EQ(same.cosine, 1.0);
  EXPECT_TRUE(std::isinf(same.output_sqnr_db));
}

}  // namespace
}  // namespace quantlab::eval
