#include <cmath>
#include <utility>

#include "quantlab/error.h"
#include "quantlab/train.h"

namespace quantlab::train {

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

float Rng::uniform() {
  // The top 24 bits fill a float mantissa exactly, so the result is < 1.
  return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f);
}

size_t Rng::below(size_t n) {
  require(n > 0, "Rng::below needs a positive bound");
  return static_cast<size_t>(next() % n);  // modulo bias is < n / 2^64, negligible here
}

void Rng::shuffle(std::vector<size_t>& order) {
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[below(i)]);
}

void initialize_parameters(nn::Model& model, uint64_t seed) {
  nn::allocate_parameters(model);
  Rng rng(seed);
  for (const nn::LayerSpec& layer : model.layers) {
    for (const nn::ParameterSpec& p : nn::parameter_specs(layer)) {
      if (p.shape.rank() < 2) continue;  // biases and BatchNorm keep their allocated values
      const float bound = std::sqrt(6.0f / static_cast<float>(p.shape.row_length()));
      for (float& v : model.parameter(p.name).values<float>()) {
        v = (2.0f * rng.uniform() - 1.0f) * bound;
      }
    }
  }
}

}  // namespace quantlab::train
