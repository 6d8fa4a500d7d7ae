// Errors the engine reports to its callers. Every message names the offending input so a
// person reading it in the CLI, the library or the UI knows what to fix.
#pragma once

#include <concepts>
#include <stdexcept>
#include <string>

namespace quantlab {

// Bad input from the caller: a wrong shape, an impossible option, a corrupt file.
class InvalidArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Long work (calibration, evaluation, reports) stopped because its caller asked it to between two
// batches; everything the caller holds stays usable.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

// Throws InvalidArgument(message) unless condition holds.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw InvalidArgument(message);
}

// The same with the message built only on failure, for checks on hot paths (per row, per
// group, per element): formatting numbers with std::to_string on every call cost more than the
// work it guarded (0.3 ms of a 256-row dynamic quantization).
template <std::invocable MakeMessage>
inline void require(bool condition, MakeMessage&& make_message) {
  if (!condition) throw InvalidArgument(make_message());
}

}  // namespace quantlab
