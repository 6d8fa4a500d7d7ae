// Int8 activations as the integer kernels consume them: widened to i16 and centered on their
// zero point (a - zero_point, exact in [-255, 255]), K padded with zeros to the weight block.
// Centering once per row of A replaces the per-output zero-point correction (zp · Σ_k w) with
// nothing, and i32x4.dot_i16x8 needs i16 lanes anyway.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantlab/impl.h"
#include "quantlab/quant.h"

namespace quantlab::kernels {

struct CenteredRows {
  size_t m = 0;
  size_t k = 0;                      // real values per row
  size_t kpad = 0;                   // stored values per row (k rounded up to the weight block)
  std::vector<int16_t> values;       // [m][kpad]
  std::vector<float> scales;         // per row
  std::vector<int32_t> zero_points;  // per row: the codes are values + zero point

  const int16_t* row(size_t i) const { return values.data() + i * kpad; }
};

// m rows of k zeros (padding included), scales 1, zero points 0: a buffer for activations
// written in place.
CenteredRows zero_rows(size_t m, size_t k);

// [m][groups]: Σ of each row's centered values over each group of group_size along K.
std::vector<int32_t> centered_group_sums(const CenteredRows& a, size_t group_size, size_t groups);

// Static activations: int8 codes that share one affine mapping.
CenteredRows center_rows_qs8(size_t m, const int8_t* a, size_t lda, size_t k, AffineParams params);

// Dynamic activations: each f32 row quantized to asymmetric int8 with its own min-max
// parameters (quant.h's choose_params_minmax and quantize_row_i8_*, picked by impl).
CenteredRows quantize_rows_qd8(size_t m, const float* a, size_t lda, size_t k, Impl impl);

}  // namespace quantlab::kernels
