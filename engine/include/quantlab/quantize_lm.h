// Quantization of the transformer language model (layer 6, nn_lm.h). The plan addresses the LM's
// Linear layers by their names in nn::lm::linear_view ("block0.attn.qkv", …, "head"); the view
// goes through the same quantize_model as a sequential model's layers (RTN or GPTQ, every
// granularity, static or dynamic activations), and a Session runs each quantized Linear on the
// integer layer make_executor would build for it. "head" is the tied token embedding: planning it
// quantizes both the output projection (on the integer kernels) and the embedding lookup (rows
// of the same dequantized codes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "quantlab/nn_lm.h"
#include "quantlab/quantize.h"

namespace quantlab::quantization {

// Windows of `context` consecutive tokens from the front of `tokens` (a calibration stream from
// the training split), options.samples of them, read by the FP32 model; the input of every Linear
// the plan quantizes statically is observed, and Linears planned with GPTQ or bias correction
// gather their InputStatistics over every token of every window.
Calibration calibrate_language_model(const nn::lm::LanguageModel& model, const Plan& plan,
                                     std::span<const int32_t> tokens,
                                     const CalibrationOptions& options,
                                     const Progress& progress = {});

struct QuantizedLanguageModel {
  // The FP32 parts (embeddings, positions, LayerNorms); when the plan quantizes "head",
  // embed.weight holds its dequantized codes, which the embedding lookup reads.
  nn::lm::LanguageModel model;
  // linear_view(model) quantized: codes and scales per planned Linear, biases, plan, calibration.
  QuantizedModel linears;

  size_t weight_bytes() const;  // everything inference needs, like QuantizedModel::weight_bytes
  double bits_per_weight() const { return linears.bits_per_weight(); }
};

// quantize_model on a model already in inference form whose layers need not form a chain (only
// each layer's own shapes are used), such as linear_view: quantize_model is this after folding.
QuantizedModel quantize_layers(nn::Model inference_model, const Plan& plan,
                               const Calibration& calibration);

QuantizedLanguageModel quantize_language_model(const nn::lm::LanguageModel& model, const Plan& plan,
                                               const Calibration& calibration);

// The Linear layers of a Session over quantized.model: integer kernels for the planned ones,
// FP32 for the rest.
nn::lm::LinearFactory integer_linears(const QuantizedLanguageModel& quantized,
                                      Impl impl = Impl::wasmsimd);

}  // namespace quantlab::quantization
