#include "dsflow/memory.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <shared_mutex>
#include <new>

namespace ds {

namespace {

struct listener_table {
  std::shared_mutex mutex;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, block_free_listener> listeners;
};

listener_table& free_listeners() {
  static listener_table table;
  return table;
}

/// Tells the listeners, then hands the block back to its allocator.
void release_block(block_allocator& allocator, void* block, std::size_t size) noexcept {
  {
    auto& table = free_listeners();
    std::shared_lock guard{table.mutex};
    for (auto& [id, listener] : table.listeners)
      listener(block, size);
  }
  allocator.deallocate(block, size);
}

constexpr std::size_t min_class_bits = 8;  // smallest class: 256 B
constexpr std::size_t class_count = 64 - min_class_bits;

std::size_t class_index(std::size_t size) {
  if (size > (std::size_t{1} << 63))
    throw std::bad_alloc();
  auto rounded = std::bit_ceil(std::max(size, std::size_t{1} << min_class_bits));
  return static_cast<std::size_t>(std::countr_zero(rounded)) - min_class_bits;
}

constexpr std::size_t class_size(std::size_t index) noexcept {
  return std::size_t{1} << (index + min_class_bits);
}

} // namespace

struct memory_pool::shared_state {
  explicit shared_state(std::unique_ptr<block_allocator> alloc) : allocator(std::move(alloc)) {}

  ~shared_state() { free_all(free_lists); }

  using free_list_array = std::array<std::vector<void*>, class_count>;

  /// Takes every cached block out of the free lists (caller holds `mutex`).
  /// Moves the lists rather than copying, so it cannot throw.
  free_list_array take_cached() noexcept {
    free_list_array taken;
    taken.swap(free_lists);
    stats.cached = 0;
    return taken;
  }

  /// Counts a block of `bytes` leaving the pool (caller holds `mutex`).
  void note_handed_out(std::size_t bytes) noexcept {
    stats.in_use += bytes;
    stats.peak_in_use = std::max(stats.peak_in_use, stats.in_use);
    ++stats.allocations;
  }

  void free_all(const free_list_array& lists) noexcept {
    for (std::size_t index = 0; index < class_count; ++index)
      for (auto* block : lists[index])
        release_block(*allocator, block, class_size(index));
  }

  std::unique_ptr<block_allocator> allocator;
  mutable std::mutex mutex;
  free_list_array free_lists;
  pool_stats stats;
  bool pool_destroyed = false;  ///< released blocks are freed, not cached
};

namespace {

/// Deleter of a block's owner: returns the block to its class's free list. It
/// holds the pool state, so a buffer may outlive the `memory_pool` object.
struct block_releaser {
  std::shared_ptr<memory_pool::shared_state> state;
  std::size_t index;

  void operator()(void* block) const noexcept {
    auto size = class_size(index);
    {
      std::lock_guard guard{state->mutex};
      state->stats.in_use -= size;
      if (!state->pool_destroyed) {
        try {
          state->free_lists[index].push_back(block);
          state->stats.cached += size;
          return;
        } catch (const std::bad_alloc&) {
          // No room to remember the block: fall through and free it.
        }
      }
    }
    release_block(*state->allocator, block, size);
  }
};

} // namespace

memory_pool::memory_pool(std::unique_ptr<block_allocator> allocator)
  : state_(std::make_shared<shared_state>(std::move(allocator))) {}

memory_pool::~memory_pool() {
  shared_state::free_list_array cached;
  {
    std::lock_guard guard{state_->mutex};
    state_->pool_destroyed = true;
    cached = state_->take_cached();
  }
  state_->free_all(cached);
}

buffer memory_pool::allocate(std::size_t size) {
  auto index = class_index(size);
  auto bytes = class_size(index);
  void* block = nullptr;
  {
    std::lock_guard guard{state_->mutex};
    auto& free_list = state_->free_lists[index];
    if (!free_list.empty()) {
      block = free_list.back();
      free_list.pop_back();
      state_->stats.cached -= bytes;
      ++state_->stats.reuses;
      state_->note_handed_out(bytes);
    }
  }
  if (block == nullptr) {
    // Allocate outside the lock: pinning or a device allocation can be slow.
    try {
      block = state_->allocator->allocate(bytes);
    } catch (const std::bad_alloc&) {
      // Blocks cached in other classes may be what the allocator is missing.
      trim();
      block = state_->allocator->allocate(bytes);
    }
    std::lock_guard guard{state_->mutex};
    state_->note_handed_out(bytes);
  }
  // If the control block cannot be allocated, shared_ptr calls the releaser,
  // so the block goes back to the free list rather than leaking.
  std::shared_ptr<void> owner{block, block_releaser{state_, index}};
  return buffer{std::move(owner), static_cast<std::byte*>(block), size, bytes,
                state_->allocator->kind(), state_->allocator->device()};
}

pool_stats memory_pool::stats() const {
  std::lock_guard guard{state_->mutex};
  return state_->stats;
}

void memory_pool::reset_peak() {
  std::lock_guard guard{state_->mutex};
  state_->stats.peak_in_use = state_->stats.in_use;
}

void memory_pool::trim() {
  shared_state::free_list_array cached;
  {
    std::lock_guard guard{state_->mutex};
    cached = state_->take_cached();
  }
  state_->free_all(cached);
}

std::uint64_t add_block_free_listener(block_free_listener listener) {
  auto& table = free_listeners();
  std::unique_lock guard{table.mutex};
  auto id = table.next_id++;
  table.listeners.emplace(id, std::move(listener));
  return id;
}

void remove_block_free_listener(std::uint64_t id) noexcept {
  auto& table = free_listeners();
  std::unique_lock guard{table.mutex};
  table.listeners.erase(id);
}

memory_kind memory_pool::kind() const noexcept {
  return state_->allocator->kind();
}

} // namespace ds
