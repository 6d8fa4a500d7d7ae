// The language model's tokenizer, parameter layout, Linear view and KV-cache session.
#include <gtest/gtest.h>

#include <cmath>

#include "lm_test_model.h"
#include "quantlab/error.h"
#include "quantlab/nn_lm.h"

namespace quantlab::nn::lm {
namespace {

LanguageModel small_model() { return testing::small_language_model(8, 16); }

TEST(LmTokenizer, RoundTripsKnownBytesAndMapsOthersToUnknown) {
  const Tokenizer tokenizer = Tokenizer::train("hello world");
  EXPECT_EQ(tokenizer.alphabet(), " dehlorw");
  EXPECT_EQ(tokenizer.size(), 9u);
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("hello")), "hello");
  EXPECT_EQ(tokenizer.encode("hex")[2], 0);
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("hex")), "he?");
  EXPECT_THROW(tokenizer.decode(std::vector<int32_t>{9}), InvalidArgument);
  EXPECT_THROW(Tokenizer("abca"), InvalidArgument);
}

TEST(LmModel, ValidatesConfigAndParameters) {
  LanguageModel model = small_model();
  EXPECT_NO_THROW(validate_language_model(model));
  EXPECT_EQ(parameter_count(model),
            5 * 8 + 8 * 8 + 2 * (4 * 8 + 24 * 8 + 24 + 64 + 8 + 128 + 16 + 128 + 8) + 16);
  model.config.heads = 3;
  EXPECT_THROW(validate_config(model.config), InvalidArgument);
  model = small_model();
  model.parameters.erase("block1.mlp.up.bias");
  try {
    validate_language_model(model);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("block1.mlp.up.bias"), std::string::npos);
  }
}

TEST(LmModel, LinearViewNamesEveryLinearInRunOrderWithTheTiedHeadLast) {
  const LanguageModel model = small_model();
  const Model view = linear_view(model);
  ASSERT_EQ(view.layers.size(), 9u);
  EXPECT_EQ(view.layers[qkv_index(1)].name, "block1.attn.qkv");
  EXPECT_EQ(view.layers[1].name, "block0.attn.proj");
  EXPECT_EQ(view.layers[2].name, "block0.mlp.up");
  EXPECT_EQ(view.layers[3].out_features, 8u);
  EXPECT_EQ(view.layers[head_index(model.config)].name, "head");
  EXPECT_EQ(view.parameter("head.weight").values<float>()[7],
            model.parameter("embed.weight").values<float>()[7]);
}

TEST(LmSession, CachedTokenByTokenLogitsEqualOnePrefill) {
  const LanguageModel model = small_model();
  const std::vector<int32_t> tokens{1, 3, 2, 4, 0, 2};
  for (const Impl impl : {Impl::ref, Impl::wasmsimd}) {
    Session prefill(model, fp32_linears(impl));
    const Tensor all = prefill.forward(tokens);
    Session stepwise(model, fp32_linears(impl));
    stepwise.forward(std::span(tokens).first(2));
    for (size_t t = 2; t < tokens.size(); ++t) {
      const Tensor one = stepwise.forward(std::span(tokens).subspan(t, 1));
      for (size_t v = 0; v < model.config.vocab; ++v) {
        EXPECT_NEAR(one.values<float>()[v], all.values<float>()[t * model.config.vocab + v], 1e-5)
            << "position " << t;
      }
    }
    EXPECT_EQ(stepwise.length(), tokens.size());
  }
}

TEST(LmSession, RejectsTokensPastTheContextAndOutsideTheVocabulary) {
  const LanguageModel model = small_model();
  Session session(model);
  EXPECT_THROW(session.forward(std::vector<int32_t>(9, 1)), InvalidArgument);
  EXPECT_THROW(session.forward(std::vector<int32_t>{5}), InvalidArgument);
  session.forward(std::vector<int32_t>(8, 1));
  EXPECT_THROW(session.forward(std::vector<int32_t>{1}), InvalidArgument);
  session.reset();
  EXPECT_NO_THROW(session.forward(std::vector<int32_t>{1}));
}

}  // namespace
}  // namespace quantlab::nn::lm
