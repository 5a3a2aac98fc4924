#include "cuda/memory.hpp"

#include "cuda/device.hpp"

#include <string>

#ifdef DS_KERNELS_CUDA
#include "cuda/check.hpp"
#include <cuda_runtime_api.h>
#endif

namespace ds::kernels::cuda {

namespace {

status no_device(const char* what, int device) {
  const int count = cuda_devices();
  std::string message = std::string{what} + ": ";
  if (count == 0)
    return {errc::unsupported, message + std::string{cuda_unavailable_reason()}};
  return {errc::unsupported, message + "no CUDA device cuda:" + std::to_string(device)
                               + " (this machine has " + std::to_string(count) + ")"};
}

} // namespace

#ifdef DS_KERNELS_CUDA

namespace {

/// Makes `device` current for its lifetime and restores the previous one.
class device_scope {
public:
  status enter(int device) {
    DS_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device)
      DS_CUDA_CHECK(cudaSetDevice(device));
    entered_ = previous_ != device;
    return status::ok();
  }
  ~device_scope() {
    if (entered_)
      (void)cudaSetDevice(previous_);
  }

private:
  int previous_ = 0;
  bool entered_ = false;
};

status allocate_on_current(void** block, std::size_t bytes) {
  DS_CUDA_CHECK(cudaMalloc(block, bytes));
  return status::ok();
}

status allocate_host(void** block, std::size_t bytes) {
  DS_CUDA_CHECK(cudaHostAlloc(block, bytes, cudaHostAllocPortable));
  return status::ok();
}

} // namespace

result<void*> allocate_device(int device, std::size_t bytes) {
  if (device < 0 || device >= cuda_devices())
    return no_device("allocate_device", device);
  device_scope scope;
  if (auto entered = scope.enter(device); !entered.is_ok())
    return entered;
  void* block = nullptr;
  if (auto allocated = allocate_on_current(&block, bytes); !allocated.is_ok()) {
    (void)cudaGetLastError();
    return allocated;
  }
  return block;
}

void free_device(int device, void* block) noexcept {
  if (block == nullptr)
    return;
  int previous = 0;
  const bool switch_device = cudaGetDevice(&previous) == cudaSuccess && previous != device
                             && cudaSetDevice(device) == cudaSuccess;
  (void)cudaFree(block);
  if (switch_device)
    (void)cudaSetDevice(previous);
  (void)cudaGetLastError();
}

result<void*> allocate_pinned(std::size_t bytes) {
  if (cuda_devices() == 0)
    return no_device("allocate_pinned", 0);
  void* block = nullptr;
  if (auto allocated = allocate_host(&block, bytes); !allocated.is_ok()) {
    (void)cudaGetLastError();
    return allocated;
  }
  return block;
}

void free_pinned(void* block) noexcept {
  if (block != nullptr)
    (void)cudaFreeHost(block);
  (void)cudaGetLastError();
}

status copy_bytes(void* destination, const void* source, std::size_t bytes) {
  if (cuda_devices() == 0)
    return no_device("copy_bytes", 0);
  DS_CUDA_CHECK(cudaMemcpy(destination, source, bytes, cudaMemcpyDefault));
  return status::ok();
}

bool is_out_of_memory(const status& failure) noexcept {
  return !failure.is_ok()
         && failure.message().find("cudaErrorMemoryAllocation") != std::string::npos;
}

#else

result<void*> allocate_device(int device, std::size_t) {
  return no_device("allocate_device", device);
}

void free_device(int, void*) noexcept {}

result<void*> allocate_pinned(std::size_t) {
  return no_device("allocate_pinned", 0);
}

void free_pinned(void*) noexcept {}

status copy_bytes(void*, const void*, std::size_t) {
  return no_device("copy_bytes", 0);
}

bool is_out_of_memory(const status&) noexcept {
  return false;
}

#endif

} // namespace ds::kernels::cuda
