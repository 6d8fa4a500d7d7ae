#include "quantlab/roofline.h"

#include <string>

#include "common/simd128.h"
#include "quantlab/error.h"

namespace quantlab::roofline {
namespace {

constexpr size_t kStreamStep = 64;  // bytes per stream and loop step: 4 v128 loads
constexpr size_t kStreamBlock = kStreamStep * StreamRead::kMaxStreams;

// Lane-wise wrapping sum of a vector's four 32-bit lanes.
uint32_t sum_lanes(v128_t v) {
  return static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 0)) +
         static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 1)) +
         static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 2)) +
         static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 3));
}

// Mixed-sign coefficients that depend on the run-time seed, so nothing folds to a constant.
v128_t dot_coefficients(int16_t s) {
  return wasm_i16x8_make(s, static_cast<int16_t>(-s), static_cast<int16_t>(s + 1),
                         static_cast<int16_t>(-s - 3), static_cast<int16_t>(s + 5),
                         static_cast<int16_t>(s - 7), static_cast<int16_t>(3 - s),
                         static_cast<int16_t>(s + 11));
}

// `iterations` steps of x = step(x, coefficients) on kComputeChains vectors; returns the
// wrapping sum of all lanes.
template <typename Step>
int32_t run_dot_chains(size_t iterations, int16_t seed, Step step) {
  const v128_t coefficients = dot_coefficients(seed);
  v128_t x[kComputeChains];
  for (size_t c = 0; c < kComputeChains; ++c) {
    x[c] = wasm_i16x8_splat(static_cast<int16_t>(seed + static_cast<int16_t>(c)));
  }
  for (size_t i = 0; i < iterations; ++i) {
    for (size_t c = 0; c < kComputeChains; ++c) x[c] = step(x[c], coefficients);
  }
  v128_t total = x[0];
  for (size_t c = 1; c < kComputeChains; ++c) total = wasm_i32x4_add(total, x[c]);
  return static_cast<int32_t>(sum_lanes(total));
}

// One pass over `bytes` (a multiple of Streams · kStreamStep) as Streams equal parts read in
// lockstep. Four accumulators: the adds never wait on each other, so the loop is bound by the
// loads alone.
template <size_t Streams>
uint32_t read_streams(const uint8_t* data, size_t bytes) {
  const size_t part = bytes / Streams;
  v128_t acc[4] = {wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0),
                   wasm_i32x4_splat(0)};
  for (size_t offset = 0; offset < part; offset += kStreamStep) {
    for (size_t s = 0; s < Streams; ++s) {
      const uint8_t* p = data + s * part + offset;
      for (size_t v = 0; v < 4; ++v) acc[v] = wasm_i32x4_add(acc[v], wasm_v128_load(p + 16 * v));
    }
  }
  return sum_lanes(wasm_i32x4_add(wasm_i32x4_add(acc[0], acc[1]), wasm_i32x4_add(acc[2], acc[3])));
}

}  // namespace

StreamRead::StreamRead(size_t bytes) : buffer_(bytes / kStreamBlock * kStreamBlock) {
  require(bytes >= kStreamBlock, "stream probe needs at least " + std::to_string(kStreamBlock) +
                                     " bytes, got " + std::to_string(bytes));
  // Distinct nonzero bytes: every page is written (really mapped) and the checksum depends on
  // every load.
  uint8_t* data = buffer_.data();
  for (size_t i = 0; i < buffer_.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + 7);
}

uint32_t StreamRead::pass(size_t streams) const {
  switch (streams) {
    case 1:
      return read_streams<1>(buffer_.data(), buffer_.size());
    case 2:
      return read_streams<2>(buffer_.data(), buffer_.size());
    case 4:
      return read_streams<4>(buffer_.data(), buffer_.size());
    default:
      throw InvalidArgument("a stream probe pass reads 1, 2 or 4 streams, not " +
                            std::to_string(streams));
  }
}

float f32_mul_add(size_t iterations, float multiplier, float addend) {
  const v128_t m = wasm_f32x4_splat(multiplier);
  const v128_t a = wasm_f32x4_splat(addend);
  v128_t acc[kComputeChains];
  for (size_t c = 0; c < kComputeChains; ++c) acc[c] = wasm_f32x4_splat(static_cast<float>(c));
  for (size_t i = 0; i < iterations; ++i) {
    for (size_t c = 0; c < kComputeChains; ++c) {
      acc[c] = wasm_f32x4_add(wasm_f32x4_mul(acc[c], m), a);
    }
  }
  v128_t total = acc[0];
  for (size_t c = 1; c < kComputeChains; ++c) total = wasm_f32x4_add(total, acc[c]);
  return wasm_f32x4_extract_lane(total, 0) + wasm_f32x4_extract_lane(total, 1) +
         wasm_f32x4_extract_lane(total, 2) + wasm_f32x4_extract_lane(total, 3);
}

double f32_mul_add_flops(size_t iterations) {
  return static_cast<double>(iterations) * kComputeChains * 4 * 2;
}

int32_t i16_dot(size_t iterations, int16_t seed) {
  return run_dot_chains(iterations, seed, [](v128_t x, v128_t coefficients) {
    return wasm_i32x4_dot_i16x8(x, coefficients);
  });
}

int32_t i16_dot_add(size_t iterations, int16_t seed) {
  return run_dot_chains(iterations, seed, [](v128_t acc, v128_t coefficients) {
    return wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(acc, coefficients));
  });
}

double i16_dot_ops(size_t iterations) {
  return static_cast<double>(iterations) * kComputeChains * 16;
}

}  // namespace quantlab::roofline
