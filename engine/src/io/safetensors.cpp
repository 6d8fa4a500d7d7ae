#include <algorithm>
#include <bit>
#include <cstring>

#include "io/byte_order.h"
#include "io/strict_json.h"
#include "quantlab/error.h"
#include "quantlab/io.h"

namespace quantlab {
namespace {

// Tensor data is copied byte for byte: the format and every QuantLab target are little-endian.
static_assert(std::endian::native == std::endian::little);

using nlohmann::json;

constexpr const char* kMetadataKey = "__metadata__";
constexpr size_t kLengthFieldBytes = 8;
constexpr size_t kHeaderAlignment = 8;

struct DTypeName {
  DType type;
  const char* name;
};
constexpr DTypeName kReadableDTypes[] = {
    {DType::f32, "F32"}, {DType::i32, "I32"}, {DType::i8, "I8"}, {DType::u8, "U8"}};
// Valid safetensors dtypes that QuantLab models never hold; named so the error says so.
constexpr const char* kOtherSafetensorsDTypes[] = {"BOOL", "U16", "I16", "F16",     "BF16",   "U32",
                                                   "U64",  "I64", "F64", "F8_E4M3", "F8_E5M2"};

const char* safetensors_dtype_name(DType type) {
  for (const DTypeName& entry : kReadableDTypes) {
    if (entry.type == type) return entry.name;
  }
  throw InvalidArgument(std::string("safetensors cannot store dtype ") + dtype_name(type));
}

DType parse_dtype(const std::string& name, const std::string& tensor) {
  for (const DTypeName& entry : kReadableDTypes) {
    if (name == entry.name) return entry.type;
  }
  const std::string prefix = "tensor '" + tensor + "' has dtype '" + name + "'";
  for (const char* other : kOtherSafetensorsDTypes) {
    require(name != other, prefix + ", which QuantLab does not read (F32, I32, I8 or U8)");
  }
  throw InvalidArgument(prefix + ", which is not a safetensors dtype");
}

std::string range_text(uint64_t begin, uint64_t end) {
  // Appended piecewise: `"[" + std::to_string(..)` trips a false -Wrestrict in GCC 12.
  std::string text = "[";
  text += std::to_string(begin);
  text += ", ";
  text += std::to_string(end);
  return text + ")";
}

struct Entry {
  std::string name;
  DType dtype;
  std::vector<size_t> shape;
  uint64_t begin;
  uint64_t end;
};

Entry parse_entry(const std::string& name, const json& value) {
  const std::string tensor = "tensor '" + name + "'";
  require(!name.empty(), "safetensors header has a tensor with an empty name");
  require_only_fields(value, {"dtype", "shape", "data_offsets"}, tensor);
  Entry entry{name, parse_dtype(as_string(field(value, "dtype", tensor), tensor + " dtype"), name),
              as_dims(field(value, "shape", tensor), tensor + " shape"), 0, 0};
  const json& offsets = field(value, "data_offsets", tensor);
  require(offsets.is_array() && offsets.size() == 2,
          tensor + " data_offsets must be a list [begin, end], got " + excerpt(offsets));
  entry.begin = as_size(offsets[0], tensor + " data_offsets begin");
  entry.end = as_size(offsets[1], tensor + " data_offsets end");
  require(entry.begin <= entry.end, tensor + " data_offsets " + range_text(entry.begin, entry.end) +
                                        " end before they begin");
  return entry;
}

// Checks that the entries tile the buffer [0, buffer_bytes) exactly, in offset order.
void check_layout(std::vector<Entry>& entries, uint64_t buffer_bytes) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry& entry : entries) {
    const std::string tensor =
        "tensor '" + entry.name + "' data_offsets " + range_text(entry.begin, entry.end);
    require(entry.end <= buffer_bytes, tensor + " run past the end of the " +
                                           std::to_string(buffer_bytes) + "-byte data buffer");
    require(entry.begin >= covered, tensor + " overlap tensor '" +
                                        (previous ? previous->name : std::string()) + "' " +
                                        range_text(previous ? previous->begin : 0, covered));
    require(entry.begin == covered, tensor + " leave a gap: the bytes " +
                                        range_text(covered, entry.begin) +
                                        " before it belong to no tensor");
    covered = entry.end;
    previous = &entry;
  }
  require(covered == buffer_bytes, "the data buffer holds " + std::to_string(buffer_bytes) +
                                       " bytes but the tensors cover only " +
                                       std::to_string(covered));
}

Tensor make_tensor(const Entry& entry, const uint8_t* buffer) {
  const std::string tensor = "tensor '" + entry.name + "'";
  // The shape is within kMaxTensorElements (as_dims), so neither of these can overflow.
  Shape shape(entry.shape);
  const uint64_t needed = storage_bytes(entry.dtype, shape.element_count());
  require(needed == entry.end - entry.begin,
          tensor + " has shape " + shape.to_string() + " and dtype " +
              safetensors_dtype_name(entry.dtype) + ", which need " + std::to_string(needed) +
              " bytes, but its data_offsets " + range_text(entry.begin, entry.end) + " hold " +
              std::to_string(entry.end - entry.begin));
  Tensor values(entry.dtype, std::move(shape));
  if (values.byte_size() > 0) std::memcpy(values.bytes(), buffer + entry.begin, values.byte_size());
  return values;
}

std::map<std::string, std::string> parse_metadata(const json& value) {
  require(value.is_object(), "safetensors __metadata__ must be an object of strings");
  std::map<std::string, std::string> metadata;
  for (const auto& [key, text] : value.items()) {
    require(text.is_string(),
            "safetensors __metadata__ '" + key + "' must be a string, got " + excerpt(text));
    metadata.emplace(key, text.get<std::string>());
  }
  return metadata;
}

}  // namespace

TensorFile parse_safetensors(std::span<const uint8_t> bytes) {
  require(bytes.size() >= kLengthFieldBytes,
          "safetensors file is " + std::to_string(bytes.size()) +
              " bytes, shorter than its 8-byte header length field");
  const uint64_t header_bytes = load_u64_le(bytes.data());
  const uint64_t after_length = bytes.size() - kLengthFieldBytes;
  require(header_bytes <= kMaxSafetensorsHeaderBytes,
          "safetensors header length " + std::to_string(header_bytes) + " exceeds the limit of " +
              std::to_string(kMaxSafetensorsHeaderBytes) + " bytes");
  require(header_bytes <= after_length,
          "safetensors header length says " + std::to_string(header_bytes) + " bytes but only " +
              std::to_string(after_length) + " bytes follow the length field");
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + kLengthFieldBytes,
                              static_cast<size_t>(header_bytes));
  const json header = parse_json_strict(text, "safetensors header");
  require(header.is_object(), "safetensors header must be a JSON object");
  const size_t tensor_count = header.size() - header.count(kMetadataKey);
  require(tensor_count <= kMaxSafetensorsTensors,
          "safetensors header lists " + std::to_string(tensor_count) +
              " tensors, more than the limit of " + std::to_string(kMaxSafetensorsTensors));

  TensorFile file;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey) {
      file.metadata = parse_metadata(value);
    } else {
      entries.push_back(parse_entry(name, value));
    }
  }
  check_layout(entries, after_length - header_bytes);
  const uint8_t* buffer = bytes.data() + kLengthFieldBytes + header_bytes;
  for (const Entry& entry : entries) file.tensors.emplace(entry.name, make_tensor(entry, buffer));
  return file;
}

std::vector<uint8_t> serialize_safetensors(const TensorFile& file) {
  json header = json::object();
  if (!file.metadata.empty()) header[kMetadataKey] = file.metadata;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : file.tensors) {
    require(!name.empty() && name != kMetadataKey,
            "cannot save a tensor named '" + name + "' in safetensors");
    const uint64_t end = offset + tensor.byte_size();
    header[name] = {{"dtype", safetensors_dtype_name(tensor.dtype())},
                    {"shape", tensor.shape().dims()},
                    {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string text = header.dump();
  // Padding the header keeps the data buffer 8-byte aligned within the file.
  text.append((kHeaderAlignment - text.size() % kHeaderAlignment) % kHeaderAlignment, ' ');

  std::vector<uint8_t> bytes(kLengthFieldBytes);
  bytes.reserve(kLengthFieldBytes + text.size() + offset);
  store_u64_le(bytes.data(), text.size());
  bytes.insert(bytes.end(), text.begin(), text.end());
  for (const auto& [name, tensor] : file.tensors) {
    bytes.insert(bytes.end(), tensor.bytes(), tensor.bytes() + tensor.byte_size());
  }
  return bytes;
}

}  // namespace quantlab
