// The report on a shipped model: every field of the schema, consistent with a direct evaluation.
#include <gtest/gtest.h>

#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/io.h"
#include "shipped_data.h"

namespace quantlab::eval {
namespace {

TEST(Report, FieldsAgreeWithADirectEvaluationAndFormatsRender) {
  ModelManifest manifest;
  const nn::Model model = load_model((testing::kRoot / "models/mnist-mlp").string(), manifest);
  const nn::Examples test = testing::shipped_examples(manifest, "test", 600);
  const nn::Examples train = testing::shipped_examples(manifest, "train", 256);
  ReportOptions options;
  options.plans = {quantization::preset("int8"), quantization::preset("int4-g32")};
  options.speed.rounds = 1;
  options.speed.single_images = 2;
  options.model_name = manifest.name;
  options.dataset = manifest.dataset;
  size_t progress_calls = 0;
  const auto json = report(model, test, train.inputs, options, [&](const ReportProgress&) {
    ++progress_calls;
    return true;
  });
  EXPECT_GT(progress_calls, 0u);
  EXPECT_EQ(json["format"], "quantlab-report");
  EXPECT_EQ(json["version"], 1);
  EXPECT_EQ(json["plans"].size(), 2u);
  const Evaluation fp32 = evaluate(nn::Executor(model), test);
  EXPECT_EQ(json["fp32"]["correct"].get<size_t>(), fp32.correct);
  for (const auto& row : json["plans"]) {
    for (const char* key : {"accuracy", "accuracy_interval", "decay_points", "agreement", "flips",
                            "mcnemar", "logits_mse", "output_sqnr_db", "cosine", "kl_mean",
                            "weight_bytes", "bits_per_weight", "layers", "speed"}) {
      EXPECT_TRUE(row.contains(key)) << key;
    }
    EXPECT_NEAR(row["decay_points"].get<double>(),
                100.0 * (fp32.accuracy() - row["accuracy"].get<double>()), 1e-9);
    EXPECT_EQ(row["layers"].size(), 5u);  // fc1 relu1 fc2 relu2 fc3
    EXPECT_GT(row["speed"]["speedup_batch"].get<double>(), 0.0);
  }
  const std::string markdown = report_markdown(json);
  EXPECT_NE(markdown.find("| Memory per value | 32.00 bits | 8.0"), std::string::npos);
  EXPECT_NE(markdown.find("| Accuracy decay |"), std::string::npos);
  EXPECT_NE(markdown.find("| Inference speedup (batch 256) | 1.00× |"), std::string::npos);
  const std::string csv = report_csv(json);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);  // header, fp32, two plans
}

TEST(Report, ABadPlanFailsBeforeAnyWork) {
  ModelManifest manifest;
  const nn::Model model = load_model((testing::kRoot / "models/mnist-mlp").string(), manifest);
  const nn::Examples test = testing::shipped_examples(manifest, "test", 10);
  ReportOptions options;
  quantization::Plan bad = quantization::preset("int4-g32");
  bad.name = "bad";
  bad.defaults.group_size = 12;
  options.plans = {bad};
  bool called = false;
  try {
    report(model, test, test.inputs, options, [&](const ReportProgress&) { return called = true; });
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("plan 'bad': fc1.weights: group size 12"),
              std::string::npos);
  }
  EXPECT_FALSE(called);
}

TEST(Report, CancelStopsBetweenBatches) {
  ModelManifest manifest;
  const nn::Model model = load_model((testing::kRoot / "models/mnist-mlp").string(), manifest);
  const nn::Examples test = testing::shipped_examples(manifest, "test", 600);
  ReportOptions options;
  options.plans = {quantization::preset("int8")};
  EXPECT_THROW(
      report(model, test, test.inputs, options, [](const ReportProgress&) { return false; }),
      Cancelled);
}

// A cancel during the speed measurement (the report's benchmark) stops after the round in
// progress: the progress seen last is "measuring speed", one round done of the many asked.
TEST(Report, CancelStopsTheSpeedMeasurementAfterOneRound) {
  ModelManifest manifest;
  const nn::Model model = load_model((testing::kRoot / "models/mnist-mlp").string(), manifest);
  const nn::Examples test = testing::shipped_examples(manifest, "test", 300);
  ReportOptions options;
  options.plans = {quantization::preset("int8")};
  options.speed.rounds = 1000;
  options.speed.single_images = 2;
  ReportProgress last;
  EXPECT_THROW(report(model, test, test.inputs, options,
                      [&](const ReportProgress& p) {
                        last = p;
                        return p.stage != "measuring speed" || p.done == 0;
                      }),
               Cancelled);
  EXPECT_EQ(last.stage, "measuring speed");
  EXPECT_EQ(last.done, 1u);
  EXPECT_EQ(last.total, 1000u);
}

}  // namespace
}  // namespace quantlab::eval
