// The executor against an independent plain scalar implementation written here: BatchNorm is
// applied unfolded with the running statistics, dropout ignored, every sum accumulated in double.
//
// Tolerance: the executor accumulates in float over at most K = 72 terms of magnitude ≤ ~1 per
// layer and folds BatchNorm into the weights (a reassociation), so outputs differ from the
// double-precision reference by about K·ε_f32·Σ|terms| per layer; 1e-4 + 1e-4·|reference|
// covers that with room for the three chained products, while a wrong index or a missing term
// gives errors of order 0.1.
#include <gtest/gtest.h>

#include <cmath>

#include "quantlab/error.h"
#include "quantlab/io.h"
#include "quantlab/nn.h"
#include "quantlab/train.h"

namespace quantlab::nn {
namespace {

using Values = std::vector<double>;

struct Image {
  size_t channels, height, width;
  Values v;  // one sample, CHW
  double at(size_t c, ptrdiff_t y, ptrdiff_t x) const {
    if (y < 0 || x < 0 || y >= static_cast<ptrdiff_t>(height) ||
        x >= static_cast<ptrdiff_t>(width)) {
      return 0.0;
    }
    return v[(c * height + static_cast<size_t>(y)) * width + static_cast<size_t>(x)];
  }
};

Values param(const Model& m, const std::string& name) {
  auto f = m.parameter(name).values<float>();
  return Values(f.begin(), f.end());
}

Image reference_conv(const Model& m, const LayerSpec& l, const Image& in) {
  const Values w = param(m, l.name + ".weight"), b = param(m, l.name + ".bias");
  const size_t k = l.kernel;
  Image out{l.out_channels,
            (in.height + 2 * l.padding - k) / l.stride + 1,
            (in.width + 2 * l.padding - k) / l.stride + 1,
            {}};
  for (size_t o = 0; o < out.channels; ++o) {
    for (size_t y = 0; y < out.height; ++y) {
      for (size_t x = 0; x < out.width; ++x) {
        double sum = b[o];
        for (size_t c = 0; c < in.channels; ++c) {
          for (size_t ky = 0; ky < k; ++ky) {
            for (size_t kx = 0; kx < k; ++kx) {
              sum += w[((o * in.channels + c) * k + ky) * k + kx] *
                     in.at(c, static_cast<ptrdiff_t>(y * l.stride + ky) - l.padding,
                           static_cast<ptrdiff_t>(x * l.stride + kx) - l.padding);
            }
          }
        }
        out.v.push_back(sum);
      }
    }
  }
  return out;
}

Image reference_pool(const LayerSpec& l, const Image& in) {
  Image out{
      in.channels, (in.height - l.kernel) / l.stride + 1, (in.width - l.kernel) / l.stride + 1, {}};
  for (size_t c = 0; c < in.channels; ++c) {
    for (size_t y = 0; y < out.height; ++y) {
      for (size_t x = 0; x < out.width; ++x) {
        double best = -INFINITY, sum = 0;
        for (size_t ky = 0; ky < l.kernel; ++ky) {
          for (size_t kx = 0; kx < l.kernel; ++kx) {
            const double v = in.at(c, y * l.stride + ky, x * l.stride + kx);
            best = std::max(best, v);
            sum += v;
          }
        }
        out.v.push_back(l.kind == LayerKind::maxpool2d ? best : sum / (l.kernel * l.kernel));
      }
    }
  }
  return out;
}

void reference_batchnorm(const Model& m, const LayerSpec& l, Image& x) {
  const Values g = param(m, l.name + ".weight"), b = param(m, l.name + ".bias"),
               mean = param(m, l.name + ".running_mean"), var = param(m, l.name + ".running_var");
  const size_t plane = x.v.size() / l.channels;
  for (size_t i = 0; i < x.v.size(); ++i) {
    const size_t c = i / plane;
    x.v[i] = g[c] * (x.v[i] - mean[c]) / std::sqrt(var[c] + l.epsilon) + b[c];
  }
}

Values reference_forward(const Model& m, Image x) {
  for (const LayerSpec& l : m.layers) {
    switch (l.kind) {
      case LayerKind::conv2d:
        x = reference_conv(m, l, x);
        break;
      case LayerKind::maxpool2d:
      case LayerKind::avgpool2d:
        x = reference_pool(l, x);
        break;
      case LayerKind::batchnorm:
        reference_batchnorm(m, l, x);
        break;
      case LayerKind::relu:
        for (double& v : x.v) v = std::max(v, 0.0);
        break;
      case LayerKind::flatten:
        x = {x.v.size(), 1, 1, x.v};
        break;
      case LayerKind::linear: {
        const Values w = param(m, l.name + ".weight"), b = param(m, l.name + ".bias");
        Values y(l.out_features);
        for (size_t o = 0; o < l.out_features; ++o) {
          y[o] = b[o];
          for (size_t i = 0; i < l.in_features; ++i) y[o] += w[o * l.in_features + i] * x.v[i];
        }
        x = {y.size(), 1, 1, y};
        break;
      }
      case LayerKind::softmax: {
        const double max = *std::max_element(x.v.begin(), x.v.end());
        double sum = 0;
        for (double& v : x.v) sum += (v = std::exp(v - max));
        for (double& v : x.v) v /= sum;
        break;
      }
      case LayerKind::dropout:
        break;
    }
  }
  return x.v;
}

// Every layer kind, BatchNorm after both a conv and a linear, stride and padding exercised.
Model every_kind_model() {
  Model m;
  m.input_shape = Shape{2, 11, 11};
  m.layers = {conv2d("conv1", 2, 4, 3, 1, 1),
              batchnorm("bn1", 4),
              relu("relu1"),
              maxpool2d("pool1", 2, 2),
              conv2d("conv2", 4, 6, 3, 2, 1),
              relu("relu2"),
              avgpool2d("pool2", 2, 1),
              flatten("flat"),
              linear("fc1", 24, 12),
              batchnorm("bn2", 12),
              relu("relu3"),
              dropout("drop", 0.3f),
              linear("fc2", 12, 5),
              softmax("probs")};
  train::initialize_parameters(m, 5);
  train::Rng rng(9);
  for (auto& [name, t] : m.parameters) {
    if (t.shape().rank() >= 2) continue;
    for (float& v : t.values<float>()) {
      v = name.ends_with("running_var") ? 0.5f + rng.uniform() : rng.uniform() - 0.5f;
    }
  }
  return m;
}

Tensor random_batch(const Shape& shape, uint64_t seed) {
  train::Rng rng(seed);
  Tensor t(DType::f32, shape);
  for (float& v : t.values<float>()) v = 2.0f * rng.uniform() - 1.0f;
  return t;
}

TEST(Executor, MatchesScalarReference) {
  const Model model = every_kind_model();
  const size_t batch = 3;
  const Tensor input = random_batch(Shape{batch, 2, 11, 11}, 4);
  for (Impl impl : {Impl::ref, Impl::wasmsimd}) {
    const Executor executor(model, impl);
    const RunResult result = executor.run(input);
    ASSERT_EQ(result.output.shape(), (Shape{batch, 5}));
    auto out = result.output.values<float>();
    const size_t per_sample = 2 * 11 * 11;
    for (size_t s = 0; s < batch; ++s) {
      auto x = input.values<float>().subspan(s * per_sample, per_sample);
      const Values expected = reference_forward(model, {2, 11, 11, Values(x.begin(), x.end())});
      for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_NEAR(out[s * 5 + i], expected[i], 1e-4 + 1e-4 * std::abs(expected[i]))
            << impl_name(impl) << " sample " << s << " output " << i;
      }
    }
  }
}

// The shipped models on seeded inputs in their normalised range. Tolerance: fc1 of the CNNs
// sums K = 1568 float products, so 1e-3 + 1e-4·|reference| (logits are of order 10) bounds the
// float accumulation error K·ε_f32·Σ|terms| with margin.
TEST(Executor, MatchesScalarReferenceOnShippedModels) {
  for (const char* name : {"mnist-mlp", "mnist-cnn", "fashion-mlp", "fashion-cnn"}) {
    ModelManifest manifest;
    const Model model = load_model(std::string(QUANTLAB_SOURCE_DIR) + "/models/" + name, manifest);
    std::vector<size_t> dims{4};
    dims.insert(dims.end(), model.input_shape.dims().begin(), model.input_shape.dims().end());
    Tensor input = random_batch(Shape(dims), 3);
    for (float& v : input.values<float>()) v = 1.5f * v + 0.5f;
    const RunResult result = Executor(model).run(input);
    const size_t per_sample = model.input_shape.element_count();
    const size_t classes = result.output.shape().dims()[1];
    const bool image = model.input_shape.rank() == 3;
    for (size_t s = 0; s < 4; ++s) {
      auto x = input.values<float>().subspan(s * per_sample, per_sample);
      const Image sample{image ? model.input_shape.dims()[0] : per_sample,
                         image ? model.input_shape.dims()[1] : 1,
                         image ? model.input_shape.dims()[2] : 1, Values(x.begin(), x.end())};
      const Values expected = reference_forward(model, sample);
      for (size_t i = 0; i < classes; ++i) {
        EXPECT_NEAR(result.output.values<float>()[s * classes + i], expected[i],
                    1e-3 + 1e-4 * std::abs(expected[i]))
            << name << " sample " << s << " class " << i;
      }
    }
  }
}

TEST(Executor, FoldsBatchNormAndDropsDropout) {
  const Executor executor(every_kind_model());
  // 14 specs minus two BatchNorms and one Dropout.
  ASSERT_EQ(executor.layer_count(), 11u);
  for (size_t i = 0; i < executor.layer_count(); ++i) {
    EXPECT_NE(executor.layer(i).spec().kind, LayerKind::batchnorm);
    EXPECT_NE(executor.layer(i).spec().kind, LayerKind::dropout);
  }
}

TEST(Executor, CapturesEveryActivationAndTimesEveryLayer) {
  const Executor executor(every_kind_model());
  const Tensor input = random_batch(Shape{2, 2, 11, 11}, 1);
  const RunResult plain = executor.run(input);
  EXPECT_TRUE(plain.activations.empty());
  const RunResult captured = executor.run(input, {.capture_activations = true});
  ASSERT_EQ(captured.activations.size(), executor.layer_count());
  ASSERT_EQ(captured.timings.size(), executor.layer_count());
  for (size_t i = 0; i < executor.layer_count(); ++i) {
    std::vector<size_t> dims{2};
    const auto& sample = executor.layer(i).output_shape().dims();
    dims.insert(dims.end(), sample.begin(), sample.end());
    EXPECT_EQ(captured.activations[i].shape(), Shape(dims)) << i;
    EXPECT_EQ(captured.timings[i].name, executor.layer(i).spec().name);
    EXPECT_GE(captured.timings[i].milliseconds, 0.0);
  }
  auto last = captured.activations.back().values<float>();
  auto out = captured.output.values<float>();
  EXPECT_TRUE(std::equal(last.begin(), last.end(), out.begin(), out.end()));
}

// A replacement layer that scales its input, standing in for a quantized implementation.
class Doubling final : public Layer {
 public:
  using Layer::Layer;
  void forward(const Tensor& input, Tensor& output) const override {
    auto x = input.values<float>();
    auto y = output.values<float>();
    for (size_t i = 0; i < x.size(); ++i) y[i] = 2.0f * std::max(x[i], 0.0f);
  }
};

TEST(Executor, RunsAReplacedLayer) {
  Model model;
  model.input_shape = Shape{3};
  model.layers = {relu("act")};
  Executor executor(model);
  const LayerSpec spec = executor.layer(0).spec();
  executor.replace_layer(0, std::make_unique<Doubling>(spec, Shape{3}, Shape{3}));
  const RunResult result =
      executor.run(Tensor::from_f32(Shape{1, 3}, std::vector<float>{-1, 1, 2}));
  EXPECT_EQ(std::vector<float>(result.output.values<float>().begin(),
                               result.output.values<float>().end()),
            (std::vector<float>{0, 2, 4}));
  EXPECT_THROW(executor.replace_layer(0, std::make_unique<Doubling>(spec, Shape{4}, Shape{4})),
               InvalidArgument);
}

TEST(Executor, RejectsAWrongInputShape) {
  const Executor executor(every_kind_model());
  EXPECT_THROW(executor.run(random_batch(Shape{1, 2, 10, 11}, 1)), InvalidArgument);
  EXPECT_THROW(executor.run(random_batch(Shape{2, 11, 11}, 1)), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::nn
