#include "quantlab/tensor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "quantlab/error.h"

namespace quantlab {
namespace {

TEST(Shape, CountsElementsAndViewsAsMatrix) {
  const Shape conv_weight{16, 3, 3, 3};
  EXPECT_EQ(conv_weight.element_count(), 432u);
  EXPECT_EQ(conv_weight.rows(), 16u);
  EXPECT_EQ(conv_weight.row_length(), 27u);
  EXPECT_EQ(conv_weight.to_string(), "[16, 3, 3, 3]");

  const Shape vector{7};
  EXPECT_EQ(vector.rows(), 1u);
  EXPECT_EQ(vector.row_length(), 7u);

  const Shape scalar;
  EXPECT_EQ(scalar.element_count(), 1u);
  EXPECT_EQ(scalar.rows(), 1u);
}

TEST(Shape, RejectsElementCountOverflow) {
  const size_t huge = std::numeric_limits<size_t>::max() / 2 + 1;
  EXPECT_THROW(Shape({huge, 2}), InvalidArgument);
  EXPECT_THROW(Shape({huge, 4, 1}), InvalidArgument);
  EXPECT_NO_THROW(Shape({huge, 1}));
}

TEST(Shape, ZeroDimMeansNoElements) { EXPECT_EQ(Shape({3, 0, 2}).element_count(), 0u); }

TEST(Shape, AxisOutOfRangeNamesTheShape) {
  try {
    (void)Shape({2, 3})[2];
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
  }
}

TEST(StorageBytes, PacksFourBitValuesTwoPerByte) {
  EXPECT_EQ(storage_bytes(DType::i4, 0), 0u);
  EXPECT_EQ(storage_bytes(DType::i4, 1), 1u);
  EXPECT_EQ(storage_bytes(DType::i4, 2), 1u);
  EXPECT_EQ(storage_bytes(DType::i4, 7), 4u);
  EXPECT_EQ(storage_bytes(DType::f32, 3), 12u);
  EXPECT_EQ(storage_bytes(DType::i32, 3), 12u);
  EXPECT_EQ(storage_bytes(DType::u8, 3), 3u);
  EXPECT_THROW(storage_bytes(DType::f32, std::numeric_limits<size_t>::max() / 2), InvalidArgument);
}

TEST(Tensor, FourBitRowsArePaddedToBytes) {
  // Three rows of five values: each row needs three bytes.
  EXPECT_EQ(Tensor(DType::i4, Shape{3, 5}).byte_size(), 9u);
}

TEST(Tensor, StorageIsAlignedAndZeroed) {
  for (size_t n : {1u, 3u, 17u, 1000u}) {
    Tensor t(DType::f32, Shape{n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.bytes()) % kTensorAlignment, 0u);
    for (float v : t.values<float>()) EXPECT_EQ(v, 0.0f);
  }
}

TEST(Tensor, TypedViewsCheckTheDType) {
  Tensor t(DType::i8, Shape{4});
  EXPECT_EQ(t.values<int8_t>().size(), 4u);
  EXPECT_THROW(t.values<float>(), InvalidArgument);
  EXPECT_THROW(Tensor(DType::i4, Shape{4}).values<int8_t>(), InvalidArgument);
}

TEST(Tensor, FromF32CopiesAndChecksCount) {
  const float values[] = {1, 2, 3, 4, 5, 6};
  const Tensor t = Tensor::from_f32(Shape{2, 3}, values);
  EXPECT_EQ(t.values<float>()[5], 6.0f);
  EXPECT_THROW(Tensor::from_f32(Shape{2, 2}, values), InvalidArgument);
}

TEST(Tensor, CopiesAreDeep) {
  const float values[] = {1, 2};
  Tensor a = Tensor::from_f32(Shape{2}, values);
  Tensor b = a;
  b.values<float>()[0] = 9;
  EXPECT_EQ(a.values<float>()[0], 1.0f);
}

}  // namespace
}  // namespace quantlab
