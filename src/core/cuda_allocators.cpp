// The CUDA allocators behind the block_allocator seam. CUDA itself stays in
// kernels/cuda/memory.cpp (plain C++ interface), so no CUDA header is included here.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>

#include "cuda/device.hpp"
#include "cuda/memory.hpp"
#include "dsflow/memory.hpp"

namespace ds {

namespace {

namespace kc = kernels::cuda;

/// Throws what block_allocator::allocate promises: bad_alloc for out of memory (the pool then
/// trims and retries), runtime_error with the DS_CUDA_CHECK message for the rest.
[[noreturn]] void throw_failure(const status& failure) {
  if (kc::is_out_of_memory(failure))
    throw std::bad_alloc();
  throw std::runtime_error(failure.message());
}

std::string missing_device(int ordinal) {
  const int count = kc::cuda_devices();
  std::string text = "no CUDA device cuda:" + std::to_string(ordinal) + ": this machine has "
                     + std::to_string(count) + " usable CUDA device" + (count == 1 ? "" : "s");
  if (count == 0)
    text += " (" + std::string{kc::cuda_unavailable_reason()} + ")";
  return text;
}

class cuda_device_allocator final : public block_allocator {
public:
  explicit cuda_device_allocator(int ordinal) : ordinal_(ordinal) {}

  void* allocate(std::size_t size) override {
    auto block = kc::allocate_device(ordinal_, size);
    if (!block)
      throw_failure(block.error());
    return block.value();
  }

  void deallocate(void* block, std::size_t) noexcept override { kc::free_device(ordinal_, block); }

  memory_kind kind() const noexcept override { return memory_kind::device; }
  int device() const noexcept override { return ordinal_; }

private:
  int ordinal_;
};

/// Whole pages per block, as the mlock allocator gives: cudaHostAlloc maps whole pages, and a
/// block never shares a page with its neighbour.
class cuda_pinned_allocator final : public block_allocator {
public:
  cuda_pinned_allocator() : page_size_(static_cast<std::size_t>(::sysconf(_SC_PAGESIZE))) {}

  void* allocate(std::size_t size) override {
    if (size > SIZE_MAX - page_size_)
      throw std::bad_alloc();
    auto block = kc::allocate_pinned((std::max<std::size_t>(size, 1) + page_size_ - 1)
                                     / page_size_ * page_size_);
    if (!block)
      throw_failure(block.error());
    return block.value();
  }

  void deallocate(void* block, std::size_t) noexcept override { kc::free_pinned(block); }

  memory_kind kind() const noexcept override { return memory_kind::pinned; }

private:
  std::size_t page_size_;
};

} // namespace

std::unique_ptr<block_allocator> make_cuda_device_allocator(int ordinal) {
  if (ordinal < 0 || ordinal >= kc::cuda_devices())
    throw std::runtime_error(missing_device(ordinal));
  return std::make_unique<cuda_device_allocator>(ordinal);
}

std::unique_ptr<block_allocator> make_cuda_pinned_allocator() {
  if (kc::cuda_devices() == 0)
    throw std::runtime_error("no pinned CUDA memory: "
                             + std::string{kc::cuda_unavailable_reason()});
  return std::make_unique<cuda_pinned_allocator>();
}

} // namespace ds
