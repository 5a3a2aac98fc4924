#pragma once
/// Reference-counted memory blocks taken from per-kind pools.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace ds {

/// Where a buffer's bytes live.
enum class memory_kind : std::uint8_t { host, pinned, device };

std::string_view to_string(memory_kind kind) noexcept;

class memory_pool;

/// A reference-counted handle to a block of memory from a `memory_pool`.
///
/// Copying a `buffer` copies the handle, never the bytes; the block returns to
/// its pool when the last handle goes. Handles may be copied and released from
/// any thread. `clone()` is the one way to duplicate bytes, and it is counted
/// by `payload_bytes_copied()` so tests can prove the runtime never copies.
class buffer {
public:
  buffer() = default;

  std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  memory_kind kind() const noexcept { return kind_; }
  /// Device ordinal for `memory_kind::device`, otherwise 0.
  int device() const noexcept { return device_; }
  explicit operator bool() const noexcept { return data_ != nullptr; }

  std::span<std::byte> bytes() const noexcept { return {data_, size_}; }

  /// The whole pool block this handle points into (its size class), which a
  /// slice shares with its parent. Transports register memory per block, so
  /// each block is registered once however it is sliced. Empty for a null handle.
  std::span<std::byte> block() const noexcept {
    return {static_cast<std::byte*>(owner_.get()), block_size_};
  }

  /// A handle to `length` bytes starting at `offset` that keeps the whole
  /// block alive. Throws `std::out_of_range` when the range is outside.
  buffer slice(std::size_t offset, std::size_t length) const;

  /// Copies the bytes into a new block of `pool` (counted as a payload copy).
  buffer clone(memory_pool& pool) const;

  /// Number of handles sharing this block (for tests and diagnostics).
  long use_count() const noexcept { return owner_.use_count(); }

private:
  friend class memory_pool;
  buffer(std::shared_ptr<void> owner, std::byte* data, std::size_t size, std::size_t block_size,
         memory_kind kind, int device)
    : owner_(std::move(owner)), data_(data), size_(size), block_size_(block_size), kind_(kind),
      device_(device) {}

  std::shared_ptr<void> owner_;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t block_size_ = 0;
  memory_kind kind_ = memory_kind::host;
  int device_ = 0;
};

/// Total payload bytes duplicated by `buffer::clone` since start (or reset).
std::uint64_t payload_bytes_copied() noexcept;
void reset_payload_bytes_copied() noexcept;

} // namespace ds
