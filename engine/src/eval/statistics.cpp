// Paired comparison of a candidate's outputs with the reference's: accuracy with its interval,
// agreement and McNemar's test on the paired predictions, and distances between the logits.
#include <algorithm>
#include <cmath>
#include <limits>

#include "quantlab/error.h"
#include "quantlab/eval.h"

namespace quantlab::eval {
namespace {

constexpr double kZ95 = 1.959963984540054;  // two-sided 95% normal quantile

// log of softmax(row) into out, in double.
void log_softmax(const float* row, size_t n, std::vector<double>& out) {
  const double max = *std::max_element(row, row + n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += std::exp(row[i] - max);
  const double log_sum = std::log(sum) + max;
  out.resize(n);
  for (size_t i = 0; i < n; ++i) out[i] = row[i] - log_sum;
}

}  // namespace

Interval wilson_interval(size_t successes, size_t trials) {
  if (trials == 0) return {0, 1};
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z2 = kZ95 * kZ95;
  const double center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = kZ95 * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

McNemar mcnemar(size_t reference_only, size_t candidate_only) {
  McNemar result{reference_only, candidate_only, 1.0};
  const size_t n = reference_only + candidate_only;
  if (n == 0) return result;
  const size_t k = std::min(reference_only, candidate_only);
  // P(X ≤ k) for X ~ Bin(n, ½), summed in log space (n reaches 10⁴), doubled for two sides.
  const double log_half_n = -static_cast<double>(n) * std::log(2.0);
  double tail = 0;
  for (size_t i = 0; i <= k; ++i) {
    const double log_choose =
        std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0);
    tail += std::exp(log_choose + log_half_n);
  }
  result.p_value = std::min(1.0, 2 * tail);
  return result;
}

Comparison compare(const Predictions& reference, const Predictions& candidate,
                   std::span<const int32_t> labels) {
  const size_t count = labels.size();
  require(count > 0 && reference.classes.size() == count && candidate.classes.size() == count &&
              reference.logits.shape() == candidate.logits.shape() &&
              reference.logits.shape().rank() == 2 && reference.logits.shape()[0] == count,
          "compare needs both models' outputs for the same " + std::to_string(count) + " examples");
  const size_t classes = reference.logits.shape()[1];
  const float* ref = reference.logits.values<float>().data();
  const float* cand = candidate.logits.values<float>().data();

  Comparison c;
  c.count = count;
  size_t reference_correct = 0, agree = 0, reference_only = 0, candidate_only = 0;
  double signal = 0, noise = 0, cosine_sum = 0, kl_sum = 0;
  std::vector<double> log_p, log_q;
  for (size_t i = 0; i < count; ++i) {
    const bool r_ok = reference.classes[i] == labels[i];
    const bool c_ok = candidate.classes[i] == labels[i];
    reference_correct += r_ok;
    c.correct += c_ok;
    agree += reference.classes[i] == candidate.classes[i];
    reference_only += r_ok && !c_ok;
    candidate_only += c_ok && !r_ok;

    const float* r = ref + i * classes;
    const float* q = cand + i * classes;
    double dot = 0, rr = 0, qq = 0;
    for (size_t j = 0; j < classes; ++j) {
      const double d = static_cast<double>(r[j]) - q[j];
      noise += d * d;
      signal += static_cast<double>(r[j]) * r[j];
      dot += static_cast<double>(r[j]) * q[j];
      rr += static_cast<double>(r[j]) * r[j];
      qq += static_cast<double>(q[j]) * q[j];
    }
    // Two zero rows point the same way.
    cosine_sum += rr > 0 && qq > 0 ? dot / std::sqrt(rr * qq) : (rr == qq ? 1.0 : 0.0);
    log_softmax(r, classes, log_p);
    log_softmax(q, classes, log_q);
    double kl = 0;
    for (size_t j = 0; j < classes; ++j) kl += std::exp(log_p[j]) * (log_p[j] - log_q[j]);
    kl_sum += std::max(kl, 0.0);  // rounding can leave a tiny negative sum for equal rows
  }
  const double n = static_cast<double>(count);
  c.accuracy_interval = wilson_interval(c.correct, count);
  c.decay_points = 100.0 * (static_cast<double>(reference_correct) - c.correct) / n;
  c.agreement = static_cast<double>(agree) / n;
  c.mcnemar = mcnemar(reference_only, candidate_only);
  c.logits_mse = noise / (n * classes);
  c.output_sqnr_db =
      noise == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(signal / noise);
  c.cosine = cosine_sum / n;
  c.kl_mean = kl_sum / n;
  return c;
}

}  // namespace quantlab::eval
