// parse_json_strict: nlohmann/json's DOM builder driven through SAX, with a set of keys per open
// object. The callback parser (json::parse with a callback) rescans the parent object after
// every member, which made a header of 200,000 tensors take minutes; this stays linear.
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "io/strict_json.h"
#include "quantlab/error.h"
#include "quantlab/io.h"

namespace quantlab {
namespace {

using nlohmann::json;
using DomBuilder = nlohmann::detail::json_sax_dom_parser<json>;

// Forwards every event to the DOM builder after checking keys and depth.
class StrictHandler {
 public:
  StrictHandler(json& result, const std::string& what) : dom_(result), what_(what) {}

  bool null() { return dom_.null(); }
  bool boolean(bool value) { return dom_.boolean(value); }
  bool number_integer(json::number_integer_t value) { return dom_.number_integer(value); }
  bool number_unsigned(json::number_unsigned_t value) { return dom_.number_unsigned(value); }
  bool number_float(json::number_float_t value, const json::string_t& text) {
    return dom_.number_float(value, text);
  }
  bool string(json::string_t& value) { return dom_.string(value); }
  bool binary(json::binary_t& value) { return dom_.binary(value); }

  bool start_object(size_t size) {
    enter();
    open_.push_back({true, {}, nullptr});
    return dom_.start_object(size);
  }
  bool key(json::string_t& key) {
    Level& object = open_.back();
    const auto [stored, inserted] = object.keys.insert(key);
    if (!inserted) throw InvalidArgument(what_ + " repeats the key '" + key + "'");
    object.last_key = &*stored;
    return dom_.key(key);
  }
  bool end_object() {
    open_.pop_back();
    return dom_.end_object();
  }
  bool start_array(size_t size) {
    enter();
    open_.push_back({false, {}, nullptr});
    return dom_.start_array(size);
  }
  bool end_array() {
    open_.pop_back();
    return dom_.end_array();
  }

  template <typename Exception>
  bool parse_error(size_t position, const std::string& token, const Exception& error) {
    return dom_.parse_error(position, token, error);
  }

 private:
  struct Level {
    bool is_object;
    std::set<std::string> keys;
    const std::string* last_key;  // in `keys`, whose nodes stay put
  };

  // Recursive walks of the result (dump, comparison) must stay far from the stack's end.
  void enter() {
    if (open_.size() < kMaxJsonDepth) return;
    std::string where = what_;
    for (const Level& level : open_) {
      if (level.is_object && level.last_key) {
        where += (where.size() == what_.size() ? " " : ".") + *level.last_key;
      }
    }
    throw InvalidArgument(where + " nests deeper than the limit of " +
                          std::to_string(kMaxJsonDepth) + " levels");
  }

  DomBuilder dom_;
  const std::string& what_;
  std::vector<Level> open_;
};

}  // namespace

json parse_json_strict(std::string_view text, const std::string& what) {
  json result;
  StrictHandler handler(result, what);
  try {
    json::sax_parse(text, &handler);
  } catch (const json::exception& error) {  // parse_error, or out_of_range for 1e999
    throw InvalidArgument(what + " is not valid JSON: " + error.what());
  }
  return result;
}

}  // namespace quantlab
