// A small decoder-only transformer language model (layer 4, beside the sequential Model): its
// configuration, character tokenizer, parameters, and an inference session with a KV cache.
//
// Why not an nn::Model: a block is not a chain (two residual branches, attention reads a cache),
// so the LM keeps its own forward pass. What the rest of the engine needs from it is the set of
// Linear layers: linear_view() lists them as an nn::Model of Linear specs named by position
// ("block0.attn.qkv", …, "head"), so plans, calibration statistics, RTN/GPTQ and the integer
// layers of quantize.h apply to them unchanged; a Session runs each Linear through an nn::Layer
// built by a LinearFactory (FP32 here, integer kernels in quantize_lm.h).
//
// Architecture (GPT-2 style, pre-norm): x = embed[token] + position[p]; per block
//   x += proj(attention(qkv(LayerNorm1(x))));  x += down(GELU(up(LayerNorm2(x))))
// then logits = LayerNorm(x) · embedᵀ (the output head is tied to the token embedding).
// Equation numbers refer to docs/quantization.md (Eqs. 50-54).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quantlab/impl.h"
#include "quantlab/nn.h"
#include "quantlab/tensor.h"

namespace quantlab::nn::lm {

struct Config {
  size_t vocab = 0;       // tokenizer size (ids 0 … vocab − 1)
  size_t context = 128;   // positions: the longest sequence the model reads
  size_t width = 128;     // embedding / residual width
  size_t heads = 4;       // attention heads; width / heads per head
  size_t layers = 4;      // blocks
  size_t hidden = 512;    // MLP inner width
  float epsilon = 1e-5f;  // LayerNorm

  size_t head_dim() const { return width / heads; }
  bool operator==(const Config& other) const = default;
};

// Throws InvalidArgument naming the field (sizes zero, width not a multiple of heads, ...).
void validate_config(const Config& config);

// Characters: id 0 is "unknown" (any byte not in the alphabet, decoded as '?'), id i + 1 is
// alphabet[i]. Why characters and not BPE: the Brown corpus has 84 distinct bytes, so the tied
// embedding stays small (84 × width) and every weight the plans quantize sits in the blocks,
// where group size and GPTQ matter; a BPE vocabulary of a few thousand would put most of a
// 1 M-parameter model into the embedding.
class Tokenizer {
 public:
  Tokenizer() = default;
  // Distinct bytes, each at most once; throws InvalidArgument otherwise.
  explicit Tokenizer(std::string alphabet);
  // Every byte of `text` that occurs at least `min_count` times, in byte order.
  static Tokenizer train(std::string_view text, size_t min_count = 1);

  const std::string& alphabet() const { return alphabet_; }
  size_t size() const { return alphabet_.size() + 1; }
  std::vector<int32_t> encode(std::string_view text) const;
  // Ids outside [0, size()) throw InvalidArgument.
  std::string decode(std::span<const int32_t> ids) const;

 private:
  std::string alphabet_;
  std::vector<int32_t> ids_ = std::vector<int32_t>(256, 0);  // byte → id
};

struct LanguageModel {
  Config config;
  Tokenizer tokenizer;
  std::map<std::string, Tensor> parameters;  // f32, named per lm::parameter_specs

  const Tensor& parameter(const std::string& name) const;
  Tensor& parameter(const std::string& name);
};

// Every parameter: embed.weight [vocab, width], position.weight [context, width], per block i
// block<i>.norm1.{weight,bias}, block<i>.attn.qkv.{weight [3·width, width], bias},
// block<i>.attn.proj.{weight [width, width], bias}, block<i>.norm2.{weight,bias},
// block<i>.mlp.up.{weight [hidden, width], bias}, block<i>.mlp.down.{weight [width, hidden], bias},
// then norm.{weight,bias}. QKV rows are q (width), k, v; head h owns columns h·head_dim … of each.
std::vector<ParameterSpec> parameter_specs(const Config& config);
// Zero parameters of every spec (LayerNorm weights 1).
void allocate_parameters(LanguageModel& model);
// Config, tokenizer size == vocab, every parameter present with its shape, none extra.
void validate_language_model(const LanguageModel& model);
size_t parameter_count(const LanguageModel& model);

// The Linear layers in the order a forward pass runs them: per block attn.qkv, attn.proj,
// mlp.up, mlp.down, then "head" (weight: embed.weight, bias zero), as an nn::Model of Linear
// specs with those parameters. Not a chain: only the per-layer fields mean anything.
Model linear_view(const LanguageModel& model);
// Index of each kind of Linear in linear_view's order.
size_t qkv_index(size_t block);
size_t head_index(const Config& config);

// Builds the runnable Linear `index` of a linear_view (input [rows, in_features] f32 → [rows,
// out_features] f32).
using LinearFactory = std::function<std::unique_ptr<Layer>(const Model& view, size_t index)>;
LinearFactory fp32_linears(Impl impl = Impl::wasmsimd);
// Watches a run: the f32 input [rows, in_features] of Linear `index` of the view.
using LinearObserver = std::function<void(size_t index, const Tensor& input)>;

// One sequence being read: the model's Linears built once, and the key/value cache.
class Session {
 public:
  // `model` supplies the embeddings, positions and LayerNorms (and the view's weights for the
  // factory); it must outlive the session.
  explicit Session(const LanguageModel& model, const LinearFactory& factory = fp32_linears());

  size_t length() const { return length_; }
  size_t context() const { return model_.config.context; }
  void reset() { length_ = 0; }
  // Appends `tokens` at positions length() … (at most context in all) and returns the logits
  // [tokens, vocab] of each. Prefill is one call with the prompt, generation one per token.
  Tensor forward(std::span<const int32_t> tokens, const LinearObserver& observer = {});

 private:
  const LanguageModel& model_;
  std::vector<std::unique_ptr<Layer>> linears_;
  std::vector<Tensor> keys_;    // per block [width, context]: transposed (ops::cached_attention)
  std::vector<Tensor> values_;  // per block [context, width]
  size_t length_ = 0;
};

}  // namespace quantlab::nn::lm
