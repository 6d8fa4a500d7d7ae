#include <algorithm>
#include <string>

#include "kernels/packed_layouts.h"
#include "quantlab/error.h"
#include "quantlab/quant_values.h"

namespace quantlab::kernels {
namespace {

// Unsigned code u in [0, 15] whose real value is scale · (u - zero_point): two's complement
// nibbles q become q + 8, which flipping the top bit does.
uint8_t unsigned_code(const uint8_t* row, size_t i, bool symmetric) {
  const auto nibble = static_cast<uint8_t>(unpack_nibble(row[i / 2], i % 2 == 1, false));
  return symmetric ? nibble ^ 0x08 : nibble;
}

}  // namespace

size_t PackedQC4W::byte_size() const {
  const size_t zero_point_bytes = symmetric ? 0 : (zero_points.size() + 1) / 2;
  return data.size() + scales.size() * sizeof(float) + zero_point_bytes;
}

PackedQC4W pack_qc4w(const uint8_t* codes, const float* scales, const int32_t* zero_points,
                     size_t n, size_t k, size_t group_size, bool symmetric) {
  require(n > 0 && k > 0 && codes != nullptr && scales != nullptr,
          "pack_qc4w needs non-empty codes and scales, got N = " + std::to_string(n) +
              ", K = " + std::to_string(k));
  require(symmetric || zero_points != nullptr, "asymmetric 4-bit weights need zero points");
  require(group_size > 0 && (group_size % kIntBlockK == 0 || group_size >= k),
          "4-bit group size must be a multiple of 8 or cover the whole row (K = " +
              std::to_string(k) + "), got " + std::to_string(group_size));
  PackedQC4W packed;
  packed.n = n;
  packed.k = k;
  packed.group_size = std::min(group_size, k);
  packed.symmetric = symmetric;
  const size_t groups = packed.groups();
  const size_t tiles = round_up(n, kIntTileN) / kIntTileN;
  packed.scales.assign(tiles * groups * kIntTileN, 0.0f);
  packed.zero_points.assign(tiles * groups * kIntTileN, kSymmetricZeroPoint);
  packed.code_sums.assign(tiles * groups * kIntTileN, 0);
  const size_t kpad = round_up(k, kIntBlockK);
  packed.data = AlignedBuffer(tiles * kIntTileN * kpad / 2);
  // Padding (columns past N, k past K) keeps code 0; the kernels multiply it by zero.
  uint8_t* out = packed.data.data();
  const size_t row_bytes = (k + 1) / 2;
  for (size_t col = 0; col < n; ++col) {
    for (size_t g = 0; g < groups; ++g) {
      const size_t param = packed_qc4w_param_index(packed, col, g);
      packed.scales[param] = scales[col * groups + g];
      if (!symmetric) {
        const int32_t zp = zero_points[col * groups + g];
        require(zp >= 0 && zp <= 15,
                "4-bit zero point must be in [0, 15], got " + std::to_string(zp));
        packed.zero_points[param] = static_cast<int16_t>(zp);
      }
    }
    for (size_t i = 0; i < k; ++i) {
      const size_t block = packed_qc4w_block(packed, col, i / kIntBlockK);
      const size_t lane = col % kIntTileN * 2 + i % 2;
      const size_t nibble = i % kIntBlockK / 2;  // 0..3 within the lane's 16 bits
      const uint8_t code = unsigned_code(codes + col * row_bytes, i, symmetric);
      out[block + lane * 2 + nibble / 2] |= static_cast<uint8_t>(code << (4 * (nibble % 2)));
      packed.code_sums[packed_qc4w_param_index(packed, col, i / packed.group_size)] += code;
    }
  }
  return packed;
}

PackedQC4W pack_qc4w(const QuantizedTensor& w) {
  const QuantScheme& s = w.scheme;
  require(s.bits == 4, "qc4w weights must be 4-bit, got " + s.to_string());
  const size_t n = w.shape.rows();
  const size_t k = w.shape.row_length();
  const size_t groups_per_row =
      s.granularity == Granularity::per_group ? (k + s.group_size - 1) / s.group_size : 1;
  require(s.granularity != Granularity::per_channel || s.axis == 0,
          "4-bit per-channel weights need axis 0, got " + s.to_string());
  const size_t params = s.granularity == Granularity::per_tensor ? 1 : n * groups_per_row;
  require(w.data.size() == n * ((k + 1) / 2) && w.scales.size() == params &&
              (s.symmetric || w.zero_points.size() == params),
          "quantized weight " + w.shape.to_string() + " has inconsistent data or parameters");
  // Per-tensor parameters are repeated per row: the kernels read one scale per column.
  std::vector<float> scales(n * groups_per_row, w.scales[0]);
  std::vector<int32_t> zero_points(n * groups_per_row, s.symmetric ? 0 : w.zero_points[0]);
  if (params == n * groups_per_row) {
    scales = w.scales;
    if (!s.symmetric) zero_points = w.zero_points;
  }
  const size_t group_size = s.granularity == Granularity::per_group ? s.group_size : k;
  return pack_qc4w(w.data.data(), scales.data(), zero_points.data(), n, k, group_size, s.symmetric);
}

}  // namespace quantlab::kernels
