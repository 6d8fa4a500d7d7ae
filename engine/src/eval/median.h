// The median of timings over rounds (speed measurements of the report and of the LM report).
#pragma once

#include <algorithm>
#include <vector>

namespace quantlab::eval {

inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

}  // namespace quantlab::eval
