// Shapes, seeded data and comparison helpers for the kernel sweeps (XNNPACK-style: M, K and N
// below, at and above the SIMD width, tile and group size, with strided A and C).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "quantlab/impl.h"
#include "tolerance.h"

namespace quantlab::testing {

// Every implementation of the integer kernels: the oracle, SIMD128 and relaxed SIMD (natively
// through SIMDe and the shims of kernels/relaxed/relaxed_simd.h, in wasm the clang-19 module).
// Impl::fastest picks one of the two per call.
inline const std::vector<Impl> kImpls = {Impl::ref, Impl::wasmsimd, Impl::relaxed, Impl::fastest};
inline const std::vector<Impl> kSimdImpls = {Impl::wasmsimd, Impl::relaxed, Impl::fastest};

inline const std::vector<size_t> kSweepM = {1, 2, 3, 4, 7, 16, 33};
inline const std::vector<size_t> kSweepK = {1,  3,  4,  5,  8,  15,  16,  17,  31,
                                            32, 33, 63, 64, 65, 100, 128, 129, 257};
inline const std::vector<size_t> kSweepN = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                            11, 12, 13, 14, 15, 16, 17, 31, 33, 65};
// Row strides larger than the rows, so kernels that ignore lda/ldc fail.
inline size_t strided(size_t cols) { return cols + 3; }

class Random {
 public:
  explicit Random(uint32_t seed) : rng_(seed) {}
  std::vector<float> floats(size_t n, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng_);
    return v;
  }
  template <typename T>
  std::vector<T> ints(size_t n, int lo, int hi) {
    std::uniform_int_distribution<int> d(lo, hi);
    std::vector<T> v(n);
    for (T& x : v) x = static_cast<T>(d(rng_));
    return v;
  }
  int integer(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

 private:
  std::mt19937 rng_;
};

// Output rows of width n at stride ldc; the gaps hold a sentinel that must survive the call.
template <typename T>
struct StridedOutput {
  size_t m, n, ldc;
  std::vector<T> data;
  static constexpr T kSentinel = static_cast<T>(77);
  StridedOutput(size_t m_, size_t n_) : m(m_), n(n_), ldc(strided(n_)), data(m_ * ldc, kSentinel) {}
  T at(size_t i, size_t j) const { return data[i * ldc + j]; }
  void expect_gaps_untouched() const {
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = n; j < ldc; ++j) ASSERT_EQ(data[i * ldc + j], kSentinel) << "row " << i;
    }
  }
};

// Exact result with its rounding-error magnitude Σ|a·w| + |bias|.
struct Expected {
  double value = 0;
  double magnitude = 0;
};

inline void expect_close(float got, Expected want, size_t k, const std::string& where) {
  ASSERT_LE(std::fabs(static_cast<double>(got) - want.value), dot_tolerance(k, want.magnitude))
      << where << ": got " << got << ", want " << want.value;
}

inline void expect_close(float got, float ref, double magnitude, size_t k,
                         const std::string& where) {
  expect_close(got, Expected{ref, magnitude}, k, where);
}

inline std::string shape_name(size_t m, size_t n, size_t k) {
  return "M=" + std::to_string(m) + " N=" + std::to_string(n) + " K=" + std::to_string(k);
}

}  // namespace quantlab::testing
