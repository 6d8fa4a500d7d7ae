// Random 4-bit weights in quant.h's format with their exact integer and real values, shared
// by the GEMM and conv sweeps.
#pragma once

#include <cstdint>
#include <vector>

#include "gemm_test_support.h"
#include "quantlab/kernels.h"

namespace quantlab::testing {

// Random 4-bit weights in quant.h's format (rows padded to a byte, low nibble first).
struct Qc4wWeights {
  size_t n, k, group_size, groups;
  bool symmetric;
  std::vector<int32_t> q;  // integer values: [-8, 7] symmetric, [0, 15] asymmetric
  std::vector<uint8_t> codes;
  std::vector<float> scales;
  std::vector<int32_t> zero_points;
  kernels::PackedQC4W packed;

  Qc4wWeights(Random& random, size_t n_, size_t k_, size_t group_size_, bool symmetric_)
      : n(n_),
        k(k_),
        group_size(group_size_),
        groups((k_ + group_size_ - 1) / group_size_),
        symmetric(symmetric_),
        q(random.ints<int32_t>(n * k, symmetric ? -8 : 0, symmetric ? 7 : 15)),
        codes(n * ((k + 1) / 2), 0),
        scales(random.floats(n * groups, 0.01f, 0.1f)),
        zero_points(symmetric ? std::vector<int32_t>(n * groups, 0)
                              : random.ints<int32_t>(n * groups, 0, 15)) {
    const size_t row_bytes = (k + 1) / 2;
    for (size_t j = 0; j < n; ++j) {
      for (size_t kk = 0; kk < k; ++kk) {
        codes[j * row_bytes + kk / 2] |=
            static_cast<uint8_t>((q[j * k + kk] & 0x0F) << (4 * (kk % 2)));
      }
    }
    packed =
        kernels::pack_qc4w(codes.data(), scales.data(), symmetric ? nullptr : zero_points.data(), n,
                           k, group_size, symmetric);
  }

  int32_t centered(size_t j, size_t kk) const {
    return q[j * k + kk] - zero_points[j * groups + kk / group_size];
  }
  double real(size_t j, size_t kk) const {
    return double{scales[j * groups + kk / group_size]} * centered(j, kk);
  }
};

}  // namespace quantlab::testing
