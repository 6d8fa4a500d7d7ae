// The activation observer: exact extremes, the moving average of Eq. 17, and the histograms the
// percentile (Eq. 18), MSE (Eq. 19) and entropy (Eq. 20) estimators read.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "calib/histogram.h"
#include "calib/histogram_ranges.h"
#include "quantlab/calib.h"
#include "quantlab/error.h"

namespace quantlab::calib {
namespace {

// Fewer bins than the 16 levels of a 4-bit grid could not resolve any mapping; more than 2^20
// would break the fixed small memory the observer promises.
constexpr size_t kMinBins = 16;
constexpr size_t kMaxBins = size_t{1} << 20;

bool uses_histograms(Method method) {
  return method == Method::percentile || method == Method::mse || method == Method::entropy;
}

}  // namespace

void validate_options(const ObserverOptions& options) {
  // Written as "not inside" so that NaN is rejected too.
  require(options.percentile > 50 && options.percentile <= 100, [&] {
    return "percentile must be in (50, 100], got " + std::to_string(options.percentile);
  });
  require(options.averaging_constant > 0 && options.averaging_constant <= 1, [&] {
    return "averaging_constant must be in (0, 1], got " +
           std::to_string(options.averaging_constant);
  });
  require(options.bins >= kMinBins && options.bins <= kMaxBins, [&] {
    return "bins must be in [" + std::to_string(kMinBins) + ", " + std::to_string(kMaxBins) +
           "], got " + std::to_string(options.bins);
  });
}

struct Observer::State {
  ObserverOptions options;
  size_t count = 0;
  float min = 0;  // exact extremes of everything observed
  float max = 0;
  float average_min = 0;  // Eq. 17
  float average_max = 0;
  // x for the asymmetric percentile and MSE ranges, |x| for the symmetric ones and entropy.
  std::optional<Histogram> values;
  std::optional<Histogram> magnitudes;
};

Observer::Observer(const ObserverOptions& options) : state_(std::make_unique<State>()) {
  validate_options(options);
  state_->options = options;
  if (uses_histograms(options.method)) {
    state_->magnitudes.emplace(options.bins, Histogram::Of::magnitudes);
    if (options.method != Method::entropy) {
      state_->values.emplace(options.bins, Histogram::Of::values);
    }
  }
}

Observer::~Observer() = default;
Observer::Observer(Observer&&) noexcept = default;
Observer& Observer::operator=(Observer&&) noexcept = default;

void Observer::observe(std::span<const float> values) {
  require(!values.empty(), "observed batch is empty");
  const FloatRange batch = float_range(values);
  if (!batch.finite) require_finite(values, "observed batch");  // throws, naming the index
  State& s = *state_;
  if (s.count == 0) {
    s.min = s.average_min = batch.min;
    s.max = s.average_max = batch.max;
  } else {
    s.min = std::min(s.min, batch.min);
    s.max = std::max(s.max, batch.max);
    // Eq. 17, in float as PyTorch's MovingAverageMinMaxObserver computes it.
    const float c = s.options.averaging_constant;
    s.average_min += c * (batch.min - s.average_min);
    s.average_max += c * (batch.max - s.average_max);
  }
  if (s.values) s.values->add(values);
  if (s.magnitudes) s.magnitudes->add(values);
  s.count += values.size();
}

size_t Observer::count() const { return state_->count; }

Range Observer::range(int bits, bool symmetric) const {
  const State& s = *state_;
  require(s.count > 0, "range() needs at least one observed batch");
  int_range(bits, symmetric);  // throws unless bits is 8 or 4
  const size_t grid_levels = size_t{1} << bits;
  require(!uses_histograms(s.options.method) || s.options.bins >= grid_levels, [&] {
    return "bins must be at least 2^bits = " + std::to_string(grid_levels) + " for " +
           std::to_string(bits) + "-bit ranges, got " + std::to_string(s.options.bins);
  });

  switch (s.options.method) {
    case Method::minmax:
      return {s.min, s.max};
    case Method::moving_average_minmax:
      return {s.average_min, s.average_max};
    case Method::percentile: {
      const double fraction = s.options.percentile / 100;
      if (symmetric) {
        const float t = histogram_percentile(*s.magnitudes, fraction);
        return {-t, t};
      }
      return {histogram_percentile(*s.values, 1 - fraction),
              histogram_percentile(*s.values, fraction)};
    }
    case Method::mse: {
      if (!symmetric) return mse_range(*s.values, bits);
      const float t = mse_threshold(*s.magnitudes, bits);
      return {-t, t};
    }
    case Method::entropy: {
      // Non-negative data (ReLU outputs) is clipped to [0, t]; an asymmetric grid then spends
      // all 2^bits levels on it, a symmetric one only its positive half.
      const bool non_negative = s.min >= 0;
      const size_t levels = non_negative && !symmetric ? grid_levels : grid_levels / 2;
      const float t = entropy_threshold(*s.magnitudes, levels);
      return {non_negative ? 0.0f : -t, t};
    }
  }
  return {s.min, s.max};
}

ValueHistogram Observer::histogram() const {
  const State& s = *state_;
  require(s.values.has_value(), [&] {
    return std::string("only the percentile and mse observers keep a histogram of x, not ") +
           method_name(s.options.method);
  });
  require(s.count > 0, "histogram() needs at least one observed batch");
  const auto counts = s.values->counts();
  return {
      s.values->lower_edge(0), s.values->bin_width(), {counts.begin(), counts.end()}, s.min, s.max};
}

}  // namespace quantlab::calib
