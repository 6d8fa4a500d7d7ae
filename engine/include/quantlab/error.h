// Errors the engine reports to its callers. Every message names the offending input so a
// person reading it in the CLI, the library or the UI knows what to fix.
#pragma once

#include <stdexcept>
#include <string>

namespace quantlab {

// Bad input from the caller: a wrong shape, an impossible option, a corrupt file.
class InvalidArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws InvalidArgument(message) unless condition holds.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw InvalidArgument(message);
}

}  // namespace quantlab
