// Tensor layer: shapes, element types and 16-byte aligned storage. Everything above this layer
// describes memory through these types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace quantlab {

enum class DType : uint8_t {
  f32,  // IEEE binary32
  i8,   // signed 8-bit integer
  u8,   // unsigned 8-bit integer
  i32,  // signed 32-bit integer (accumulators)
  i4,   // packed 4-bit: two values per byte, low nibble first, each matrix row (see
        // Shape::rows) padded to a whole byte
};

const char* dtype_name(DType type);

// Alignment of every buffer: one WebAssembly v128 register.
inline constexpr size_t kTensorAlignment = 16;

// Product of dims; throws InvalidArgument if it overflows size_t.
size_t checked_element_count(std::span<const size_t> dims);

// Bytes needed for count elements of type; for i4, a row of count values rounds up to a byte.
size_t storage_bytes(DType type, size_t count);

// Shape of a tensor: dims in row-major order (last dim contiguous).
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<size_t> dims);
  explicit Shape(std::vector<size_t> dims);

  size_t rank() const { return dims_.size(); }
  size_t operator[](size_t axis) const;
  size_t element_count() const { return element_count_; }
  const std::vector<size_t>& dims() const { return dims_; }
  // Matrix view used by weights and packed formats: the first dim is the row (output
  // channel) and the rest is one row of reduction length K, the layout of a Linear [out, in]
  // or Conv2d [out, in, kh, kw] weight. Rank 0 and 1 are a single row.
  size_t rows() const { return dims_.size() < 2 ? 1 : dims_[0]; }
  size_t row_length() const {
    return dims_.size() < 2 ? element_count_ : element_count_ / dims_[0];
  }
  std::string to_string() const;
  bool operator==(const Shape& other) const { return dims_ == other.dims_; }

 private:
  std::vector<size_t> dims_;
  size_t element_count_ = 1;
};

// What a new buffer holds: zeros, or whatever memory held (for a buffer its user overwrites
// entirely, e.g. a layer's output: zeroing 35 MB per fashion-cnn batch cost 15% of a run).
enum class Init : uint8_t { zeros, uninitialized };

// Owning, 16-byte aligned byte buffer, zero-initialised unless asked otherwise.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes, Init init = Init::zeros);
  AlignedBuffer(const AlignedBuffer& other);
  AlignedBuffer& operator=(const AlignedBuffer& other);
  AlignedBuffer(AlignedBuffer&&) noexcept = default;
  AlignedBuffer& operator=(AlignedBuffer&&) noexcept = default;

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t[], Free> data_;
  size_t size_ = 0;
};

// A dense tensor owning its storage.
class Tensor {
 public:
  Tensor() = default;
  Tensor(DType type, Shape shape, Init init = Init::zeros);
  static Tensor from_f32(Shape shape, std::span<const float> values);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  size_t element_count() const { return shape_.element_count(); }
  size_t byte_size() const { return storage_.size(); }
  uint8_t* bytes() { return storage_.data(); }
  const uint8_t* bytes() const { return storage_.data(); }

  // Typed views; throw InvalidArgument if T does not match dtype (i4 has no typed view).
  template <typename T>
  std::span<T> values();
  template <typename T>
  std::span<const T> values() const;

 private:
  void check_view(DType wanted) const;
  DType dtype_ = DType::f32;
  Shape shape_;
  AlignedBuffer storage_;
};

template <typename T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::f32;
};
template <>
struct DTypeOf<int8_t> {
  static constexpr DType value = DType::i8;
};
template <>
struct DTypeOf<uint8_t> {
  static constexpr DType value = DType::u8;
};
template <>
struct DTypeOf<int32_t> {
  static constexpr DType value = DType::i32;
};

template <typename T>
std::span<T> Tensor::values() {
  check_view(DTypeOf<std::remove_const_t<T>>::value);
  return {reinterpret_cast<T*>(storage_.data()), element_count()};
}

template <typename T>
std::span<const T> Tensor::values() const {
  check_view(DTypeOf<std::remove_const_t<T>>::value);
  return {reinterpret_cast<const T*>(storage_.data()), element_count()};
}

}  // namespace quantlab
