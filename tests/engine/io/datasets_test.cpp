// The dataset assets the build writes (scripts/build.d/10-datasets.sh): sizes and class balance.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "quantlab/io.h"

namespace quantlab {
namespace {

const std::string kDataDir = std::string(QUANTLAB_SOURCE_DIR) + "/build/data/";

std::array<size_t, kClassCount> class_counts(const Dataset& dataset) {
  std::array<size_t, kClassCount> counts{};
  for (uint8_t label : dataset.labels.values<uint8_t>()) ++counts[label];
  return counts;
}

TEST(Datasets, MnistSplitIsStratified) {
  const Dataset train = read_idx_dataset(kDataDir + "mnist", "train");
  const Dataset test = read_idx_dataset(kDataDir + "mnist", "test");
  ASSERT_EQ(train.size(), 8000u);
  ASSERT_EQ(test.size(), 2000u);
  EXPECT_EQ(train.images.shape(), (Shape{8000, 28, 28}));
  const auto train_counts = class_counts(train);
  const auto test_counts = class_counts(test);
  for (size_t label = 0; label < kClassCount; ++label) {
    // Each class gives the test split its share of 2,000 (largest remainder: within one).
    const double share = (train_counts[label] + test_counts[label]) * 0.2;
    EXPECT_LE(std::abs(static_cast<double>(test_counts[label]) - share), 1.0) << "digit " << label;
  }
  // Classes are interleaved, not sorted: the first 100 test items hold every digit.
  std::array<bool, kClassCount> seen{};
  for (size_t i = 0; i < 100; ++i) seen[test.labels.values<uint8_t>()[i]] = true;
  for (bool digit_seen : seen) EXPECT_TRUE(digit_seen);
}

TEST(Datasets, FashionMnistIsComplete) {
  const Dataset train = read_idx_dataset(kDataDir + "fashion-mnist", "train");
  const Dataset test = read_idx_dataset(kDataDir + "fashion-mnist", "test");
  ASSERT_EQ(train.size(), 60000u);
  ASSERT_EQ(test.size(), 10000u);
  for (size_t count : class_counts(train)) EXPECT_EQ(count, 6000u);
  for (size_t count : class_counts(test)) EXPECT_EQ(count, 1000u);
}

}  // namespace
}  // namespace quantlab
