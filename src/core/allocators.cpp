#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <unordered_set>

#include "dsflow/logger.hpp"
#include "dsflow/memory.hpp"

namespace ds {

namespace {

constexpr std::size_t host_alignment = 64;  // one cache line; enough for AVX-512 loads

std::size_t round_up(std::size_t size, std::size_t alignment) {
  if (size > SIZE_MAX - alignment)
    throw std::bad_alloc();
  return (std::max<std::size_t>(size, 1) + alignment - 1) / alignment * alignment;
}

class host_allocator final : public block_allocator {
public:
  void* allocate(std::size_t size) override {
    // aligned_alloc wants a size that is a multiple of the alignment.
    if (auto* block = std::aligned_alloc(host_alignment, round_up(size, host_alignment)))
      return block;
    throw std::bad_alloc();
  }

  void deallocate(void* block, std::size_t) noexcept override { std::free(block); }

  memory_kind kind() const noexcept override { return memory_kind::host; }
};

/// Page-aligned, page-granular blocks, locked in RAM where the limits allow.
///
/// Each block covers whole pages of its own, so unlocking one block never
/// unlocks a page that a neighbour still needs locked.
class pinned_allocator final : public block_allocator {
public:
  pinned_allocator() : page_size_(static_cast<std::size_t>(::sysconf(_SC_PAGESIZE))) {}

  void* allocate(std::size_t size) override {
    auto bytes = round_up(size, page_size_);
    auto* block = std::aligned_alloc(page_size_, bytes);
    if (block == nullptr)
      throw std::bad_alloc();
    // Best effort: RLIMIT_MEMLOCK is often small, and pageable memory still works
    // (transfers just go through a staging copy), so a refusal is not an error.
    if (::mlock(block, bytes) == 0) {
      try {
        std::lock_guard guard{mutex_};
        locked_.insert(block);
      } catch (...) {
        ::munlock(block, bytes);
        std::free(block);
        throw;
      }
    } else {
      report_lock_failure(errno);
    }
    return block;
  }

  void deallocate(void* block, std::size_t size) noexcept override {
    bool was_locked = false;
    {
      std::lock_guard guard{mutex_};
      was_locked = locked_.erase(block) > 0;
    }
    if (was_locked)
      ::munlock(block, round_up(size, page_size_));
    std::free(block);
  }

  memory_kind kind() const noexcept override { return memory_kind::pinned; }

private:
  void report_lock_failure(int error) {
    std::call_once(lock_failure_reported_, [error] {
      logger{"memory"}.debug(std::string("mlock failed (") + std::strerror(error)
                             + "); pinned blocks fall back to pageable memory");
    });
  }

  std::size_t page_size_;
  std::mutex mutex_;
  std::unordered_set<void*> locked_;
  std::once_flag lock_failure_reported_;
};

} // namespace

std::unique_ptr<block_allocator> make_host_allocator() {
  return std::make_unique<host_allocator>();
}

std::unique_ptr<block_allocator> make_pinned_allocator() {
  return std::make_unique<pinned_allocator>();
}

} // namespace ds
