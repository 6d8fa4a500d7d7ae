// Turns engine exceptions into JS Errors carrying the engine's message, for every Embind
// binding file. Register `guarded<&fn>` instead of `&fn`.
#pragma once

#include <emscripten/val.h>

#include <exception>
#include <string>
#include <utility>

#include "quantlab/error.h"

namespace quantlab::bindings {

// JS `name` of the thrown Error: "InvalidArgument" for bad caller input (fix the input),
// "AbortError" when a progress callback stopped the work, "EngineError" for anything else (a
// bug or resource problem).
[[noreturn]] inline void throw_js_error(const std::string& name, const std::string& message) {
  emscripten::val error = emscripten::val::global("Error").new_(message);
  error.set("name", name);
  error.throw_();
}

template <auto Fn>
struct Guard;

template <typename Result, typename... Args, Result (*Fn)(Args...)>
struct Guard<Fn> {
  static Result call(Args... args) {
    // The JS error is thrown after the catch block ends, so the C++ exception is released
    // first instead of leaking when a foreign exception unwinds through the handler.
    std::string name;
    std::string message;
    try {
      return Fn(std::forward<Args>(args)...);
    } catch (const InvalidArgument& e) {
      name = "InvalidArgument";
      message = e.what();
    } catch (const Cancelled& e) {
      // A progress callback asked to stop (the caller's AbortSignal): the library's Aborted.
      name = "AbortError";
      message = e.what();
    } catch (const std::exception& e) {
      name = "EngineError";
      message = e.what();
    }
    throw_js_error(name, message);
  }
};

template <auto Fn>
inline constexpr auto guarded = &Guard<Fn>::call;

}  // namespace quantlab::bindings
