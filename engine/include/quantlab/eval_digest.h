// Digests and text encodings the report uses to identify what it measured and to carry per-example
// predictions (docs/report.md): SHA-256 (FIPS 180-4) and base64 (RFC 4648, with padding).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quantlab::eval {

// Incremental SHA-256: update() any number of times, then hex() once.
class Sha256 {
 public:
  Sha256();
  void update(std::span<const uint8_t> bytes);
  void update(std::string_view text);
  // The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex();

 private:
  void block(const uint8_t* data);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> pending_{};
  size_t pending_size_ = 0;
  uint64_t length_ = 0;  // bytes hashed so far
};

std::string sha256_hex(std::span<const uint8_t> bytes);

std::string base64_encode(std::span<const uint8_t> bytes);
// Throws InvalidArgument (naming `what`) on a character outside the alphabet or bad padding.
std::vector<uint8_t> base64_decode(std::string_view text, const std::string& what = "base64 text");

}  // namespace quantlab::eval
