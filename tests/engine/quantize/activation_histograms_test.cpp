// Every observer at once on a real model: the ranges equal what calibrate chooses with each
// method alone, the histograms hold every observed value, and min-max clips nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "quantlab/quantize.h"
#include "shipped_data.h"

namespace quantlab::quantization {
namespace {

TEST(ActivationHistograms, EachObserversRangeIsTheOneCalibrateChooses) {
  const testing::Shipped s = testing::load_shipped("fashion-cnn");
  const nn::Examples data = testing::shipped_examples(s.manifest, "train", 200);
  CalibrationOptions options;
  options.samples = 150;  // fewer than the inputs: only the front is observed
  options.batch_size = 64;
  const std::vector<LayerActivations> layers = activation_histograms(s.model, data.inputs, options);
  const nn::Model folded = nn::fold_for_inference(s.model);
  ASSERT_EQ(layers.size(), 4u);  // conv1, conv2, fc1, fc2
  const std::vector<Shape> outputs = nn::layer_output_shapes(folded);
  for (const LayerActivations& layer : layers) {
    ASSERT_EQ(layer.ranges.size(), 5u) << layer.layer;
    for (const ObserverChoice& choice : layer.ranges) {
      CalibrationOptions alone = options;
      alone.observer.method = choice.method;
      const Calibration c = calibrate(s.model, preset("int8"), data.inputs, alone);
      EXPECT_EQ(c.input_ranges.at(layer.layer).min, choice.range.min) << layer.layer;
      EXPECT_EQ(c.input_ranges.at(layer.layer).max, choice.range.max) << layer.layer;
      EXPECT_GE(choice.clipped_fraction, 0.0);
      EXPECT_LE(choice.clipped_fraction, 1.0);
      EXPECT_GE(choice.kl, 0.0);
    }
    EXPECT_EQ(layer.ranges[0].clipped_fraction, 0.0) << "min-max clips nothing";
    EXPECT_TRUE(std::isfinite(layer.ranges[0].kl));
    // Every input value of the 150 examples is in the histogram.
    size_t index = 0;
    while (folded.layers[index].name != layer.layer) ++index;
    const Shape& input = index == 0 ? folded.input_shape : outputs[index - 1];
    const uint64_t total =
        std::accumulate(layer.histogram.counts.begin(), layer.histogram.counts.end(), uint64_t{0});
    EXPECT_EQ(total, 150 * input.element_count()) << layer.layer;
    EXPECT_EQ(layer.histogram.min, layer.ranges[0].range.min);
    EXPECT_EQ(layer.histogram.max, layer.ranges[0].range.max);
  }
}

}  // namespace
}  // namespace quantlab::quantization
