// The engine's version: reports record it (docs/report.md), and the npm package that ships this
// engine carries the same version (package.json; tests/engine/eval/version_test.cpp checks).
#pragma once

namespace quantlab {

inline constexpr const char* kEngineVersion = "0.1.0";

}  // namespace quantlab
