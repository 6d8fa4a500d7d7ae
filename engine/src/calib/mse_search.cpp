// The histogram MSE search (Eq. 19). Candidate clipping points are the bin edges plus the exact
// extremes, so every bin lies wholly inside or wholly outside a candidate range and the
// objective of one candidate is O(1) from prefix sums of the bins' moments.
#include <algorithm>
#include <limits>
#include <vector>

#include "calib/histogram_ranges.h"
#include "quantlab/quant.h"

namespace quantlab::calib {
namespace {

// Prefix sums over bins j < k of n_j, n_j·m_j and n_j·(m_j² + w²/12), where m_j is the bin's
// centre: with the values spread evenly over a bin, Σ (x - c)² over bins [k0, k1) is
// sq - 2c·first + c²·count of that slice.
class BinMoments {
 public:
  explicit BinMoments(const Histogram& histogram) {
    const auto counts = histogram.counts();
    const double width = histogram.bin_width();
    count_.assign(counts.size() + 1, 0);
    first_.assign(counts.size() + 1, 0);
    second_.assign(counts.size() + 1, 0);
    for (size_t k = 0; k < counts.size(); ++k) {
      const auto n = static_cast<double>(counts[k]);
      const double centre = histogram.lower_edge(k) + width / 2;
      count_[k + 1] = count_[k] + n;
      first_[k + 1] = first_[k] + n * centre;
      second_[k + 1] = second_[k] + n * (centre * centre + width * width / 12);
    }
  }

  size_t bins() const { return count_.size() - 1; }
  double count(size_t begin, size_t end) const { return count_[end] - count_[begin]; }
  // Σ (x - clip)² over the values of bins [begin, end).
  double squared_distance(size_t begin, size_t end, double clip) const {
    return second_[end] - second_[begin] - 2 * clip * (first_[end] - first_[begin]) +
           clip * clip * count(begin, end);
  }

 private:
  std::vector<double> count_, first_, second_;
};

// A candidate clipping point and the bins it leaves on its far side: bins [0, bin) below a
// lower clip, bins [bin, end) above an upper clip.
struct Clip {
  double value;
  size_t bin;
};

}  // namespace

Range mse_range(const Histogram& values, int bits) {
  const BinMoments moments(values);
  const IntRange ints = int_range(bits, false);
  const double levels = ints.qmax - ints.qmin;
  // Clipping points inside the data, widest first. Eq. 5 widens a range to contain 0, so a
  // lower clip above 0 (or upper below 0) would act as 0, which 0 itself, a bin edge, covers.
  std::vector<Clip> lows{{values.min(), 0}};
  std::vector<Clip> highs{{values.max(), moments.bins()}};
  for (size_t k = 1; k < moments.bins(); ++k) {
    const double edge = values.lower_edge(k);
    if (edge <= 0) lows.push_back({edge, k});
  }
  for (size_t k = moments.bins() - 1; k >= 1; --k) {
    const double edge = values.lower_edge(k);
    if (edge >= 0) highs.push_back({edge, k});
  }

  Range best{values.min(), values.max()};
  double best_error = std::numeric_limits<double>::infinity();
  for (const Clip& low : lows) {
    for (const Clip& high : highs) {
      const double span = std::max(high.value, 0.0) - std::min(low.value, 0.0);
      if (span <= 0) continue;
      const double scale = span / levels;
      // Eq. 19: rounding noise scale²/12 per value inside, squared distance to the clip outside.
      const double error = moments.count(low.bin, high.bin) * scale * scale / 12 +
                           moments.squared_distance(0, low.bin, low.value) +
                           moments.squared_distance(high.bin, moments.bins(), high.value);
      if (error < best_error) {
        best_error = error;
        best = {static_cast<float>(low.value), static_cast<float>(high.value)};
      }
    }
  }
  return best;
}

float mse_threshold(const Histogram& magnitudes, int bits) {
  const BinMoments moments(magnitudes);
  const double qmax = int_range(bits, true).qmax;
  // Eq. 19 for [-t, t]: the extra negative level of Eq. 6's grid (qmin = -qmax - 1) is ignored.
  const auto error = [&](Clip clip) {
    const double scale = clip.value / qmax;
    return moments.count(0, clip.bin) * scale * scale / 12 +
           moments.squared_distance(clip.bin, moments.bins(), clip.value);
  };
  Clip best{magnitudes.max(), moments.bins()};
  double best_error = error(best);
  for (size_t k = moments.bins() - 1; k >= 1; --k) {
    const Clip candidate{magnitudes.lower_edge(k), k};
    const double candidate_error = error(candidate);
    if (candidate_error < best_error) {
      best_error = candidate_error;
      best = candidate;
    }
  }
  return static_cast<float>(best.value);
}

}  // namespace quantlab::calib
