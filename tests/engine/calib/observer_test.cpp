// Calibration observers on small inputs whose ranges follow by hand (docs/quantization.md, §11),
// batch-split invariance, and option validation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "io/expect_error.h"
#include "quantlab/calib.h"

namespace quantlab::calib {
namespace {

Observer observer_of(Method method, size_t bins = 16) {
  return Observer({.method = method, .bins = bins});
}

void expect_range(const Range& range, float min, float max) {
  EXPECT_FLOAT_EQ(range.min, min);
  EXPECT_FLOAT_EQ(range.max, max);
}

TEST(MinMaxObserver, CoversEverythingObserved) {
  Observer observer = observer_of(Method::minmax);
  observer.observe(std::vector<float>{1.0f, -2.0f});
  observer.observe(std::vector<float>{3.0f});
  EXPECT_EQ(observer.count(), 3u);
  expect_range(observer.range(8, false), -2.0f, 3.0f);
}

TEST(MovingAverageObserver, FirstBatchSetsTheRangeLaterBatchesMoveItByC) {
  Observer observer({.method = Method::moving_average_minmax, .averaging_constant = 0.5f});
  observer.observe(std::vector<float>{-1.0f, 2.0f});
  expect_range(observer.range(8, false), -1.0f, 2.0f);
  // Eq. 17: min = -1 + 0.5·(-3 - (-1)) = -2, max = 2 + 0.5·(4 - 2) = 3.
  observer.observe(std::vector<float>{-3.0f, 4.0f});
  expect_range(observer.range(8, false), -2.0f, 3.0f);
}

// 0, 1, ..., 15 on 16 bins: the finest power-of-two width holding [0, 15] is 1, one value per
// bin [k, k+1).
std::vector<float> zero_to_fifteen() {
  std::vector<float> values;
  for (int k = 0; k < 16; ++k) values.push_back(static_cast<float>(k));
  return values;
}

TEST(PercentileObserver, InterpolatesInsideTheBin) {
  Observer observer({.method = Method::percentile, .percentile = 90, .bins = 16});
  observer.observe(zero_to_fifteen());
  // Eq. 18, upper: rank 0.9·16 = 14.4; 14 values lie below bin 14, so 14 + 0.4/1 = 14.4.
  // Lower: rank 0.1·16 = 1.6 falls in bin 1 after 1 value: 1 + 0.6 = 1.6.
  // (16 bins resolve 4-bit ranges.)
  expect_range(observer.range(4, false), 1.6f, 14.4f);
  // Symmetric: |x| has the same histogram, ±14.4.
  expect_range(observer.range(4, true), -14.4f, 14.4f);
}

TEST(PercentileObserver, HundredIsTheExactRange) {
  Observer observer({.method = Method::percentile, .percentile = 100});
  observer.observe(std::vector<float>{-0.3f, 0.7f, 0.1f});
  expect_range(observer.range(8, false), -0.3f, 0.7f);
  expect_range(observer.range(8, true), -0.7f, 0.7f);
}

// 588 values at 0.5 and one at 15 on 16 bins of width 1 (bin 0 and bin 15).
std::vector<float> bulk_and_one_outlier() {
  std::vector<float> values(588, 0.5f);
  values.push_back(15.0f);
  return values;
}

TEST(MseObserver, SymmetricBalancesRoundingNoiseAgainstClipping) {
  Observer observer = observer_of(Method::mse);
  observer.observe(bulk_and_one_outlier());
  // Eq. 19 with 4-bit symmetric, t an edge j < 15: scale t/7, noise 588·(t/7)²/12 = t²;
  // the outlier's bin [15, 16) is clipped at t: (15.5 - t)² + 1/12.
  // t = 7: 49 + 72.25 = 121.25; t = 8: 64 + 56.25 = 120.25; t = 9: 81 + 42.25 = 123.25
  // (each + 1/12); t = 15 = max clips nothing: 589·(15/7)²/12 = 225.4. So t = 8.
  expect_range(observer.range(4, true), -8.0f, 8.0f);
}

TEST(MseObserver, AsymmetricClipsTheTopAndKeepsTheBottom) {
  Observer observer = observer_of(Method::mse);
  observer.observe(bulk_and_one_outlier());
  // All values are positive, so Eq. 5 widens every lower clip to 0 and only b matters:
  // scale b/15, noise 588·(b/15)²/12 = 588·b²/2700, clipping (15.5 - b)² + 1/12.
  // b = 12: 31.36 + 12.25 = 43.61; b = 13: 36.80 + 6.25 = 43.05; b = 14: 42.68 + 2.25 = 44.93;
  // b = 15 = max: 589·225/2700 = 49.08. So b = 13; a stays at the minimum (ties keep it wide).
  expect_range(observer.range(4, false), 0.5f, 13.0f);
}

TEST(EntropyObserver, ClipsWhereThePlantedOutlierCostsLeastDivergence) {
  // |x| on 16 bins of width 1: bins 0..7 hold 50, 150, 100, 100, 100, 100, 100, 100 values
  // (at k + 0.5) and bin 15 the outlier -15. Signed data, 4 bits: 8 levels (Eq. 20).
  std::vector<float> values(50, 0.5f);
  values.insert(values.end(), 150, 1.5f);
  for (int k = 2; k < 8; ++k) values.insert(values.end(), 100, static_cast<float>(k) + 0.5f);
  values.push_back(-15.0f);
  Observer observer = observer_of(Method::entropy);
  observer.observe(values);
  // i = 8: one bin per level, Q = bins 0..7 (800), P the same with the outlier in bin 7 (801):
  //   KL = (700/801)·ln(800/801) + (101/801)·ln(808/801) = 5.4e-6.
  // i = 9..15: level 7 spans bin 7 (100) and bin i-1 holding only the outlier, so Q gives each
  //   50: KL = (700/801)·ln(800/801) + (100/801)·ln(1.9975) + (1/801)·ln(0.019975) = 0.0804.
  // i = 16: nothing clipped; levels pair the bins, (50, 150) averages to (100, 100):
  //   KL = (50/801)·ln(0.5) + (150/801)·ln(1.5) = 0.0327.
  // So t = 8 (the upper edge of bin 7), range [-8, 8].
  expect_range(observer.range(4, true), -8.0f, 8.0f);
}

TEST(EntropyObserver, NonNegativeDataGivesARangeFromZero) {
  std::vector<float> values;
  for (int k = 0; k < 1000; ++k) values.push_back(static_cast<float>(k % 100) / 10.0f);
  Observer observer = observer_of(Method::entropy, 2048);
  observer.observe(values);
  const Range range = observer.range(8, false);
  EXPECT_EQ(range.min, 0.0f);
  EXPECT_GT(range.max, 0.0f);
  EXPECT_LE(range.max, 9.9f);
}

// A deterministic, irregular data set with both signs and a long tail.
std::vector<float> irregular_values() {
  std::vector<float> values;
  uint32_t state = 12345;
  for (int i = 0; i < 5000; ++i) {
    state = state * 1664525u + 1013904223u;
    const float u = static_cast<float>(state >> 8) / 16777216.0f;
    values.push_back((u - 0.3f) * (u - 0.3f) * (u < 0.5f ? -40.0f : 25.0f) + 0.01f * i);
  }
  return values;
}

TEST(Observer, RangeDoesNotDependOnHowTheSetIsCutIntoBatches) {
  const std::vector<float> values = irregular_values();
  for (const Method method : {Method::minmax, Method::percentile, Method::mse, Method::entropy}) {
    Observer whole = observer_of(method, 512);
    whole.observe(values);
    Observer pieces = observer_of(method, 512);
    // Uneven pieces; the later ones widen the histogram on both sides.
    const size_t cuts[] = {0, 7, 300, 301, 2000, 3999, values.size()};
    for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
      pieces.observe(std::span(values).subspan(cuts[i], cuts[i + 1] - cuts[i]));
    }
    for (const int bits : {8, 4}) {
      for (const bool symmetric : {false, true}) {
        SCOPED_TRACE(std::string(method_name(method)) + " bits " + std::to_string(bits) +
                     (symmetric ? " symmetric" : " asymmetric"));
        const Range a = whole.range(bits, symmetric);
        const Range b = pieces.range(bits, symmetric);
        EXPECT_EQ(a.min, b.min);
        EXPECT_EQ(a.max, b.max);
        EXPECT_LE(a.min, a.max);
      }
    }
  }
}

TEST(Observer, RejectsOptionsNamingTheField) {
  ObserverOptions options;
  options.percentile = 50;
  EXPECT_ERROR(validate_options(options), "percentile");
  options.percentile = 100.5;
  EXPECT_ERROR(Observer{options}, "percentile");
  options.percentile = std::numeric_limits<double>::quiet_NaN();
  EXPECT_ERROR(validate_options(options), "percentile");
  options = {};
  options.averaging_constant = 0;
  EXPECT_ERROR(validate_options(options), "averaging_constant");
  options.averaging_constant = 1.5f;
  EXPECT_ERROR(validate_options(options), "averaging_constant");
  options = {};
  options.bins = 8;
  EXPECT_ERROR(validate_options(options), "bins");
}

TEST(Observer, HistogramNeedsAtLeastOneBinPerLevel) {
  Observer observer = observer_of(Method::percentile, 128);
  observer.observe(std::vector<float>{1.0f, 2.0f});
  EXPECT_ERROR(observer.range(8, false), "bins must be at least 2^bits = 256");
  EXPECT_NO_THROW(observer.range(4, false));
  EXPECT_ERROR(observer.range(5, false), "bits");
}

TEST(Observer, RejectsNonFiniteValuesNamingTheIndex) {
  Observer observer = observer_of(Method::entropy);
  EXPECT_ERROR(observer.observe(std::vector<float>{1.0f, 2.0f, NAN}), "NaN at index 2");
  EXPECT_ERROR(observer.observe(std::vector<float>{INFINITY}), "Inf at index 0");
  EXPECT_ERROR(observer.observe(std::vector<float>{}), "empty");
  EXPECT_EQ(observer.count(), 0u);
}

TEST(Observer, RangeNeedsAnObservation) {
  for (const Method method : {Method::minmax, Method::moving_average_minmax, Method::mse}) {
    EXPECT_ERROR(observer_of(method).range(8, false), "at least one observed batch");
  }
}

TEST(Observer, AllZeroInputGivesAZeroRange) {
  for (const Method method : {Method::minmax, Method::percentile, Method::mse, Method::entropy}) {
    Observer observer = observer_of(method);
    observer.observe(std::vector<float>(10, 0.0f));
    const Range range = observer.range(4, false);
    EXPECT_EQ(range.min, 0.0f) << method_name(method);
    EXPECT_EQ(range.max, 0.0f) << method_name(method);
  }
}

TEST(MethodNames, RoundTripAndRejectUnknownNames) {
  for (const Method method : {Method::minmax, Method::moving_average_minmax, Method::percentile,
                              Method::mse, Method::entropy}) {
    EXPECT_EQ(parse_method(method_name(method)), method);
  }
  EXPECT_ERROR(parse_method("kl"),
               "unknown calibration method \"kl\"; valid: minmax, moving_average_minmax, "
               "percentile, mse, entropy");
  for (const WeightRange range : {WeightRange::minmax, WeightRange::mse}) {
    EXPECT_EQ(parse_weight_range(weight_range_name(range)), range);
  }
  EXPECT_ERROR(parse_weight_range("entropy"),
               "unknown weight range \"entropy\"; valid: minmax, mse");
}

}  // namespace
}  // namespace quantlab::calib
