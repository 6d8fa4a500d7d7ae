// Matrix-product and convolution kernels (layer 3). Each family has a scalar `ref` oracle and a
// `wasmsimd` version; the Impl argument picks one. Weights arrive as W[N, K] row-major (the
// layout of a Linear [out, in] or a flattened Conv2d [out, in*kh*kw] weight) and are packed
// once into the layout the kernel streams.
//
// Names read math first: activations, then weights, then output (XNNPACK's convention):
//   f32    float activations / output        qd8   int8 activations quantized per row at run time
//   qs8    int8 activations with static (calibrated) parameters, or an int8 output
//   qc8w   int8 weights, symmetric, one scale per output channel
//   qc4w   4-bit weights, one scale (and zero point) per group of K, or per output channel
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "quantlab/impl.h"
#include "quantlab/quant.h"
#include "quantlab/tensor.h"

namespace quantlab::kernels {

// ---- which SIMD kernels run
// ----------------------------------------------------------------------

// The relaxed-SIMD kernels (i32x4.relaxed_dot_i8x16_i7x16_add, docs/quantization.md §10.1)
// live in a separate wasm module, quantlab-relaxed.wasm, so that the engine itself stays valid
// where relaxed SIMD is not. install_relaxed_simd links that module's bytes into the engine's
// function table (sharing its memory); it returns false, and changes nothing, when the
// JavaScript engine rejects the module or its probe finds the fused dot computed wrong. Natively
// the same kernel source is compiled in (through SIMDe), and installing only makes it the default.
bool install_relaxed_simd(const uint8_t* module_bytes, size_t size);
bool relaxed_simd_installed();
// Whether Impl::relaxed can run here: natively always, in wasm once installed.
bool relaxed_simd_available();
// What the kernels run when no Impl is given: Impl::fastest once installed, else wasmsimd.
Impl default_impl();
// The default's name for reports: "relaxed-simd" or "simd128".
const char* simd_kernels_name();

// ---- what the kernels run -----------------------------------------------------------------------

// How a layer's activations reach an integer kernel.
enum class ActivationFormat : uint8_t {
  f32,  // float (weight-only quantization: W4A32)
  qd8,  // int8, quantized per row (per image for conv) at run time
  qs8,  // int8 with static (calibrated) parameters
};
const char* activation_format_name(ActivationFormat format);

struct Support {
  bool supported = true;
  std::string reason;  // why not, in words a plan's author can act on; empty when supported
};
// Whether a weight [n, k] (matrix view: rows = output channels, k = reduction) quantized with
// `weights` runs on these kernels against `activations`. The one place that knows: plan
// validation and the library's scheme checks both ask it.
Support supports(const QuantScheme& weights, ActivationFormat activations, size_t n, size_t k);

// ---- FP32 -------------------------------------------------------------------------------------

// W[N, K] packed for gemm_f32. Opaque layout: only the kernels read `data`.
struct PackedF32 {
  size_t n = 0;
  size_t k = 0;
  AlignedBuffer data;

  size_t byte_size() const { return data.size(); }
};
PackedF32 pack_f32(const float* w, size_t n, size_t k);

// C[M, N] = A[M, K] · W[N, K]ᵀ + bias. lda/ldc are row strides in elements (≥ K / ≥ N);
// bias may be null.
void gemm_f32(size_t m, const float* a, size_t lda, const PackedF32& w, const float* bias, float* c,
              size_t ldc, Impl impl = default_impl());

// ---- INT8 weights (qc8w) ----------------------------------------------------------------------

// Symmetric int8 W[N, K] with one scale per output channel, packed for the qc8w kernels.
struct PackedQC8W {
  size_t n = 0;
  size_t k = 0;
  AlignedBuffer data;         // opaque code layout
  std::vector<float> scales;  // one per output channel

  // Codes + scales: what the packed weight occupies in memory.
  size_t byte_size() const { return data.size() + scales.size() * sizeof(float); }
};
// codes: W[N, K] int8 (row-major); scales: N values.
PackedQC8W pack_qc8w(const int8_t* codes, const float* scales, size_t n, size_t k);
// From quant.h's format: 8-bit, symmetric, per_tensor or per_channel (axis 0).
PackedQC8W pack_qc8w(const QuantizedTensor& w);

// Raw accumulators: acc[M, N] = Σ_k (a[m, k] - a_zero_point) · w[n, k], exact int32.
void gemm_qs8_qc8w_i32(size_t m, const int8_t* a, size_t lda, int32_t a_zero_point,
                       const PackedQC8W& w, int32_t* acc, size_t ldacc, Impl impl = default_impl());

// Static activations (calibrated a_params): C = a_scale · w_scale[n] · acc + bias, as f32.
void gemm_qs8_qc8w_f32(size_t m, const int8_t* a, size_t lda, AffineParams a_params,
                       const PackedQC8W& w, const float* bias, float* c, size_t ldc,
                       Impl impl = default_impl());

// Static activations, output requantized to int8 with c_params for the next layer (Eq. 4).
void gemm_qs8_qc8w_qs8(size_t m, const int8_t* a, size_t lda, AffineParams a_params,
                       const PackedQC8W& w, const float* bias, AffineParams c_params, int8_t* c,
                       size_t ldc, Impl impl = default_impl());

// Dynamic activations: each row of A is quantized to asymmetric int8 with its own min-max
// parameters, then multiplied like gemm_qs8_qc8w_f32.
void gemm_qd8_qc8w_f32(size_t m, const float* a, size_t lda, const PackedQC8W& w, const float* bias,
                       float* c, size_t ldc, Impl impl = default_impl());

// ---- INT4 weights (qc4w) ----------------------------------------------------------------------

// 4-bit W[N, K], one scale (and, asymmetric, zero point) per group of `group_size` values along
// K, packed for the qc4w kernels. Per-channel weights are one group of K.
struct PackedQC4W {
  size_t n = 0;
  size_t k = 0;
  size_t group_size = 0;  // multiple of 8, or k for per-channel
  bool symmetric = true;
  AlignedBuffer data;                // opaque nibble layout
  std::vector<float> scales;         // per (column tile, group, column) in kernel order
  std::vector<int16_t> zero_points;  // same order; unsigned-code zero point (8 when symmetric)
  std::vector<int32_t> code_sums;  // same order; Σ u over the group (the relaxed kernels' Eq. 57)

  size_t groups() const { return (k + group_size - 1) / group_size; }
  // Nibbles + scales + asymmetric zero points at 4 bits each (symmetric ones are implicit),
  // the same accounting as QuantizedTensor::total_bits (code_sums are derived at packing, like
  // the layout, and not counted).
  size_t byte_size() const;
};
// codes: quant.h's 4-bit layout of W[N, K] (rows padded to a byte, low nibble first; two's
// complement when symmetric, unsigned [0, 15] otherwise); scales/zero_points: N · groups values,
// row-major [n][group] (zero_points ignored when symmetric, may be null then).
PackedQC4W pack_qc4w(const uint8_t* codes, const float* scales, const int32_t* zero_points,
                     size_t n, size_t k, size_t group_size, bool symmetric);
// From quant.h's format: 4-bit, per_group (group size a multiple of 8) or per_channel (axis 0).
PackedQC4W pack_qc4w(const QuantizedTensor& w);

// Weight-only (W4A32): nibbles are dequantized on the fly against f32 activations.
void gemm_f32_qc4w(size_t m, const float* a, size_t lda, const PackedQC4W& w, const float* bias,
                   float* c, size_t ldc, Impl impl = default_impl());

// W4A8: rows of A quantized dynamically to int8 (as gemm_qd8_qc8w_f32); each group's integer
// dot product is exact in int32, then scaled by a_scale · w_scale[group] and summed in f32.
void gemm_qd8_qc4w_f32(size_t m, const float* a, size_t lda, const PackedQC4W& w, const float* bias,
                       float* c, size_t ldc, Impl impl = default_impl());

// W4A8 with static int8 activations (calibrated a_params).
void gemm_qs8_qc4w_f32(size_t m, const int8_t* a, size_t lda, AffineParams a_params,
                       const PackedQC4W& w, const float* bias, float* c, size_t ldc,
                       Impl impl = default_impl());

// Raw per-group accumulators of the W4A8 path for int8 A:
// acc[(m · N + n) · groups + g] = Σ_{k in group g} (a[m, k] - a_zero_point) · (w[n, k] - w_zp).
void gemm_qs8_qc4w_group_i32(size_t m, const int8_t* a, size_t lda, int32_t a_zero_point,
                             const PackedQC4W& w, int32_t* acc, Impl impl = default_impl());

// ---- Conv2d (NCHW activations, weights [out, in, kh, kw]) ------------------------------------

struct Conv2dShape {
  size_t batch = 1;
  size_t in_channels = 1;
  size_t height = 1;
  size_t width = 1;
  size_t out_channels = 1;
  size_t kernel_h = 1;
  size_t kernel_w = 1;
  size_t stride = 1;
  size_t padding = 0;

  size_t out_height() const { return (height + 2 * padding - kernel_h) / stride + 1; }
  size_t out_width() const { return (width + 2 * padding - kernel_w) / stride + 1; }
  size_t reduction() const { return in_channels * kernel_h * kernel_w; }
};
void validate_conv2d(const Conv2dShape& shape);

// output[b, o, y, x] = bias[o] + Σ input · weight, weights packed from [out, in*kh*kw]. Each
// variant runs im2col + the matching GEMM or a direct kernel, whichever measured faster for the
// shape (src/kernels/conv2d.cpp); bias may be null.
void conv2d_f32(const Conv2dShape& shape, const float* input, const PackedF32& w, const float* bias,
                float* output, Impl impl = default_impl());

// Static int8 input (NCHW codes with input_params; padding is the zero point, i.e. real 0).
void conv2d_qs8_qc8w_f32(const Conv2dShape& shape, const int8_t* input, AffineParams input_params,
                         const PackedQC8W& w, const float* bias, float* output,
                         Impl impl = default_impl());
// Dynamic: each image of the batch is quantized to int8 with its own min-max parameters.
void conv2d_qd8_qc8w_f32(const Conv2dShape& shape, const float* input, const PackedQC8W& w,
                         const float* bias, float* output, Impl impl = default_impl());
// 4-bit weights: W4A32 and W4A8 (dynamic per image).
void conv2d_f32_qc4w(const Conv2dShape& shape, const float* input, const PackedQC4W& w,
                     const float* bias, float* output, Impl impl = default_impl());
void conv2d_qd8_qc4w_f32(const Conv2dShape& shape, const float* input, const PackedQC4W& w,
                         const float* bias, float* output, Impl impl = default_impl());
// W4A8 with static int8 input (as conv2d_qs8_qc8w_f32).
void conv2d_qs8_qc4w_f32(const Conv2dShape& shape, const int8_t* input, AffineParams input_params,
                         const PackedQC4W& w, const float* bias, float* output,
                         Impl impl = default_impl());

}  // namespace quantlab::kernels
