// Quantization-aware training (layer 7): fine-tunes an FP32 model through fake quantization of
// its Linear/Conv2d weights and inputs as a quantization::Plan prescribes, with gradients through
// rounding by the straight-through estimator (clipping-aware), observers frozen after a number
// of steps, optional LSQ / LSQ+ learned step sizes and offsets, and optional learned per-layer
// bit-widths under a size budget. The result is a quantization::QuantizedModel that the integer
// path runs and io saves. Equation numbers refer to docs/quantization.md, §15 (Eqs. 40-49).
//
// BatchNorm is folded before QAT (nn::fold_for_inference, the inference form) and its running
// statistics are thereby frozen; Dropout is removed. So the network trained is exactly the
// network the integer path runs.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "quantlab/nn.h"
#include "quantlab/quantize.h"
#include "quantlab/train.h"

namespace quantlab::train {

// How quantizer parameters start.
enum class QatInit : uint8_t {
  ptq,  // weights: the plan's post-training parameters (min-max, or MSE-clipped, Eq. 21), the
        // MSE initialization LSQ+ recommends; activations: the FP32 calibration (Eqs. 5-7)
  lsq,  // weights: LSQ's s = 2·mean|w| / sqrt(Qp) per scale (Eq. 45); activations as ptq
};

struct QatConfig {
  size_t epochs = 1;  // 0: no training, the post-training starting point (e.g. PTQ for W4A4)
  size_t batch_size = 64;
  uint64_t seed = 1;
  // Examples used per epoch, taken in shuffled order (0: all). Lets a quick run use a slice.
  size_t examples_per_epoch = 0;
  // Latent FP32 weights and biases: Adam with a cosine schedule to 0 by default (fine-tuning).
  OptimizerConfig optimizer = {OptimizerKind::adam,  1e-4f, 0.9f, 0.9f, 0.999f, 1e-8f, 0.0f,
                               ScheduleKind::cosine, 1,     0.1f};
  // Calibration of the FP32 model the static activation ranges start from.
  quantization::CalibrationOptions calibration;

  // Bits of statically quantized activations: 8, or 4 for the W4A4 study (codes in [0, 15];
  // the integer kernels have no 4-bit activations, so such a result is evaluated on the
  // fake-quant path, fake_quant_executor, and its QuantizedModel keeps int8 activations).
  int activation_bits = 8;
  // Without LSQ: static activation ranges follow a moving-average min-max observer (Eq. 17,
  // constant observer_momentum) and weight parameters are re-chosen by the plan's rule
  // (every step for min-max, every weight_refresh_steps for MSE) until this many steps have
  // run; then both are frozen.
  size_t observer_steps = 200;
  float observer_momentum = 0.01f;
  size_t weight_refresh_steps = 16;

  // LSQ (Esser et al. 2020): every scale is a trained parameter (Eqs. 43-44); LSQ+ (Bhalgat et
  // al. 2020): static activations also learn their offset (zero point, Eq. 46).
  bool lsq = false;
  QatInit init = QatInit::ptq;
  // Adam on quantizer parameters, with the step of each parameter proportional to its initial
  // magnitude (scales) or to the integer range (offsets): relative learning rate.
  float quantizer_learning_rate = 1e-4f;

  // Learned bit-widths (Eqs. 47-49): per Linear/Conv2d a softmax over candidate precisions
  // (FP32, INT8, INT4) mixes the fake-quant weights and inputs; the loss adds
  // bits_penalty · max(0, E[bits per weight] − budget_bits); the temperature anneals from
  // temperature_start to temperature_end; the run ends in the argmax, demoted greedily until the
  // plan meets the budget.
  bool learn_bits = false;
  double budget_bits = 5.0;
  bool allow_fp32 = true;
  float bits_penalty = 0.1f;
  float bits_learning_rate = 0.02f;
  float temperature_start = 1.0f;
  float temperature_end = 0.05f;
};

// One quantizer's current parameters, as progress reports them.
struct QuantizerState {
  std::string name;  // "<layer>.weight" or "<layer>.input"
  float scale = 0;   // mean over the tensor's scales
  int32_t zero_point = 0;
};

struct QatProgress {
  Progress train;  // epoch, batch, loss (with penalty), accuracy, lr
  std::vector<QuantizerState> scales;
  double expected_bits = 0;  // learn_bits: E[bits per weight] (Eq. 48), else the plan's
  float temperature = 0;     // learn_bits
};
// Return false to cancel (after the current batch).
using QatProgressCallback = std::function<bool(const QatProgress&)>;

// A layer's learned choice of precision.
struct LayerBits {
  std::string layer;
  std::vector<std::string> candidates;  // e.g. "fp32", "int8", "int4"
  std::vector<double> probabilities;    // final softmax
  std::string chosen;
  double bits_per_weight = 0;  // of the chosen candidate (Eq. 10)
};

struct QatResult {
  // The learned weights quantized by the (final) plan, the learned activation parameters as
  // input_params. Usable also when cancelled: built from the state after the last batch.
  quantization::QuantizedModel quantized;
  int activation_bits = 8;  // 4: static inputs were trained on a 4-bit grid (see QatConfig)
  // activation_bits == 4: the 4-bit mapping of each static layer's input (quantized.layers hold
  // the same grid shifted into int8 codes, z − 8, which the integer path does not clamp to 4
  // bits).
  std::map<std::string, AffineParams> input_params_4bit;
  std::vector<LayerBits> bits;  // learn_bits only
  size_t epochs_completed = 0;
  size_t steps = 0;
  bool cancelled = false;
  double loss = 0;      // last epoch's mean training loss (cross-entropy only)
  double accuracy = 0;  // last epoch's training accuracy (fake-quant forward)
  double seconds = 0;
};

// Fine-tunes `model` (FP32, any form) under `plan` on `data` (the training split: calibration
// takes its first config.calibration.samples inputs). `model` is not modified. `cancel` may be
// null; it is polled between batches like the callback. QAT rounds to nearest: a layer planned
// with GPTQ or bias correction is trained and exported as round-to-nearest without bias
// correction (the exported plan says so).
QatResult qat(const nn::Model& model, const quantization::Plan& plan, const nn::Examples& data,
              const QatConfig& config, const QatProgressCallback& progress = {},
              const std::atomic<bool>* cancel = nullptr);

// The fake-quant model a QatResult was trained as (weights dequantized, inputs quantized and
// dequantized with the trained parameters, at activation_bits): equal to
// quantization::make_executor(result.quantized, Execution::simulated) for 8-bit activations, and
// the way to evaluate a W4A4 result.
nn::Executor fake_quant_executor(const QatResult& result, Impl impl = kernels::default_impl());

}  // namespace quantlab::train
