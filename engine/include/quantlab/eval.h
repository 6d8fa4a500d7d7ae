// Evaluation (layer 8): measures any executor — FP32 or quantized — with one set of functions,
// compares a quantized model's outputs with FP32's on the same examples, times the kernels in the
// same run, and assembles the FP32-vs-quantized report. Statistics conventions are stated where
// they are computed (engine/src/eval/) and in docs/report.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "quantlab/nn.h"
#include "quantlab/quantize.h"

namespace quantlab::eval {

// Called between batches with (examples done, examples in all); return false to stop (the
// function then throws Cancelled, error.h).
using Progress = std::function<bool(size_t done, size_t total)>;

// The model's outputs for a set of examples.
struct Predictions {
  Tensor logits;                 // f32 [count, classes]: the last layer's output
  std::vector<int32_t> classes;  // argmax of each row
};

Predictions predict(const nn::Executor& executor, const Tensor& inputs, size_t batch_size = 256,
                    const Progress& progress = {});

struct Evaluation {
  size_t correct = 0;
  size_t count = 0;
  double accuracy() const { return count ? static_cast<double>(correct) / count : 0.0; }
};

// Top-1 accuracy of any executor over all examples, in batches of batch_size.
Evaluation evaluate(const nn::Executor& executor, const nn::Examples& examples,
                    size_t batch_size = 256, const Progress& progress = {});

// ---- statistics -------------------------------------------------------------------------------

struct Interval {
  double low = 0;
  double high = 0;
};
// Wilson score interval of a proportion at 95% (z = 1.959964).
Interval wilson_interval(size_t successes, size_t trials);

// McNemar's test on paired predictions: b = examples only the reference got right, c = only the
// candidate. p_value is the exact two-sided binomial p of min(b, c) under Bin(b + c, ½) (exact
// at every count, so small discordant counts need no continuity correction); 1 when b + c = 0.
struct McNemar {
  size_t reference_only = 0;  // b
  size_t candidate_only = 0;  // c
  double p_value = 1;
};
McNemar mcnemar(size_t reference_only, size_t candidate_only);

// A candidate's outputs against the reference's on the same examples.
struct Comparison {
  size_t count = 0;
  size_t correct = 0;            // candidate top-1 correct
  Interval accuracy_interval;    // Wilson 95% of the candidate's accuracy
  double decay_points = 0;       // (reference accuracy − candidate accuracy) · 100
  double agreement = 0;          // fraction of examples with the same top-1 class
  McNemar mcnemar;
  double logits_mse = 0;         // mean over all logits of (ref − cand)²
  double output_sqnr_db = 0;     // 10·log10(Σ ref² / Σ (ref − cand)²) over all logits (Eq. 12)
  double cosine = 0;             // mean over examples of the cosine of the two logit rows
  double kl_mean = 0;            // mean over examples of KL(softmax(ref) ‖ softmax(cand)), nats
  double accuracy() const { return count ? static_cast<double>(correct) / count : 0.0; }
};
Comparison compare(const Predictions& reference, const Predictions& candidate,
                   std::span<const int32_t> labels);

// Output SQNR (Eq. 12) of every layer of `candidate` against the same layer of `reference`
// (layers matched by index; int8 outputs dequantized with the layer's output parameters), over
// `inputs`. The two executors must come from the same model.
struct LayerError {
  std::string name;
  std::string kind;
  double sqnr_db = 0;
};
std::vector<LayerError> layer_errors(const nn::Executor& reference, const nn::Executor& candidate,
                                     const Tensor& inputs);

// ---- speed ------------------------------------------------------------------------------------

struct SpeedOptions {
  size_t rounds = 5;          // timed rounds, executors interleaved within each round
  size_t single_images = 32;  // batch-1 runs per round
  size_t batch_size = 256;    // throughput batch
};

struct Speed {
  double batch1_ms = 0;         // median over rounds of the mean time of one batch-1 run
  double batch_ms = 0;          // median over rounds of one batch_size run
  double images_per_second = 0; // batch_size / batch_ms
  // Per layer (in order), the median over rounds of its time within the batch_size run and
  // within one batch-1 run: where a plan wins or loses against FP32.
  std::vector<double> layer_batch_ms;
  std::vector<double> layer_batch1_ms;
};

// Times every executor on the same inputs, interleaved round by round so that the machine's
// drift affects all alike; ratios between the results are what to quote.
std::vector<Speed> measure_speed(const std::vector<const nn::Executor*>& executors,
                                 const Tensor& inputs, const SpeedOptions& options = {});

// ---- the report ---------------------------------------------------------------------------------

struct ReportOptions {
  std::vector<quantization::Plan> plans;  // each compared with FP32 (an "fp32" plan is skipped)
  quantization::CalibrationOptions calibration;
  SpeedOptions speed;
  bool measure_speed = true;
  size_t layer_error_samples = 256;  // test examples for per-layer SQNR
  std::string model_name;
  std::string dataset;
  std::string machine;  // where it ran, e.g. "native x86-64" or "wasm SIMD128 in Node 20"
  std::string command;  // how it was run
};

struct ReportProgress {
  std::string stage;  // e.g. "int8: calibrating"
  size_t done = 0;
  size_t total = 0;
};
using ReportProgressCallback = std::function<bool(const ReportProgress&)>;

// FP32 vs every plan on `test` (calibration from the first options.calibration.samples of
// `calibration_inputs`, which must come from the training split). The result follows the
// schema in docs/report.md (format "quantlab-report", version 1).
nlohmann::ordered_json report(const nn::Model& model, const nn::Examples& test,
                              const Tensor& calibration_inputs, const ReportOptions& options,
                              const ReportProgressCallback& progress = {});

// The same report as Markdown (the seed comparison table first, then the details) or CSV (one
// row per plan).
std::string report_markdown(const nlohmann::ordered_json& report);
std::string report_csv(const nlohmann::ordered_json& report);

}  // namespace quantlab::eval
