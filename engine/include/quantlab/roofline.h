// Machine roofline probes: the three ceilings the kernels are measured against. Each probe does
// a fixed amount of work per call and returns a checksum of everything it computed, so the
// compiler cannot drop the loops; the caller times the calls and divides the work counts by
// the time. Single thread, SIMD128 (natively through SIMDe, where the numbers mean little).
#pragma once

#include <cstddef>
#include <cstdint>

#include "quantlab/tensor.h"

namespace quantlab::roofline {

// Streaming read bandwidth: one pass of v128 loads over a buffer much larger than the caches.
// How many sequential streams a core reads at once changes what it gets from memory (the
// prefetchers track each), so a pass can split the buffer into 1, 2 or 4 equal parts read in
// lockstep; the roofline takes the best.
class StreamRead {
 public:
  static constexpr size_t kMaxStreams = 4;
  // bytes is rounded down to whole 256-byte blocks (64 bytes per stream and step, 4 streams);
  // at least one block.
  explicit StreamRead(size_t bytes);
  size_t bytes() const { return buffer_.size(); }
  // Reads every byte once as `streams` (1, 2 or 4) parallel sequential streams; returns the
  // lane-wise wrapping sum folded to 32 bits, the same for every stream count.
  uint32_t pass(size_t streams = 1) const;

 private:
  AlignedBuffer buffer_;
};

// Independent accumulator chains in the compute probes: enough to cover the latency of one
// step on current x86 and Arm cores, few enough to stay in the 16 vector registers V8 can use.
inline constexpr size_t kComputeChains = 12;

// f32x4 peak: `iterations` steps of acc = acc * multiplier + addend on kComputeChains f32x4
// accumulators (no fused multiply-add in SIMD128). Returns the sum of all lanes.
float f32_mul_add(size_t iterations, float multiplier, float addend);
// Floating-point operations done by f32_mul_add: a mul and an add per lane per chain.
double f32_mul_add_flops(size_t iterations);

// i32x4.dot_i16x8_s peak: `iterations` steps of x = dot(x as i16x8, coefficients) on
// kComputeChains vectors. Returns the wrapping sum of all lanes.
int32_t i16_dot(size_t iterations, int16_t seed);
// Integer operations done by i16_dot: 8 multiplies and 8 adds per instruction.
double i16_dot_ops(size_t iterations);

// The ceiling of an integer GEMM's inner step, which must add every dot into an accumulator
// (SIMD128 has no dot-and-accumulate): `iterations` steps of acc = acc + dot(acc as i16x8,
// coefficients) on kComputeChains vectors, no loads and no address arithmetic; the chains cover
// the dot + add latency (4 cycles on current x86), so the loop measures throughput. Its rate
// over i16_dot's bounds the fraction of the dot peak an int8 GEMM built on i32x4.dot_i16x8 can
// reach. Returns the wrapping sum of all lanes; counts ops like i16_dot_ops.
int32_t i16_dot_add(size_t iterations, int16_t seed);

}  // namespace quantlab::roofline
