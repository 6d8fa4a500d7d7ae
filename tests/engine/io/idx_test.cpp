// IDX reader: valid files round-trip; every malformed file gives an error naming the problem.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "io/expect_error.h"
#include "quantlab/io.h"

namespace quantlab {
namespace {

Tensor u8_tensor(Shape shape, uint8_t (*value)(size_t)) {
  Tensor tensor(DType::u8, std::move(shape));
  std::span<uint8_t> values = tensor.values<uint8_t>();
  for (size_t i = 0; i < values.size(); ++i) values[i] = value(i);
  return tensor;
}

Tensor small_images() {
  return u8_tensor(Shape{3, 2, 4}, [](size_t i) { return static_cast<uint8_t>(i * 37); });
}

Tensor small_labels() {
  return u8_tensor(Shape{3}, [](size_t i) { return static_cast<uint8_t>(i * 4); });
}

TEST(Idx, ImagesAndLabelsRoundTrip) {
  const std::vector<uint8_t> image_bytes = serialize_idx_images(small_images());
  const std::vector<uint8_t> label_bytes = serialize_idx_labels(small_labels());
  EXPECT_EQ(image_bytes.size(), 16u + 24u);
  EXPECT_EQ(label_bytes.size(), 8u + 3u);
  const Dataset dataset = parse_idx_dataset(image_bytes, label_bytes);
  EXPECT_EQ(dataset.size(), 3u);
  EXPECT_EQ(dataset.images.shape(), (Shape{3, 2, 4}));
  EXPECT_EQ(serialize_idx_images(dataset.images), image_bytes);
  EXPECT_EQ(serialize_idx_labels(dataset.labels), label_bytes);
}

TEST(Idx, WrongMagicIsNamed) {
  std::vector<uint8_t> labels = serialize_idx_labels(small_labels());
  EXPECT_ERROR(parse_idx_images(labels),
               "images file has IDX magic 0x00000801, expected 0x00000803 (u8 values, 3 dims)");
  labels[2] = 0x0D;  // f32 values
  EXPECT_ERROR(parse_idx_labels(labels),
               "labels file has IDX magic 0x00000D01, expected 0x00000801");
}

TEST(Idx, ItemCountMustMatchTheBytes) {
  std::vector<uint8_t> labels = serialize_idx_labels(small_labels());
  labels.pop_back();
  EXPECT_ERROR(parse_idx_labels(labels), "labels file says 3 items but holds 2 bytes of data");
  labels.push_back(1);
  labels.push_back(1);
  EXPECT_ERROR(parse_idx_labels(labels), "labels file says 3 items but holds 4 bytes of data");
  std::vector<uint8_t> images = serialize_idx_images(small_images());
  images[7] = 4;  // 4 images declared, 3 present
  EXPECT_ERROR(parse_idx_images(images),
               "images file says 4 items of 2x4 pixels (32 bytes) but holds 24 bytes of data");
}

TEST(Idx, TruncationAtEveryOffsetIsAnError) {
  const std::vector<uint8_t> images = serialize_idx_images(small_images());
  for (size_t size = 0; size < images.size(); ++size) {
    const std::span<const uint8_t> head(images.data(), size);
    const std::string expected = size < 4    ? "too short for an IDX magic number"
                                 : size < 16 ? "shorter than its 16-byte IDX header"
                                             : "but holds " + std::to_string(size - 16) + " bytes";
    EXPECT_ERROR(parse_idx_images(head), expected) << "truncated to " << size << " bytes";
  }
}

TEST(Idx, LabelsMustBeClasses) {
  std::vector<uint8_t> labels = serialize_idx_labels(small_labels());
  labels[8 + 1] = 10;
  EXPECT_ERROR(parse_idx_labels(labels), "labels file item 1 has label 10, expected 0..9");
}

TEST(Idx, EmptyImagesAreRejected) {
  std::vector<uint8_t> images = serialize_idx_images(small_images());
  images.resize(16);
  images[7] = 0;   // 0 items
  images[11] = 0;  // of 0 rows
  EXPECT_ERROR(parse_idx_images(images), "images file has empty images (0x4 pixels)");
}

TEST(Idx, DimsBeyondTheElementLimitAreNamed) {
  std::vector<uint8_t> images = serialize_idx_images(small_images());
  std::fill(images.begin() + 4, images.begin() + 16, 0xFF);  // three dims of 2^32 - 1
  EXPECT_ERROR(parse_idx_images(images, "train-images-idx3-ubyte"),
               "train-images-idx3-ubyte dims [4294967295, 4294967295, 4294967295] exceeds the "
               "limit of 268435456 elements");
  images = serialize_idx_images(small_images());
  images[5] = 0x10;  // 2^20 images of 2x4 pixels: 2^23 elements, within the limit
  EXPECT_ERROR(parse_idx_images(images), "images file says 1048579 items");
}

TEST(Idx, EmptySplitNamesItsFiles) {
  const FileReader empty_split = [](const std::string& path) {
    return path.find("images") != std::string::npos
               ? serialize_idx_images(Tensor(DType::u8, Shape{0, 28, 28}))
               : serialize_idx_labels(Tensor(DType::u8, Shape{0}));
  };
  EXPECT_ERROR(read_idx_dataset("data/mnist", "train", empty_split),
               "data/mnist/train-images-idx3-ubyte holds no images: a dataset needs at least one");
}

TEST(Idx, ImageAndLabelCountsMustAgree) {
  const Tensor two_labels = u8_tensor(Shape{2}, [](size_t) { return uint8_t{1}; });
  EXPECT_ERROR(
      parse_idx_dataset(serialize_idx_images(small_images()), serialize_idx_labels(two_labels)),
      "images file holds 3 images but labels file holds 2 labels");
}

TEST(Idx, WriterRejectsWhatTheFormatCannotHold) {
  EXPECT_ERROR(serialize_idx_labels(Tensor(DType::f32, Shape{3})),
               "IDX labels must be a u8 tensor of rank 1, got f32 [3]");
}

TEST(Idx, MissingFileIsNamed) {
  EXPECT_ERROR(read_idx_dataset("/nonexistent", "test"),
               "cannot open /nonexistent/test-images-idx3-ubyte");
}

}  // namespace
}  // namespace quantlab
