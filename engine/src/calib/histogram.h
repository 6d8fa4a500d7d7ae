// A fixed-memory histogram for the single-pass calibration observers (docs/quantization.md,
// §11.1). Bin k of the grid covers [k·w, (k+1)·w) with w = 2^e a power of two, so 0 is always
// a bin edge and coarsening merges whole bins exactly. w is the finest power of two for which
// every value seen so far fits into `bins` consecutive bins; a batch that falls outside widens
// w (merging pairs of bins, repeatedly) and moves the window. The counts therefore depend only
// on the multiset of values seen, never on how it was cut into batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace quantlab::calib {

class Histogram {
 public:
  enum class Of : uint8_t {
    values,      // x itself; the bins span [min, max]
    magnitudes,  // |x|; the bins span [0, max|x|], so the first bin starts at 0
  };

  Histogram(size_t bins, Of of);

  // `values` must be non-empty and finite (the observer checks).
  void add(std::span<const float> values);

  uint64_t total() const { return total_; }
  // Exact extremes of what was binned (of |x| for magnitudes).
  float min() const { return min_; }
  float max() const { return max_; }
  double bin_width() const;
  // The occupied bins, from the one holding the minimum (0 for magnitudes) to the one holding
  // the maximum; at most `bins` of them.
  std::span<const uint64_t> counts() const;
  // Lower edge of counts()[k].
  double lower_edge(size_t k) const;

 private:
  int exponent_for(double low, double high) const;
  void rebin(int exponent, int64_t first);

  Of of_;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  float min_ = 0;
  float max_ = 0;
  int exponent_ = 0;   // w = 2^exponent_
  int64_t first_ = 0;  // absolute index of counts_[0]
  size_t occupied_ = 0;
};

}  // namespace quantlab::calib
