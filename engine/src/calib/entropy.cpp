// TensorRT's entropy calibration (Eq. 20), on the histogram of |x|.
#include <cmath>
#include <limits>
#include <vector>

#include "calib/histogram_ranges.h"

namespace quantlab::calib {
namespace {

// KL(P‖Q) for the threshold at the upper edge of bin `end` - 1, or +inf where Q misses mass
// that P has (that threshold cannot represent the data, so it never wins).
double clipping_divergence(std::span<const uint64_t> counts, size_t end, size_t levels) {
  // P: the bins below the threshold, with everything clipped folded into the last one.
  std::vector<double> reference(counts.begin(), counts.begin() + static_cast<ptrdiff_t>(end));
  for (size_t k = end; k < counts.size(); ++k) reference[end - 1] += static_cast<double>(counts[k]);

  // Q: the same bins without the clipped mass, summed into `levels` levels of end / levels bins
  // (the last level also takes the remainder), each level's sum spread evenly over the bins of
  // that level where P is non-zero.
  std::vector<double> candidate(end, 0);
  const size_t bins_per_level = end / levels;
  for (size_t level = 0; level < levels; ++level) {
    const size_t begin = level * bins_per_level;
    const size_t stop = level + 1 == levels ? end : begin + bins_per_level;
    double sum = 0;
    size_t non_zero = 0;
    for (size_t k = begin; k < stop; ++k) {
      sum += static_cast<double>(counts[k]);
      non_zero += reference[k] > 0;
    }
    for (size_t k = begin; k < stop; ++k) {
      if (reference[k] > 0) candidate[k] = sum / static_cast<double>(non_zero);
    }
  }

  double reference_total = 0;
  double candidate_total = 0;
  for (size_t k = 0; k < end; ++k) {
    reference_total += reference[k];
    candidate_total += candidate[k];
  }
  double divergence = 0;
  for (size_t k = 0; k < end; ++k) {
    if (reference[k] == 0) continue;
    if (candidate[k] == 0) return std::numeric_limits<double>::infinity();
    const double p = reference[k] / reference_total;
    divergence += p * std::log(p / (candidate[k] / candidate_total));
  }
  return divergence;
}

}  // namespace

float entropy_threshold(const Histogram& magnitudes, size_t levels) {
  const auto counts = magnitudes.counts();
  // Candidates run from `levels` bins (one bin per level) to all bins, widest first so that
  // ties keep the wider range. A histogram with no more bins than levels cannot be clipped
  // more finely than the quantizer resolves: it keeps the whole range.
  float best = magnitudes.max();
  double best_divergence = std::numeric_limits<double>::infinity();
  for (size_t end = counts.size(); end >= levels; --end) {
    const double divergence = clipping_divergence(counts, end, levels);
    if (divergence < best_divergence) {
      best_divergence = divergence;
      best =
          end == counts.size() ? magnitudes.max() : static_cast<float>(magnitudes.lower_edge(end));
    }
  }
  return best;
}

}  // namespace quantlab::calib
