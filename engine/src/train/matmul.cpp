#include "train/matmul.h"

#include <vector>

#include "quantlab/kernels.h"

namespace quantlab::train {

namespace {

// Scratch reused across calls: the operands of a batch are megabytes, and allocating them afresh
// every step made page faults a sizeable share of training time.
std::vector<float>& scratch(size_t slot, size_t size) {
  thread_local std::vector<float> buffers[3];
  buffers[slot].resize(size);
  return buffers[slot];
}

}  // namespace

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
  std::vector<float>& bt = scratch(0, n * k);
  transpose(b, k, n, bt.data());
  matmul_abt(m, n, k, a, bt.data(), c);
}

void matmul_atb_accumulate(size_t m, size_t n, size_t k, const float* a, const float* b, float* c) {
  std::vector<float>& at = scratch(0, m * k);
  std::vector<float>& bt = scratch(1, n * k);
  std::vector<float>& product = scratch(2, m * n);
  transpose(a, k, m, at.data());
  transpose(b, k, n, bt.data());
  matmul_abt(m, n, k, at.data(), bt.data(), product.data());
  for (size_t i = 0; i < m * n; ++i) c[i] += product[i];
}

}  // namespace quantlab::train
