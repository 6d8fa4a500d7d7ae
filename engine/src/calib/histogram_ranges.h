// The range estimators that read a Histogram (docs/quantization.md, §11). Each is a pure
// function of the histogram, so the observer's range does not depend on batching.
#pragma once

#include "calib/histogram.h"
#include "quantlab/calib.h"

namespace quantlab::calib {

// The value below which `fraction` of the histogram's mass lies, values spread uniformly
// inside each bin, clamped to the exact [min, max] (Eq. 18).
float histogram_percentile(const Histogram& histogram, double fraction);

// The clipping range [a, b] of x minimizing the modelled MSE of an asymmetric `bits`-bit
// mapping (Eq. 19).
Range mse_range(const Histogram& values, int bits);
// The clipping threshold t of |x| minimizing the modelled MSE of a symmetric `bits`-bit
// mapping of [-t, t] (Eq. 19).
float mse_threshold(const Histogram& magnitudes, int bits);

// The threshold t of |x| minimizing KL(P‖Q) when [0, t] is cut into `levels` levels (Eq. 20).
float entropy_threshold(const Histogram& magnitudes, size_t levels);

}  // namespace quantlab::calib
