#include "train/matmul.h"

#include <vector>

#include "quantlab/kernels.h"

namespace quantlab::train {

void transpose(const float* src, size_t rows, size_t cols, float* dst) {
  // Blocked so both sides stay in cache for the large activation matrices of a batch.
  constexpr size_t kBlock = 32;
  for (size_t r0 = 0; r0 < rows; r0 += kBlock) {
    for (size_t c0 = 0; c0 < cols; c0 += kBlock) {
      const size_t r1 = r0 + kBlock < rows ? r0 + kBlock : rows;
      const size_t c1 = c0 + kBlock < cols ? c0 + kBlock : cols;
      for (size_t r = r0; r < r1; ++r) {
        for (size_t c = c0; c < c1; ++c) dst[c * rows + r] = src[r * cols + c];
      }
    }
  }
}

void matmul_abt(size_t m, size_t n, size_t k, const float* a, const float* b, float* c) {
  const kernels::PackedF32 packed = kernels::pack_f32(b, n, k);
  kernels::gemm_f32(m, a, k, packed, nullptr, c, n);
}

void matmul_ab(size_t m, size_t n, size_t k, const float* a, const float* b, float* c) {
  std::vector<float> bt(n * k);
  transpose(b, k, n, bt.data());
  matmul_abt(m, n, k, a, bt.data(), c);
}

void matmul_atb_accumulate(size_t m, size_t n, size_t k, const float* a, const float* b, float* c) {
  std::vector<float> at(m * k);
  std::vector<float> bt(n * k);
  std::vector<float> product(m * n);
  transpose(a, k, m, at.data());
  transpose(b, k, n, bt.data());
  matmul_abt(m, n, k, at.data(), bt.data(), product.data());
  for (size_t i = 0; i < m * n; ++i) c[i] += product[i];
}

}  // namespace quantlab::train
