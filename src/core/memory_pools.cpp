#include <mutex>
#include <stdexcept>
#include <string>

#include "cuda/device.hpp"
#include "dsflow/logger.hpp"
#include "dsflow/memory.hpp"

namespace ds {

namespace {

/// cudaHostAlloc memory when a GPU can use it; otherwise the mlock allocator, and one notice
/// per process (debug level: `ds-run` already says once that it runs on the CPU).
std::unique_ptr<block_allocator> make_staging_allocator() {
  if (kernels::cuda::cuda_devices() > 0)
    return make_cuda_pinned_allocator();
  static std::once_flag noticed;
  std::call_once(noticed, [] {
    logger{"memory"}.debug("pinned pool: ordinary page-locked host memory ("
                           + std::string{kernels::cuda::cuda_unavailable_reason()} + ")");
  });
  return make_pinned_allocator();
}

} // namespace

memory_pools::memory_pools()
  : host_(std::make_unique<memory_pool>(make_host_allocator())),
    pinned_(std::make_unique<memory_pool>(make_staging_allocator())) {}

memory_pool& memory_pools::device(int ordinal) {
  std::lock_guard guard{mutex_};
  const auto index = static_cast<std::size_t>(ordinal);
  if (ordinal >= 0 && index < devices_.size() && devices_[index] != nullptr)
    return *devices_[index];
  // Throws, naming the device, the count and the reason, when cuda:ordinal does not exist.
  auto allocator = make_cuda_device_allocator(ordinal);
  if (index >= devices_.size())
    devices_.resize(index + 1);
  devices_[index] = std::make_unique<memory_pool>(std::move(allocator));
  return *devices_[index];
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
