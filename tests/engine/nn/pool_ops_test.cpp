// Max-pooling's value-only paths (the 2×2 fast path and the general branch-free loop) against
// the index-tracking loop the trainer uses, for floats and int8 codes, over edge geometries.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "quantlab/nn_ops.h"

namespace quantlab::nn::ops {
namespace {

template <typename T>
void check_geometry(size_t height, size_t width, size_t kernel, size_t stride) {
  PoolGeometry g{3, height, width, kernel, stride};
  std::vector<T> x(g.planes * height * width);
  uint32_t state = 12345;
  for (T& v : x) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<T>(static_cast<int>(state >> 24) % 7 - 3);  // many ties, as after ReLU
  }
  const size_t outputs = g.planes * g.out_height() * g.out_width();
  std::vector<T> value_only(outputs), tracked(outputs);
  std::vector<uint32_t> argmax(outputs);
  maxpool2d(g, x.data(), value_only.data(), static_cast<uint32_t*>(nullptr));
  maxpool2d(g, x.data(), tracked.data(), argmax.data());
  EXPECT_EQ(value_only, tracked) << height << "x" << width << " k" << kernel << " s" << stride;
  for (size_t i = 0; i < outputs; ++i) EXPECT_EQ(x[argmax[i]], tracked[i]);
}

TEST(MaxPool, ValueOnlyPathsMatchTheIndexTrackingLoop) {
  for (auto [h, w, k, s] : std::vector<std::array<size_t, 4>>{
           {28, 28, 2, 2}, {5, 7, 2, 2}, {4, 4, 2, 1}, {6, 5, 3, 1}, {9, 9, 3, 3}, {1, 1, 1, 1}}) {
    check_geometry<float>(h, w, k, s);
    check_geometry<int8_t>(h, w, k, s);
  }
}

}  // namespace
}  // namespace quantlab::nn::ops
