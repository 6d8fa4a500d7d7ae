// The one tolerance for float results of the kernels.
#pragma once

#include <cfloat>
#include <cstddef>

namespace quantlab::testing {

// Two float results of the same dot product (plus bias, times scales) computed in different
// orders — SIMD lanes, unrolled partial sums, bias added first or last, or exactly in double —
// may differ by at most this much.
//
// Recursive summation of K products rounds once per step, each rounding at most u·|partial sum|
// with u = FLT_EPSILON / 2 and |partial sum| ≤ Σ|a_k·w_k|; so each side is within K·u·Σ|a·w| of
// the exact value (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1), and two
// sides within 2·K·u·Σ|a·w| = K·FLT_EPSILON·Σ|a·w| of each other.
//   (k + 2)      — K roundings of the products' sum, plus the bias add and the scaling by
//                  a_scale · w_scale (the quantized paths), each one more rounding;
//   FLT_EPSILON  — 2u: one bound per side of the comparison;
//   magnitude    — Σ_k |a_k|·|w_k| + |bias| of the real (dequantized) values: rounding error
//                  scales with the terms, not with the result, which may cancel to ~0;
//   FLT_MIN      — an absolute floor so that an all-zero dot product compares as equal.
inline double dot_tolerance(size_t k, double magnitude) {
  return static_cast<double>(k + 2) * FLT_EPSILON * magnitude + FLT_MIN;
}

}  // namespace quantlab::testing
