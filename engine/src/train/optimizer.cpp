#include <cmath>
#include <numbers>

#include "quantlab/error.h"
#include "quantlab/train.h"

namespace quantlab::train {

const char* optimizer_kind_name(OptimizerKind kind) {
  return kind == OptimizerKind::sgd ? "sgd" : "adam";
}

OptimizerKind parse_optimizer_kind(const std::string& name) {
  for (OptimizerKind kind : {OptimizerKind::sgd, OptimizerKind::adam}) {
    if (name == optimizer_kind_name(kind)) return kind;
  }
  throw InvalidArgument("unknown optimizer '" + name + "' (expected sgd or adam)");
}

const char* schedule_kind_name(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::constant:
      return "constant";
    case ScheduleKind::step:
      return "step";
    case ScheduleKind::cosine:
      return "cosine";
  }
  return "unknown";
}

ScheduleKind parse_schedule_kind(const std::string& name) {
  for (ScheduleKind kind : {ScheduleKind::constant, ScheduleKind::step, ScheduleKind::cosine}) {
    if (name == schedule_kind_name(kind)) return kind;
  }
  throw InvalidArgument("unknown learning-rate schedule '" + name +
                        "' (expected constant, step or cosine)");
}

float scheduled_learning_rate(const OptimizerConfig& config, size_t step, size_t steps_per_epoch,
                              size_t total_steps) {
  switch (config.schedule) {
    case ScheduleKind::constant:
      return config.learning_rate;
    case ScheduleKind::step: {
      require(config.step_epochs > 0 && steps_per_epoch > 0,
              "step schedule needs step_epochs and batches per epoch of at least 1");
      const size_t epoch = step / steps_per_epoch;
      return config.learning_rate *
             std::pow(config.gamma, static_cast<float>(epoch / config.step_epochs));
    }
    case ScheduleKind::cosine: {
      const double progress = total_steps ? static_cast<double>(step) / total_steps : 0.0;
      return static_cast<float>(config.learning_rate * 0.5 *
                                (1.0 + std::cos(std::numbers::pi * progress)));
    }
  }
  return config.learning_rate;
}

Optimizer::Optimizer(const OptimizerConfig& config) : config_(config) {
  require(config.learning_rate > 0, "learning rate must be positive");
  require(config.momentum >= 0 && config.momentum < 1, "momentum must be in [0, 1)");
  require(config.beta1 >= 0 && config.beta1 < 1 && config.beta2 >= 0 && config.beta2 < 1,
          "adam betas must be in [0, 1)");
  require(config.epsilon > 0, "adam epsilon must be positive");
  require(config.weight_decay >= 0, "weight decay must not be negative");
}

void Optimizer::step(nn::Model& model, const std::map<std::string, Tensor>& gradients,
                     float learning_rate) {
  step(model.parameters, gradients, learning_rate);
}

void Optimizer::step(std::map<std::string, Tensor>& parameters,
                     const std::map<std::string, Tensor>& gradients, float learning_rate) {
  ++steps_;
  const float bias1 = 1.0f - std::pow(config_.beta1, static_cast<float>(steps_));
  const float bias2 = 1.0f - std::pow(config_.beta2, static_cast<float>(steps_));
  for (const auto& [name, gradient] : gradients) {
    const auto found = parameters.find(name);
    require(found != parameters.end(), "optimizer: no parameter '" + name + "' for a gradient");
    Tensor& parameter = found->second;
    auto w = parameter.values<float>();
    auto g = gradient.values<float>();
    const float decay = parameter.shape().rank() >= 2 ? config_.weight_decay : 0.0f;
    std::vector<float>& m = first_moment_[name];
    m.resize(w.size(), 0.0f);
    if (config_.kind == OptimizerKind::sgd) {
      for (size_t i = 0; i < w.size(); ++i) {
        m[i] = config_.momentum * m[i] + g[i] + decay * w[i];
        w[i] -= learning_rate * m[i];
      }
      continue;
    }
    std::vector<float>& v = second_moment_[name];
    v.resize(w.size(), 0.0f);
    for (size_t i = 0; i < w.size(); ++i) {
      m[i] = config_.beta1 * m[i] + (1 - config_.beta1) * g[i];
      v[i] = config_.beta2 * v[i] + (1 - config_.beta2) * g[i] * g[i];
      const float update = (m[i] / bias1) / (std::sqrt(v[i] / bias2) + config_.epsilon);
      w[i] -= learning_rate * (update + decay * w[i]);
    }
  }
}

}  // namespace quantlab::train
