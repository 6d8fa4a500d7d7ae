// The clipped fraction (Eq. 50) and the quantization KL (Eq. 51) on histograms whose answers
// follow by hand, and on an observer's own histogram.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "io/expect_error.h"
#include "quantlab/calib.h"

namespace quantlab::calib {
namespace {

// Four unit bins over [0, 4), ten values each, extremes exactly at the ends.
ValueHistogram four_bins() { return {0.0, 1.0, {10, 10, 10, 10}, 0.0f, 4.0f}; }

TEST(ClippedFraction, CountsTheBinsWhollyOutsideTheRange) {
  const ValueHistogram h = four_bins();
  EXPECT_DOUBLE_EQ(clipped_fraction(h, {0.0f, 4.0f}), 0.0);
  // [1.5, 2.5]: bins 0 and 3 lie outside; bins 1 and 2 hold the range's ends and count as kept.
  EXPECT_DOUBLE_EQ(clipped_fraction(h, {1.5f, 2.5f}), 20.0 / 40.0);
  EXPECT_DOUBLE_EQ(clipped_fraction(h, {5.0f, 6.0f}), 1.0);
}

TEST(ClippedFraction, NoValueLiesBeyondTheExactExtremes) {
  // Bin [0, 1) holds values only up to the maximum 0.5: a range from 0.6 clips all of them, one
  // ending a hair inside the maximum none (the histogram cannot tell how many sit above it).
  const ValueHistogram h{0.0, 1.0, {8}, 0.0f, 0.5f};
  EXPECT_DOUBLE_EQ(clipped_fraction(h, {0.6f, 1.0f}), 1.0);
  EXPECT_DOUBLE_EQ(clipped_fraction(h, {0.0f, 0.499f}), 0.0);
}

TEST(QuantizationKl, ZeroWhenEveryBinHasItsOwnLevel) {
  // 256 bins of width 1/255 over [0, 1]: the 8-bit grid over [0, 1] has a level per bin.
  ValueHistogram h{0.0, 1.0 / 255, std::vector<uint64_t>(256, 3), 0.0f, 1.0f};
  EXPECT_NEAR(quantization_kl(h, {0.0f, 1.0f}, 8), 0.0, 1e-12);
}

TEST(QuantizationKl, CoarseGridsAndClippingLoseInformation) {
  // 60 bins of width 1/4 over [0, 15]; the 4-bit grid over [0, 15] has step 1, so level j takes
  // the bins whose centres round to j: bins 0-1 (level 0), 4j-2 … 4j+1 (levels 1-14), 58-59 (15).
  ValueHistogram h{0.0, 0.25, {}, 0.0f, 15.0f};
  for (uint64_t k = 0; k < 60; ++k) h.counts.push_back(k % 4 == 2 ? 10 : 1);
  EXPECT_NEAR(quantization_kl(h, {0.0f, 15.0f}, 8), 0.0, 1e-12);  // step 1/17: a level per bin
  // Levels 1-14 hold {10, 1, 1, 1} against Q = 13/4 each, level 15 {10, 1} against 11/2.
  const double expected = (14 * (10 * std::log(40.0 / 13) + 3 * std::log(4.0 / 13)) +
                           10 * std::log(20.0 / 11) + std::log(2.0 / 11)) /
                          195;
  const double coarse = quantization_kl(h, {0.0f, 15.0f}, 4);
  EXPECT_NEAR(coarse, expected, 1e-9);
  // Clipping at 7.5 folds the top half into one bin: more divergence than the full range.
  EXPECT_GT(quantization_kl(h, {0.0f, 7.5f}, 4), coarse);
}

TEST(QuantizationKl, RejectsEmptyHistogramsAndOtherBitWidths) {
  EXPECT_ERROR(quantization_kl({}, {0.0f, 1.0f}, 8), "non-empty");
  EXPECT_ERROR(quantization_kl(four_bins(), {0.0f, 4.0f}, 3), "bits must be 8 or 4");
}

TEST(ObserverHistogram, HoldsEveryValueOfThePercentileAndMseObservers) {
  for (const Method method : {Method::percentile, Method::mse}) {
    Observer observer({.method = method, .bins = 16});
    observer.observe(std::vector<float>{-1.0f, 0.0f, 2.5f});
    observer.observe(std::vector<float>{3.0f});
    const ValueHistogram h = observer.histogram();
    uint64_t total = 0;
    for (uint64_t n : h.counts) total += n;
    EXPECT_EQ(total, 4u);
    EXPECT_EQ(h.min, -1.0f);
    EXPECT_EQ(h.max, 3.0f);
    EXPECT_LE(h.first_edge, -1.0);
    EXPECT_GT(h.first_edge + h.bin_width * static_cast<double>(h.counts.size()), 3.0);
  }
}

TEST(ObserverHistogram, OtherMethodsKeepNoHistogramOfX) {
  Observer observer({.method = Method::minmax});
  observer.observe(std::vector<float>{1.0f});
  EXPECT_ERROR(observer.histogram(), "histogram of x");
}

}  // namespace
}  // namespace quantlab::calib
