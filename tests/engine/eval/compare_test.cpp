// compare_reports and the gate on synthetic reports: a planted regression (accuracy, size,
// speed, decay) is caught; noise — a few images changing sides, a speed ratio within the limit —
// is not; reports without predictions or from another test set are compared but not paired.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/report_provenance.h"
#include "quantlab/error.h"
#include "quantlab/eval_compare.h"

namespace quantlab::eval {
namespace {

using nlohmann::ordered_json;

constexpr size_t kImages = 1000;

std::vector<int32_t> labels() {
  std::vector<int32_t> l(kImages);
  for (size_t i = 0; i < kImages; ++i) l[i] = static_cast<int32_t>(i % 10);
  return l;
}

// The labels, except a wrong class on images [begin, end) of each range.
std::vector<int32_t> wrong_on(std::initializer_list<std::pair<size_t, size_t>> ranges) {
  std::vector<int32_t> p = labels();
  for (const auto& [begin, end] : ranges) {
    for (size_t i = begin; i < end; ++i) p[i] = (p[i] + 1) % 10;
  }
  return p;
}

struct Row {
  std::string name;
  std::vector<int32_t> predictions;
  double weight_bytes = 1000;
  double speedup = 2.0;  // FP32's time over this row's, batch 256
};

double accuracy(const std::vector<int32_t>& p) {
  const std::vector<int32_t> l = labels();
  size_t correct = 0;
  for (size_t i = 0; i < kImages; ++i) correct += p[i] == l[i];
  return static_cast<double>(correct) / kImages;
}

ordered_json row_json(const Row& row, const Row& fp32) {
  ordered_json r = {
      {"name", row.name},
      {"plan", {{"name", row.name}}},
      {"accuracy", accuracy(row.predictions)},
      {"decay_points", 100 * (accuracy(fp32.predictions) - accuracy(row.predictions))},
      {"agreement", 0.99},
      {"kl_mean", 0.001},
      {"weight_bytes", row.weight_bytes},
      {"bits_per_weight", 8.0},
      {"speed", {{"speedup_batch", row.speedup}, {"speedup_batch1", row.speedup}}},
      {"predictions", encode_classes(row.predictions)}};
  if (row.name == "fp32") {
    for (const char* key : {"plan", "decay_points", "agreement", "kl_mean"}) r.erase(key);
  }
  return r;
}

ordered_json report(const Row& fp32, const std::vector<Row>& plans,
                    const std::string& dataset = "same images") {
  ordered_json rows = ordered_json::array();
  for (const Row& plan : plans) rows.push_back(row_json(plan, fp32));
  return {{"format", "quantlab-report"},
          {"version", 1},
          {"model", {{"name", "synthetic"}, {"dataset", "digits"}}},
          {"test_examples", kImages},
          {"speed", {{"rounds", 5}}},
          {"machine", "test"},
          {"command", "synthetic"},
          {"engine_version", "0.1.0"},
          {"model_sha256", "m"},
          {"dataset_sha256", dataset},
          {"test_labels", encode_classes(labels())},
          {"fp32", row_json(fp32, fp32)},
          {"plans", rows}};
}

const Row kFp32 = {"fp32", wrong_on({{0, 20}}), 4000, 1.0};  // 98.0%
const Row kInt8 = {"int8", wrong_on({{0, 22}}), 1000, 2.0};  // 97.8%: decay 0.2
const ordered_json kBase = report(kFp32, {kInt8});

GateThresholds thresholds() {
  GateThresholds t;
  t.max_decay_points = 0.5;
  t.max_size_ratio = 1.05;
  t.min_speedup_ratio = 0.9;
  return t;
}

const ordered_json& row_named(const ordered_json& comparison, const std::string& name) {
  for (const ordered_json& row : comparison["rows"]) {
    if (row["name"] == name) return row;
  }
  throw std::runtime_error("no row " + name);
}

std::vector<std::string> failed_checks(const ordered_json& comparison) {
  std::vector<std::string> checks;
  for (const ordered_json& f : comparison["gate"]["failures"]) checks.push_back(f["check"]);
  return checks;
}

TEST(CompareReports, NoiseWithinTheIntervalPasses) {
  // Four images the baseline got right are now wrong and two it got wrong are now right (b = 4,
  // c = 2, p = 0.69): 0.2 points worse, within noise. The speedup ratio 0.95 is above 0.9.
  const Row noisy = {"int8", wrong_on({{0, 20}, {22, 26}}), 1000, 1.9};
  const ordered_json comparison = compare_reports(kBase, report(kFp32, {noisy}), thresholds());
  EXPECT_EQ(comparison["format"], "quantlab-comparison");
  EXPECT_TRUE(comparison["paired"].get<bool>());
  const ordered_json& int8 = row_named(comparison, "int8");
  EXPECT_EQ(int8["paired"]["base_only_correct"], 4);
  EXPECT_EQ(int8["paired"]["new_only_correct"], 2);
  EXPECT_NEAR(int8["paired"]["p_value"].get<double>(), 44.0 / 64, 1e-12);  // 2·P(X ≤ 2), n = 6
  EXPECT_NEAR(int8["accuracy_change_points"].get<double>(), -0.2, 1e-9);
  EXPECT_NEAR(int8["speedup_ratio_batch"].get<double>(), 0.95, 1e-12);
  EXPECT_EQ(int8["verdict"], "within noise");
  EXPECT_TRUE(comparison["gate"]["passed"].get<bool>()) << comparison["gate"].dump(2);
  EXPECT_EQ(comparison["gate"]["checks"], 2 + 4);  // fp32: size, significance; int8: all four
  EXPECT_NE(gate_summary(comparison).find("quantlab gate: passed"), std::string::npos);
  EXPECT_NE(comparison_markdown(comparison)
                .find("| int8 | 97.80% → 97.60% | -0.20 | 0.688 | within noise |"),
            std::string::npos)
      << comparison_markdown(comparison);
}

TEST(CompareReports, APlantedAccuracyRegressionIsSignificantAndFailsTheGate) {
  // 30 more images wrong than the baseline and none better: b = 30, c = 0, p = 2⁻²⁹.
  const Row worse = {"int8", wrong_on({{0, 52}}), 1000, 2.0};
  GateThresholds t = thresholds();
  t.max_decay_points.reset();  // only the paired test may catch it here
  const ordered_json comparison = compare_reports(kBase, report(kFp32, {worse}), t);
  const ordered_json& int8 = row_named(comparison, "int8");
  EXPECT_EQ(int8["verdict"], "significantly worse");
  EXPECT_NEAR(int8["paired"]["p_value"].get<double>(), std::ldexp(1.0, -29), 1e-15);
  EXPECT_EQ(failed_checks(comparison), std::vector<std::string>{"significance"});
  const std::string summary = gate_summary(comparison);
  EXPECT_NE(summary.find("quantlab gate: FAILED: 1 of"), std::string::npos) << summary;
  EXPECT_NE(summary.find("int8: accuracy fell 3.00 points vs the baseline"), std::string::npos)
      << summary;
}

TEST(CompareReports, EachThresholdCatchesItsPlantedRegression) {
  // Decay 1.0 point against the new report's own FP32; weights 1.2× the baseline's; speedup 0.7×.
  const Row decayed = {"int8", wrong_on({{0, 30}}), 1000, 2.0};
  EXPECT_EQ(failed_checks(compare_reports(kBase, report(kFp32, {decayed}), thresholds())),
            (std::vector<std::string>{"max_decay_points", "significance"}));
  const Row bigger = {"int8", kInt8.predictions, 1200, 2.0};
  EXPECT_EQ(failed_checks(compare_reports(kBase, report(kFp32, {bigger}), thresholds())),
            std::vector<std::string>{"max_size_ratio"});
  const Row slower = {"int8", kInt8.predictions, 1000, 1.4};
  const ordered_json comparison = compare_reports(kBase, report(kFp32, {slower}), thresholds());
  EXPECT_EQ(failed_checks(comparison), std::vector<std::string>{"min_speedup_ratio"});
  EXPECT_NE(gate_summary(comparison).find("fell to 0.700× the baseline's (2.00× → 1.40×)"),
            std::string::npos)
      << gate_summary(comparison);
  // No thresholds: only the paired test, which the unchanged predictions pass.
  EXPECT_TRUE(compare_reports(kBase, report(kFp32, {slower}))["gate"]["passed"].get<bool>());
}

TEST(CompareReports, ReportsOfAnotherTestSetOrWithoutPredictionsAreNotPaired) {
  const Row worse = {"int8", wrong_on({{0, 52}}), 1000, 2.0};
  const ordered_json other = compare_reports(kBase, report(kFp32, {worse}, "other images"));
  EXPECT_FALSE(other["same_dataset"].get<bool>());
  EXPECT_FALSE(other["paired"].get<bool>());
  EXPECT_EQ(row_named(other, "int8")["verdict"], "not paired");
  EXPECT_TRUE(other["gate"]["passed"].get<bool>());

  // A version-1 report written before provenance and predictions existed still compares.
  ordered_json old = kBase;
  for (const char* key : {"engine_version", "model_sha256", "dataset_sha256", "test_labels"})
    old.erase(key);
  old["fp32"].erase("predictions");
  for (ordered_json& row : old["plans"]) row.erase("predictions");
  const ordered_json comparison = compare_reports(old, report(kFp32, {worse}));
  EXPECT_TRUE(comparison["same_dataset"].is_null());
  EXPECT_FALSE(comparison["paired"].get<bool>());
  EXPECT_NE(comparison_markdown(comparison).find("accuracy changes are not paired"),
            std::string::npos);
}

TEST(CompareReports, PlansInOnlyOneReportAreListed) {
  const Row int4 = {"int4-g32", wrong_on({{0, 24}}), 600, 1.5};
  const ordered_json comparison =
      compare_reports(report(kFp32, {kInt8}), report(kFp32, {int4}), thresholds());
  EXPECT_EQ(row_named(comparison, "int4-g32")["verdict"], "new plan");
  EXPECT_EQ(comparison["only_in_base"], ordered_json::array({"int8"}));
  EXPECT_TRUE(comparison["gate"]["passed"].get<bool>());  // its decay 0.4 is within the 0.5 limit
}

TEST(CompareReports, RejectsWhatIsNotAVersion1Report) {
  ordered_json future = kBase;
  future["version"] = 2;
  EXPECT_THROW(compare_reports(future, kBase), InvalidArgument);
  EXPECT_THROW(compare_reports(kBase, ordered_json::object()), InvalidArgument);
  ordered_json short_predictions = kBase;
  short_predictions["plans"][0]["predictions"] = encode_classes(std::vector<int32_t>(10, 1));
  try {
    compare_reports(kBase, short_predictions);
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "new report: int8.predictions holds 10 classes for 1000 test images");
  }
  GateThresholds t;
  t.alpha = 0;
  EXPECT_THROW(compare_reports(kBase, kBase, t), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::eval
