// Evaluation of the language model (layer 9, nn_lm.h) the llama.cpp way: perplexity on the test
// split, the KL divergence of each next-token distribution from FP32's (mean and 99th
// percentile), top-1 next-token agreement, and tokens per second for prefill and generation at
// batch 1, for FP32 and every plan in one run; and seeded text generation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "quantlab/nn_lm.h"
#include "quantlab/quantize.h"
#include "quantlab/quantize_lm.h"

namespace quantlab::eval {

// The log-softmax of every position of `tokens` read in windows of the model's context (each
// window from an empty cache; a last partial window is dropped), and what each predicts.
struct NextTokenScores {
  size_t positions = 0;
  size_t vocab = 0;
  std::vector<float> log_probs;      // [positions, vocab]
  std::vector<int32_t> targets;      // the token that follows each position
  std::vector<int32_t> predictions;  // argmax of each position
};
NextTokenScores next_token_scores(nn::lm::Session& session, std::span<const int32_t> tokens);

struct LmQuality {
  double perplexity = 0;      // exp(mean −log p(target)) (Eq. 53)
  double kl_mean = 0;         // KL(P_fp32 ‖ P_plan) in nats per position (Eq. 54); 0 for FP32
  double kl_p99 = 0;          // its 99th percentile (nearest rank)
  double top1_agreement = 1;  // fraction of positions whose argmax equals FP32's
};
LmQuality lm_quality(const NextTokenScores& reference, const NextTokenScores& candidate);

struct LmSpeed {
  double prefill_tokens_per_second = 0;   // one window of `context` tokens from an empty cache
  double generate_tokens_per_second = 0;  // one token at a time against the cache
};

struct LmReportRow {
  std::string plan;  // "fp32" first
  double bits_per_weight = 32;
  size_t weight_bytes = 0;
  LmQuality quality;
  LmSpeed speed;
};

struct LmReport {
  std::string model;
  size_t parameters = 0;
  size_t tokens = 0;  // positions scored
  size_t calibration_windows = 0;
  size_t speed_rounds = 0;
  std::vector<LmReportRow> rows;
};

struct LmReportOptions {
  std::vector<quantization::Plan> plans;  // empty: lm_report_plans()
  size_t tokens = 16384;                  // test tokens scored (whole windows)
  size_t calibration_windows = 64;        // windows of the calibration stream
  size_t speed_rounds = 5;                // medians over rounds; every plan timed in each round
  Impl impl = Impl::wasmsimd;
};

// int8 (W8A8 static), int4-g32 (RTN, W4A32), w4a8, gptq-int4-g32 (int4-g32 by GPTQ on every
// block's Linears, the tied head by RTN).
std::vector<quantization::Plan> lm_report_plans();
// A preset, "gptq-int4-g32", or the path of a plan file (io's plan_by_name_or_file).
quantization::Plan lm_plan_by_name_or_file(const std::string& spec);
// A preset name, "gptq-int4-g32", or a plan object (io's plan_from_spec).
quantization::Plan lm_plan_from_spec(const nlohmann::json& spec, const std::string& what);

using LmReportProgress = std::function<bool(const std::string& stage, size_t done, size_t total)>;
LmReport lm_report(const nn::lm::LanguageModel& model, const std::string& name,
                   std::span<const int32_t> test, std::span<const int32_t> calibration,
                   const LmReportOptions& options, const LmReportProgress& progress = {});
std::string lm_report_markdown(const LmReport& report);

struct GenerateOptions {
  size_t tokens = 200;       // new tokens
  float temperature = 0.8f;  // 0: greedy
  uint64_t seed = 1;         // the sampler's draws (train::Rng)
};

struct Generation {
  std::string text;                  // the continuation only
  std::vector<int32_t> tokens;       // its ids
  std::vector<float> distributions;  // [tokens, vocab]: softmax (temperature 1) at each token
  double prefill_ms = 0;
  double generate_ms = 0;  // all tokens after the first
};

// Continues `prompt` (an empty prompt starts from a newline) token by token against the cache;
// when the cache is full the last context / 2 tokens are read again from an empty cache. Tokens
// are drawn from softmax(logits / temperature) with train::Rng, so the same seed gives the same
// text; with `forced` not empty they are those tokens instead (options.tokens is ignored): how
// another model's distributions along the same text are read.
Generation generate(nn::lm::Session& session, const nn::lm::Tokenizer& tokenizer,
                    const std::string& prompt, const GenerateOptions& options,
                    std::span<const int32_t> forced = {});

// KL(P_reference ‖ P_generation) at each token of `generation` (Eq. 54), the reference session
// reading the same prompt and tokens.
std::vector<double> generation_kl(nn::lm::Session& reference, const nn::lm::Tokenizer& tokenizer,
                                  const std::string& prompt, const Generation& generation);

// KL(P ‖ Q) of two distributions over the same support, in nats.
double kl_divergence(std::span<const float> p, std::span<const float> q);

}  // namespace quantlab::eval
