// Seeded text generation against the KV cache (eval_lm.h).
#include <algorithm>
#include <chrono>
#include <cmath>

#include "quantlab/error.h"
#include "quantlab/eval_lm.h"
#include "quantlab/train.h"

namespace quantlab::eval {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// softmax(logits / temperature), or the one-hot argmax when temperature is 0.
std::vector<float> distribution(const float* logits, size_t vocab, float temperature) {
  std::vector<float> p(vocab, 0.0f);
  const float* top = std::max_element(logits, logits + vocab);
  if (temperature <= 0) {
    p[static_cast<size_t>(top - logits)] = 1.0f;
    return p;
  }
  double total = 0;
  for (size_t v = 0; v < vocab; ++v) {
    p[v] = std::exp((logits[v] - *top) / temperature);
    total += p[v];
  }
  for (float& value : p) value = static_cast<float>(value / total);
  return p;
}

int32_t draw(const std::vector<float>& p, train::Rng& rng) {
  const float u = rng.uniform();
  float cumulative = 0;
  for (size_t v = 0; v < p.size(); ++v) {
    cumulative += p[v];
    if (u < cumulative) return static_cast<int32_t>(v);
  }
  // Rounding left the total just below u: the last token with any probability.
  size_t last = p.size() - 1;
  while (last > 0 && p[last] == 0) --last;
  return static_cast<int32_t>(last);
}

}  // namespace

Generation generate(nn::lm::Session& session, const nn::lm::Tokenizer& tokenizer,
                    const std::string& prompt, const GenerateOptions& options,
                    std::span<const int32_t> forced) {
  require(std::isfinite(options.temperature) && options.temperature >= 0,
          "generate: temperature must be finite and not negative");
  std::vector<int32_t> history = tokenizer.encode(prompt.empty() ? "\n" : prompt);
  const size_t context = session.context();
  const size_t keep = std::max<size_t>(1, context / 2);
  if (history.size() > context) history.erase(history.begin(), history.end() - keep);
  const size_t count = forced.empty() ? options.tokens : forced.size();
  train::Rng rng(options.seed);
  Generation generation;
  session.reset();
  auto start = Clock::now();
  Tensor logits = session.forward(history);
  generation.prefill_ms = ms_since(start);
  const size_t vocab = logits.shape()[1];
  const float* last = logits.values<float>().data() + (logits.shape()[0] - 1) * vocab;
  start = Clock::now();
  for (size_t t = 0; t < count; ++t) {
    const std::vector<float> p = distribution(last, vocab, 1.0f);
    const int32_t next =
        forced.empty()
            ? draw(options.temperature == 1.0f ? p : distribution(last, vocab, options.temperature),
                   rng)
            : forced[t];
    generation.tokens.push_back(next);
    generation.distributions.insert(generation.distributions.end(), p.begin(), p.end());
    history.push_back(next);
    if (t + 1 == count) break;
    if (session.length() == context) {
      session.reset();
      logits = session.forward(std::span(history).last(keep));
    } else {
      logits = session.forward(std::span(history).last(1));
    }
    last = logits.values<float>().data() + (logits.shape()[0] - 1) * vocab;
  }
  generation.generate_ms = ms_since(start);
  generation.text = tokenizer.decode(generation.tokens);
  return generation;
}

std::vector<double> generation_kl(nn::lm::Session& reference, const nn::lm::Tokenizer& tokenizer,
                                  const std::string& prompt, const Generation& generation) {
  if (generation.tokens.empty()) return {};
  const Generation read = generate(reference, tokenizer, prompt, {}, generation.tokens);
  const size_t vocab = tokenizer.size();
  std::vector<double> kl;
  for (size_t t = 0; t < generation.tokens.size(); ++t) {
    kl.push_back(kl_divergence(std::span(read.distributions).subspan(t * vocab, vocab),
                               std::span(generation.distributions).subspan(t * vocab, vocab)));
  }
  return kl;
}

}  // namespace quantlab::eval
