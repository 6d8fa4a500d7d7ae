// cached_attention (SIMD128 over a transposed key cache) against causal_attention, its scalar
// reference: the same bits over edge shapes — head sizes below, at and above one and two
// vectors, key counts around multiples of 4 and 8, one query (generation) and several (prefill).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "quantlab/nn_lm_ops.h"

namespace quantlab::nn::lm::ops {
namespace {

struct AttentionShape {
  size_t heads, head_dim, past, queries;
};

void expect_same_bits(const AttentionShape& s) {
  const size_t width = s.heads * s.head_dim;
  const size_t keys = s.past + s.queries;
  const size_t stride = keys + 3;  // a cache longer than what is filled, as in a session
  std::mt19937 random(static_cast<unsigned>(width * 131 + keys));
  std::normal_distribution<float> normal(0.0f, 2.0f);
  std::vector<float> q(s.queries * width), k(keys * width), v(keys * width);
  for (float& x : q) x = normal(random);
  for (float& x : k) x = normal(random);
  for (float& x : v) x = normal(random);
  std::vector<float> keys_t(width * stride, 1e30f);  // unfilled positions must not be read
  for (size_t j = 0; j < keys; ++j) {
    for (size_t c = 0; c < width; ++c) keys_t[c * stride + j] = k[j * width + c];
  }
  std::vector<float> expected(s.queries * width), actual(s.queries * width, -1.0f);
  causal_attention(
      {s.queries, s.past, s.heads, s.head_dim, q.data(), width, k.data(), v.data(), width},
      expected.data(), width, nullptr);
  cached_attention({s.queries, s.past, s.heads, s.head_dim, q.data(), width, keys_t.data(), stride,
                    v.data(), width},
                   actual.data(), width);
  EXPECT_EQ(std::memcmp(expected.data(), actual.data(), expected.size() * sizeof(float)), 0)
      << "heads " << s.heads << " head_dim " << s.head_dim << " past " << s.past << " queries "
      << s.queries;
}

TEST(LmCachedAttention, SameBitsAsTheScalarReference) {
  for (size_t head_dim : {1, 3, 4, 5, 8, 9, 12, 32}) {
    for (size_t past : {0, 1, 3, 4, 7, 8, 9, 16, 63, 127}) {
      for (size_t queries : {1, 2, 5}) {
        for (size_t heads : {1, 3}) expect_same_bits({heads, head_dim, past, queries});
      }
    }
  }
}

}  // namespace
}  // namespace quantlab::nn::lm::ops
