// Embind surface of the report's statistics for views that count their own results (the QAT
// view's table): the 95% interval of an accuracy, as the report gives each row
// (quantlab/eval.h, docs/report.md).
#include <emscripten/bind.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "guard.h"
#include "quantlab/error.h"
#include "quantlab/eval.h"

namespace quantlab::bindings {
namespace {

struct IntervalJs {
  double low = 0;
  double high = 0;
};

// Counts arrive as JS numbers: whole, 0 ≤ correct ≤ count, count ≥ 1.
IntervalJs accuracy_interval_js(double correct, double count) {
  const auto whole = [](double v) { return std::isfinite(v) && v >= 0 && std::floor(v) == v; };
  require(whole(correct) && whole(count) && count >= 1 && correct <= count, [&] {
    // snprintf, not an ostringstream: iostreams would add about 100 KB to the engine.
    char text[96];
    std::snprintf(text, sizeof text, "(got correct %g, count %g)", correct, count);
    return "accuracyInterval needs whole counts with 0 <= correct <= count and count >= 1 " +
           std::string(text);
  });
  const eval::Interval interval =
      eval::wilson_interval(static_cast<size_t>(correct), static_cast<size_t>(count));
  return {interval.low, interval.high};
}

}  // namespace

EMSCRIPTEN_BINDINGS(quantlab_statistics) {
  // [low, high], as a report row's accuracy_interval.
  emscripten::value_array<IntervalJs>("Interval")
      .element(&IntervalJs::low)
      .element(&IntervalJs::high);
  emscripten::function("accuracyInterval", guarded<&accuracy_interval_js>);
}

}  // namespace quantlab::bindings
