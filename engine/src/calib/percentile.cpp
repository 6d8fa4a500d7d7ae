#include <algorithm>

#include "calib/histogram_ranges.h"

namespace quantlab::calib {

float histogram_percentile(const Histogram& histogram, double fraction) {
  // Eq. 18: the rank r = fraction·n falls in the first bin whose cumulative count reaches it;
  // inside that bin the values are taken as spread evenly over its width.
  const double rank = fraction * static_cast<double>(histogram.total());
  const auto counts = histogram.counts();
  double below = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    const auto count = static_cast<double>(counts[k]);
    if (count > 0 && below + count >= rank) {
      const double value = histogram.lower_edge(k) + (rank - below) / count * histogram.bin_width();
      return std::clamp(static_cast<float>(value), histogram.min(), histogram.max());
    }
    below += count;
  }
  return histogram.max();
}

}  // namespace quantlab::calib
