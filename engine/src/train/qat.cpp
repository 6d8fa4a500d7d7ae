// Quantization-aware training: the fake-quant network (each Linear/Conv2d wrapped so that it
// computes with fake-quantized weights and inputs, Eq. 40, and sends gradients back through the
// straight-through estimator, Eqs. 41-46), the optional relaxation over candidate precisions
// (Eqs. 47-49), the training loop and the export to a QuantizedModel.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "quantlab/error.h"
#include "quantlab/train_qat.h"
#include "train/batch.h"
#include "train/fake_quant.h"
#include "train/layers.h"
#include "train/qat_layer.h"

namespace quantlab::train {
namespace {

using quantization::Activations;
using quantization::LayerPlan;
using quantization::WeightFormat;

bool has_weights(const nn::LayerSpec& spec) {
  return spec.kind == nn::LayerKind::linear || spec.kind == nn::LayerKind::conv2d;
}

size_t weight_elements(const nn::LayerSpec& spec) {
  return nn::parameter_specs(spec)[0].shape.element_count();
}

// The precisions a layer may learn: the plan's own layer plan alone, or (learn_bits) FP32, INT8
// per-channel symmetric and the plan's INT4 scheme (INT4 per-channel symmetric if the plan's is
// not INT4), each with activations the kernels accept, minus those the kernels refuse.
// QAT rounds to nearest (Eq. 40) and trains the biases itself: a plan's GPTQ and bias correction
// are post-training alternatives it replaces.
LayerPlan rounded_to_nearest(LayerPlan plan) {
  plan.method = quantization::WeightMethod::rtn;
  plan.bias_correction = false;
  return plan;
}

std::vector<LayerPlan> candidate_plans(const LayerPlan& plan, const nn::LayerSpec& spec,
                                       const nn::Model& folded, const QatConfig& config) {
  const LayerPlan base = rounded_to_nearest(plan);
  if (!config.learn_bits) return {base};
  const Activations quantized_inputs =
      base.activations == Activations::fp32 ? Activations::int8_dynamic : base.activations;
  std::vector<LayerPlan> plans;
  if (config.allow_fp32) plans.push_back(LayerPlan{});
  LayerPlan int8;
  int8.weights = WeightFormat::int8;
  int8.activations = quantized_inputs;
  plans.push_back(int8);
  LayerPlan int4 = base;
  if (base.weights != WeightFormat::int4) {
    int4 = LayerPlan{};
    int4.weights = WeightFormat::int4;
    int4.weight_range = calib::WeightRange::mse;
    int4.activations = quantized_inputs;
  }
  plans.push_back(int4);
  std::vector<LayerPlan> valid;
  for (const LayerPlan& p : plans) {
    quantization::Plan one;
    one.layers[spec.name] = p;
    try {
      quantization::validate_plan(one, folded);
      valid.push_back(p);
    } catch (const InvalidArgument&) {
    }
  }
  require(!valid.empty(), "layer '" + spec.name + "': no candidate precision the kernels run");
  return valid;
}

const char* candidate_name(const LayerPlan& plan) {
  return quantization::weight_format_name(plan.weights);
}

// The whole QAT state: the folded model with latent weights, the fake-quant network over it.
class QatNetwork {
 public:
  QatNetwork(const nn::Model& model, const quantization::Plan& plan, const nn::Examples& data,
             const QatConfig& config)
      : config_(config), plan_(plan), folded_(nn::fold_for_inference(model)) {
    quantization::validate_plan(plan, folded_);
    calibration_ =
        quantization::calibrate(model, calibration_plan(), data.inputs, config.calibration);
    work_ = folded_;
    const bool ends_in_softmax = folded_.layers.back().kind == nn::LayerKind::softmax;
    const size_t count = folded_.layers.size() - (ends_in_softmax ? 1 : 0);
    Rng seeds(config.seed);
    LayerContext context{work_, inner_grads_, 0};
    Shape shape = folded_.input_shape;
    for (size_t i = 0; i < count; ++i) {
      const nn::LayerSpec& spec = folded_.layers[i];
      context.seed = seeds.next();
      if (has_weights(spec)) {
        layers_.push_back(make_qat_layer(spec, shape, context));
        affine_.push_back(static_cast<QatAffine*>(layers_.back().get()));
        weight_count_ += weight_elements(spec);
      } else {
        layers_.push_back(make_train_layer(spec, shape, context));
      }
      shape = nn::output_shape(spec, shape);
    }
  }

  std::vector<QatAffine*>& affine() { return affine_; }
  size_t weight_count() const { return weight_count_; }
  const quantization::Calibration& calibration() const { return calibration_; }
  nn::Model& work() { return work_; }

  Tensor forward(const Tensor& input, bool training) {
    Tensor current = input;
    for (auto& layer : layers_) current = layer->forward(current, training);
    return current;
  }
  void backward(const Tensor& grad) {
    Tensor current = grad;
    for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) current = (*it)->backward(current);
  }

  void zero_gradients() {
    for (auto* map : {&inner_grads_, &optimizer_grads_}) {
      for (auto& [name, g] : *map) {
        auto v = g.values<float>();
        std::fill(v.begin(), v.end(), 0.0f);
      }
    }
    for (QatAffine* layer : affine_) {
      layer->logits().zero_grad();
      for (Candidate& c : layer->candidates()) {
        if (c.weight) c.weight->scales.zero_grad();
      }
      if (auto* q = layer->input_quantizer()) {
        q->scale.zero_grad();
        q->offset.zero_grad();
      }
    }
  }

  std::map<std::string, Tensor>& optimizer_grads() { return optimizer_grads_; }

  // Bits per weight with every layer at its smallest candidate.
  double smallest_bits() const {
    double bits = 0;
    for (const QatAffine* layer : affine_) {
      double smallest = std::numeric_limits<double>::infinity();
      for (const Candidate& c : layer->candidates()) smallest = std::min(smallest, c.bits);
      bits += smallest;
    }
    return bits / static_cast<double>(weight_count_);
  }

  // E[bits per weight] over the network (Eq. 48).
  double expected_bits() const {
    double bits = 0;
    for (const QatAffine* layer : affine_) bits += layer->expected_bits();
    return bits / static_cast<double>(weight_count_);
  }

  // Before a step without LSQ: the plan's rule on the current weights, until frozen.
  void refresh_weight_params(size_t step) {
    if (config_.lsq || step >= config_.observer_steps) return;
    for (QatAffine* layer : affine_) {
      for (Candidate& c : layer->candidates()) {
        if (!c.weight) continue;
        const bool mse = c.plan.weight_range == calib::WeightRange::mse;
        if (mse && step % std::max<size_t>(config_.weight_refresh_steps, 1) != 0) continue;
        c.weight->choose(layer->latent().values<float>(), c.plan.weight_range);
      }
    }
  }

  void step_quantizers() {
    const float lr = config_.quantizer_learning_rate;
    for (QatAffine* layer : affine_) {
      if (layer->mixing()) layer->logits().adam_step(config_.bits_learning_rate);
      if (!config_.lsq) continue;
      for (Candidate& c : layer->candidates()) {
        if (!c.weight) continue;
        c.weight->scales.adam_step(lr);
        for (float& s : c.weight->scales.value) s = std::max(s, 1e-8f);
      }
      if (auto* q = layer->input_quantizer();
          q != nullptr && q->mode() == Activations::int8_static) {
        q->scale.adam_step(lr);
        q->scale.value[0] = std::max(q->scale.value[0], 1e-8f);
        q->offset.adam_step(lr);
        q->offset.value[0] = std::clamp(q->offset.value[0], static_cast<float>(q->range().qmin),
                                        static_cast<float>(q->range().qmax));
      }
    }
  }

  // The current state as a QuantizedModel under the discrete plan of each layer's chosen (or
  // most probable) candidate.
  QatResult export_result() const {
    QatResult result;
    result.activation_bits = config_.activation_bits;
    quantization::QuantizedModel& q = result.quantized;
    q.model = folded_;
    q.plan = plan_;
    q.plan.defaults = rounded_to_nearest(plan_.defaults);
    if (config_.learn_bits) q.plan.name = plan_.name + "+learned-bits";
    q.plan.layers.clear();
    q.calibration = calibration_;
    for (const QatAffine* layer : affine_) {
      const nn::LayerSpec& spec = spec_of(layer);
      const size_t k = layer->mixing() ? layer->argmax() : layer->chosen();
      const Candidate& c = layer->candidates()[k];
      q.model.parameters[spec.name + ".bias"] = work_.parameter(spec.name + ".bias");
      const Tensor& latent = layer->latent();
      q.plan.layers[spec.name] = c.plan;
      if (!c.weight) {
        q.model.parameters[spec.name + ".weight"] = latent;
        continue;
      }
      quantization::QuantizedLayer out;
      out.weight = c.weight->quantize(latent.values<float>());
      out.activations = c.plan.activations;
      if (c.plan.activations == Activations::int8_static) {
        AffineParams p = layer->input_quantizer()->params();
        const IntRange r = layer->input_quantizer()->range();
        q.calibration.input_ranges[spec.name] = {
            p.scale * static_cast<float>(r.qmin - p.zero_point),
            p.scale * static_cast<float>(r.qmax - p.zero_point)};
        if (config_.activation_bits == 4) {
          result.input_params_4bit[spec.name] = p;
          p.zero_point -= 8;  // the same grid in int8 codes: q8 = q4 − 8
        }
        out.input_params = p;
      }
      q.model.parameters.erase(spec.name + ".weight");
      q.layers.emplace(spec.name, std::move(out));
    }
    for (const QatAffine* layer : affine_) {
      const auto& cands = layer->candidates();
      if (cands.size() < 2) continue;
      LayerBits bits;
      bits.layer = spec_of(layer).name;
      const size_t k = layer->mixing() ? layer->argmax() : layer->chosen();
      for (size_t j = 0; j < cands.size(); ++j) {
        bits.candidates.push_back(cands[j].name);
        const auto& relaxed = layer->relaxed_probabilities();
        bits.probabilities.push_back(relaxed.empty() ? 0.0 : relaxed[j]);
      }
      bits.chosen = cands[k].name;
      bits.bits_per_weight = cands[k].bits / static_cast<double>(weight_elements(spec_of(layer)));
      result.bits.push_back(std::move(bits));
    }
    return result;
  }

 private:
  const nn::LayerSpec& spec_of(const QatAffine* layer) const {
    for (size_t i = 0, a = 0; i < folded_.layers.size(); ++i) {
      if (!has_weights(folded_.layers[i])) continue;
      if (affine_[a++] == layer) return folded_.layers[i];
    }
    throw InvalidArgument("unknown QAT layer");
  }

  // Every layer some candidate quantizes statically, as int8 static (calibration observes it).
  quantization::Plan calibration_plan() const {
    quantization::Plan calib_plan;
    for (const nn::LayerSpec& spec : folded_.layers) {
      if (!has_weights(spec)) continue;
      for (const LayerPlan& p :
           candidate_plans(plan_.for_layer(spec.name), spec, folded_, config_)) {
        if (p.activations != Activations::int8_static) continue;
        LayerPlan observed;
        observed.weights = WeightFormat::int8;
        observed.activations = Activations::int8_static;
        calib_plan.layers[spec.name] = observed;
      }
    }
    return calib_plan;
  }

  std::unique_ptr<TrainLayer> make_qat_layer(const nn::LayerSpec& spec, const Shape& input,
                                             LayerContext& context) {
    const Tensor& weight = work_.parameter(spec.name + ".weight");
    work_.parameters[spec.name + ".latent"] = weight;
    optimizer_grads_[spec.name + ".latent"] = Tensor(DType::f32, weight.shape());
    optimizer_grads_[spec.name + ".bias"] =
        Tensor(DType::f32, work_.parameter(spec.name + ".bias").shape());
    const auto w = weight.values<float>();
    std::vector<Candidate> candidates;
    std::optional<Activations> quantized_inputs;
    for (const LayerPlan& p : candidate_plans(plan_.for_layer(spec.name), spec, folded_, config_)) {
      Candidate c;
      c.name = candidate_name(p);
      c.plan = p;
      c.bits = 32.0 * static_cast<double>(weight.element_count());
      if (p.weights != WeightFormat::fp32) {
        c.weight.emplace(weight.shape(), p.scheme());
        if (config_.init == QatInit::lsq) {
          c.weight->lsq_init(w);
        } else {
          c.weight->choose(w, p.weight_range);
        }
        c.weight->set_units();
        c.bits = static_cast<double>(c.weight->quantize(w).total_bits());
      }
      if (p.activations != Activations::fp32) {
        c.input = 1;
        quantized_inputs = p.activations;
      }
      candidates.push_back(std::move(c));
    }
    std::optional<fq::InputQuantizer> input_quantizer;
    if (quantized_inputs) {
      fq::InputQuantizer::Options options;
      options.mode = *quantized_inputs;
      options.bits = *quantized_inputs == Activations::int8_static ? config_.activation_bits : 8;
      options.learned = config_.lsq;
      options.observer_steps = config_.observer_steps;
      options.observer_momentum = config_.observer_momentum;
      options.per_sample = input.element_count();
      calib::Range initial;
      if (const auto it = calibration_.input_ranges.find(spec.name);
          it != calibration_.input_ranges.end()) {
        initial = it->second;
      }
      input_quantizer.emplace(options, initial);
    }
    return std::make_unique<QatAffine>(spec, input, context, optimizer_grads_,
                                       std::move(candidates), std::move(input_quantizer));
  }

  QatConfig config_;
  quantization::Plan plan_;
  nn::Model folded_;
  quantization::Calibration calibration_;
  nn::Model work_;
  std::map<std::string, Tensor> inner_grads_;
  std::map<std::string, Tensor> optimizer_grads_;
  std::vector<std::unique_ptr<TrainLayer>> layers_;
  std::vector<QatAffine*> affine_;
  size_t weight_count_ = 0;
};

// Layers' discrete choices once the relaxation ends: the argmax, then, while the network is over
// the budget, the layer whose next smaller candidate the relaxation rated most probable steps
// down to it.
void finish_with_argmax(QatNetwork& network, double budget_bits) {
  for (QatAffine* layer : network.affine()) layer->set_discrete(layer->argmax());
  while (network.expected_bits() > budget_bits) {
    QatAffine* best = nullptr;
    size_t best_k = 0;
    float best_p = -1;
    for (QatAffine* layer : network.affine()) {
      const auto& c = layer->candidates();
      const double current = c[layer->chosen()].bits;
      for (size_t k = 0; k < c.size(); ++k) {
        const auto& relaxed = layer->relaxed_probabilities();
        const float p = relaxed.empty() ? 0.0f : relaxed[k];
        if (c[k].bits < current && p > best_p) {
          best_p = p;
          best = layer;
          best_k = k;
        }
      }
    }
    if (best == nullptr) break;  // every layer at its smallest candidate
    best->set_discrete(best_k);
  }
}

std::vector<QuantizerState> quantizer_states(QatNetwork& network, const nn::Model& folded) {
  std::vector<QuantizerState> states;
  size_t a = 0;
  for (const nn::LayerSpec& spec : folded.layers) {
    if (!has_weights(spec)) continue;
    QatAffine* layer = network.affine()[a++];
    const size_t k = layer->mixing() ? layer->argmax() : layer->chosen();
    const Candidate& c = layer->candidates()[k];
    if (c.weight) {
      const auto& s = c.weight->scales.value;
      states.push_back({spec.name + ".weight",
                        std::accumulate(s.begin(), s.end(), 0.0f) / static_cast<float>(s.size()),
                        0});
    }
    if (auto* q = layer->input_quantizer(); q != nullptr && q->mode() == Activations::int8_static) {
      states.push_back({spec.name + ".input", q->params().scale, q->params().zero_point});
    }
  }
  return states;
}

}  // namespace

QatResult qat(const nn::Model& model, const quantization::Plan& plan, const nn::Examples& data,
              const QatConfig& config, const QatProgressCallback& progress,
              const std::atomic<bool>* cancel) {
  nn::check_examples(model.input_shape, data);
  require(config.batch_size > 0, "batch size must be at least 1");
  require(config.activation_bits == 8 || config.activation_bits == 4,
          "activation bits must be 8 or 4, got " + std::to_string(config.activation_bits));
  require(!config.learn_bits || config.budget_bits > 0, "the bits budget must be positive");
  require(config.temperature_start > 0 && config.temperature_end > 0,
          "temperatures must be positive");
  const auto start = std::chrono::steady_clock::now();
  QatNetwork network(model, plan, data, config);
  if (config.learn_bits) {
    const double smallest = network.smallest_bits();
    require(smallest <= config.budget_bits,
            "a budget of " + std::to_string(config.budget_bits) +
                " bits per weight is below the smallest plan the candidates allow (" +
                std::to_string(smallest) + " bits per weight)");
  }
  const nn::Model folded = nn::fold_for_inference(model);
  Optimizer optimizer(config.optimizer);
  Rng shuffler(config.seed ^ 0x5eed5eed5eed5eedULL);
  std::vector<size_t> order(data.size());
  std::iota(order.begin(), order.end(), size_t{0});
  const size_t per_epoch = config.examples_per_epoch == 0
                               ? data.size()
                               : std::min(config.examples_per_epoch, data.size());
  const size_t batches = (per_epoch + config.batch_size - 1) / config.batch_size;
  const size_t total_steps = batches * config.epochs;
  // The last fifth of a learned-bits run trains the discrete choice (Eq. 49 at one-hot π).
  const size_t relaxed_steps = config.learn_bits ? total_steps - total_steps / 5 : 0;

  QatResult result;
  std::vector<int32_t> labels;
  Tensor grad;
  bool cancelled = false;
  size_t step = 0;
  for (size_t epoch = 0; epoch < config.epochs && !cancelled; ++epoch) {
    shuffler.shuffle(order);
    double loss_sum = 0;
    size_t correct = 0, seen = 0;
    for (size_t b = 0; b < batches; ++b, ++step) {
      const size_t begin = b * config.batch_size;
      const size_t end = std::min(begin + config.batch_size, per_epoch);
      const Tensor inputs = gather_batch(data, folded.input_shape, order, begin, end, labels);
      float temperature = 0;
      if (config.learn_bits && step < relaxed_steps) {
        // Eq. 47's temperature, annealed geometrically.
        const double t = relaxed_steps > 1 ? static_cast<double>(step) / (relaxed_steps - 1) : 1;
        temperature =
            static_cast<float>(config.temperature_start *
                               std::pow(config.temperature_end / config.temperature_start, t));
        for (QatAffine* layer : network.affine()) layer->set_temperature(temperature);
      } else if (config.learn_bits && step == relaxed_steps) {
        finish_with_argmax(network, config.budget_bits);
      }
      network.refresh_weight_params(step);
      network.zero_gradients();
      const double expected = network.expected_bits();
      // Eq. 48: the hinge on the budget, per bit of one layer's weight.
      const bool over = config.learn_bits && step < relaxed_steps && expected > config.budget_bits;
      const double per_bit =
          over ? config.bits_penalty / static_cast<double>(network.weight_count()) : 0.0;
      for (QatAffine* layer : network.affine()) layer->set_penalty(per_bit);
      const LossResult loss = softmax_cross_entropy(network.forward(inputs, true), labels, &grad);
      network.backward(grad);
      const float lr = scheduled_learning_rate(config.optimizer, step, batches, total_steps);
      optimizer.step(network.work(), network.optimizer_grads(), lr);
      network.step_quantizers();

      loss_sum += loss.loss;
      correct += loss.correct;
      seen += end - begin;
      result.loss = loss_sum / static_cast<double>(b + 1);
      result.accuracy = static_cast<double>(correct) / static_cast<double>(seen);
      QatProgress report;
      report.train = {epoch + 1, config.epochs, b + 1, batches, result.loss, result.accuracy, lr};
      report.scales = quantizer_states(network, folded);
      report.expected_bits = expected;
      report.temperature = temperature;
      const bool keep_going = !progress || progress(report);
      if (!keep_going || (cancel && cancel->load())) {
        cancelled = true;
        ++step;
        break;
      }
    }
    if (!cancelled) result.epochs_completed = epoch + 1;
  }
  if (config.learn_bits && step <= relaxed_steps) finish_with_argmax(network, config.budget_bits);
  QatResult exported = network.export_result();
  exported.epochs_completed = result.epochs_completed;
  exported.steps = step;
  exported.cancelled = cancelled;
  exported.loss = result.loss;
  exported.accuracy = result.accuracy;
  exported.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return exported;
}

}  // namespace quantlab::train
