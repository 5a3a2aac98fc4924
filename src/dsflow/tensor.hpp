#pragma once
/// Typed, shaped views over buffers.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dsflow/buffer.hpp"

namespace ds {

enum class dtype : std::uint8_t { u8, i32, i64, f16, bf16, f32, f64 };

std::size_t size_of(dtype type) noexcept;
std::string_view to_string(dtype type) noexcept;
/// Parses "u8", "f32", ...; throws `std::invalid_argument` listing the valid names.
dtype parse_dtype(std::string_view name);

/// dtype, shape and strides (in elements) over a `buffer`, at an element offset.
///
/// A tensor is a handle like the buffer under it: copying it shares the bytes.
class tensor {
public:
  tensor() = default;
  /// Contiguous row-major tensor over `storage`; throws `std::invalid_argument`
  /// when the buffer is smaller than the shape needs.
  tensor(buffer storage, dtype type, std::vector<std::int64_t> shape);
  tensor(buffer storage, dtype type, std::vector<std::int64_t> shape,
         std::vector<std::int64_t> strides, std::int64_t offset);

  dtype type() const noexcept { return type_; }
  const std::vector<std::int64_t>& shape() const noexcept { return shape_; }
  const std::vector<std::int64_t>& strides() const noexcept { return strides_; }
  std::int64_t offset() const noexcept { return offset_; }
  const buffer& storage() const noexcept { return storage_; }
  std::size_t rank() const noexcept { return shape_.size(); }

  std::int64_t numel() const noexcept;
  std::size_t nbytes() const noexcept { return static_cast<std::size_t>(numel()) * size_of(type_); }
  bool is_contiguous() const noexcept;

  /// First element; the caller must ask for the tensor's own dtype.
  template <class T>
  T* data() const noexcept {
    return reinterpret_cast<T*>(storage_.data() + offset_ * static_cast<std::int64_t>(size_of(type_)));
  }

  static std::vector<std::int64_t> contiguous_strides(const std::vector<std::int64_t>& shape);

private:
  buffer storage_;
  dtype type_ = dtype::u8;
  std::vector<std::int64_t> shape_;
  std::vector<std::int64_t> strides_;
  std::int64_t offset_ = 0;
};

} // namespace ds
