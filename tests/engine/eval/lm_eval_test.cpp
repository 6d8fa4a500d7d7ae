// The language model's metrics (perplexity, KL, agreement), seeded generation and the report.
#include <gtest/gtest.h>

#include <cmath>

#include "lm_test_model.h"
#include "quantlab/error.h"
#include "quantlab/eval_lm.h"

namespace quantlab::eval {
namespace {

std::vector<int32_t> text(size_t count) {
  std::vector<int32_t> tokens;
  for (size_t i = 0; i < count; ++i)
    tokens.push_back(static_cast<int32_t>(1 + (i * 7 + i / 3) % 4));
  return tokens;
}

TEST(LmMetrics, PerplexityKlAndAgreementFromHandMadeScores) {
  // Two positions over a vocabulary of 2.
  NextTokenScores reference{
      2, 2, {std::log(0.5f), std::log(0.5f), std::log(0.9f), std::log(0.1f)}, {0, 0}, {0, 0}};
  NextTokenScores candidate = reference;
  candidate.log_probs = {std::log(0.25f), std::log(0.75f), std::log(0.9f), std::log(0.1f)};
  candidate.predictions = {1, 0};
  const LmQuality q = lm_quality(reference, candidate);
  EXPECT_NEAR(q.perplexity, std::exp(-(std::log(0.25) + std::log(0.9)) / 2), 1e-5);
  const double kl0 = 0.5 * std::log(0.5 / 0.25) + 0.5 * std::log(0.5 / 0.75);
  EXPECT_NEAR(q.kl_mean, kl0 / 2, 1e-6);
  EXPECT_NEAR(q.kl_p99, kl0, 1e-6);
  EXPECT_DOUBLE_EQ(q.top1_agreement, 0.5);
  EXPECT_DOUBLE_EQ(lm_quality(reference, reference).kl_mean, 0.0);
  candidate.targets = {1, 1};
  EXPECT_THROW(lm_quality(reference, candidate), InvalidArgument);
}

TEST(LmGenerate, IsDeterministicPerSeedAndItsKlFromItselfIsZero) {
  const nn::lm::LanguageModel model = testing::small_language_model();
  nn::lm::Session session(model);
  GenerateOptions options;
  options.tokens = 20;  // past the context of 8: the cache is refilled on the way
  options.seed = 3;
  const Generation first = generate(session, model.tokenizer, "abca", options);
  EXPECT_EQ(first.tokens.size(), 20u);
  EXPECT_EQ(first.text.size(), 20u);
  EXPECT_EQ(first.distributions.size(), 20u * model.config.vocab);
  EXPECT_EQ(generate(session, model.tokenizer, "abca", options).text, first.text);
  options.seed = 4;
  EXPECT_NE(generate(session, model.tokenizer, "abca", options).text, first.text);
  // The same model along its own text: zero up to float rounding of the re-run (≈ 1e-8).
  for (const double kl : generation_kl(session, model.tokenizer, "abca", first)) {
    EXPECT_NEAR(kl, 0.0, 1e-6);
  }
  options.temperature = -1;
  EXPECT_THROW(generate(session, model.tokenizer, "a", options), InvalidArgument);
}

TEST(LmReport, ScoresFp32AndEveryPlanOnTheSameTokens) {
  const nn::lm::LanguageModel model = testing::small_language_model();
  LmReportOptions options;
  options.tokens = 64;
  options.calibration_windows = 2;
  options.speed_rounds = 1;
  const LmReport report = lm_report(model, "small", text(100), text(40), options);
  ASSERT_EQ(report.rows.size(), 5u);
  EXPECT_EQ(report.tokens, 64u);
  EXPECT_EQ(report.rows[0].plan, "fp32");
  EXPECT_EQ(report.rows[4].plan, "gptq-int4-g32");
  EXPECT_DOUBLE_EQ(report.rows[0].quality.kl_mean, 0.0);
  for (const LmReportRow& row : report.rows) {
    EXPECT_GT(row.quality.perplexity, 1.0);
    EXPECT_GT(row.speed.generate_tokens_per_second, 0.0);
    EXPECT_GE(row.quality.kl_mean, 0.0);
  }
  EXPECT_LT(report.rows[2].bits_per_weight, report.rows[1].bits_per_weight);
  const std::string markdown = lm_report_markdown(report);
  EXPECT_NE(markdown.find("| gptq-int4-g32 |"), std::string::npos);
  EXPECT_NE(markdown.find("top-1 agreement"), std::string::npos);
}

}  // namespace
}  // namespace quantlab::eval
