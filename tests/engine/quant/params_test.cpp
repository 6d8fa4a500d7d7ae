// Rounding rule and min-max parameter choice (docs/quantization.md, Eqs. 2-7).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>

#include "quantlab/error.h"
#include "quantlab/quant.h"

namespace quantlab {
namespace {

TEST(RoundHalfToEven, TiesGoToTheEvenNeighbour) {
  EXPECT_EQ(round_half_to_even(0.5f), 0.0f);
  EXPECT_EQ(round_half_to_even(1.5f), 2.0f);
  EXPECT_EQ(round_half_to_even(2.5f), 2.0f);
  EXPECT_EQ(round_half_to_even(-0.5f), 0.0f);
  EXPECT_EQ(round_half_to_even(-1.5f), -2.0f);
  EXPECT_EQ(round_half_to_even(-2.5f), -2.0f);
  EXPECT_EQ(round_half_to_even(2.4999998f), 2.0f);
  EXPECT_EQ(round_half_to_even(2.5000002f), 3.0f);
}

TEST(IntRange, MatchesTheFormats) {
  EXPECT_EQ(int_range(8, true).qmin, -128);
  EXPECT_EQ(int_range(8, true).qmax, 127);
  EXPECT_EQ(int_range(8, false).qmin, -128);
  EXPECT_EQ(int_range(4, true).qmin, -8);
  EXPECT_EQ(int_range(4, true).qmax, 7);
  EXPECT_EQ(int_range(4, false).qmin, 0);
  EXPECT_EQ(int_range(4, false).qmax, 15);
  EXPECT_THROW(int_range(3, true), InvalidArgument);
}

TEST(ChooseParams, SymmetricScaleComesFromTheLargestMagnitude) {
  const AffineParams p8 = choose_params_minmax(-2.0f, 1.0f, 8, true);
  EXPECT_FLOAT_EQ(p8.scale, 2.0f / 127.0f);
  EXPECT_EQ(p8.zero_point, 0);
  const AffineParams p4 = choose_params_minmax(-0.5f, 3.5f, 4, true);
  EXPECT_FLOAT_EQ(p4.scale, 0.5f);
  EXPECT_EQ(p4.zero_point, 0);
}

TEST(ChooseParams, AsymmetricMapsTheRangeEndsToTheIntegerEnds) {
  const AffineParams p = choose_params_minmax(-1.0f, 3.0f, 4, false);
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 15.0f);
  EXPECT_EQ(p.zero_point, 4);  // round(0 - (-1) / (4/15)) = round(3.75)
  const AffineParams p8 = choose_params_minmax(-1.0f, 3.0f, 8, false);
  EXPECT_FLOAT_EQ(p8.scale, 4.0f / 255.0f);
  EXPECT_EQ(p8.zero_point, -64);  // round(-128 + 63.75)
}

TEST(ChooseParams, RangeIsWidenedToContainZero) {
  // A constant positive tensor: [0, 5] so that 0 stays exact and 5 maps to qmax.
  const AffineParams p = choose_params_minmax(5.0f, 5.0f, 8, false);
  EXPECT_FLOAT_EQ(p.scale, 5.0f / 255.0f);
  EXPECT_EQ(p.zero_point, -128);
  const AffineParams n = choose_params_minmax(-3.0f, -3.0f, 4, false);
  EXPECT_FLOAT_EQ(n.scale, 3.0f / 15.0f);
  EXPECT_EQ(n.zero_point, 15);
}

TEST(ChooseParams, AllZeroRangeGetsUnitScale) {
  for (int bits : {8, 4}) {
    for (bool symmetric : {true, false}) {
      const AffineParams p = choose_params_minmax(0.0f, 0.0f, bits, symmetric);
      EXPECT_EQ(p.scale, 1.0f);
      EXPECT_EQ(p.zero_point, 0);
    }
  }
}

TEST(ChooseParams, TinyRangeKeepsANormalScale) {
  const AffineParams p = choose_params_minmax(0.0f, 1e-44f, 8, true);
  EXPECT_GE(p.scale, FLT_MIN);
}

TEST(ChooseParams, RejectsBadRanges) {
  EXPECT_THROW(choose_params_minmax(1.0f, -1.0f, 8, true), InvalidArgument);
  EXPECT_THROW(choose_params_minmax(NAN, 1.0f, 8, true), InvalidArgument);
  EXPECT_THROW(choose_params_minmax(0.0f, INFINITY, 8, true), InvalidArgument);
  EXPECT_THROW(choose_params_minmax(0.0f, 1.0f, 2, true), InvalidArgument);
}

}  // namespace
}  // namespace quantlab
