// `quantlab qat <model dir> --plan P --out DIR`: quantization-aware fine-tuning of an FP32 model
// under a plan (STE; --lsq for learned step sizes and offsets; --learn-bits with --budget for
// learned per-layer precisions), evaluated on the test split against FP32 and post-training
// quantization with the same plan, and written as a quantized model directory. Ctrl-C stops
// after the current batch and still writes the model as it stands.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "command.h"
#include "examples.h"
#include "model_loading.h"
#include "quantlab/error.h"
#include "quantlab/nn_ops.h"
#include "quantlab/train_qat.h"

namespace quantlab::cli {
namespace {

std::atomic<bool> interrupted{false};
void on_interrupt(int) { interrupted.store(true); }

size_t whole_number(const Arguments& args, const std::string& name, size_t fallback) {
  const std::string text = args.option(name, std::to_string(fallback));
  require(!text.empty() && text.find_first_not_of("0123456789") == std::string::npos,
          "--" + name + " must be a whole number, got '" + text + "'");
  return std::stoul(text);
}

// Flags without a value, removed before parse_arguments (which wants `--name value` pairs).
bool take_flag(std::vector<std::string>& args, const std::string& flag) {
  const auto it = std::find(args.begin(), args.end(), flag);
  if (it == args.end()) return false;
  args.erase(it);
  return true;
}

train::QatConfig qat_config(const Arguments& parsed, bool lsq, bool learn_bits) {
  train::QatConfig config;
  config.epochs = whole_number(parsed, "epochs", 1);
  config.batch_size = whole_number(parsed, "batch-size", 64);
  config.examples_per_epoch = whole_number(parsed, "examples", 0);
  config.seed = whole_number(parsed, "seed", 1);
  config.observer_steps = whole_number(parsed, "observer-steps", config.observer_steps);
  config.activation_bits = static_cast<int>(whole_number(parsed, "act-bits", 8));
  config.optimizer.learning_rate = std::stof(parsed.option("lr", "1e-4"));
  config.quantizer_learning_rate = std::stof(parsed.option("quantizer-lr", "1e-4"));
  config.calibration = calibration_options(parsed);
  config.lsq = lsq;
  const std::string init = parsed.option("init", "ptq");
  require(init == "ptq" || init == "lsq", "--init must be ptq or lsq, got '" + init + "'");
  config.init = init == "lsq" ? train::QatInit::lsq : train::QatInit::ptq;
  config.learn_bits = learn_bits;
  const eval::Budget budget = eval::parse_budget(parsed.option("budget", "5bpw"));
  require(
      budget.kind == eval::Budget::Kind::bits_per_weight,
      "qat --budget takes bits per weight (e.g. 5bpw), got '" + parsed.option("budget", "") + "'");
  config.budget_bits = budget.value;
  config.bits_penalty = std::stof(parsed.option("penalty", "0.1"));
  return config;
}

void print_progress(const train::QatProgress& p, size_t every) {
  const train::Progress& t = p.train;
  if (t.batch % every != 0 && t.batch != t.batches) return;
  std::printf("epoch %zu/%zu batch %zu/%zu  loss %.4f  accuracy %.2f%%  lr %.2e", t.epoch, t.epochs,
              t.batch, t.batches, t.loss, 100.0 * t.accuracy, t.learning_rate);
  if (p.temperature > 0) std::printf("  E[bpw] %.2f  T %.3f", p.expected_bits, p.temperature);
  std::printf("\n  scales:");
  for (const train::QuantizerState& s : p.scales) {
    std::printf(" %s %.4g", s.name.c_str(), s.scale);
    if (s.name.ends_with(".input")) std::printf("/z%d", s.zero_point);
  }
  std::printf("\n");
  std::fflush(stdout);
}

double accuracy_of(const nn::Executor& executor, const nn::Examples& test) {
  return eval::evaluate(executor, test).accuracy();
}

int run_qat(const std::vector<std::string>& raw_args) {
  std::vector<std::string> args = raw_args;
  const bool lsq = take_flag(args, "--lsq");
  const bool learn_bits = take_flag(args, "--learn-bits");
  const bool compare_fp32 = take_flag(args, "--time-fp32-epoch");
  std::vector<std::string> known = {"plan",       "out",      "data",         "epochs",
                                    "batch-size", "examples", "seed",         "observer-steps",
                                    "act-bits",   "lr",       "quantizer-lr", "init",
                                    "budget",     "penalty",  "every"};
  known.insert(known.end(), kCalibrationOptions.begin(), kCalibrationOptions.end());
  const Arguments parsed = parse_arguments(args, known);
  PlannedModel planned = load_planned_model(parsed, "qat");
  const train::QatConfig config = qat_config(parsed, lsq, learn_bits);
  const size_t every = std::max<size_t>(whole_number(parsed, "every", 100), 1);
  const quantization::Plan& plan = planned.plan;
  const nn::Model& model = planned.model;
  ModelManifest& manifest = planned.manifest;
  const nn::Examples& train = planned.train;
  const nn::Examples& test = planned.test;

  // References: FP32 and post-training quantization with the same plan and calibration options.
  const double fp32 = accuracy_of(nn::Executor(model), test);
  const quantization::QuantizedModel ptq = quantization::quantize_model(
      model, plan, quantization::calibrate(model, plan, train.inputs, config.calibration));
  const double ptq_accuracy = accuracy_of(quantization::make_executor(ptq), test);
  std::printf("%s: FP32 %.2f%%; PTQ (%s) %.2f%% at %.3f bits per weight\n", manifest.name.c_str(),
              100 * fp32, plan.name.c_str(), 100 * ptq_accuracy, ptq.bits_per_weight());
  double ptq_a4 = -1;  // PTQ accuracy with 4-bit activations, when measured
  if (config.activation_bits == 4) {
    // The same plan with 4-bit static inputs and no training: PTQ on the fake-quant path.
    train::QatConfig none = config;
    none.epochs = 0;
    none.learn_bits = false;
    const double w4a4 =
        accuracy_of(train::fake_quant_executor(train::qat(model, plan, train, none)), test);
    std::printf("PTQ with 4-bit activations (fake-quant): %.2f%% (decay %.2f points)\n", 100 * w4a4,
                100 * (fp32 - w4a4));
    ptq_a4 = w4a4;
  }
  std::fflush(stdout);

  interrupted.store(false);
  const auto previous = std::signal(SIGINT, on_interrupt);
  const std::clock_t qat_cpu_start = std::clock();
  const train::QatResult result = train::qat(
      model, plan, train, config,
      [every](const train::QatProgress& p) {
        print_progress(p, every);
        return true;
      },
      &interrupted);
  const double qat_cpu = static_cast<double>(std::clock() - qat_cpu_start) / CLOCKS_PER_SEC;
  std::signal(SIGINT, previous);

  const quantization::QuantizedModel& quantized = result.quantized;
  const eval::Predictions integer =
      eval::predict(quantization::make_executor(quantized), test.inputs);
  const eval::Predictions simulated =
      eval::predict(train::fake_quant_executor(result), test.inputs);
  const eval::Comparison integer_vs_fp32 =
      eval::compare(eval::predict(nn::Executor(model), test.inputs), integer, test.labels);
  const eval::Comparison agreement = eval::compare(simulated, integer, test.labels);
  size_t fake_quant_correct = 0;
  for (size_t i = 0; i < test.size(); ++i)
    fake_quant_correct += simulated.classes[i] == test.labels[i];
  const double fake_quant_accuracy = static_cast<double>(fake_quant_correct) / test.size();
  for (const train::LayerBits& bits : result.bits) {
    std::printf("  %s: %s (%.3f bpw);", bits.layer.c_str(), bits.chosen.c_str(),
                bits.bits_per_weight);
    for (size_t k = 0; k < bits.candidates.size(); ++k) {
      std::printf(" p(%s) %.3f", bits.candidates[k].c_str(), bits.probabilities[k]);
    }
    std::printf("\n");
  }
  std::printf(
      "QAT%s%s: %zu steps in %.1f s%s; fake-quant (as trained, A%d) %.2f%%; integer path "
      "%.2f%% (decay %.2f points vs FP32), agreement with fake-quant %.2f%%; %.3f bits per "
      "weight\n",
      lsq ? "+LSQ" : "", learn_bits ? "+learned bits" : "", result.steps, result.seconds,
      result.cancelled ? " (cancelled)" : "", result.activation_bits, 100 * fake_quant_accuracy,
      100 * integer_vs_fp32.accuracy(), integer_vs_fp32.decay_points, 100 * agreement.agreement,
      quantized.bits_per_weight());
  if (result.activation_bits == 4) {
    std::printf(
        "  4-bit activations: the integer kernels run int8 codes, so the saved model keeps "
        "the 4-bit grid without the 4-bit clamp; the W4A4 figure is the fake-quant one\n");
  }

  if (compare_fp32) {
    // One FP32 epoch of the plain trainer on the same examples, for the time ratio.
    nn::Model copy = model;
    train::TrainConfig fp32_config;
    fp32_config.batch_size = config.batch_size;
    fp32_config.optimizer = config.optimizer;
    nn::Examples slice = train;
    if (config.examples_per_epoch > 0 && config.examples_per_epoch < train.size()) {
      const size_t n = config.examples_per_epoch;
      slice.labels.resize(n);
      slice.inputs = Tensor::from_f32(
          nn::ops::batched_shape(n, model.input_shape),
          train.inputs.values<float>().subspan(0, n * model.input_shape.element_count()));
    }
    const std::clock_t fp32_cpu_start = std::clock();
    const train::TrainResult fp32_run = train::train(copy, slice, fp32_config);
    const double fp32_cpu = static_cast<double>(std::clock() - fp32_cpu_start) / CLOCKS_PER_SEC;
    // Per epoch of `slice`; wall time and, less sensitive to a shared machine's load, CPU time.
    const double epochs =
        static_cast<double>(result.steps) /
        static_cast<double>((slice.size() + config.batch_size - 1) / config.batch_size);
    std::printf(
        "time per epoch: FP32 %.1f s wall / %.1f s CPU; QAT %.1f s wall / %.1f s CPU "
        "(ratio %.2f wall, %.2f CPU)\n",
        fp32_run.seconds, fp32_cpu, result.seconds / epochs, qat_cpu / epochs,
        result.seconds / epochs / fp32_run.seconds, qat_cpu / epochs / fp32_cpu);
  }

  manifest.metrics = {{"test_accuracy", integer_vs_fp32.accuracy()},
                      {"test_correct", static_cast<double>(integer_vs_fp32.correct)},
                      {"test_count", static_cast<double>(integer_vs_fp32.count)},
                      {"fake_quant_accuracy", fake_quant_accuracy},
                      {"fake_quant_agreement", agreement.agreement},
                      {"fp32_accuracy", fp32},
                      {"ptq_accuracy", ptq_accuracy},
                      {"ptq_4bit_activations_accuracy", ptq_a4},
                      {"qat_steps", static_cast<double>(result.steps)},
                      {"qat_seconds", result.seconds},
                      {"activation_bits", static_cast<double>(result.activation_bits)},
                      {"weight_bytes", static_cast<double>(quantized.weight_bytes())},
                      {"bits_per_weight", quantized.bits_per_weight()}};
  save_quantized_model(planned.out, quantized, manifest);
  std::printf("saved to %s\n", planned.out.c_str());
  return 0;
}

const bool registered = register_command(
    {"qat",
     "<model dir> --out DIR [--plan PRESET|plan.json] [--epochs E] [--lsq] [--learn-bits "
     "--budget 5bpw] [--act-bits 8|4] [--examples N] [--lr LR] [--init ptq|lsq] "
     "[--time-fp32-epoch] [--data DIR] [--calib ...]",
     "quantization-aware fine-tuning under a plan (STE, LSQ, learned bit-widths); writes the "
     "quantized model",
     run_qat});

}  // namespace
}  // namespace quantlab::cli
