// Strict reading of the JSON inside QuantLab files: duplicate keys rejected, every field checked
// for presence and type, unknown fields rejected. `where` prefixes each error ("manifest.json
// layer 'fc1'").
#pragma once

#include <cstddef>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace quantlab {

// Parses `text` in time linear in its length; a key repeated inside one object is an error (a
// plain parse keeps the last), and so is nesting deeper than kMaxJsonDepth (quantlab/io.h).
nlohmann::json parse_json_strict(std::string_view text, const std::string& what);

// Throws unless `value` is an object whose keys are all in `allowed`.
void require_only_fields(const nlohmann::json& value,
                         std::initializer_list<std::string_view> allowed, const std::string& where);
void require_only_fields(const nlohmann::json& value, const std::vector<std::string>& allowed,
                         const std::string& where);

const nlohmann::json& field(const nlohmann::json& object, const std::string& key,
                            const std::string& where);
// At most 60 characters of value's JSON text, for error messages.
std::string excerpt(const nlohmann::json& value);
uint64_t as_size(const nlohmann::json& value, const std::string& what);
double as_number(const nlohmann::json& value, const std::string& what);
std::string as_string(const nlohmann::json& value, const std::string& what);
std::vector<size_t> as_dims(const nlohmann::json& value, const std::string& what);

// The double with the fewest decimal digits that reads back as `value`: JSON numbers are
// doubles, and 0.1307f written as a double would print as 0.1307000070810318.
double shortest_double(float value);

}  // namespace quantlab
