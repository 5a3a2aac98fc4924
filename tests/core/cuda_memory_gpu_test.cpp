// Suite gpu: the pools' CUDA memory for real. A pattern goes host -> pinned -> cuda:0 ->
// pinned and must come back byte for byte; device and pinned blocks are recycled by their
// pools. Without a usable GPU the program exits 77 (Meson: SKIP) before any case runs.
#define BOOST_TEST_MODULE cuda_memory_gpu
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cuda/device.hpp"
#include "cuda/memory.hpp"
#include "dsflow/memory.hpp"

namespace kc = ds::kernels::cuda;

BOOST_AUTO_TEST_CASE(bytes_survive_a_round_trip_through_pinned_and_device_memory) {
  ds::memory_pools pools;
  constexpr std::size_t bytes = 64u << 20;  // 64 MiB
  auto staging_out = pools.pinned().allocate(bytes);
  auto staging_in = pools.pinned().allocate(bytes);
  auto on_device = pools.device(0).allocate(bytes);
  BOOST_TEST((staging_out.kind() == ds::memory_kind::pinned));
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(pools.pinned().allocate(3).data()) % page == 0u,
             "pinned blocks are page aligned, as the mlock fallback's are");
  BOOST_TEST((on_device.kind() == ds::memory_kind::device));
  BOOST_TEST(on_device.device() == 0);

  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  for (std::size_t i = 0; i < bytes; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    staging_out.data()[i] = static_cast<std::byte>(state >> 56);
  }
  std::memset(staging_in.data(), 0, bytes);

  auto to_device = kc::copy_bytes(on_device.data(), staging_out.data(), bytes);
  BOOST_REQUIRE_MESSAGE(to_device.is_ok(), to_device.message());
  auto to_host = kc::copy_bytes(staging_in.data(), on_device.data(), bytes);
  BOOST_REQUIRE_MESSAGE(to_host.is_ok(), to_host.message());
  BOOST_TEST(std::memcmp(staging_in.data(), staging_out.data(), bytes) == 0);
}

BOOST_AUTO_TEST_CASE(device_blocks_are_recycled_by_their_pool) {
  ds::memory_pools pools;
  auto& pool = pools.device(0);
  { auto first = pool.allocate(1 << 20); }
  auto second = pool.allocate(1 << 20);
  BOOST_TEST(pool.stats().reuses == 1u);
  pool.trim();
}

BOOST_AUTO_TEST_CASE(the_last_device_plus_one_is_refused) {
  ds::memory_pools pools;
  BOOST_CHECK_THROW(pools.device(kc::cuda_devices()), std::runtime_error);
}

int main(int argc, char* argv[]) {
  if (kc::cuda_devices() == 0) {
    std::printf("SKIP: %s\n", std::string{kc::cuda_unavailable_reason()}.c_str());
    return 77;  // Meson: skipped
  }
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
