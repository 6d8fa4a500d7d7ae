// Next-token scores of a language model and their comparison with FP32's (eval_lm.h).
#include <algorithm>
#include <cmath>

#include "quantlab/error.h"
#include "quantlab/eval_lm.h"

namespace quantlab::eval {

NextTokenScores next_token_scores(nn::lm::Session& session, std::span<const int32_t> tokens) {
  NextTokenScores scores;
  const size_t context = session.context();
  require(tokens.size() > context, [&] {
    return "scoring needs more than one window of " + std::to_string(context) + " tokens, got " +
           std::to_string(tokens.size());
  });
  for (size_t begin = 0; begin + context < tokens.size(); begin += context) {
    session.reset();
    const Tensor logits = session.forward(tokens.subspan(begin, context));
    const size_t vocab = logits.shape()[1];
    scores.vocab = vocab;
    const float* l = logits.values<float>().data();
    for (size_t i = 0; i < context; ++i) {
      const float* row = l + i * vocab;
      const float top = *std::max_element(row, row + vocab);
      double total = 0;
      for (size_t v = 0; v < vocab; ++v) total += std::exp(static_cast<double>(row[v] - top));
      const double log_total = std::log(total) + top;
      for (size_t v = 0; v < vocab; ++v) {
        scores.log_probs.push_back(static_cast<float>(row[v] - log_total));
      }
      scores.predictions.push_back(static_cast<int32_t>(std::max_element(row, row + vocab) - row));
      scores.targets.push_back(tokens[begin + i + 1]);
    }
    scores.positions += context;
  }
  return scores;
}

LmQuality lm_quality(const NextTokenScores& reference, const NextTokenScores& candidate) {
  require(reference.positions == candidate.positions && reference.vocab == candidate.vocab &&
              reference.targets == candidate.targets,
          "lm quality: the two scorings read different tokens");
  const size_t vocab = reference.vocab;
  double nll = 0;
  size_t agree = 0;
  std::vector<double> kls(candidate.positions);
  for (size_t i = 0; i < candidate.positions; ++i) {
    const float* p = reference.log_probs.data() + i * vocab;
    const float* q = candidate.log_probs.data() + i * vocab;
    nll -= q[candidate.targets[i]];
    double kl = 0;
    for (size_t v = 0; v < vocab; ++v) kl += std::exp(static_cast<double>(p[v])) * (p[v] - q[v]);
    kls[i] = std::max(0.0, kl);
    agree += reference.predictions[i] == candidate.predictions[i];
  }
  const auto n = static_cast<double>(candidate.positions);
  LmQuality quality;
  quality.perplexity = std::exp(nll / n);
  double sum = 0;
  for (const double kl : kls) sum += kl;
  quality.kl_mean = sum / n;
  std::sort(kls.begin(), kls.end());
  // Nearest rank: the smallest value with at least 99% of positions at or below it.
  const auto rank = static_cast<size_t>(std::ceil(0.99 * n));
  quality.kl_p99 = kls[std::max<size_t>(rank, 1) - 1];
  quality.top1_agreement = static_cast<double>(agree) / n;
  return quality;
}

double kl_divergence(std::span<const float> p, std::span<const float> q) {
  require(p.size() == q.size(), "kl divergence of distributions over different supports");
  double kl = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] > 0)
      kl += p[i] * (std::log(static_cast<double>(p[i])) - std::log(std::max(q[i], 1e-30f)));
  }
  return std::max(0.0, kl);
}

}  // namespace quantlab::eval
