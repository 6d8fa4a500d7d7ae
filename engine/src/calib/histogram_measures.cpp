// What a clipping range does to an observed histogram: the fraction it clips (Eq. 50) and the
// KL divergence of the quantized distribution from the observed one (Eq. 51). The lab draws
// these next to each layer's activation histogram. Both resolve the range to whole bins: a bin
// holding one of its ends counts as kept, so a range a hair inside the extremes (MSE's candidates
// are bin edges) does not read as clipping a spike at the extreme.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "quantlab/calib.h"
#include "quantlab/error.h"

namespace quantlab::calib {
namespace {

// Bin k's support: its edges, narrowed to the exact extremes (no value lies beyond them).
struct Support {
  double low;
  double high;
};

Support support(const ValueHistogram& h, size_t k) {
  const double low = h.first_edge + static_cast<double>(k) * h.bin_width;
  return {std::max(low, static_cast<double>(h.min)),
          std::min(low + h.bin_width, static_cast<double>(h.max))};
}

// The bin holding x, clamped to the occupied bins.
size_t bin_of(const ValueHistogram& h, double x) {
  const double k = std::floor((x - h.first_edge) / h.bin_width);
  return static_cast<size_t>(std::clamp(k, 0.0, static_cast<double>(h.counts.size() - 1)));
}

}  // namespace

double clipped_fraction(const ValueHistogram& h, Range range) {
  double total = 0;
  double clipped = 0;
  for (size_t k = 0; k < h.counts.size(); ++k) {
    const auto n = static_cast<double>(h.counts[k]);
    total += n;
    const Support s = support(h, k);
    if (s.high < range.min || s.low > range.max) clipped += n;
  }
  return total == 0 ? 0 : clipped / total;
}

double quantization_kl(const ValueHistogram& h, Range range, int bits) {
  require(!h.counts.empty() && h.bin_width > 0, "quantization_kl needs a non-empty histogram");
  const IntRange grid = int_range(bits, false);  // throws unless bits is 8 or 4
  const AffineParams p = choose_params_minmax(range.min, range.max, bits, false);
  // P: the bins inside the range, the clipped ones folded into the first and last of them (the
  // quantizer maps them to the range's ends).
  const size_t first = bin_of(h, std::max(range.min, h.min));
  const size_t last = std::max(first, bin_of(h, std::min(range.max, h.max)));
  std::vector<double> reference(h.counts.begin() + static_cast<ptrdiff_t>(first),
                                h.counts.begin() + static_cast<ptrdiff_t>(last) + 1);
  for (size_t k = 0; k < first; ++k) reference.front() += static_cast<double>(h.counts[k]);
  for (size_t k = last + 1; k < h.counts.size(); ++k)
    reference.back() += static_cast<double>(h.counts[k]);
  // Each bin belongs to the grid level its centre (clamped to the range) rounds to (Eq. 40).
  std::vector<int32_t> level(reference.size());
  for (size_t k = 0; k < reference.size(); ++k) {
    const Support s = support(h, first + k);
    const double centre = std::clamp((s.low + s.high) / 2, static_cast<double>(range.min),
                                     static_cast<double>(range.max));
    const float q =
        round_half_to_even(static_cast<float>(centre) / p.scale) + static_cast<float>(p.zero_point);
    level[k] = std::clamp(static_cast<int32_t>(q), grid.qmin, grid.qmax);
  }
  // Q: each level's mass *without* the clipped values (as in Eq. 20, so clipping costs), spread
  // evenly over its bins where P is non-zero. Bins of one level are consecutive (the centres
  // increase), so one sweep over runs of equal levels builds Q.
  std::vector<double> candidate(reference.size(), 0);
  double reference_total = 0;
  double candidate_total = 0;
  for (size_t begin = 0; begin < reference.size();) {
    size_t end = begin;
    double mass = 0;
    size_t non_zero = 0;
    for (; end < reference.size() && level[end] == level[begin]; ++end) {
      mass += static_cast<double>(h.counts[first + end]);
      non_zero += reference[end] > 0;
      reference_total += reference[end];
    }
    for (size_t k = begin; k < end; ++k)
      if (reference[k] > 0) candidate[k] = mass / static_cast<double>(non_zero);
    candidate_total += mass;
    begin = end;
  }
  // +inf where clipped values land on a level that holds none of its own (Eq. 20's convention).
  double divergence = 0;
  for (size_t k = 0; k < reference.size(); ++k) {
    if (reference[k] == 0) continue;
    if (candidate[k] == 0) return std::numeric_limits<double>::infinity();
    const double p = reference[k] / reference_total;
    divergence += p * std::log(p / (candidate[k] / candidate_total));
  }
  return std::max(0.0, divergence);
}

}  // namespace quantlab::calib
