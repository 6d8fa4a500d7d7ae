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
  const size_t bytes = 4096 + 200;  // rounded down to 256-byte blocks
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
  EXPECT_EQ(probe.pass(2), expected) << "two streams";
  EXPECT_EQ(probe.pass(4), expected) << "four streams";
  EXPECT_THROW(probe.pass(3), InvalidArgument);
}

TEST(StreamRead, RejectsABufferSmallerThanOneBlock) {
  EXPECT_THROW(StreamRead(255), InvalidArgument);
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

// The wrapping i32 sum of x and y lane by lane, both read as i32x4 and returned as int16 lanes.
std::array<int16_t, 8> add_step(const std::array<int16_t, 8>& x, const std::array<int16_t, 8>& y) {
  std::array<uint32_t, 4> a, b;
  std::memcpy(a.data(), x.data(), sizeof(a));
  std::memcpy(b.data(), y.data(), sizeof(b));
  for (size_t j = 0; j < 4; ++j) a[j] += b[j];
  std::array<int16_t, 8> out;
  std::memcpy(out.data(), a.data(), sizeof(out));
  return out;
}

// The expected checksum of a dot probe: `step` applied `iterations` times to every chain.
template <typename Step>
int32_t expected_dot_checksum(size_t iterations, int16_t s, Step step) {
  const auto i16 = [](int v) { return static_cast<int16_t>(v); };
  const std::array<int16_t, 8> coefficients = {i16(s),     i16(-s),    i16(s + 1), i16(-s - 3),
                                               i16(s + 5), i16(s - 7), i16(3 - s), i16(s + 11)};
  uint32_t expected = 0;
  for (size_t c = 0; c < kComputeChains; ++c) {
    std::array<int16_t, 8> x;
    x.fill(static_cast<int16_t>(s + static_cast<int16_t>(c)));
    for (size_t i = 0; i < iterations; ++i) x = step(x, coefficients);
    std::array<uint32_t, 4> lanes;
    std::memcpy(lanes.data(), x.data(), sizeof(lanes));
    for (uint32_t lane : lanes) expected += lane;
  }
  return static_cast<int32_t>(expected);
}

TEST(I16Dot, ComputesEveryStepOfEveryChain) {
  EXPECT_EQ(i16_dot(29, 3), expected_dot_checksum(29, 3, dot_step));
  EXPECT_EQ(i16_dot_ops(29), 29.0 * kComputeChains * 16);
}

TEST(I16DotAdd, AccumulatesEveryDotOfEveryChain) {
  const auto dot_then_add = [](const std::array<int16_t, 8>& acc, const std::array<int16_t, 8>& k) {
    return add_step(acc, dot_step(acc, k));
  };
  EXPECT_EQ(i16_dot_add(31, 5), expected_dot_checksum(31, 5, dot_then_add));
}

}  // namespace
}  // namespace quantlab::roofline
