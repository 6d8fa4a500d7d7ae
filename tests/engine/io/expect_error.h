// EXPECT_ERROR(statement, fragment): statement throws InvalidArgument whose message contains
// fragment. The message is printed on failure so a wrong wording is easy to see.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "quantlab/error.h"

#define EXPECT_ERROR(statement, fragment) \
  EXPECT_PRED_FORMAT2(                    \
      ::quantlab::testing::ThrowsWith, [&] { (void)(statement); }, fragment)

namespace quantlab::testing {

template <typename Statement>
::testing::AssertionResult ThrowsWith(const char* statement_text, const char*,
                                      const Statement& statement, const std::string& fragment) {
  try {
    statement();
  } catch (const InvalidArgument& error) {
    if (std::string(error.what()).find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << statement_text << " threw \"" << error.what()
                                         << "\", expected it to contain \"" << fragment << "\"";
  }
  return ::testing::AssertionFailure()
         << statement_text << " did not throw; expected \"" << fragment << "\"";
}

}  // namespace quantlab::testing
