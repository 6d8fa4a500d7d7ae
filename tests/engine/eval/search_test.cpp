// Sensitivity and mixed-precision search on a shipped model: the table's shape, the front's
// order, the budget, and that a searched plan run through the core path (calibrate,
// quantize_model) gives exactly what the search measured.
#include <gtest/gtest.h>

#include "quantlab/error.h"
#include "quantlab/eval.h"
#include "quantlab/io.h"
#include "shipped_data.h"

namespace quantlab::eval {
namespace {

TEST(Budget, ParsesSizesBitsAndAccuracyFloors) {
  EXPECT_EQ(parse_budget("5bpw").kind, Budget::Kind::bits_per_weight);
  EXPECT_EQ(parse_budget("4.5bpw").value, 4.5);
  EXPECT_EQ(parse_budget("300KB").kind, Budget::Kind::bytes);
  EXPECT_EQ(parse_budget("300KB").value, 300e3);
  EXPECT_EQ(parse_budget("1.2MB").value, 1.2e6);
  EXPECT_EQ(parse_budget("250000B").value, 250000);
  EXPECT_EQ(parse_budget("91.5%").kind, Budget::Kind::min_accuracy);
  EXPECT_THROW(parse_budget("5 bits"), InvalidArgument);
  EXPECT_THROW(parse_budget("KB"), InvalidArgument);
  EXPECT_THROW(parse_budget("-1bpw"), InvalidArgument);
  EXPECT_EQ(budget_text(parse_budget("4.5bpw")), "4.5bpw");
}

struct Fixture {
  nn::Model model;
  ModelManifest manifest;
  nn::Examples train;
  nn::Examples validation;
};

const Fixture& mnist_mlp() {
  static const Fixture f = [] {
    Fixture f;
    f.model = load_model((testing::kRoot / "models" / "mnist-mlp").string(), f.manifest);
    f.train = testing::shipped_examples(f.manifest, "train");
    f.validation = validation_slice(f.train, 1000);
    return f;
  }();
  return f;
}

SearchOptions options(const std::string& budget) {
  SearchOptions o;
  o.budget = parse_budget(budget);
  o.sensitivity.calibration.samples = 256;
  return o;
}

TEST(ValidationSlice, IsTheEndOfTheTrainingSplit) {
  const Fixture& f = mnist_mlp();
  EXPECT_EQ(f.validation.size(), 1000u);
  EXPECT_EQ(f.validation.labels.back(), f.train.labels.back());
  EXPECT_THROW(validation_slice(f.train, f.train.size()), InvalidArgument);
  EXPECT_THROW(validation_slice(f.train, 0), InvalidArgument);
}

TEST(Search, FrontIsOrderedTheChosenPlanMeetsTheBudgetAndRunsThroughTheCore) {
  const Fixture& f = mnist_mlp();
  const SearchResult result = search(f.model, f.validation, f.train.inputs, options("4.5bpw"));
  const size_t layers = 3, choices = default_layer_choices().size();
  ASSERT_EQ(result.sensitivity.rows.size(), layers * choices);
  for (const LayerSensitivity& row : result.sensitivity.rows) EXPECT_GT(row.bytes_saved, 0u);
  ASSERT_FALSE(result.front.empty());
  for (size_t i = 1; i < result.front.size(); ++i) {
    const MeasuredPlan& a = result.measured[result.front[i - 1]];
    const MeasuredPlan& b = result.measured[result.front[i]];
    EXPECT_LT(a.weight_bytes, b.weight_bytes);
    EXPECT_LT(a.accuracy, b.accuracy);
  }
  // The front starts at the smallest plan measured: every layer INT4 per channel.
  EXPECT_EQ(result.measured[result.front.front()].plan.name, "int4-channel");
  ASSERT_TRUE(result.budget_met);
  const MeasuredPlan& chosen = result.measured[result.chosen];
  EXPECT_LE(chosen.bits_per_weight, 4.5);

  const quantization::Plan plan = parse_plan(plan_to_json(chosen.plan).dump(), "chosen");
  const quantization::QuantizedModel q = quantization::quantize_model(
      f.model, plan,
      quantization::calibrate(f.model, plan, f.train.inputs,
                              options("4.5bpw").sensitivity.calibration));
  EXPECT_EQ(q.weight_bytes(), chosen.weight_bytes);
  EXPECT_EQ(evaluate(quantization::make_executor(q), f.validation).accuracy(), chosen.accuracy);
}

TEST(Search, AnAccuracyFloorPicksTheSmallestPlanThatHoldsIt) {
  const Fixture& f = mnist_mlp();
  const SearchResult result = search(f.model, f.validation, f.train.inputs, options("99.0%"));
  ASSERT_TRUE(result.budget_met);
  const MeasuredPlan& chosen = result.measured[result.chosen];
  EXPECT_GE(100 * chosen.accuracy, 99.0);
  for (const MeasuredPlan& m : result.measured) {
    if (100 * m.accuracy >= 99.0) {
      EXPECT_GE(m.weight_bytes, chosen.weight_bytes);
    }
  }
}

}  // namespace
}  // namespace quantlab::eval
