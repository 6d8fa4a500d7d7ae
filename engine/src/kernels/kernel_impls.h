// The per-implementation entry points behind the public dispatchers of kernels.h. Arguments are
// validated by the dispatchers; these only compute.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/centered_rows.h"
#include "quantlab/kernels.h"

namespace quantlab::kernels {

void gemm_f32_ref(size_t m, const float* a, size_t lda, const PackedF32& w, const float* bias,
                  float* c, size_t ldc);
void gemm_f32__wasmsimd(size_t m, const float* a, size_t lda, const PackedF32& w, const float* bias,
                        float* c, size_t ldc);

// acc[m, n] = Σ_k a[m, k] · w[n, k] over centered activations (exact int32).
void gemm_qs8_qc8w_i32_ref(const CenteredRows& a, const PackedQC8W& w, int32_t* acc, size_t ldacc);
void gemm_qs8_qc8w_i32__wasmsimd(const CenteredRows& a, const PackedQC8W& w, int32_t* acc,
                                 size_t ldacc);

// c[m, n] = a.scales[m] · Σ_g scale[n, g] · G[m, n, g] + bias[n], G the exact group sums.
void gemm_qd8_qc4w_f32_ref(const CenteredRows& a, const PackedQC4W& w, const float* bias, float* c,
                           size_t ldc);
void gemm_qd8_qc4w_f32__wasmsimd(const CenteredRows& a, const PackedQC4W& w, const float* bias,
                                 float* c, size_t ldc);
// acc[(m · N + n) · groups + g] = G[m, n, g].
void gemm_qs8_qc4w_group_i32_ref(const CenteredRows& a, const PackedQC4W& w, int32_t* acc);
void gemm_qs8_qc4w_group_i32__wasmsimd(const CenteredRows& a, const PackedQC4W& w, int32_t* acc);

// Relaxed SIMD (src/kernels/relaxed/, reached through relaxed_kernels.cpp). INT8: GEMMs of
// kRelaxedMinRows rows or more; fewer rows run the SIMD128 GEMV, whose results are the same.
void gemm_qs8_qc8w_i32__relaxed(const CenteredRows& a, const PackedQC8W& w, int32_t* acc,
                                size_t ldacc);
void gemm_qd8_qc4w_f32__relaxed(const CenteredRows& a, const PackedQC4W& w, const float* bias,
                                float* c, size_t ldc);
void gemm_qs8_qc4w_group_i32__relaxed(const CenteredRows& a, const PackedQC4W& w, int32_t* acc);

// The integer GEMMs' implementation picked by impl: the one dispatch that the GEMM and conv
// entry points share.
void gemm_qs8_qc8w_i32_impl(const CenteredRows& a, const PackedQC8W& w, int32_t* acc, size_t ldacc,
                            Impl impl);
void gemm_qd8_qc4w_f32_impl(const CenteredRows& a, const PackedQC4W& w, const float* bias, float* c,
                            size_t ldc, Impl impl);
void gemm_qs8_qc4w_group_i32_impl(const CenteredRows& a, const PackedQC4W& w, int32_t* acc,
                                  Impl impl);

void gemm_f32_qc4w_ref(size_t m, const float* a, size_t lda, const PackedQC4W& w, const float* bias,
                       float* c, size_t ldc);
void gemm_f32_qc4w__wasmsimd(size_t m, const float* a, size_t lda, const PackedQC4W& w,
                             const float* bias, float* c, size_t ldc);

}  // namespace quantlab::kernels
