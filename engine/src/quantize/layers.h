// The runnable layers of a quantized model (make_executor picks them per layer).
#pragma once

#include <memory>

#include "quantlab/nn.h"
#include "quantlab/quantize.h"

namespace quantlab::quantization {

// How int8 codes flow around one layer on the integer path: whether its input arrives as codes
// and whether it hands codes on, and with which mapping (Eq. 1).
struct CodeFlow {
  bool codes_in = false;
  bool codes_out = false;
  AffineParams params;  // of the codes going out, or coming in for code-preserving layers
};

// Linear or Conv2d on the packed int8/int4 kernels with exact int32 accumulation.
std::unique_ptr<nn::Layer> make_integer_layer(const nn::Model& model, size_t index,
                                              const Shape& input, const QuantizedLayer& layer,
                                              const CodeFlow& flow, Impl impl);

// ReLU (a clamp at the zero point), max-pool and flatten applied to int8 codes.
std::unique_ptr<nn::Layer> make_code_layer(const nn::Model& model, size_t index, const Shape& input,
                                           const CodeFlow& flow);

// Linear or Conv2d in float on dequantized weights, after quantizing and dequantizing its input
// with the integer path's parameters (fake quantization).
std::unique_ptr<nn::Layer> make_simulated_layer(const nn::Model& dequantized, size_t index,
                                                const Shape& input, const QuantizedLayer& layer,
                                                Impl impl);

// Eq. 4 over n values with one mapping (int8, asymmetric range), by the chosen implementation.
void quantize_codes(const float* x, size_t n, AffineParams params, int8_t* codes, Impl impl);

}  // namespace quantlab::quantization
