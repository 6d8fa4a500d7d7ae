// safetensors reader and writer: exact round trip, and a clear error for every malformed file
// (corruptions generated here: truncation, flipped bytes, wrong header length, bad entries).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "io/expect_error.h"
#include "quantlab/io.h"

namespace quantlab {
namespace {

TensorFile sample_file() {
  TensorFile file;
  file.metadata = {{"model", "sample"}};
  std::vector<float> weights(12);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = 0.25f * static_cast<float>(i) - 1.0f;
  file.tensors.emplace("fc.weight", Tensor::from_f32(Shape{3, 4}, weights));
  file.tensors.emplace("fc.bias",
                       Tensor::from_f32(Shape{3}, std::vector<float>{1.5f, -2.0f, 0.0f}));
  Tensor codes(DType::i8, Shape{5});
  for (size_t i = 0; i < 5; ++i) codes.values<int8_t>()[i] = static_cast<int8_t>(i * 50 - 100);
  file.tensors.emplace("codes", std::move(codes));
  return file;
}

// A file from a hand-written header (the writer cannot make malformed ones).
std::vector<uint8_t> with_header(const std::string& header, size_t buffer_bytes) {
  std::vector<uint8_t> bytes(8 + header.size() + buffer_bytes);
  const uint64_t length = header.size();
  std::memcpy(bytes.data(), &length, 8);
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  return bytes;
}

std::string object_of(std::initializer_list<std::string> entries) {
  std::string text = "{";
  for (const std::string& item : entries) {
    if (text.size() > 1) text += ",";
    text += item;
  }
  return text + "}";
}

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  size_t begin, size_t end) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
         ",\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(end) + "]}";
}

TEST(Safetensors, RoundTripIsByteExact) {
  const TensorFile original = sample_file();
  const std::vector<uint8_t> bytes = serialize_safetensors(original);
  const TensorFile loaded = parse_safetensors(bytes);
  EXPECT_EQ(loaded.metadata, original.metadata);
  ASSERT_EQ(loaded.tensors.size(), 3u);
  for (const auto& [name, tensor] : original.tensors) {
    const Tensor& copy = loaded.tensors.at(name);
    EXPECT_EQ(copy.dtype(), tensor.dtype()) << name;
    EXPECT_EQ(copy.shape(), tensor.shape()) << name;
    ASSERT_EQ(copy.byte_size(), tensor.byte_size()) << name;
    EXPECT_EQ(std::memcmp(copy.bytes(), tensor.bytes(), tensor.byte_size()), 0) << name;
  }
  EXPECT_EQ(serialize_safetensors(loaded), bytes);
}

TEST(Safetensors, LayoutFollowsTheFormat) {
  const std::vector<uint8_t> bytes = serialize_safetensors(sample_file());
  uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  EXPECT_EQ(header_length % 8, 0u) << "header padded so the buffer is 8-byte aligned";
  EXPECT_EQ(bytes.size(), 8 + header_length + 5 + 12 + 48);
  const std::string header(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(header_length));
  EXPECT_NE(header.find(R"("codes":{"data_offsets":[0,5],"dtype":"I8","shape":[5]})"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find(R"("__metadata__":{"model":"sample"})"), std::string::npos) << header;
}

TEST(Safetensors, HeaderLengthProblems) {
  EXPECT_ERROR(parse_safetensors(std::vector<uint8_t>(5)),
               "safetensors file is 5 bytes, shorter than its 8-byte header length field");
  std::vector<uint8_t> bytes = serialize_safetensors(sample_file());
  const uint64_t too_long = bytes.size();
  std::memcpy(bytes.data(), &too_long, 8);
  EXPECT_ERROR(parse_safetensors(bytes),
               "safetensors header length says " + std::to_string(too_long) + " bytes but only " +
                   std::to_string(bytes.size() - 8) + " bytes follow the length field");
  const uint64_t huge = uint64_t{1} << 40;
  std::memcpy(bytes.data(), &huge, 8);
  EXPECT_ERROR(parse_safetensors(bytes),
               "safetensors header length 1099511627776 exceeds the limit of 4000000 bytes");
  const uint64_t short_by_one = 7;
  std::memcpy(bytes.data(), &short_by_one, 8);
  EXPECT_ERROR(parse_safetensors(bytes), "safetensors header is not valid JSON");
}

TEST(Safetensors, TruncationAtEveryOffsetIsAnError) {
  const std::vector<uint8_t> bytes = serialize_safetensors(sample_file());
  uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  for (size_t size = 0; size < bytes.size(); ++size) {
    const std::span<const uint8_t> head(bytes.data(), size);
    const std::string expected = size < 8                   ? "shorter than its 8-byte header"
                                 : size < 8 + header_length ? "safetensors header length says"
                                                            : "run past the end of the";
    EXPECT_ERROR(parse_safetensors(head), expected) << "truncated to " << size << " bytes";
  }
}

TEST(Safetensors, EntryProblemsNameTheTensor) {
  const auto parse = [](const std::string& header, size_t buffer) {
    return parse_safetensors(with_header(header, buffer));
  };
  EXPECT_ERROR(parse(object_of({entry("w", "F32", "[2,2]", 0, 12)}), 12),
               "tensor 'w' has shape [2, 2] and dtype F32, which need 16 bytes, but its "
               "data_offsets [0, 12) hold 12");
  EXPECT_ERROR(parse(object_of({entry("w", "F16", "[2]", 0, 4)}), 4),
               "tensor 'w' has dtype 'F16', which QuantLab does not read (F32, I32, I8 or U8)");
  EXPECT_ERROR(parse(object_of({entry("w", "Q7", "[2]", 0, 2)}), 2),
               "tensor 'w' has dtype 'Q7', which is not a safetensors dtype");
  EXPECT_ERROR(
      parse(object_of({entry("a", "U8", "[8]", 0, 8), entry("b", "U8", "[8]", 4, 12)}), 12),
      "tensor 'b' data_offsets [4, 12) overlap tensor 'a' [0, 8)");
  EXPECT_ERROR(
      parse(object_of({entry("a", "U8", "[4]", 0, 4), entry("b", "U8", "[4]", 6, 10)}), 10),
      "tensor 'b' data_offsets [6, 10) leave a gap: the bytes [4, 6) before it belong to no "
      "tensor");
  EXPECT_ERROR(parse(object_of({entry("a", "U8", "[4]", 0, 4)}), 6),
               "the data buffer holds 6 bytes but the tensors cover only 4");
  EXPECT_ERROR(parse(object_of({entry("a", "U8", "[40]", 0, 40)}), 6),
               "tensor 'a' data_offsets [0, 40) run past the end of the 6-byte data buffer");
  EXPECT_ERROR(parse(object_of({entry("a", "U8", "[0]", 4, 0)}), 0),
               "tensor 'a' data_offsets [4, 0) end before they begin");
  EXPECT_ERROR(parse(object_of({entry("a", "U8", "[4]", 0, 4), entry("a", "U8", "[4]", 4, 8)}), 8),
               "safetensors header repeats the key 'a'");
  EXPECT_ERROR(parse(object_of({entry("a", "U8", "[-4]", 0, 4)}), 4),
               "tensor 'a' shape dim must be a non-negative integer, got -4");
  EXPECT_ERROR(parse(object_of({entry("a", "U8", "[4294967295,4294967295,4294967295]", 0, 4)}), 4),
               "tensor 'a' shape [4294967295, 4294967295, 4294967295] exceeds the limit of "
               "268435456 elements");
  EXPECT_ERROR(parse(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":1}})", 1),
               "tensor 'a' has an unknown field 'extra'");
  EXPECT_ERROR(parse(R"({"a":{"dtype":"U8","shape":[1]}})", 1), "tensor 'a' has no 'data_offsets'");
  EXPECT_ERROR(parse(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}})", 1),
               "tensor 'a' data_offsets must be a list [begin, end]");
  EXPECT_ERROR(parse(R"({"__metadata__":{"k":1}})", 0),
               "safetensors __metadata__ 'k' must be a string, got 1");
  EXPECT_ERROR(parse("[1,2]", 0), "safetensors header must be a JSON object");
}

TEST(Safetensors, EmptyFileAndZeroSizedTensorsAreValid) {
  EXPECT_TRUE(parse_safetensors(serialize_safetensors({})).tensors.empty());
  TensorFile file;
  file.tensors.emplace("empty", Tensor(DType::f32, Shape{0, 3}));
  file.tensors.emplace("one", Tensor::from_f32(Shape{1}, std::vector<float>{2.0f}));
  const std::vector<uint8_t> bytes = serialize_safetensors(file);
  EXPECT_EQ(serialize_safetensors(parse_safetensors(bytes)), bytes);
}

// What a file says apart from names: each tensor's dtype, shape and bytes, sorted.
std::multiset<std::string> contents(const TensorFile& file) {
  std::multiset<std::string> result;
  for (const auto& [name, tensor] : file.tensors) {
    std::string text = dtype_name(tensor.dtype());
    text += tensor.shape().to_string();
    text.append(reinterpret_cast<const char*>(tensor.bytes()), tensor.byte_size());
    result.insert(std::move(text));
  }
  return result;
}

// A flipped byte is either rejected or lands inside a name or metadata string, where it
// changes no tensor's dtype, shape or data.
TEST(Safetensors, FlippedHeaderBytesAreCaught) {
  const TensorFile sample = sample_file();
  const std::vector<uint8_t> original = serialize_safetensors(sample);
  uint64_t header_length = 0;
  std::memcpy(&header_length, original.data(), 8);
  size_t rejected = 0;
  for (size_t at = 0; at < 8 + header_length; ++at) {
    std::vector<uint8_t> bytes = original;
    bytes[at] ^= 0x5A;
    try {
      EXPECT_EQ(contents(parse_safetensors(bytes)), contents(sample)) << "flip at " << at;
    } catch (const InvalidArgument&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, header_length / 2);
}

// Random mutations (overwrite, insert, delete, resize): parsing must either succeed or throw
// InvalidArgument; anything else (crash, other exception) fails the test.
TEST(Safetensors, RandomMutationsNeverCrash) {
  const std::vector<uint8_t> original = serialize_safetensors(sample_file());
  std::mt19937 random(20261125);
  int rejected = 0;
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> bytes = original;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      const size_t at = random() % bytes.size();
      switch (random() % 4) {
        case 0:
          bytes[at] = static_cast<uint8_t>(random());
          break;
        case 1:
          bytes.insert(bytes.begin() + static_cast<long>(at), static_cast<uint8_t>(random()));
          break;
        case 2:
          bytes.erase(bytes.begin() + static_cast<long>(at));
          break;
        default:
          bytes.resize(at);
      }
    }
    try {
      parse_safetensors(bytes);
    } catch (const InvalidArgument&) {
      ++rejected;
    }
  }
  // Any other exception or a crash fails the test; and the mutations must reach the checks.
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace quantlab
