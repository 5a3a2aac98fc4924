#pragma once
/// The values of one field, stored back to back in memory.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace ds::pack {

/// Values of fixed size (an IDX file's records, moved in without a copy) or
/// of varying size (texts, appended one by one).
class column {
public:
  column() = default;

  /// `bytes` holds `bytes.size() / value_size` values of `value_size` bytes.
  column(std::vector<std::byte> bytes, std::size_t value_size)
    : bytes_(std::move(bytes)), value_size_(value_size) {}

  /// Appends one value (varying-size columns only).
  void push(std::string_view value) {
    auto first = reinterpret_cast<const std::byte*>(value.data());
    bytes_.insert(bytes_.end(), first, first + value.size());
    ends_.push_back(bytes_.size());
  }

  std::uint64_t size() const noexcept {
    return value_size_ > 0 ? bytes_.size() / value_size_ : ends_.size();
  }

  std::span<const std::byte> at(std::uint64_t index) const noexcept {
    if (value_size_ > 0)
      return {bytes_.data() + index * value_size_, value_size_};
    auto begin = index == 0 ? 0 : ends_[index - 1];
    return {bytes_.data() + begin, ends_[index] - begin};
  }

  std::uint64_t total_bytes() const noexcept { return bytes_.size(); }

private:
  std::vector<std::byte> bytes_;
  std::vector<std::uint64_t> ends_;  ///< end of each value (varying size only)
  std::size_t value_size_ = 0;       ///< 0: varying size
};

} // namespace ds::pack
