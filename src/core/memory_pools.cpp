#include <stdexcept>
#include <string>

#include "dsflow/memory.hpp"

namespace ds {

memory_pools::memory_pools()
  : host_(std::make_unique<memory_pool>(make_host_allocator())),
    pinned_(std::make_unique<memory_pool>(make_pinned_allocator())) {}

memory_pool& memory_pools::device(int ordinal) {
  std::lock_guard guard{mutex_};
  if (ordinal < 0 || static_cast<std::size_t>(ordinal) >= devices_.size()
      || devices_[static_cast<std::size_t>(ordinal)] == nullptr)
    throw std::runtime_error("no allocator for device cuda:" + std::to_string(ordinal)
                             + ": dsflow was built without CUDA or no GPU was found");
  return *devices_[static_cast<std::size_t>(ordinal)];
}

memory_pool& memory_pools::of(memory_kind kind, int device_ordinal) {
  switch (kind) {
    case memory_kind::host:
      return host();
    case memory_kind::pinned:
      return pinned();
    case memory_kind::device:
      break;
  }
  return device(device_ordinal);
}

void memory_pools::install_device_allocator(std::unique_ptr<block_allocator> allocator) {
  if (allocator == nullptr || allocator->kind() != memory_kind::device)
    throw std::invalid_argument("install_device_allocator: expected an allocator of device memory");
  auto ordinal = allocator->device();
  if (ordinal < 0)
    throw std::invalid_argument("install_device_allocator: negative device ordinal "
                                + std::to_string(ordinal));
  auto index = static_cast<std::size_t>(ordinal);
  std::lock_guard guard{mutex_};
  // Replacing a pool would leave dangling the references stages took in open().
  if (index < devices_.size() && devices_[index] != nullptr)
    throw std::invalid_argument("install_device_allocator: device cuda:" + std::to_string(ordinal)
                                + " already has an allocator");
  if (index >= devices_.size())
    devices_.resize(index + 1);
  devices_[index] = std::make_unique<memory_pool>(std::move(allocator));
}

} // namespace ds
