#include "dsflow/tensor.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace ds {

namespace {

constexpr std::array all_dtypes{dtype::u8, dtype::i32, dtype::i64, dtype::f16,
                                dtype::bf16, dtype::f32, dtype::f64};

std::string format_dims(const std::vector<std::int64_t>& dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0)
      text += ", ";
    text += std::to_string(dims[i]);
  }
  return text + "]";
}

std::string describe(dtype type, const std::vector<std::int64_t>& shape,
                     const std::vector<std::int64_t>& strides, std::int64_t offset) {
  return "tensor " + std::string(to_string(type)) + format_dims(shape) + " with strides "
         + format_dims(strides) + " and offset " + std::to_string(offset);
}

/// Checks that every element the view can address lies inside `storage`.
void check_fits(const buffer& storage, dtype type, const std::vector<std::int64_t>& shape,
                const std::vector<std::int64_t>& strides, std::int64_t offset) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument(describe(type, shape, strides, offset) + ": " + why);
  };
  if (strides.size() != shape.size())
    fail("has " + std::to_string(strides.size()) + " strides for " + std::to_string(shape.size())
         + " dimensions");
  if (offset < 0)
    fail("negative offset");
  std::int64_t lowest = offset;
  std::int64_t highest = offset;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0)
      fail("negative extent in dimension " + std::to_string(i));
    if (shape[i] == 0)
      return;  // addresses no element at all
    std::int64_t reach = 0;
    if (__builtin_mul_overflow(shape[i] - 1, strides[i], &reach)
        || __builtin_add_overflow(reach < 0 ? lowest : highest, reach,
                                  reach < 0 ? &lowest : &highest))
      fail("addresses elements beyond the 64-bit range");
  }
  if (lowest < 0)
    fail("addresses element " + std::to_string(lowest) + ", before the start of its buffer");
  auto element_size = static_cast<std::int64_t>(size_of(type));
  std::int64_t needed = 0;
  if (__builtin_mul_overflow(highest + 1, element_size, &needed))
    fail("addresses elements beyond the 64-bit range");
  if (static_cast<std::uint64_t>(needed) > storage.size())
    fail("needs " + std::to_string(needed) + " bytes, but its buffer holds "
         + std::to_string(storage.size()));
}

} // namespace

std::size_t size_of(dtype type) noexcept {
  switch (type) {
    case dtype::u8:
      return 1;
    case dtype::f16:
    case dtype::bf16:
      return 2;
    case dtype::i32:
    case dtype::f32:
      return 4;
    case dtype::i64:
    case dtype::f64:
      return 8;
  }
  return 0;
}

std::string_view to_string(dtype type) noexcept {
  switch (type) {
    case dtype::u8:
      return "u8";
    case dtype::i32:
      return "i32";
    case dtype::i64:
      return "i64";
    case dtype::f16:
      return "f16";
    case dtype::bf16:
      return "bf16";
    case dtype::f32:
      return "f32";
    case dtype::f64:
      return "f64";
  }
  return "unknown";
}

dtype parse_dtype(std::string_view name) {
  std::string valid;
  for (auto type : all_dtypes) {
    if (to_string(type) == name)
      return type;
    valid += valid.empty() ? "" : ", ";
    valid += to_string(type);
  }
  throw std::invalid_argument("unknown dtype '" + std::string(name) + "'; valid dtypes: " + valid);
}

tensor::tensor(buffer storage, dtype type, std::vector<std::int64_t> shape)
  : tensor(std::move(storage), type, shape, contiguous_strides(shape), 0) {}

tensor::tensor(buffer storage, dtype type, std::vector<std::int64_t> shape,
               std::vector<std::int64_t> strides, std::int64_t offset)
  : storage_(std::move(storage)), type_(type), shape_(std::move(shape)),
    strides_(std::move(strides)), offset_(offset) {
  check_fits(storage_, type_, shape_, strides_, offset_);
}

std::int64_t tensor::numel() const noexcept {
  std::int64_t count = 1;
  for (auto extent : shape_)
    count *= extent;
  return count;
}

bool tensor::is_contiguous() const noexcept {
  // Like PyTorch: the stride of an extent-1 dimension never matters, and an
  // empty tensor is trivially contiguous.
  if (numel() == 0)
    return true;
  std::int64_t expected = 1;
  for (auto i = shape_.size(); i-- > 0;) {
    if (shape_[i] != 1 && strides_[i] != expected)
      return false;
    expected *= shape_[i];
  }
  return true;
}

std::vector<std::int64_t> tensor::contiguous_strides(const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> strides(shape.size());
  std::int64_t stride = 1;
  for (auto i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    if (__builtin_mul_overflow(stride, std::max<std::int64_t>(shape[i], 1), &stride))
      throw std::invalid_argument("shape " + format_dims(shape)
                                  + " has more elements than a 64-bit index can address");
  }
  return strides;
}

} // namespace ds
