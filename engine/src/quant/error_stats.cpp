// Round-trip error statistics (Eqs. 11-13), accumulated in double so that the statistic's own
// rounding stays far below the quantization error it measures.
#include <cmath>
#include <limits>
#include <string>

#include "quantlab/error.h"
#include "quantlab/quant.h"

namespace quantlab {

ErrorStats error_stats(std::span<const float> reference, std::span<const float> approx) {
  require(reference.size() == approx.size(), "error statistics need equal lengths, got " +
                                                 std::to_string(reference.size()) + " and " +
                                                 std::to_string(approx.size()));
  require(!reference.empty(), "error statistics need at least one value");
  double squared_error = 0, absolute_error = 0, signal = 0, max_error = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    const double x = reference[i];
    const double e = std::abs(x - static_cast<double>(approx[i]));
    squared_error += e * e;
    absolute_error += e;
    signal += x * x;
    max_error = std::max(max_error, e);
  }
  const double n = static_cast<double>(reference.size());
  ErrorStats stats;
  stats.mse = squared_error / n;
  stats.mean_abs_error = absolute_error / n;
  stats.max_abs_error = max_error;
  stats.signal_power = signal / n;
  stats.sqnr_db = stats.mse == 0 ? std::numeric_limits<double>::infinity()
                                 : 10.0 * std::log10(stats.signal_power / stats.mse);
  return stats;
}

}  // namespace quantlab
