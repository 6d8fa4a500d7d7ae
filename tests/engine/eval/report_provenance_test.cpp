// What a report records to be kept as a baseline (docs/report.md, "Provenance and predictions"):
// the engine version, hashes that change with the weights and with the test images, and each
// row's predictions, which decode to the classes the model predicts; a report compared with
// itself pairs every row and passes the gate.
#include "eval/report_provenance.h"

#include <gtest/gtest.h>

#include "quantlab/eval.h"
#include "quantlab/eval_compare.h"
#include "quantlab/eval_digest.h"
#include "quantlab/io.h"
#include "quantlab/version.h"
#include "shipped_data.h"

namespace quantlab::eval {
namespace {

// mnist-mlp and the first test and training images of its dataset.
class ReportProvenance : public ::testing::Test {
 protected:
  ModelManifest manifest;
  nn::Model model = load_model((testing::kRoot / "models/mnist-mlp").string(), manifest);
  nn::Examples test = testing::shipped_examples(manifest, "test", 300);
};

TEST_F(ReportProvenance, RecordsVersionHashesAndPredictionsThatPair) {
  ReportOptions options;
  options.plans = {quantization::preset("int8")};
  options.measure_speed = false;
  const nn::Examples train = testing::shipped_examples(manifest, "train", 128);
  const auto json = report(model, test, train.inputs, options);

  EXPECT_EQ(json["engine_version"], kEngineVersion);
  EXPECT_EQ(json["model_sha256"], model_sha256(model));
  EXPECT_EQ(json["dataset_sha256"], dataset_sha256(test));
  EXPECT_EQ(json["model_sha256"].get<std::string>().size(), 64u);
  const std::vector<uint8_t> labels = base64_decode(json["test_labels"].get<std::string>());
  ASSERT_EQ(labels.size(), test.size());
  for (size_t i = 0; i < labels.size(); ++i) EXPECT_EQ(labels[i], test.labels[i]);
  const Predictions fp32 = predict(nn::Executor(model), test.inputs);
  const std::vector<uint8_t> recorded =
      base64_decode(json["fp32"]["predictions"].get<std::string>());
  ASSERT_EQ(recorded.size(), test.size());
  for (size_t i = 0; i < recorded.size(); ++i) EXPECT_EQ(recorded[i], fp32.classes[i]);
  EXPECT_EQ(base64_decode(json["plans"][0]["predictions"].get<std::string>()).size(), test.size());
  // The Markdown is unchanged by the new fields.
  EXPECT_EQ(report_markdown(json).find("predictions"), std::string::npos);

  const auto comparison = compare_reports(json, json);
  EXPECT_TRUE(comparison["same_model"].get<bool>());
  EXPECT_TRUE(comparison["paired"].get<bool>());
  EXPECT_EQ(comparison["rows"][1]["paired"]["p_value"], 1.0);
  EXPECT_TRUE(comparison["gate"]["passed"].get<bool>());
}

TEST_F(ReportProvenance, HashesFollowTheWeightsAndTheImages) {
  const std::string model_hash = model_sha256(model), data_hash = dataset_sha256(test);
  EXPECT_EQ(model_sha256(model), model_hash);  // deterministic
  model.parameters.begin()->second.values<float>()[0] += 1e-3f;
  EXPECT_NE(model_sha256(model), model_hash);
  test.inputs.values<float>()[5] += 1e-3f;
  EXPECT_NE(dataset_sha256(test), data_hash);
}

}  // namespace
}  // namespace quantlab::eval
