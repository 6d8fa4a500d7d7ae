// Names of the calibration methods, as plans, files and the UI spell them.
#include <array>
#include <string>
#include <utility>

#include "quantlab/calib.h"
#include "quantlab/error.h"

namespace quantlab::calib {
namespace {

template <typename Enum, size_t N>
using NameTable = std::array<std::pair<Enum, const char*>, N>;

constexpr NameTable<Method, 5> kMethodNames{{
    {Method::minmax, "minmax"},
    {Method::moving_average_minmax, "moving_average_minmax"},
    {Method::percentile, "percentile"},
    {Method::mse, "mse"},
    {Method::entropy, "entropy"},
}};

constexpr NameTable<WeightRange, 2> kWeightRangeNames{{
    {WeightRange::minmax, "minmax"},
    {WeightRange::mse, "mse"},
}};

template <typename Enum, size_t N>
const char* name_in(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [entry, name] : table) {
    if (entry == value) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
Enum parse_in(const NameTable<Enum, N>& table, const std::string& name, const char* what) {
  std::string valid;
  for (const auto& [entry, entry_name] : table) {
    if (name == entry_name) return entry;
    valid += (valid.empty() ? "" : ", ") + std::string(entry_name);
  }
  throw InvalidArgument("unknown " + std::string(what) + " \"" + name + "\"; valid: " + valid);
}

}  // namespace

const char* method_name(Method method) { return name_in(kMethodNames, method); }

Method parse_method(const std::string& name) {
  return parse_in(kMethodNames, name, "calibration method");
}

const char* weight_range_name(WeightRange range) { return name_in(kWeightRangeNames, range); }

WeightRange parse_weight_range(const std::string& name) {
  return parse_in(kWeightRangeNames, name, "weight range");
}

}  // namespace quantlab::calib
