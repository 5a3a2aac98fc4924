#pragma once
/// Raw CUDA memory for the runtime's pools: device blocks (cudaMalloc) and page-locked host
/// blocks (cudaHostAlloc), and a synchronous copy between any two of them.
///
/// Plain C++ (no CUDA headers), so the memory pools in src/core can use it without pulling
/// cuda_runtime_api.h into their translation units. Part of dskernels (cudart only, no cuBLAS);
/// in a build without CUDA every call fails with errc::unsupported and the build's reason.
/// Failures are `ds::status` from DS_CUDA_CHECK (cuda/check.hpp): the call, file:line and the
/// CUDA code. Every function may be called from any thread.

#include "result.hpp"
#include "status.hpp"

#include <cstddef>

namespace ds::kernels::cuda {

/// `bytes` of device memory on CUDA device `device` (cudaMalloc; 256-byte aligned). The
/// calling thread's current device is left as it was. errc::unsupported without a usable
/// GPU or when `device` is not a usable ordinal; errc::internal otherwise (out of memory
/// included: the message names cudaErrorMemoryAllocation).
result<void*> allocate_device(int device, std::size_t bytes);

/// Frees a block from allocate_device(device, ...). Errors are dropped: at process exit the
/// runtime may already be unloading (cudaErrorCudartUnloading), and there is nobody to tell.
void free_device(int device, void* block) noexcept;

/// `bytes` of page-locked host memory usable by every device (cudaHostAlloc with
/// cudaHostAllocPortable; page aligned), so host<->device copies run at full DMA speed.
result<void*> allocate_pinned(std::size_t bytes);

/// Frees a block from allocate_pinned. Errors are dropped, as for free_device.
void free_pinned(void* block) noexcept;

/// Copies `bytes` from `source` to `destination` (host, pinned or device memory, told apart
/// by unified addressing: cudaMemcpyDefault) and waits until the copy is done.
status copy_bytes(void* destination, const void* source, std::size_t bytes);

/// True when `out_of_memory` is the status allocate_device/allocate_pinned return for a
/// failed allocation (cudaErrorMemoryAllocation), so a pool can trim and retry.
bool is_out_of_memory(const status& failure) noexcept;

} // namespace ds::kernels::cuda
