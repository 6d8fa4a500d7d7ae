#include "kernels/centered_rows.h"

#include <algorithm>
#include <span>

#include "kernels/packed_layouts.h"

namespace quantlab::kernels {

CenteredRows zero_rows(size_t m, size_t k) {
  CenteredRows rows;
  rows.m = m;
  rows.k = k;
  rows.kpad = round_up(k, kIntBlockK);
  rows.values.assign(m * rows.kpad, 0);
  rows.scales.assign(m, 1.0f);
  return rows;
}

namespace {

void center_row(const int8_t* q, size_t k, int32_t zero_point, int16_t* out) {
  for (size_t i = 0; i < k; ++i) out[i] = static_cast<int16_t>(q[i] - zero_point);
}

}  // namespace

CenteredRows center_rows_qs8(size_t m, const int8_t* a, size_t lda, size_t k, AffineParams params) {
  CenteredRows rows = zero_rows(m, k);
  for (size_t i = 0; i < m; ++i) {
    center_row(a + i * lda, k, params.zero_point, rows.values.data() + i * rows.kpad);
    rows.scales[i] = params.scale;
  }
  return rows;
}

CenteredRows quantize_rows_qd8(size_t m, const float* a, size_t lda, size_t k, Impl impl) {
  CenteredRows rows = zero_rows(m, k);
  const IntRange range = int_range(8, false);
  for (size_t i = 0; i < m; ++i) {
    const float* row = a + i * lda;
    const AffineParams params =
        choose_params_dynamic(std::span<const float>(row, k), 8, false, "activations", impl);
    int16_t* centered = rows.values.data() + i * rows.kpad;
    if (impl == Impl::ref) {
      quantize_row_centered_i16_ref(row, k, params, range, centered);
    } else {
      quantize_row_centered_i16_wasmsimd(row, k, params, range, centered);
    }
    rows.scales[i] = params.scale;
  }
  return rows;
}

}  // namespace quantlab::kernels
