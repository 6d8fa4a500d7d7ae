// Scalar oracles for the 4-bit-weight GEMMs: plain loops over the packed weights' accessors.
#include <algorithm>

#include "kernels/kernel_impls.h"
#include "kernels/packed_layouts.h"

namespace quantlab::kernels {
namespace {

// Σ_{k in group} a[k] · (u[n, k] - zero_point) for integer or float activations.
template <typename T, typename Sum>
Sum group_dot(const T* a, const PackedQC4W& w, size_t n, size_t group) {
  const int32_t zero_point = w.zero_points[packed_qc4w_param_index(w, n, group)];
  const size_t end = std::min(w.k, (group + 1) * w.group_size);
  Sum sum = 0;
  for (size_t kk = group * w.group_size; kk < end; ++kk) {
    sum += a[kk] * static_cast<Sum>(packed_qc4w_code(w, n, kk) - zero_point);
  }
  return sum;
}

float scale_of(const PackedQC4W& w, size_t n, size_t group) {
  return w.scales[packed_qc4w_param_index(w, n, group)];
}

}  // namespace

void gemm_qd8_qc4w_f32_ref(const CenteredRows& a, const PackedQC4W& w, const float* bias, float* c,
                           size_t ldc) {
  for (size_t i = 0; i < a.m; ++i) {
    for (size_t j = 0; j < w.n; ++j) {
      float sum = 0.0f;
      for (size_t g = 0; g < w.groups(); ++g) {
        sum +=
            scale_of(w, j, g) * static_cast<float>(group_dot<int16_t, int32_t>(a.row(i), w, j, g));
      }
      sum *= a.scales[i];
      c[i * ldc + j] = bias != nullptr ? sum + bias[j] : sum;
    }
  }
}

void gemm_qs8_qc4w_group_i32_ref(const CenteredRows& a, const PackedQC4W& w, int32_t* acc) {
  for (size_t i = 0; i < a.m; ++i) {
    for (size_t j = 0; j < w.n; ++j) {
      for (size_t g = 0; g < w.groups(); ++g) {
        acc[(i * w.n + j) * w.groups() + g] = group_dot<int16_t, int32_t>(a.row(i), w, j, g);
      }
    }
  }
}

void gemm_f32_qc4w_ref(size_t m, const float* a, size_t lda, const PackedQC4W& w, const float* bias,
                       float* c, size_t ldc) {
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < w.n; ++j) {
      float sum = 0.0f;
      for (size_t g = 0; g < w.groups(); ++g) {
        sum += scale_of(w, j, g) * group_dot<float, float>(a + i * lda, w, j, g);
      }
      c[i * ldc + j] = bias != nullptr ? sum + bias[j] : sum;
    }
  }
}

}  // namespace quantlab::kernels
