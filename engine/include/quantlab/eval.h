// Evaluation (layer 8): measures any executor — FP32 or quantized — with one set of functions,
// compares a quantized model's outputs with FP32's on the same examples, times the kernels in the
// same run, and assembles the FP32-vs-quantized report. Statistics conventions are stated where
// they are computed (engine/src/eval/) and in docs/report.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
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
  size_t correct = 0;          // candidate top-1 correct
  Interval accuracy_interval;  // Wilson 95% of the candidate's accuracy
  double decay_points = 0;     // (reference accuracy − candidate accuracy) · 100
  double agreement = 0;        // fraction of examples with the same top-1 class
  McNemar mcnemar;
  double logits_mse = 0;      // mean over all logits of (ref − cand)²
  double output_sqnr_db = 0;  // 10·log10(Σ ref² / Σ (ref − cand)²) over all logits (Eq. 12)
  double cosine = 0;          // mean over examples of the cosine of the two logit rows
  double kl_mean = 0;         // mean over examples of KL(softmax(ref) ‖ softmax(cand)), nats
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
  double batch1_ms = 0;          // median over rounds of the mean time of one batch-1 run
  double batch_ms = 0;           // median over rounds of one batch_size run
  double images_per_second = 0;  // batch_size / batch_ms
  // Per layer (in order), the median over rounds of its time within the batch_size run and
  // within one batch-1 run: where a plan wins or loses against FP32.
  std::vector<double> layer_batch_ms;
  std::vector<double> layer_batch1_ms;
};

// Times every executor on the same inputs, interleaved round by round so that the machine's
// drift affects all alike; ratios between the results are what to quote. `progress` is called
// before the first round and after each (rounds done, rounds); false stops the measurement
// (Cancelled), so a cancel never waits for more than one round.
std::vector<Speed> measure_speed(const std::vector<const nn::Executor*>& executors,
                                 const Tensor& inputs, const SpeedOptions& options = {},
                                 const quantization::Progress& progress = {});

// ---- sensitivity and mixed precision (docs/quantization.md §14) ---------------------------------
// Everything here decides on a validation slice of the training split and never sees test data.

// The last `count` examples of the training split (calibration takes the first ones, so the two
// do not overlap while count + calibration samples <= the split's size). Throws InvalidArgument
// if count is 0 or not below the split's size.
nn::Examples validation_slice(const nn::Examples& train, size_t count);

// A precision a Linear/Conv2d layer can take.
struct LayerChoice {
  std::string name;
  quantization::LayerPlan plan;
};
// int8 (W8A8 static, symmetric per channel), int4-g32 (the preset's asymmetric MSE-clipped groups
// of 32), int4-channel (GPTQ, symmetric per channel).
std::vector<LayerChoice> default_layer_choices();

struct SensitivityOptions {
  std::vector<LayerChoice> choices = default_layer_choices();
  quantization::CalibrationOptions calibration;
  size_t batch_size = 256;
};

// One layer quantized with one choice, the rest FP32, against FP32 on the validation slice.
struct LayerSensitivity {
  std::string layer;
  std::string choice;
  double accuracy_drop_points = 0;  // FP32's validation accuracy minus this plan's, · 100
  double kl_mean = 0;               // KL(softmax FP32 ‖ softmax plan), nats, mean over examples
  double output_sqnr_db = 0;        // Eq. 12 on the logits
  size_t bytes = 0;                 // the layer's weight as stored (Eq. 10)
  size_t bytes_saved = 0;           // its FP32 weight's bytes minus `bytes`
};

struct Sensitivity {
  double fp32_accuracy = 0;  // on the validation slice
  size_t validation_examples = 0;
  std::vector<LayerSensitivity> rows;  // by layer in model order, then by choice
};

// A whole plan measured on the validation slice.
struct MeasuredPlan {
  quantization::Plan plan;
  std::string stage;  // "uniform", "greedy" or "refinement": how the search reached it
  size_t weight_bytes = 0;
  double bits_per_weight = 0;
  double accuracy = 0;
  double drop_points = 0;
  // The sum of its layers' single-layer drops: what an additive model of the errors predicts.
  double predicted_drop_points = 0;
  double kl_mean = 0;
  double output_sqnr_db = 0;
};

// What the search must meet: total bytes (QuantizedModel::weight_bytes), average bits per weight
// (Eq. 10, scales counted), or a validation accuracy floor in percent.
struct Budget {
  enum class Kind : uint8_t { bytes, bits_per_weight, min_accuracy };
  Kind kind = Kind::bits_per_weight;
  double value = 5;
};
// "5bpw", "4.5bpw", "300KB", "1.2MB", "250000B"; throws InvalidArgument naming the text.
Budget parse_budget(const std::string& text);
std::string budget_text(const Budget& budget);

struct SearchOptions {
  Budget budget;
  SensitivityOptions sensitivity;
  size_t max_refinement_rounds = 3;
};

struct SearchResult {
  Sensitivity sensitivity;
  std::vector<MeasuredPlan> measured;  // every plan measured, in the order the search measured it
  std::vector<size_t> front;           // indices into measured: the Pareto front, smallest first
  size_t chosen = 0;                   // index into measured
  bool budget_met = false;             // else `chosen` is the plan closest to the budget
};

Sensitivity sensitivity(const nn::Model& model, const nn::Examples& validation,
                        const Tensor& calibration_inputs, const SensitivityOptions& options = {},
                        const Progress& progress = {});
// Greedy by predicted damage per byte saved (Eq. 27) from all-INT8 to all-smallest, then local
// refinement of the best plan within the budget, every plan re-measured for real.
SearchResult search(const nn::Model& model, const nn::Examples& validation,
                    const Tensor& calibration_inputs, const SearchOptions& options,
                    const Progress& progress = {});

nlohmann::ordered_json sensitivity_json(const Sensitivity& sensitivity);
nlohmann::ordered_json search_json(const SearchResult& result, const Budget& budget);
// Markdown: the sensitivity table (layer × choice), and the Pareto front with the chosen plan and
// how far the measured drops are from the additive prediction.
std::string sensitivity_markdown(const nlohmann::ordered_json& sensitivity);
std::string search_markdown(const nlohmann::ordered_json& search);

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
  // Beyond round-to-nearest, all optional. int4_methods adds int4_method_plans() as rows of their
  // own section. A non-empty validation slice (of the training split) adds the sensitivity table;
  // with a search budget too, the search's Pareto front and its chosen plan as a row ("mixed").
  bool int4_methods = false;
  nn::Examples validation;
  std::optional<Budget> search_budget;
};

// INT4 symmetric per channel and per tensor (min-max scales), each as RTN, RTN + bias correction,
// GPTQ and GPTQ + bias correction: the rows that show what the methods beyond RTN buy.
std::vector<quantization::Plan> int4_method_plans();

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
