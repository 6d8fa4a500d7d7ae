#include <string>

#include "kernels/packed_layouts.h"
#include "quantlab/error.h"

namespace quantlab::kernels {

PackedQC8W pack_qc8w(const int8_t* codes, const float* scales, size_t n, size_t k) {
  require(n > 0 && k > 0 && codes != nullptr && scales != nullptr,
          "pack_qc8w needs non-empty codes and scales, got N = " + std::to_string(n) +
              ", K = " + std::to_string(k));
  PackedQC8W packed;
  packed.n = n;
  packed.k = k;
  packed.scales.assign(scales, scales + n);
  const size_t kpad = round_up(k, kIntBlockK);
  packed.data = AlignedBuffer(round_up(n, kIntTileN) * kpad);
  int8_t* out = reinterpret_cast<int8_t*>(packed.data.data());
  for (size_t col = 0; col < n; ++col) {
    const size_t col0 = col / kQC8WPanelN * kQC8WPanelN;
    const size_t width = qc8w_panel_width(packed, col0);
    for (size_t i = 0; i < k; ++i) {
      out[col0 * kpad + i / 2 * 2 * width + col % kQC8WPanelN * 2 + i % 2] = codes[col * k + i];
    }
  }
  return packed;
}

PackedQC8W pack_qc8w(const QuantizedTensor& w) {
  const QuantScheme& s = w.scheme;
  require(s.bits == 8 && s.symmetric, "qc8w weights must be 8-bit symmetric, got " + s.to_string());
  require(s.granularity == Granularity::per_tensor ||
              (s.granularity == Granularity::per_channel && s.axis == 0),
          "qc8w weights need per-tensor or per-output-channel scales, got " + s.to_string());
  const size_t n = w.shape.rows();
  const size_t k = w.shape.row_length();
  require(w.data.size() == n * k &&
              w.scales.size() == (s.granularity == Granularity::per_tensor ? 1 : n),
          "quantized weight " + w.shape.to_string() + " has inconsistent data or scales");
  std::vector<float> scales(n, w.scales[0]);
  if (s.granularity == Granularity::per_channel) scales = w.scales;
  return pack_qc8w(reinterpret_cast<const int8_t*>(w.data.data()), scales.data(), n, k);
}

}  // namespace quantlab::kernels
