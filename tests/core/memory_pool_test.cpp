#define BOOST_TEST_MODULE memory_pool
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "cuda/device.hpp"
#include "dsflow/memory.hpp"

namespace {

/// Host memory that claims to be a device: stands in for the CUDA allocator.
class fake_device_allocator final : public ds::block_allocator {
public:
  explicit fake_device_allocator(int ordinal) : ordinal_(ordinal) {}
  void* allocate(std::size_t size) override { return std::aligned_alloc(64, size); }
  void deallocate(void* block, std::size_t) noexcept override { std::free(block); }
  ds::memory_kind kind() const noexcept override { return ds::memory_kind::device; }
  int device() const noexcept override { return ordinal_; }

private:
  int ordinal_;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_released_block_is_reused_for_the_same_size_class) {
  ds::memory_pool pool{ds::make_host_allocator()};
  auto* first = pool.allocate(1000).data();
  auto again = pool.allocate(700);  // same 1 KiB class
  BOOST_TEST(again.data() == first);
  BOOST_TEST(again.size() == 700u);
  BOOST_TEST(pool.stats().reuses == 1u);
  BOOST_TEST(pool.stats().allocations == 2u);
}

BOOST_AUTO_TEST_CASE(sizes_round_up_to_power_of_two_classes_from_256_bytes) {
  ds::memory_pool pool{ds::make_host_allocator()};
  auto expect_class = [&](std::size_t size, std::uint64_t class_bytes) {
    auto buf = pool.allocate(size);
    BOOST_TEST(pool.stats().in_use == class_bytes, "size " << size);
  };
  expect_class(0, 256);
  expect_class(1, 256);
  expect_class(256, 256);
  expect_class(257, 512);
  expect_class(4096, 4096);
  expect_class(4097, 8192);
}

BOOST_AUTO_TEST_CASE(stats_count_class_sizes_and_track_the_peak) {
  ds::memory_pool pool{ds::make_host_allocator()};
  {
    auto a = pool.allocate(100);   // 256
    auto b = pool.allocate(1500);  // 2048
    BOOST_TEST(pool.stats().in_use == 2304u);
  }
  auto stats = pool.stats();
  BOOST_TEST(stats.in_use == 0u);
  BOOST_TEST(stats.peak_in_use == 2304u);
  BOOST_TEST(stats.cached == 2304u);
  BOOST_TEST(stats.allocations == 2u);
  BOOST_TEST(stats.reuses == 0u);
  auto c = pool.allocate(200);
  pool.reset_peak();
  BOOST_TEST(pool.stats().peak_in_use == 256u);
  BOOST_TEST(pool.stats().cached == 2048u);
}

BOOST_AUTO_TEST_CASE(trim_frees_every_cached_block) {
  ds::memory_pool pool{ds::make_host_allocator()};
  pool.allocate(5000);
  pool.allocate(10);
  BOOST_TEST(pool.stats().cached == 8448u);
  pool.trim();
  BOOST_TEST(pool.stats().cached == 0u);
  pool.allocate(5000);
  BOOST_TEST(pool.stats().reuses == 0u);
}

BOOST_AUTO_TEST_CASE(host_blocks_are_64_byte_aligned_and_pinned_blocks_page_aligned) {
  ds::memory_pools pools;
  auto host = pools.host().allocate(3);
  auto pinned = pools.pinned().allocate(3);
  auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(host.data()) % 64 == 0u);
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(pinned.data()) % page == 0u);
  BOOST_TEST((host.kind() == ds::memory_kind::host));
  BOOST_TEST((pinned.kind() == ds::memory_kind::pinned));
  BOOST_TEST(&pools.of(ds::memory_kind::pinned) == &pools.pinned());
}

BOOST_AUTO_TEST_CASE(four_threads_allocating_and_releasing_concurrently_keep_stats_consistent) {
  ds::memory_pool pool{ds::make_host_allocator()};
  constexpr int rounds = 2000;
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&pool, t] {
      std::vector<ds::buffer> held;
      for (int i = 0; i < rounds; ++i) {
        auto buf = pool.allocate(static_cast<std::size_t>(64 << ((i + t) % 6)));
        std::memset(buf.data(), t, buf.size());
        held.push_back(std::move(buf));
        if (held.size() > 8)
          held.erase(held.begin());  // release while other threads allocate
      }
    });
  }
  for (auto& worker : workers)
    worker.join();
  auto stats = pool.stats();
  BOOST_TEST(stats.in_use == 0u);
  BOOST_TEST(stats.allocations == 4u * rounds);
  BOOST_TEST(stats.reuses > 0u);
  // Every block in use at the peak is back in a free list now.
  BOOST_TEST(stats.cached >= stats.peak_in_use);
}

BOOST_AUTO_TEST_CASE(asking_for_a_missing_device_pool_names_the_device) {
  ds::memory_pools pools;
  const int count = ds::kernels::cuda::cuda_devices();
  try {
    pools.device(count);
    BOOST_FAIL("expected std::runtime_error");
  } catch (const std::runtime_error& error) {
    BOOST_TEST(std::string(error.what()).starts_with(
                 "no CUDA device cuda:" + std::to_string(count) + ": this machine has "
                 + std::to_string(count) + " usable CUDA device"),
               error.what());
  }
  BOOST_CHECK_THROW(pools.of(ds::memory_kind::device, count), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(an_installed_device_allocator_serves_its_ordinal) {
  ds::memory_pools pools;
  pools.install_device_allocator(std::make_unique<fake_device_allocator>(2));
  auto buf = pools.device(2).allocate(10);
  BOOST_TEST((buf.kind() == ds::memory_kind::device));
  BOOST_TEST(buf.device() == 2);
  if (ds::kernels::cuda::cuda_devices() == 0)  // with a GPU, cuda:0 gets a real CUDA pool
    BOOST_CHECK_THROW(pools.device(0), std::runtime_error);
  BOOST_CHECK_THROW(pools.install_device_allocator(std::make_unique<fake_device_allocator>(2)),
                    std::invalid_argument);
  BOOST_CHECK_THROW(pools.install_device_allocator(ds::make_host_allocator()),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_buffer_and_its_slices_name_the_same_whole_block) {
  ds::memory_pool pool{ds::make_host_allocator()};
  auto whole = pool.allocate(1000);  // 1 KiB class
  auto part = whole.slice(100, 50);
  BOOST_TEST(whole.block().data() == whole.data());
  BOOST_TEST(whole.block().size() == 1024u);
  BOOST_TEST(part.block().data() == whole.data());
  BOOST_TEST(part.block().size() == 1024u);
  BOOST_TEST(ds::buffer{}.block().empty());
}

BOOST_AUTO_TEST_CASE(free_listeners_hear_of_blocks_given_back_to_the_allocator_only) {
  std::vector<std::pair<const void*, std::size_t>> freed;
  auto id = ds::add_block_free_listener(
    [&](const void* block, std::size_t size) { freed.emplace_back(block, size); });
  ds::memory_pool pool{ds::make_host_allocator()};
  const void* address = nullptr;
  {
    auto held = pool.allocate(3000);
    address = held.data();
  }
  BOOST_TEST(freed.empty());  // back on the free list, still the pool's
  pool.trim();
  BOOST_REQUIRE(freed.size() == 1u);
  BOOST_TEST(freed[0].first == address);
  BOOST_TEST(freed[0].second == 4096u);
  ds::remove_block_free_listener(id);
  pool.allocate(10);
  pool.trim();
  BOOST_TEST(freed.size() == 1u);
}
