// Seeded test inputs shared by the quant tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "quantlab/quant.h"

namespace quantlab::testing {

// Normal values with a few large outliers, the shape of real weight tensors.
inline std::vector<float> weights_like(size_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, sigma);
  std::vector<float> x(n);
  for (float& v : x) v = normal(rng);
  for (size_t i = 0; i < n; i += 97) x[i] *= 8.0f;
  return x;
}

// Every scheme the engine supports, for sweeps.
inline std::vector<QuantScheme> all_schemes() {
  std::vector<QuantScheme> schemes;
  for (int bits : {8, 4}) {
    for (bool symmetric : {true, false}) {
      schemes.push_back({bits, symmetric, Granularity::per_tensor, 0, 32});
      schemes.push_back({bits, symmetric, Granularity::per_channel, 0, 32});
      for (size_t group : {32u, 64u, 128u}) {
        schemes.push_back({bits, symmetric, Granularity::per_group, 0, group});
      }
    }
  }
  return schemes;
}

}  // namespace quantlab::testing
