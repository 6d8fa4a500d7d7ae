#include "quantlab/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>

#include "quantlab/error.h"

namespace quantlab {

const char* dtype_name(DType type) {
  switch (type) {
    case DType::f32:
      return "f32";
    case DType::i8:
      return "i8";
    case DType::u8:
      return "u8";
    case DType::i32:
      return "i32";
    case DType::i4:
      return "i4";
  }
  return "unknown";
}

size_t checked_element_count(std::span<const size_t> dims) {
  size_t count = 1;
  for (size_t dim : dims) {
    if (dim != 0 && count > std::numeric_limits<size_t>::max() / dim) {
      throw InvalidArgument("tensor shape is too large: element count overflows");
    }
    count *= dim;
  }
  return count;
}

size_t storage_bytes(DType type, size_t count) {
  switch (type) {
    case DType::f32:
    case DType::i32:
      require(count <= std::numeric_limits<size_t>::max() / 4, "tensor is too large to allocate");
      return count * 4;
    case DType::i8:
    case DType::u8:
      return count;
    case DType::i4:
      return count / 2 + count % 2;
  }
  throw InvalidArgument("unknown dtype");
}

Shape::Shape(std::initializer_list<size_t> dims) : Shape(std::vector<size_t>(dims)) {}

Shape::Shape(std::vector<size_t> dims)
    : dims_(std::move(dims)), element_count_(checked_element_count(dims_)) {}

size_t Shape::operator[](size_t axis) const {
  // Hot in layer loops: build the message only when it is needed.
  if (axis >= dims_.size()) {
    throw InvalidArgument("axis " + std::to_string(axis) + " is out of range for shape " +
                          to_string());
  }
  return dims_[axis];
}

std::string Shape::to_string() const {
  std::string text = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) text += ", ";
    text += std::to_string(dims_[i]);
  }
  return text + "]";
}

void AlignedBuffer::Free::operator()(uint8_t* p) const { std::free(p); }

AlignedBuffer::AlignedBuffer(size_t bytes, Init init) : size_(bytes) {
  if (bytes == 0) return;
  // aligned_alloc wants a size that is a multiple of the alignment.
  const size_t rounded = (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  require(rounded >= bytes, "buffer size overflows");
  auto* p = static_cast<uint8_t*>(std::aligned_alloc(kTensorAlignment, rounded));
  if (p == nullptr) throw std::bad_alloc();
  if (init == Init::zeros) std::memset(p, 0, rounded);
  data_.reset(p);
}

AlignedBuffer::AlignedBuffer(const AlignedBuffer& other)
    : AlignedBuffer(other.size_, Init::uninitialized) {
  if (size_) std::memcpy(data_.get(), other.data_.get(), size_);
}

AlignedBuffer& AlignedBuffer::operator=(const AlignedBuffer& other) {
  if (this != &other) *this = AlignedBuffer(other);
  return *this;
}

Tensor::Tensor(DType type, Shape shape, Init init)
    : dtype_(type),
      shape_(std::move(shape)),
      storage_(type == DType::i4 ? shape_.rows() * storage_bytes(type, shape_.row_length())
                                 : storage_bytes(type, shape_.element_count()),
               init) {}

Tensor Tensor::from_f32(Shape shape, std::span<const float> values) {
  require(values.size() == shape.element_count(),
          "tensor of shape " + shape.to_string() + " needs " +
              std::to_string(shape.element_count()) + " values, got " +
              std::to_string(values.size()));
  Tensor tensor(DType::f32, std::move(shape), Init::uninitialized);
  if (!values.empty()) std::memcpy(tensor.bytes(), values.data(), values.size_bytes());
  return tensor;
}

void Tensor::check_view(DType wanted) const {
  if (dtype_ != wanted) {
    throw InvalidArgument(std::string("tensor holds ") + dtype_name(dtype_) + " values, not " +
                          dtype_name(wanted));
  }
}

}  // namespace quantlab
