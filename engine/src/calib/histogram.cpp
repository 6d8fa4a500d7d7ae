#include "calib/histogram.h"

#include <algorithm>
#include <cmath>

namespace quantlab::calib {
namespace {

// Bins finer than 2^-40 of the largest magnitude resolve nothing a float can tell apart, and
// the bound keeps every bin index below 2^42 (an all-zero input has no magnitude: any width
// represents it, the smallest float exponent is used).
int finest_exponent(double magnitude) {
  constexpr int kFinestBelowMagnitude = 40;
  return magnitude > 0 ? std::ilogb(magnitude) - kFinestBelowMagnitude : -149;
}

int64_t bin_index(double value, double inverse_width) {
  return static_cast<int64_t>(std::floor(value * inverse_width));
}

}  // namespace

Histogram::Histogram(size_t bins, Of of) : of_(of), counts_(bins, 0) {}

double Histogram::bin_width() const { return std::ldexp(1.0, exponent_); }

std::span<const uint64_t> Histogram::counts() const { return {counts_.data(), occupied_}; }

double Histogram::lower_edge(size_t k) const {
  return static_cast<double>(first_ + static_cast<int64_t>(k)) * bin_width();
}

// The finest w = 2^e (never finer than the current one, so bins only ever merge) whose grid
// holds [low, high] in counts_.size() bins. Coarser grids never need more bins, so the search
// upwards finds the same e whatever order the data came in.
int Histogram::exponent_for(double low, double high) const {
  int exponent = finest_exponent(std::max(std::fabs(low), std::fabs(high)));
  if (total_ > 0) exponent = std::max(exponent, exponent_);
  const auto bins_needed = [&](int e) {
    const double inverse_width = std::ldexp(1.0, -e);
    return static_cast<uint64_t>(bin_index(high, inverse_width) - bin_index(low, inverse_width)) +
           1;
  };
  while (bins_needed(exponent) > counts_.size()) ++exponent;
  return exponent;
}

void Histogram::rebin(int exponent, int64_t first) {
  // Bin k of width 2^e lies inside bin floor(k / 2^(e'-e)) of width 2^e': an exact merge.
  const int shift = std::min(exponent - exponent_, 63);
  std::vector<uint64_t> merged(counts_.size(), 0);
  for (size_t k = 0; k < occupied_; ++k) {
    const int64_t absolute = (first_ + static_cast<int64_t>(k)) >> shift;
    merged[static_cast<size_t>(absolute - first)] += counts_[k];
  }
  counts_ = std::move(merged);
}

void Histogram::add(std::span<const float> values) {
  const auto binned = [&](float x) { return of_ == Of::magnitudes ? std::fabs(x) : x; };
  float batch_min = binned(values[0]);
  float batch_max = batch_min;
  for (const float x : values) {
    batch_min = std::min(batch_min, binned(x));
    batch_max = std::max(batch_max, binned(x));
  }
  const float min = total_ == 0 ? batch_min : std::min(min_, batch_min);
  const float max = total_ == 0 ? batch_max : std::max(max_, batch_max);
  const double low = of_ == Of::magnitudes ? 0.0 : min;

  const int exponent = exponent_for(low, max);
  const double inverse_width = std::ldexp(1.0, -exponent);
  const int64_t first = bin_index(low, inverse_width);
  if (total_ > 0 && (exponent != exponent_ || first != first_)) rebin(exponent, first);
  exponent_ = exponent;
  first_ = first;
  occupied_ = static_cast<size_t>(bin_index(max, inverse_width) - first) + 1;
  min_ = min;
  max_ = max;

  for (const float x : values) {
    ++counts_[static_cast<size_t>(bin_index(binned(x), inverse_width) - first)];
  }
  total_ += values.size();
}

}  // namespace quantlab::calib
