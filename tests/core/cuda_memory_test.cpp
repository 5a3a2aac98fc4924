// The CUDA allocators behind the block_allocator seam, on whatever this host has. Without a
// usable GPU (build hosts, CI): asking for a device pool or a cudaHostAlloc allocator is a
// clear error, and the pinned pool falls back to ordinary page-locked host memory. With one,
// the same pools hand out CUDA memory; tests/core/cuda_memory_gpu_test.cpp checks the bytes.
#define BOOST_TEST_MODULE cuda_memory
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <stdexcept>
#include <string>

#include "cuda/device.hpp"
#include "cuda/memory.hpp"
#include "dsflow/memory.hpp"

namespace kc = ds::kernels::cuda;

BOOST_AUTO_TEST_CASE(the_pinned_pool_always_serves_writable_pinned_buffers) {
  ds::memory_pools pools;
  auto buf = pools.pinned().allocate(1 << 20);
  BOOST_TEST((buf.kind() == ds::memory_kind::pinned));
  std::memset(buf.data(), 0x5a, buf.size());
  BOOST_TEST(static_cast<unsigned char>(buf.data()[buf.size() - 1]) == 0x5a);
}

BOOST_AUTO_TEST_CASE(without_a_gpu_a_device_pool_is_a_clear_error) {
  const int count = kc::cuda_devices();
  if (count > 0)
    return;  // the gpu suite covers the other way round
  ds::memory_pools pools;
  try {
    pools.device(0);
    BOOST_FAIL("expected std::runtime_error");
  } catch (const std::runtime_error& error) {
    const std::string text = error.what();
    BOOST_TEST(text.starts_with("no CUDA device cuda:0: this machine has 0 usable CUDA devices ("),
               text);
    BOOST_TEST(text.find(std::string{kc::cuda_unavailable_reason()}) != std::string::npos, text);
  }
  BOOST_CHECK_THROW(pools.of(ds::memory_kind::device, 1), std::runtime_error);
  BOOST_CHECK_THROW(ds::make_cuda_device_allocator(0), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_device_beyond_the_count_is_refused_with_the_count) {
  const int count = kc::cuda_devices();
  ds::memory_pools pools;
  try {
    pools.device(count);
    BOOST_FAIL("expected std::runtime_error");
  } catch (const std::runtime_error& error) {
    const std::string text = error.what();
    BOOST_TEST(text.find("cuda:" + std::to_string(count)) != std::string::npos, text);
    BOOST_TEST(text.find("has " + std::to_string(count) + " usable CUDA device")
                 != std::string::npos,
               text);
  }
  BOOST_CHECK_THROW(pools.device(-1), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(without_a_gpu_the_cuda_pinned_allocator_says_why) {
  if (kc::cuda_devices() > 0)
    return;
  try {
    ds::make_cuda_pinned_allocator();
    BOOST_FAIL("expected std::runtime_error");
  } catch (const std::runtime_error& error) {
    const std::string text = error.what();
    BOOST_TEST(text.starts_with("no pinned CUDA memory: no CUDA device"), text);
  }
}

BOOST_AUTO_TEST_CASE(without_a_gpu_the_raw_cuda_calls_fail_with_unsupported) {
  if (kc::cuda_devices() > 0)
    return;
  auto device_block = kc::allocate_device(0, 256);
  BOOST_TEST(!device_block.ok());
  BOOST_TEST((device_block.error().code() == ds::errc::unsupported));
  BOOST_TEST(device_block.error().message().starts_with("allocate_device: "),
             device_block.error().message());
  auto pinned_block = kc::allocate_pinned(256);
  BOOST_TEST((pinned_block.error().code() == ds::errc::unsupported));
  char source = 1;
  char destination = 0;
  BOOST_TEST((kc::copy_bytes(&destination, &source, 1).code() == ds::errc::unsupported));
  BOOST_TEST(!kc::is_out_of_memory(device_block.error()));
  kc::free_device(0, nullptr);
  kc::free_pinned(nullptr);
}
