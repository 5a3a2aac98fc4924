#include "dsflow/buffer.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

#include "dsflow/memory.hpp"

namespace ds {

namespace {

std::atomic<std::uint64_t> bytes_copied{0};

} // namespace

std::string_view to_string(memory_kind kind) noexcept {
  switch (kind) {
    case memory_kind::host:
      return "host";
    case memory_kind::pinned:
      return "pinned";
    case memory_kind::device:
      return "device";
  }
  return "unknown";
}

buffer buffer::slice(std::size_t offset, std::size_t length) const {
  // Written as two checks so that offset + length cannot overflow.
  if (offset > size_ || length > size_ - offset)
    throw std::out_of_range("buffer::slice: range [" + std::to_string(offset) + ", "
                            + std::to_string(offset) + " + " + std::to_string(length)
                            + ") is outside a buffer of " + std::to_string(size_) + " bytes");
  return buffer{owner_, data_ + offset, length, block_size_, kind_, device_};
}

buffer buffer::clone(memory_pool& pool) const {
  // The host cannot dereference device memory; copies to or from a device go
  // through the device backend's own copy engine.
  if (kind_ == memory_kind::device || pool.kind() == memory_kind::device)
    throw std::invalid_argument("buffer::clone: cannot copy " + std::string(to_string(kind_))
                                + " memory into a " + std::string(to_string(pool.kind()))
                                + " pool on the host; use the device backend's copy");
  auto copy = pool.allocate(size_);
  if (size_ > 0)
    std::memcpy(copy.data(), data_, size_);
  bytes_copied.fetch_add(size_, std::memory_order_relaxed);
  return copy;
}

std::uint64_t payload_bytes_copied() noexcept {
  return bytes_copied.load(std::memory_order_relaxed);
}

void reset_payload_bytes_copied() noexcept {
  bytes_copied.store(0, std::memory_order_relaxed);
}

} // namespace ds
