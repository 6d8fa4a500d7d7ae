// Text and JSON helpers shared by the report and the search.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace quantlab::eval::markdown {

std::string format(const char* pattern, double value);       // printf of one number
std::string percent(double fraction);                        // 0.9202 → "92.02%"
std::string bytes_text(double bytes);                        // KB = 1000 bytes, MB = 10^6
std::string sqnr_text(const nlohmann::ordered_json& value);  // null (exact) → "exact"
// JSON has no infinity; an exact match (SQNR +∞) is written as null.
nlohmann::ordered_json finite_or_null(double value);
// A Markdown table: first row the header, first column left-aligned, the others right-aligned.
std::string table(const std::vector<std::vector<std::string>>& rows);

}  // namespace quantlab::eval::markdown
