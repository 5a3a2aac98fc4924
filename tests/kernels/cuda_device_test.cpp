// CUDA device discovery and the dispatch rules around it, on whatever this host has: on a
// machine without a driver or GPU (CI, build hosts) the count is 0 with a reason and every
// dispatch stays on the CPU; on a GPU host the same checks hold the other way round. Also the
// error conversion of DS_CUDA_CHECK / DS_CUBLAS_CHECK, which needs no GPU.
#define BOOST_TEST_MODULE kernel_cuda_device
#include <boost/test/unit_test.hpp>

#include "cuda/device.hpp"
#include "registry.hpp"

#ifdef DS_KERNELS_CUDA
#include "cuda/check.hpp"
#include "cuda/context.hpp"
#include "cuda/gemm.cuh"
#endif

#include <string>

using namespace ds::kernels;

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(the_device_count_and_the_reason_agree) {
  const int count = cuda::cuda_devices();
  const std::string reason{cuda::cuda_unavailable_reason()};
  BOOST_TEST_MESSAGE("CUDA devices: " << count << (reason.empty() ? "" : "; " + reason));
  BOOST_TEST(count >= 0);
  BOOST_TEST(reason.empty() == (count > 0));
  if (count == 0) {
    BOOST_TEST(reason.find("CUDA") != std::string::npos);
    BOOST_TEST(reason.find('\n') == std::string::npos, "the reason is one line");
  }
  BOOST_TEST(available(backend::cuda) == (count > 0));
  BOOST_TEST(cuda::cuda_devices() == count, "the probe is taken once and kept");
}

BOOST_AUTO_TEST_CASE(without_a_usable_gpu_device_dispatch_finds_nothing_and_host_dispatch_falls_back) {
  for (op o : registered_ops())
    BOOST_TEST_CONTEXT("op " << to_string(o)) {
      const backend host = dispatch(o);
      BOOST_TEST((memory_of(host) == memory::host));
      BOOST_TEST((supports(o, dtype::f32, host) && available(host)));
      BOOST_TEST((resolve(o, backend::cuda) == backend::reference));
      const auto device = dispatch_device(o);
      if (available(backend::cuda) && supports(o, dtype::f32, backend::cuda))
        BOOST_TEST((device == backend::cuda));
      else
        BOOST_TEST(!device.has_value());
    }
}

#ifdef DS_KERNELS_CUDA

namespace {

ds::status fail_with_cuda_code() {
  DS_CUDA_CHECK(cudaErrorInvalidValue);
  return ds::status::ok();
}

ds::status fail_with_cublas_code() {
  // A null handle is rejected before any GPU work, with or without a GPU.
  DS_CUBLAS_CHECK(cublasSetStream(nullptr, nullptr));
  return ds::status::ok();
}

} // namespace

BOOST_AUTO_TEST_CASE(a_failed_cuda_call_names_the_call_the_place_and_the_code) {
  const ds::status failed = fail_with_cuda_code();
  BOOST_TEST(!failed.is_ok());
  BOOST_TEST((failed.code() == ds::errc::internal));
  const std::string& message = failed.message();
  BOOST_TEST(message.find("cudaErrorInvalidValue") != std::string::npos, message);
  BOOST_TEST(message.find("cuda_device_test.cpp:") != std::string::npos, message);
  BOOST_TEST(message.find(" failed at ") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(a_failed_cublas_call_names_the_call_the_place_and_the_code) {
  const ds::status failed = fail_with_cublas_code();
  BOOST_TEST(!failed.is_ok());
  const std::string& message = failed.message();
  BOOST_TEST(message.find("cublasSetStream(nullptr, nullptr)") != std::string::npos, message);
  BOOST_TEST(message.find("CUBLAS_STATUS_NOT_INITIALIZED") != std::string::npos, message);
  BOOST_TEST(message.find("cuda_device_test.cpp:") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(a_gemm_without_a_cublas_handle_is_refused_before_touching_the_gpu) {
  const auto shape = setup_gemm(false, false, 2, 2, 2);
  BOOST_REQUIRE(shape.ok());
  const ds::status refused =
    cuda::gemm(shape.value(), nullptr, nullptr, nullptr, 1.0f, 0.0f, cuda::stream_context{});
  BOOST_TEST((refused.code() == ds::errc::invalid_argument));
  BOOST_TEST(refused.message().find("blas") != std::string::npos, refused.message());
}

BOOST_AUTO_TEST_CASE(opening_a_cublas_handle_without_a_gpu_fails_with_a_status) {
  if (cuda::cuda_devices() > 0)
    return; // covered by cuda_ops_test on GPU hosts
  cuda::blas_handle handle;
  const ds::status failed = handle.open();
  BOOST_TEST(!failed.is_ok());
  BOOST_TEST(failed.message().find("cublasCreate") != std::string::npos, failed.message());
  BOOST_TEST(handle.get() == nullptr);
}

#endif

BOOST_AUTO_TEST_SUITE_END()
