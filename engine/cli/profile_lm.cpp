// `quantlab profile-lm <lm dir> [--plans fp32,int8,w4a8] [--position P] [--repeats R]`: where
// one generated token's time goes, per plan (docs/language-model.md, "Generation at batch 1").
// With P tokens in the cache it times, as medians of R calls interleaved across plans, the whole
// one-token forward pass and each of its parts: every Linear as the Session calls it (output
// allocation included), the bare kernel call behind it (gemm_f32 / gemm_qd8_qc8w_f32 /
// gemm_qd8_qc4w_f32 on the same packed weights and input row), the dynamic quantization of
// the Linear's input row, LayerNorm, GELU, attention over the cache, the embedding lookup and
// softmax + sampling. The parts are timed in isolation with the inputs the real forward pass
// saw, so their sum next to the whole pass shows what is left (dispatch, tensors, loops).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <sstream>

#include "command.h"
#include "examples.h"
#include "lm_data.h"
#include "quantlab/error.h"
#include "quantlab/eval_lm.h"
#include "quantlab/io.h"
#include "quantlab/kernels.h"
#include "quantlab/nn_lm_ops.h"
#include "quantlab/quantize_lm.h"

namespace quantlab::cli {
namespace {

using Clock = std::chrono::steady_clock;

double time_us(const std::function<void()>& run) {
  const auto start = Clock::now();
  run();
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// Parts timed in isolation run this many times back to back per sample (hot caches, the best
// case a kernel can reach); the generation loop is the real, mixed case.
constexpr size_t kHot = 20;

std::function<void()> hot(std::function<void()> body) {
  return [body] {
    for (size_t i = 0; i < kHot; ++i) body();
  };
}

// A Linear that adds the time of its single-row calls to a per-index total: the Linears timed
// where they run, inside the generation loop.
class TimedLinear final : public nn::Layer {
 public:
  TimedLinear(std::unique_ptr<nn::Layer> inner, double* total_us)
      : Layer(inner->spec(), inner->input_shape(), inner->output_shape()),
        inner_(std::move(inner)),
        total_us_(total_us) {}

  void forward(const Tensor& input, Tensor& output) const override {
    if (input.shape()[0] != 1) return inner_->forward(input, output);
    *total_us_ += time_us([&] { inner_->forward(input, output); });
  }

 private:
  std::unique_ptr<nn::Layer> inner_;
  double* total_us_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Part {
  std::string name;
  std::function<void()> run;
  std::function<void()> setup = {};  // untimed, before each call
  std::vector<double> samples = {};
  size_t per = 1;  // calls of the measured thing in one run
};

// One plan's model, session factory and parts.
struct Profiled {
  std::string plan;
  quantization::QuantizedLanguageModel quantized;
  std::vector<Part> parts;
  std::vector<double> linear_us;  // per Linear of the view: total in the generation loop
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) out.push_back(item);
  return out;
}

int run_profile_lm(const std::vector<std::string>& args) {
  const Arguments parsed =
      parse_arguments(args, {"plans", "position", "repeats", "data", "calib-size"});
  require(parsed.positional.size() == 1, "profile-lm needs exactly one language model directory");
  LmManifest manifest;
  const nn::lm::LanguageModel model = load_language_model(parsed.positional[0], manifest);
  const nn::lm::Config& c = model.config;
  const size_t position = whole_option(parsed, "position", c.context / 2);
  require(position > 0 && position < c.context,
          "profile-lm --position must be in [1, context): the prompt length");
  const size_t repeats = std::max<size_t>(1, whole_option(parsed, "repeats", 100));
  quantization::CalibrationOptions calibrate;
  calibrate.samples = whole_option(parsed, "calib-size", 16);
  const std::string data = parsed.option("data", default_data_dir(manifest.dataset));
  const std::vector<int32_t> text = model.tokenizer.encode(read_text_split(data, "train"));
  require(text.size() > c.context, "profile-lm: the train split is shorter than the context");
  const std::span<const int32_t> prefix(text.data(), position);
  const size_t steps = c.context - position;

  // The inputs each Linear saw when the FP32 model read the token after the prefix.
  std::vector<Tensor> inputs;
  {
    nn::lm::Session session(model);
    session.forward(prefix);
    session.forward(std::span(&text[position], 1),
                    [&](size_t, const Tensor& input) { inputs.push_back(input); });
  }
  const nn::Model view = nn::lm::linear_view(model);
  // Linears of block 0 and the head: the other blocks have the same shapes.
  const std::vector<size_t> profiled_linears{0, 1, 2, 3, nn::lm::head_index(c)};

  // FP32 parts every plan runs alike, on the real input row of block 0.
  const float* row = inputs[0].values<float>().data();
  std::vector<float> normed(c.width), hidden(c.hidden), attended(c.width), x(c.width);
  // The Session's caches: values [context, width], keys transposed [width, context].
  std::vector<float> keys_t(c.width * c.context), values(c.context * c.width);
  for (size_t i = 0; i < values.size(); ++i) values[i] = row[i % c.width];
  for (size_t i = 0; i < keys_t.size(); ++i) keys_t[i] = row[i / c.context];
  std::vector<float> qkv(3 * c.width);
  for (size_t i = 0; i < qkv.size(); ++i) qkv[i] = row[i % c.width];
  for (size_t i = 0; i < c.hidden; ++i) hidden[i] = row[i % c.width];
  const float* gamma = model.parameter("norm.weight").values<float>().data();
  const float* beta = model.parameter("norm.bias").values<float>().data();
  const float* embed = model.parameter("embed.weight").values<float>().data();
  const float* positions = model.parameter("position.weight").values<float>().data();
  std::vector<float> logits(c.vocab);
  for (size_t v = 0; v < c.vocab; ++v) logits[v] = row[v % c.width];
  volatile float sink = 0;
  std::vector<Part> shared{
      {"LayerNorm (" + std::to_string(c.width) + ")", hot([&] {
         nn::lm::ops::layer_norm(row, 1, c.width, gamma, beta, c.epsilon, normed.data(), nullptr,
                                 nullptr);
       })},
      {"GELU (" + std::to_string(c.hidden) + ")", hot([&] {
         for (size_t i = 0; i < c.hidden; ++i) hidden[i] = row[i % c.width];
         nn::lm::ops::gelu_fast_inplace(hidden.data(), c.hidden);
       })},
      {"attention, " + std::to_string(c.context * 3 / 4) + " keys", hot([&] {
         nn::lm::ops::cached_attention(
             {1, c.context * 3 / 4 - 1, c.heads, c.head_dim(), qkv.data(), 3 * c.width,
              keys_t.data(), c.context, values.data(), c.width},
             attended.data(), c.width);
       })},
      {"embedding + position", hot([&] {
         const float* e = embed + static_cast<size_t>(text[position]) * c.width;
         const float* p = positions + position * c.width;
         for (size_t d = 0; d < c.width; ++d) x[d] = e[d] + p[d];
         sink = x[0];
       })},
      {"softmax + draw (" + std::to_string(c.vocab) + ")", hot([&] {
         const float top = *std::max_element(logits.begin(), logits.end());
         std::vector<float> p(c.vocab);
         double total = 0;
         for (size_t v = 0; v < c.vocab; ++v) total += p[v] = std::exp((logits[v] - top) / 0.8f);
         float cumulative = 0;
         size_t v = 0;
         while (v + 1 < c.vocab && (cumulative += static_cast<float>(p[v] / total)) < 0.5f) ++v;
         sink = static_cast<float>(v);
       })}};
  for (Part& part : shared) part.per = kHot;

  std::vector<Profiled> plans;
  for (const std::string& name : split_commas(parsed.option("plans", "fp32,int8,w4a8"))) {
    const quantization::Plan plan = eval::lm_plan_by_name_or_file(name);
    plans.push_back(
        {name,
         quantization::quantize_language_model(
             model, plan, quantization::calibrate_language_model(model, plan, text, calibrate)),
         {},
         std::vector<double>(view.layers.size(), 0.0)});
  }
  std::vector<std::unique_ptr<nn::lm::Session>> sessions;
  std::vector<std::vector<std::unique_ptr<nn::Layer>>> layers(plans.size());
  std::deque<kernels::PackedF32> f32;
  std::deque<kernels::PackedQC8W> q8;
  std::deque<kernels::PackedQC4W> q4;
  std::vector<float> output(4 * c.hidden);
  for (size_t p = 0; p < plans.size(); ++p) {
    Profiled& profiled = plans[p];
    const nn::lm::LinearFactory factory = quantization::integer_linears(profiled.quantized);
    double* totals = profiled.linear_us.data();
    sessions.push_back(std::make_unique<nn::lm::Session>(
        profiled.quantized.model, [&factory, totals](const nn::Model& v, size_t index) {
          return std::make_unique<TimedLinear>(factory(v, index), totals + index);
        }));
    nn::lm::Session& session = *sessions.back();
    // The report's generation loop (eval::lm_report): tokens one by one after the prefix to the
    // end of the context, timed per token.
    profiled.parts.push_back({"generation loop, per token",
                              [&session, &text, position, steps] {
                                for (size_t t = 0; t < steps; ++t) {
                                  session.forward(std::span(&text[position + t], 1));
                                }
                              },
                              [&session, prefix] {
                                session.reset();
                                session.forward(prefix);
                              },
                              {},
                              steps});
    for (size_t i : profiled_linears) {
      const nn::LayerSpec& spec = view.layers[i];
      layers[p].push_back(factory(view, i));
      const nn::Layer& layer = *layers[p].back();
      const Tensor& input = inputs[i];
      const std::string label = spec.name.substr(spec.name.find('.') + 1) + " " +
                                std::to_string(spec.in_features) + "→" +
                                std::to_string(spec.out_features);
      const size_t k = spec.in_features, n = spec.out_features;
      const float* a = input.values<float>().data();
      const float* bias = view.parameter(spec.name + ".bias").values<float>().data();
      profiled.parts.push_back({label + ": layer, hot",
                                hot([&layer, &input, n] {
                                  Tensor out(DType::f32, Shape{1, n}, Init::uninitialized);
                                  layer.forward(input, out);
                                }),
                                {},
                                {},
                                kHot});
      const auto found = profiled.quantized.linears.layers.find(spec.name);
      if (found == profiled.quantized.linears.layers.end()) {
        const kernels::PackedF32& w = f32.emplace_back(
            kernels::pack_f32(view.parameter(spec.name + ".weight").values<float>().data(), n, k));
        profiled.parts.push_back({label + ": kernel, hot",
                                  hot([&w, a, k, n, bias, &output] {
                                    kernels::gemm_f32(1, a, k, w, bias, output.data(), n);
                                  }),
                                  {},
                                  {},
                                  kHot});
        continue;
      }
      profiled.parts.push_back(
          {label + ": quantize input row, hot",
           hot([a, k, &sink] {
             const AffineParams params =
                 choose_params_dynamic(std::span<const float>(a, k), 8, false, "activations");
             std::vector<int16_t> centered(k);
             quantize_row_centered_i16_wasmsimd(a, k, params, int_range(8, false), centered.data());
             sink = centered[0];
           }),
           {},
           {},
           kHot});
      if (found->second.weight.scheme.bits == 8) {
        const kernels::PackedQC8W& w = q8.emplace_back(kernels::pack_qc8w(found->second.weight));
        profiled.parts.push_back({label + ": kernel, hot",
                                  hot([&w, a, k, n, bias, &output] {
                                    kernels::gemm_qd8_qc8w_f32(1, a, k, w, bias, output.data(), n);
                                  }),
                                  {},
                                  {},
                                  kHot});
      } else {
        const kernels::PackedQC4W& w = q4.emplace_back(kernels::pack_qc4w(found->second.weight));
        profiled.parts.push_back({label + ": kernel, hot",
                                  hot([&w, a, k, n, bias, &output] {
                                    kernels::gemm_qd8_qc4w_f32(1, a, k, w, bias, output.data(), n);
                                  }),
                                  {},
                                  {},
                                  kHot});
      }
    }
  }

  // Interleaved: each repeat runs every part of every plan once, so load changes hit all alike.
  for (size_t r = 0; r < repeats; ++r) {
    for (Part& part : shared) part.samples.push_back(time_us(part.run) / kHot);
    for (Profiled& profiled : plans) {
      for (Part& part : profiled.parts) {
        if (part.setup) part.setup();
        part.samples.push_back(time_us(part.run) / static_cast<double>(part.per));
      }
    }
  }

  std::printf("%s: prompt of %zu tokens, then %zu generated; medians of %zu samples, µs\n",
              parsed.positional[0].c_str(), position, steps, repeats);
  std::printf("FP32 parts shared by every plan (hot, %zu calls back to back):\n", kHot);
  for (const Part& part : shared) {
    std::printf("  %-40s %9.2f\n", part.name.c_str(), median(part.samples));
  }
  std::printf("  %-40s", "part");
  for (const Profiled& profiled : plans) std::printf(" %9s", profiled.plan.c_str());
  std::printf("\n");
  // In the loop: each Linear's mean time per call over all blocks, where it ran.
  const double calls = static_cast<double>(repeats * steps);
  for (size_t i : profiled_linears) {
    const bool head = i == nn::lm::head_index(c);
    std::printf("  %-40s", (view.layers[i].name.substr(view.layers[i].name.find('.') + 1) +
                            ": in the loop, per call")
                               .c_str());
    for (const Profiled& profiled : plans) {
      double sum = 0;
      for (size_t b = 0; b < (head ? 1 : c.layers); ++b) {
        sum += profiled.linear_us[head ? i : nn::lm::qkv_index(b) + i];
      }
      std::printf(" %9.2f", sum / calls / (head ? 1 : static_cast<double>(c.layers)));
    }
    std::printf("\n");
  }
  std::printf("  %-40s", "all Linears in the loop, per token");
  for (const Profiled& profiled : plans) {
    double sum = 0;
    for (double t : profiled.linear_us) sum += t;
    std::printf(" %9.2f", sum / calls);
  }
  std::printf("\n");
  for (size_t i = 0; i < plans[0].parts.size() || i < plans.back().parts.size(); ++i) {
    const std::string& name =
        (i < plans.back().parts.size() ? plans.back() : plans[0]).parts[i].name;
    std::printf("  %-40s", name.c_str());
    for (const Profiled& profiled : plans) {
      const auto same = std::find_if(profiled.parts.begin(), profiled.parts.end(),
                                     [&](const Part& p) { return p.name == name; });
      if (same == profiled.parts.end()) {
        std::printf(" %9s", "-");
      } else {
        std::printf(" %9.2f", median(same->samples));
      }
    }
    std::printf("\n");
  }
  return 0;
}

const bool registered = register_command(
    {"profile-lm", "<lm dir> [--plans fp32,int8,w4a8] [--position P] [--repeats R]",
     "where one generated token's time goes, per plan (medians, interleaved across plans)",
     run_profile_lm});

}  // namespace
}  // namespace quantlab::cli
