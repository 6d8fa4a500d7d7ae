#include "kernels/centered_rows.h"

#include <algorithm>
#include <numeric>
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
  rows.zero_points.assign(m, 0);
  return rows;
}

std::vector<int32_t> centered_group_sums(const CenteredRows& a, size_t group_size, size_t groups) {
  std::vector<int32_t> sums(a.m * groups, 0);
  for (size_t i = 0; i < a.m; ++i) {
    for (size_t g = 0; g < groups; ++g) {
      const int16_t* begin = a.row(i) + g * group_size;
      const int16_t* end = a.row(i) + std::min(a.k, (g + 1) * group_size);
      sums[i * groups + g] = std::accumulate(begin, end, int32_t{0});
    }
  }
  return sums;
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
    rows.zero_points[i] = params.zero_point;
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
    rows.zero_points[i] = params.zero_point;
  }
  return rows;
}

}  // namespace quantlab::kernels
