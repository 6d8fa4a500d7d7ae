#include <cstring>

#include "io/byte_order.h"
#include "io/shape_limit.h"
#include "quantlab/error.h"
#include "quantlab/io.h"

namespace quantlab {
namespace {

constexpr uint8_t kIdxTypeU8 = 0x08;

// Checks the header of an IDX file of u8 values with `rank` dims and returns the dims; the
// data must fill the rest of the file exactly.
std::vector<size_t> parse_idx_header(std::span<const uint8_t> bytes, uint8_t rank,
                                     const std::string& what) {
  require(bytes.size() >= 4, what + " is " + std::to_string(bytes.size()) +
                                 " bytes, too short for an IDX magic number");
  const uint32_t magic = load_u32_be(bytes.data());
  const uint32_t wanted = (uint32_t{kIdxTypeU8} << 8) | rank;
  require(magic == wanted, what + " has IDX magic " + hex32(magic) + ", expected " + hex32(wanted) +
                               " (u8 values, " + std::to_string(rank) + " dims)");
  const size_t header_bytes = 4 + 4 * size_t{rank};
  require(bytes.size() >= header_bytes, what + " is " + std::to_string(bytes.size()) +
                                            " bytes, shorter than its " +
                                            std::to_string(header_bytes) + "-byte IDX header");
  std::vector<uint64_t> stated(rank);
  for (size_t axis = 0; axis < rank; ++axis)
    stated[axis] = load_u32_be(bytes.data() + 4 + 4 * axis);
  // Three u32 dims multiply to as much as 2^96, past any integer type: limited before the product.
  std::vector<size_t> dims = limited_dims(stated, what + " dims");
  const size_t expected = Shape(dims).element_count();
  const size_t held = bytes.size() - header_bytes;
  if (held != expected) {
    std::string described = std::to_string(dims[0]) + " items";
    if (rank == 3) {
      described += " of " + std::to_string(dims[1]) + "x" + std::to_string(dims[2]) + " pixels (" +
                   std::to_string(expected) + " bytes)";
    }
    throw InvalidArgument(what + " says " + described + " but holds " + std::to_string(held) +
                          " bytes of data");
  }
  return dims;
}

Tensor u8_tensor(std::vector<size_t> dims, const uint8_t* data) {
  Tensor tensor(DType::u8, Shape(std::move(dims)));
  if (tensor.byte_size() > 0) std::memcpy(tensor.bytes(), data, tensor.byte_size());
  return tensor;
}

std::vector<uint8_t> serialize_idx(const Tensor& tensor, size_t rank, const char* what) {
  require(tensor.dtype() == DType::u8 && tensor.shape().rank() == rank,
          std::string("IDX ") + what + " must be a u8 tensor of rank " + std::to_string(rank) +
              ", got " + dtype_name(tensor.dtype()) + " " + tensor.shape().to_string());
  std::vector<uint8_t> bytes(4 + 4 * rank);
  store_u32_be(bytes.data(), (uint32_t{kIdxTypeU8} << 8) | static_cast<uint32_t>(rank));
  for (size_t axis = 0; axis < rank; ++axis) {
    const size_t dim = tensor.shape()[axis];
    require(dim <= UINT32_MAX, std::string("IDX ") + what + " dim " + std::to_string(dim) +
                                   " does not fit the format's 32 bits");
    store_u32_be(bytes.data() + 4 + 4 * axis, static_cast<uint32_t>(dim));
  }
  bytes.insert(bytes.end(), tensor.bytes(), tensor.bytes() + tensor.byte_size());
  return bytes;
}

}  // namespace

Tensor parse_idx_images(std::span<const uint8_t> bytes, const std::string& what) {
  std::vector<size_t> dims = parse_idx_header(bytes, 3, what);
  require(dims[1] > 0 && dims[2] > 0, what + " has empty images (" + std::to_string(dims[1]) + "x" +
                                          std::to_string(dims[2]) + " pixels)");
  return u8_tensor(std::move(dims), bytes.data() + 16);
}

Tensor parse_idx_labels(std::span<const uint8_t> bytes, const std::string& what) {
  std::vector<size_t> dims = parse_idx_header(bytes, 1, what);
  const uint8_t* values = bytes.data() + 8;
  for (size_t i = 0; i < dims[0]; ++i) {
    if (values[i] >= kClassCount) {  // not require(): its message would be built for every item
      throw InvalidArgument(what + " item " + std::to_string(i) + " has label " +
                            std::to_string(values[i]) + ", expected 0.." +
                            std::to_string(kClassCount - 1));
    }
  }
  return u8_tensor(std::move(dims), values);
}

std::vector<uint8_t> serialize_idx_images(const Tensor& images) {
  return serialize_idx(images, 3, "images");
}

std::vector<uint8_t> serialize_idx_labels(const Tensor& labels) {
  return serialize_idx(labels, 1, "labels");
}

Dataset parse_idx_dataset(std::span<const uint8_t> images, std::span<const uint8_t> labels,
                          const std::string& images_what, const std::string& labels_what) {
  Dataset dataset{parse_idx_images(images, images_what), parse_idx_labels(labels, labels_what)};
  const size_t image_count = dataset.images.shape()[0];
  require(image_count > 0, images_what + " holds no images: a dataset needs at least one");
  require(image_count == dataset.size(), images_what + " holds " + std::to_string(image_count) +
                                             " images but " + labels_what + " holds " +
                                             std::to_string(dataset.size()) + " labels");
  return dataset;
}

std::string idx_images_path(const std::string& dir, const std::string& split) {
  return dir + "/" + split + "-images-idx3-ubyte";
}

std::string idx_labels_path(const std::string& dir, const std::string& split) {
  return dir + "/" + split + "-labels-idx1-ubyte";
}

Dataset read_idx_dataset(const std::string& dir, const std::string& split, FileReader read) {
  const std::string images_path = idx_images_path(dir, split);
  const std::string labels_path = idx_labels_path(dir, split);
  const std::vector<uint8_t> images = read(images_path);
  const std::vector<uint8_t> labels = read(labels_path);
  return parse_idx_dataset(images, labels, images_path, labels_path);
}

}  // namespace quantlab
