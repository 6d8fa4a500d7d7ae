// The LM's forward pass over new tokens with a key/value cache (nn_lm.h).
#include <algorithm>
#include <cstring>

#include "quantlab/error.h"
#include "quantlab/nn_lm.h"
#include "quantlab/nn_lm_ops.h"

namespace quantlab::nn::lm {
namespace {

const float* data(const Tensor& t) { return t.values<float>().data(); }
float* data(Tensor& t) { return t.values<float>().data(); }

void add_into(Tensor& x, const Tensor& y) {
  float* a = data(x);
  const float* b = data(y);
  for (size_t i = 0; i < x.element_count(); ++i) a[i] += b[i];
}

}  // namespace

Session::Session(const LanguageModel& model, const LinearFactory& factory) : model_(model) {
  validate_language_model(model);
  const Model view = linear_view(model);
  for (size_t i = 0; i < view.layers.size(); ++i) linears_.push_back(factory(view, i));
  const Config& c = model.config;
  for (size_t b = 0; b < c.layers; ++b) {
    keys_.emplace_back(DType::f32, Shape{c.width, c.context});
    values_.emplace_back(DType::f32, Shape{c.context, c.width});
  }
}

Tensor Session::forward(std::span<const int32_t> tokens, const LinearObserver& observer) {
  const Config& c = model_.config;
  const size_t n = tokens.size();
  require(n > 0, "lm forward needs at least one token");
  require(length_ + n <= c.context, [&] {
    return "lm forward: " + std::to_string(length_) + " cached + " + std::to_string(n) +
           " new tokens exceed the context of " + std::to_string(c.context);
  });
  auto linear = [&](size_t index, const Tensor& input) {
    if (observer) observer(index, input);
    const Layer& layer = *linears_[index];
    Tensor output(DType::f32, Shape{n, layer.spec().out_features}, Init::uninitialized);
    layer.forward(input, output);
    return output;
  };
  auto norm = [&](const Tensor& x, const std::string& name) {
    Tensor y(DType::f32, Shape{n, c.width}, Init::uninitialized);
    ops::layer_norm(data(x), n, c.width, data(model_.parameter(name + ".weight")),
                    data(model_.parameter(name + ".bias")), c.epsilon, data(y), nullptr, nullptr);
    return y;
  };

  Tensor x(DType::f32, Shape{n, c.width}, Init::uninitialized);
  const float* embed = data(model_.parameter("embed.weight"));
  const float* position = data(model_.parameter("position.weight"));
  for (size_t i = 0; i < n; ++i) {
    require(tokens[i] >= 0 && static_cast<size_t>(tokens[i]) < c.vocab, [&] {
      return "token id " + std::to_string(tokens[i]) + " is outside the vocabulary [0, " +
             std::to_string(c.vocab) + ")";
    });
    const float* e = embed + static_cast<size_t>(tokens[i]) * c.width;
    const float* p = position + (length_ + i) * c.width;
    for (size_t d = 0; d < c.width; ++d) data(x)[i * c.width + d] = e[d] + p[d];
  }
  for (size_t b = 0; b < c.layers; ++b) {
    const std::string prefix = "block" + std::to_string(b) + ".";
    const size_t first = qkv_index(b);
    const Tensor qkv = linear(first, norm(x, prefix + "norm1"));
    float* keys_t = data(keys_[b]);
    float* v = data(values_[b]);
    for (size_t i = 0; i < n; ++i) {
      const float* row = data(qkv) + i * 3 * c.width;
      for (size_t ch = 0; ch < c.width; ++ch)
        keys_t[ch * c.context + length_ + i] = row[c.width + ch];
      std::memcpy(v + (length_ + i) * c.width, row + 2 * c.width, c.width * sizeof(float));
    }
    Tensor attended(DType::f32, Shape{n, c.width}, Init::uninitialized);
    ops::cached_attention(
        {n, length_, c.heads, c.head_dim(), data(qkv), 3 * c.width, keys_t, c.context, v, c.width},
        data(attended), c.width);
    add_into(x, linear(first + 1, attended));
    Tensor up = linear(first + 2, norm(x, prefix + "norm2"));
    ops::gelu_fast_inplace(data(up), up.element_count());
    add_into(x, linear(first + 3, up));
  }
  length_ += n;
  return linear(head_index(c), norm(x, "norm"));
}

}  // namespace quantlab::nn::lm
