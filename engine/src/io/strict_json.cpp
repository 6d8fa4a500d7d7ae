#include "io/strict_json.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "io/shape_limit.h"
#include "quantlab/error.h"

namespace quantlab {

using nlohmann::json;

namespace {

template <typename Names>
void check_fields(const json& value, const Names& allowed, const std::string& where) {
  require(value.is_object(),
          where + " must be a JSON object, got " + std::string(value.type_name()));
  for (const auto& [key, unused] : value.items()) {
    require(std::find(allowed.begin(), allowed.end(), key) != allowed.end(),
            where + " has an unknown field '" + key + "'");
  }
}

}  // namespace

void require_only_fields(const json& value, std::initializer_list<std::string_view> allowed,
                         const std::string& where) {
  check_fields(value, allowed, where);
}

void require_only_fields(const json& value, const std::vector<std::string>& allowed,
                         const std::string& where) {
  check_fields(value, allowed, where);
}

const json& field(const json& object, const std::string& key, const std::string& where) {
  require(object.is_object() && object.contains(key), where + " has no '" + key + "'");
  return object[key];
}

std::string excerpt(const json& value) {
  constexpr size_t kMaxChars = 60;
  std::string text = value.dump();
  if (text.size() > kMaxChars) text = text.substr(0, kMaxChars) + "...";
  return text;
}

// The checks below build their message only when they fail: they run once per dim and field.

uint64_t as_size(const json& value, const std::string& what) {
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0)) {
    throw InvalidArgument(what + " must be a non-negative integer, got " + excerpt(value));
  }
  return value.get<uint64_t>();
}

double as_number(const json& value, const std::string& what) {
  if (!value.is_number()) throw InvalidArgument(what + " must be a number, got " + excerpt(value));
  return value.get<double>();
}

std::string as_string(const json& value, const std::string& what) {
  if (!value.is_string()) throw InvalidArgument(what + " must be a string, got " + excerpt(value));
  return value.get<std::string>();
}

std::vector<size_t> as_dims(const json& value, const std::string& what) {
  if (!value.is_array()) {
    throw InvalidArgument(what + " must be a list of dims, got " + excerpt(value));
  }
  std::vector<uint64_t> dims;
  for (const json& dim : value) dims.push_back(as_size(dim, what + " dim"));
  return limited_dims(dims, what);
}

double shortest_double(float value) {
  char text[32];
  for (int digits = 1; digits <= 9; ++digits) {  // 9 significant digits identify any float
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    if (std::strtof(text, nullptr) == value) return std::strtod(text, nullptr);
  }
  return value;  // NaN: equal to nothing, not even itself
}

}  // namespace quantlab
