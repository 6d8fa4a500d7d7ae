// Text and JSON helpers shared by the report and the search.
#pragma once

#include <nlohmann/json.hpp>
#include <concepts>
#include <string>
#include <string_view>
#include <vector>

namespace quantlab::eval::markdown {

// Appends text and numbers to a string the way an ostringstream would (integers in full,
// floating point as printf's %g), without the iostream and locale machinery, which cost the
// wasm module about 25 KB compressed: the lab's first-visit budget counts every byte.
class Text {
 public:
  Text& operator<<(std::string_view text) {
    text_ += text;
    return *this;
  }
  Text& operator<<(char c) {
    text_ += c;
    return *this;
  }
  template <std::integral T>
    requires(!std::same_as<T, char> && !std::same_as<T, bool>)
  Text& operator<<(T value) {
    text_ += std::to_string(value);
    return *this;
  }
  Text& operator<<(double value);
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

std::string format(const char* pattern, double value);       // printf of one number
std::string percent(double fraction);                        // 0.9202 → "92.02%"
std::string bytes_text(double bytes);                        // KB = 1000 bytes, MB = 10^6
std::string sqnr_text(const nlohmann::ordered_json& value);  // null (exact) → "exact"
// JSON has no infinity; an exact match (SQNR +∞) is written as null.
nlohmann::ordered_json finite_or_null(double value);
// A Markdown table: first row the header, first column left-aligned, the others right-aligned.
std::string table(const std::vector<std::vector<std::string>>& rows);

}  // namespace quantlab::eval::markdown
