#include "eval/markdown.h"

#include <cmath>
#include <cstdio>

namespace quantlab::eval::markdown {

Text& Text::operator<<(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  text_ += text;
  return *this;
}

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

std::string percent(double fraction) { return format("%.2f%%", 100.0 * fraction); }

std::string bytes_text(double bytes) {
  return bytes >= 1e6 ? format("%.2f MB", bytes / 1e6) : format("%.1f KB", bytes / 1e3);
}

std::string sqnr_text(const nlohmann::ordered_json& value) {
  return value.is_null() ? "exact" : format("%.1f dB", value.get<double>());
}

nlohmann::ordered_json finite_or_null(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  Text out;
  for (size_t r = 0; r < rows.size(); ++r) {
    out << "|";
    for (const std::string& cell : rows[r]) out << " " << cell << " |";
    out << "\n";
    if (r == 0) {
      out << "|";
      for (size_t c = 0; c < rows[0].size(); ++c) out << (c == 0 ? "---|" : "---:|");
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace quantlab::eval::markdown
