// The roofline probes compute exactly what their checksums claim, so a compiler that keeps the
// checksum must keep every load and every arithmetic step. Each is checked against a scalar
// re-computation of the same work.
#include "quantlab/roofline.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "quantlab/error.h"

namespace quantlab::roofline {
namespace {

TEST(StreamRead, ChecksumIsTheWrappingSumOfEveryWord) {
  const size_t bytes = 4096 + 100;  // rounded down to 128-byte blocks
  StreamRead probe(bytes);
  ASSERT_EQ(probe.bytes(), 4096u);
  uint32_t expected = 0;
  for (size_t i = 0; i < probe.bytes(); i += 4) {
    std::array<uint8_t, 4> word;
    for (size_t b = 0; b < 4; ++b) word[b] = static_cast<uint8_t>((i + b) * 131 + 7);
    uint32_t value;
    std::memcpy(&value, word.data(), 4);
    expected += value;
  }
  EXPECT_EQ(probe.pass(), expected);
  EXPECT_EQ(probe.pass(), expected) << "a pass reads, never writes";
}

TEST(StreamRead, RejectsABufferSmallerThanOneBlock) {
  EXPECT_THROW(StreamRead(64), InvalidArgument);
}

TEST(F32MulAdd, ComputesEveryStepOfEveryChain) {
  const size_t iterations = 37;
  const float multiplier = 0.75f;
  const float addend = 1.25f;
  // Chain c starts at c; every lane of a chain holds the same value.
  std::vector<float> chains(kComputeChains);
  for (size_t c = 0; c < kComputeChains; ++c) {
    float acc = static_cast<float>(c);
    for (size_t i = 0; i < iterations; ++i) acc = acc * multiplier + addend;
    chains[c] = acc;
  }
  float lane = chains[0];
  for (size_t c = 1; c < kComputeChains; ++c) lane += chains[c];
  const float expected = lane + lane + lane + lane;
  EXPECT_EQ(f32_mul_add(iterations, multiplier, addend), expected);
  EXPECT_EQ(f32_mul_add_flops(iterations), 37.0 * kComputeChains * 8);
}

// i32x4.dot_i16x8_s of x and coefficients, its result read back as eight int16 lanes.
std::array<int16_t, 8> dot_step(const std::array<int16_t, 8>& x, const std::array<int16_t, 8>& k) {
  std::array<int32_t, 4> sums;
  for (size_t j = 0; j < 4; ++j) {
    const int64_t sum = int64_t{x[2 * j]} * k[2 * j] + int64_t{x[2 * j + 1]} * k[2 * j + 1];
    sums[j] = static_cast<int32_t>(static_cast<uint32_t>(sum));  // wraps like the instruction
  }
  std::array<int16_t, 8> out;
  std::memcpy(out.data(), sums.data(), sizeof(out));
  return out;
}

TEST(I16Dot, ComputesEveryStepOfEveryChain) {
  const size_t iterations = 29;
  const int16_t s = 3;
  const std::array<int16_t, 8> coefficients = {s, -s, s + 1, -s - 3, s + 5, s - 7, 3 - s, s + 11};
  uint32_t expected = 0;
  for (size_t c = 0; c < kComputeChains; ++c) {
    std::array<int16_t, 8> x;
    x.fill(static_cast<int16_t>(s + static_cast<int16_t>(c)));
    for (size_t i = 0; i < iterations; ++i) x = dot_step(x, coefficients);
    std::array<uint32_t, 4> lanes;
    std::memcpy(lanes.data(), x.data(), sizeof(lanes));
    for (uint32_t lane : lanes) expected += lane;
  }
  EXPECT_EQ(i16_dot(iterations, s), static_cast<int32_t>(expected));
  EXPECT_EQ(i16_dot_ops(iterations), 29.0 * kComputeChains * 16);
}

}  // namespace
}  // namespace quantlab::roofline
