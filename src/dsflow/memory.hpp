#pragma once
/// Memory pools, one per memory kind, recycling blocks by size class.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dsflow/buffer.hpp"

namespace ds {

/// Raw allocation for one memory kind; the seam CUDA (device, pinned) plugs into.
class block_allocator {
public:
  virtual ~block_allocator() = default;
  /// Returns a block of at least `size` bytes aligned to 64, or throws
  /// `std::bad_alloc`/`std::runtime_error` with the reason.
  virtual void* allocate(std::size_t size) = 0;
  virtual void deallocate(void* block, std::size_t size) noexcept = 0;
  virtual memory_kind kind() const noexcept = 0;
  virtual int device() const noexcept { return 0; }
};

/// Counters of a pool, all in bytes unless named otherwise.
struct pool_stats {
  std::uint64_t in_use = 0;       ///< bytes handed out and not yet returned
  std::uint64_t peak_in_use = 0;  ///< high-water mark of `in_use`
  std::uint64_t cached = 0;       ///< bytes held in free lists
  std::uint64_t allocations = 0;  ///< blocks handed out
  std::uint64_t reuses = 0;       ///< of which came from a free list
};

/// A thread-safe pool of blocks of one memory kind.
///
/// Requests are rounded up to a power-of-two size class (min 256 B); a released
/// block goes back to its class's free list, so steady-state pipelines stop
/// calling the allocator. Blocks outlive the pool safely: a buffer released
/// after the pool is gone frees its block directly.
class memory_pool {
public:
  explicit memory_pool(std::unique_ptr<block_allocator> allocator);
  ~memory_pool();
  memory_pool(const memory_pool&) = delete;
  memory_pool& operator=(const memory_pool&) = delete;

  /// A buffer of exactly `size` visible bytes (contents uninitialised).
  buffer allocate(std::size_t size);

  pool_stats stats() const;
  void reset_peak();
  /// Frees every cached block.
  void trim();
  memory_kind kind() const noexcept;

  struct shared_state;

private:
  std::shared_ptr<shared_state> state_;
};

/// The pools of one process: host always; pinned always; one device pool per `cuda:N`.
///
/// With a usable CUDA device (kernels/cuda/device.hpp) the pinned pool takes its blocks from
/// cudaHostAlloc, the staging memory for host<->device copies; without one it falls back to
/// page-aligned host memory, `mlock`ed where the limits allow, and says so once per process
/// at debug level (logger "memory"). A device pool is created on first use of `device(N)`
/// when CUDA device N exists, or installed beforehand (tests install fakes).
class memory_pools {
public:
  memory_pools();
  memory_pool& host() { return *host_; }
  memory_pool& pinned() { return *pinned_; }
  /// The pool of `cuda:ordinal`, created with a CUDA device allocator on first use. Throws
  /// `std::runtime_error` naming the device, the number of CUDA devices and why there is none
  /// when no allocator is installed and the device does not exist. Thread-safe.
  memory_pool& device(int ordinal);
  memory_pool& of(memory_kind kind, int device = 0);
  void install_device_allocator(std::unique_ptr<block_allocator> allocator);

private:
  std::unique_ptr<memory_pool> host_;
  std::unique_ptr<memory_pool> pinned_;
  std::vector<std::unique_ptr<memory_pool>> devices_;
  std::mutex mutex_;
};

/// Called with a block's address and size just before a pool gives the block
/// back to its allocator (trim, pool destruction, or a release after the pool
/// is gone); never for a block that only returns to a free list.
///
/// This is how a cache keyed by block address (libfabric registrations) learns
/// that an address may be reused for different memory. Listeners run on the
/// thread that frees the block, possibly concurrently, must be `noexcept` in
/// effect, and must not allocate from or release into a pool.
using block_free_listener = std::function<void(const void* block, std::size_t size)>;

/// Adds a process-wide listener; returns the id that removes it.
std::uint64_t add_block_free_listener(block_free_listener listener);
/// Removes a listener; once it returns, the listener is not running and won't run again.
void remove_block_free_listener(std::uint64_t id) noexcept;

/// Allocators always available.
std::unique_ptr<block_allocator> make_host_allocator();
/// Page-aligned host memory, `mlock`ed where RLIMIT_MEMLOCK allows (no CUDA involved).
std::unique_ptr<block_allocator> make_pinned_allocator();

/// Device memory of `cuda:ordinal` from cudaMalloc. Throws `std::runtime_error` (naming the
/// device, the device count and the reason) when that device does not exist or the build has
/// no CUDA. Its `allocate` throws `std::bad_alloc` when the device is out of memory and
/// `std::runtime_error` with the DS_CUDA_CHECK message for any other CUDA failure.
std::unique_ptr<block_allocator> make_cuda_device_allocator(int ordinal);
/// Page-locked host memory from cudaHostAlloc (portable to every device); kind `pinned`.
/// Throws `std::runtime_error` with the reason when there is no usable CUDA device.
std::unique_ptr<block_allocator> make_cuda_pinned_allocator();

} // namespace ds
