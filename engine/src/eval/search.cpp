// Mixed-precision search (docs/quantization.md §14): greedy by predicted damage per byte saved
// (Eq. 27), every step re-measured as the real combined plan, then local refinement of the best
// plan within the budget. Decides on the validation slice only.
#include <algorithm>
#include <map>
#include <numeric>
#include <optional>

#include "eval/candidates.h"
#include "quantlab/error.h"

namespace quantlab::eval {
namespace {

class Search {
 public:
  Search(const PlanCandidates& candidates, const SearchOptions& options, const Progress& progress)
      : candidates_(candidates), options_(options), progress_(progress) {}

  SearchResult run() {
    result_.sensitivity = sensitivity_of(candidates_, progress_);
    const size_t layers = candidates_.layers().size();
    for (size_t c = 0; c < candidates_.choices().size(); ++c) {
      record(std::vector<size_t>(layers, c), "uniform");
    }
    greedy();
    choose();
    if (result_.budget_met) refine();
    result_.front = pareto_front();
    return std::move(result_);
  }

 private:
  const LayerSensitivity& single(size_t layer, size_t choice) const {
    return result_.sensitivity.rows[layer * candidates_.choices().size() + choice];
  }

  std::string name_of(const std::vector<size_t>& assignment) const {
    if (std::all_of(assignment.begin(), assignment.end(),
                    [&](size_t c) { return c == assignment[0]; })) {
      return candidates_.choices()[assignment[0]].name;
    }
    std::string name = "mixed";
    for (size_t l = 0; l < assignment.size(); ++l) {
      name += " " + candidates_.layers()[l] + ":" + candidates_.choices()[assignment[l]].name;
    }
    return name;
  }

  // Measures a plan once; returns its index in result_.measured.
  size_t record(const std::vector<size_t>& assignment, const std::string& stage) {
    const auto known = index_.find(assignment);
    if (known != index_.end()) return known->second;
    MeasuredPlan m = candidates_.measure(assignment, name_of(assignment), stage);
    for (size_t l = 0; l < assignment.size(); ++l) {
      m.predicted_drop_points += single(l, assignment[l]).accuracy_drop_points;
    }
    result_.measured.push_back(std::move(m));
    assignments_.push_back(assignment);
    index_.emplace(assignment, result_.measured.size() - 1);
    if (progress_ && !progress_(result_.measured.size(), result_.measured.size())) {
      throw Cancelled();
    }
    return result_.measured.size() - 1;
  }

  // From every layer at its largest choice to every layer at its smallest, one layer one step
  // smaller at a time, the step with the least single-layer KL added per byte saved (Eq. 27).
  void greedy() {
    const size_t layers = candidates_.layers().size();
    std::vector<std::vector<size_t>> order(layers);
    for (size_t l = 0; l < layers; ++l) {
      order[l].resize(candidates_.choices().size());
      std::iota(order[l].begin(), order[l].end(), size_t{0});
      std::stable_sort(order[l].begin(), order[l].end(), [&](size_t a, size_t b) {
        return candidates_.layer_bytes(l, a) > candidates_.layer_bytes(l, b);
      });
    }
    std::vector<size_t> step(layers, 0), assignment(layers);
    for (size_t l = 0; l < layers; ++l) assignment[l] = order[l][0];
    record(assignment, "greedy");
    for (;;) {
      size_t best = layers;
      double best_score = 0;
      for (size_t l = 0; l < layers; ++l) {
        if (step[l] + 1 >= order[l].size()) continue;
        const size_t from = order[l][step[l]], to = order[l][step[l] + 1];
        const double saved = static_cast<double>(candidates_.layer_bytes(l, from)) -
                             static_cast<double>(candidates_.layer_bytes(l, to));
        const double score =
            (single(l, to).kl_mean - single(l, from).kl_mean) / std::max(saved, 1.0);
        if (best == layers || score < best_score) {
          best = l;
          best_score = score;
        }
      }
      if (best == layers) return;
      assignment[best] = order[best][++step[best]];
      record(assignment, "greedy");
    }
  }

  bool meets(const MeasuredPlan& m) const {
    switch (options_.budget.kind) {
      case Budget::Kind::bytes:
        return static_cast<double>(m.weight_bytes) <= options_.budget.value;
      case Budget::Kind::bits_per_weight:
        return m.bits_per_weight <= options_.budget.value + 1e-9;
      case Budget::Kind::min_accuracy:
        break;
    }
    return 100.0 * m.accuracy >= options_.budget.value - 1e-9;
  }

  // Within the budget: a size budget wants accuracy (then lower KL, then fewer bytes); an
  // accuracy floor wants fewer bytes (then accuracy).
  bool better(const MeasuredPlan& a, const MeasuredPlan& b) const {
    if (options_.budget.kind == Budget::Kind::min_accuracy) {
      if (a.weight_bytes != b.weight_bytes) return a.weight_bytes < b.weight_bytes;
      return a.accuracy > b.accuracy;
    }
    if (a.accuracy != b.accuracy) return a.accuracy > b.accuracy;
    if (a.kl_mean != b.kl_mean) return a.kl_mean < b.kl_mean;
    return a.weight_bytes < b.weight_bytes;
  }

  void choose() {
    const auto& all = result_.measured;
    std::optional<size_t> best;
    for (size_t i = 0; i < all.size(); ++i) {
      if (meets(all[i]) && (!best || better(all[i], all[*best]))) best = i;
    }
    result_.budget_met = best.has_value();
    if (best) {
      result_.chosen = *best;
      return;
    }
    // Nothing meets the budget: the closest plan, the smallest for a size budget, the most
    // accurate for an accuracy floor.
    const bool by_size = options_.budget.kind != Budget::Kind::min_accuracy;
    result_.chosen =
        static_cast<size_t>(std::min_element(all.begin(), all.end(),
                                             [&](const MeasuredPlan& a, const MeasuredPlan& b) {
                                               return by_size ? a.weight_bytes < b.weight_bytes
                                                              : a.accuracy > b.accuracy;
                                             }) -
                            all.begin());
  }

  // Every single-layer change of the chosen plan, measured for real; the best improvement within
  // the budget is taken, until none improves or the rounds run out.
  void refine() {
    for (size_t round = 0; round < options_.max_refinement_rounds; ++round) {
      const std::vector<size_t> current = assignments_[result_.chosen];
      size_t best = result_.chosen;
      for (size_t l = 0; l < current.size(); ++l) {
        for (size_t c = 0; c < candidates_.choices().size(); ++c) {
          if (c == current[l] || !worth_measuring(current, l, c)) continue;
          std::vector<size_t> next = current;
          next[l] = c;
          const size_t i = record(next, "refinement");
          if (meets(result_.measured[i]) && better(result_.measured[i], result_.measured[best])) {
            best = i;
          }
        }
      }
      if (best == result_.chosen) return;
      result_.chosen = best;
    }
  }

  // A size budget is known before measuring; an accuracy floor only admits smaller plans.
  bool worth_measuring(const std::vector<size_t>& current, size_t layer, size_t choice) const {
    const auto bytes = [&](size_t c) { return candidates_.layer_bytes(layer, c); };
    if (options_.budget.kind == Budget::Kind::min_accuracy) {
      return bytes(choice) < bytes(current[layer]);
    }
    std::vector<size_t> next = current;
    next[layer] = choice;
    MeasuredPlan sized;
    const quantization::QuantizedModel q = candidates_.assemble(next, "");
    sized.weight_bytes = q.weight_bytes();
    sized.bits_per_weight = q.bits_per_weight();
    return meets(sized);
  }

  // The measured plans no other measured plan beats in both size and validation accuracy.
  std::vector<size_t> pareto_front() const {
    const auto& all = result_.measured;
    std::vector<size_t> order(all.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (all[a].weight_bytes != all[b].weight_bytes) {
        return all[a].weight_bytes < all[b].weight_bytes;
      }
      return all[a].accuracy > all[b].accuracy;
    });
    std::vector<size_t> front;
    for (const size_t i : order) {
      if (front.empty() || all[i].accuracy > all[front.back()].accuracy) front.push_back(i);
    }
    return front;
  }

  const PlanCandidates& candidates_;
  const SearchOptions& options_;
  const Progress& progress_;
  SearchResult result_;
  std::vector<std::vector<size_t>> assignments_;  // parallel to result_.measured
  std::map<std::vector<size_t>, size_t> index_;
};

}  // namespace

SearchResult search(const nn::Model& model, const nn::Examples& validation,
                    const Tensor& calibration_inputs, const SearchOptions& options,
                    const Progress& progress) {
  const PlanCandidates candidates(model, validation, calibration_inputs, options.sensitivity);
  return Search(candidates, options, progress).run();
}

}  // namespace quantlab::eval
