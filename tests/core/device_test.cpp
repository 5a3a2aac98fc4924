// resolve_device: "cpu", "cuda:N", "auto" against a given GPU census (so every branch runs on
// any host), and once against this machine's own census.
#define BOOST_TEST_MODULE device
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

#include "cuda/device.hpp"
#include "dsflow/device.hpp"

namespace {

constexpr const char* no_driver =
  "no CUDA device: cudaErrorInsufficientDriver (CUDA driver version is insufficient for CUDA "
  "runtime version); no NVIDIA driver is loaded";

std::string runtime_error_of(const std::string& requested, int count) {
  try {
    ds::resolve_device(requested, count, count == 0 ? no_driver : "");
  } catch (const std::invalid_argument& e) {
    return std::string{"invalid_argument: "} + e.what();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

} // namespace

BOOST_AUTO_TEST_CASE(cpu_resolves_to_the_cpu_with_or_without_a_gpu) {
  for (int count : {0, 2}) {
    auto device = ds::resolve_device("cpu", count, count == 0 ? no_driver : "");
    BOOST_TEST(device.name == "cpu");
    BOOST_TEST(!device.is_cuda());
    BOOST_TEST(device.notice.empty());
  }
}

BOOST_AUTO_TEST_CASE(auto_without_a_gpu_runs_on_the_cpu_and_says_why_in_one_line) {
  auto device = ds::resolve_device("auto", 0, no_driver);
  BOOST_TEST(device.name == "cpu");
  BOOST_TEST(device.ordinal == -1);
  BOOST_TEST(device.notice.find("cudaErrorInsufficientDriver") != std::string::npos,
             device.notice);
  BOOST_TEST(device.notice.ends_with("running on the CPU"), device.notice);
  BOOST_TEST(device.notice.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(auto_with_a_gpu_takes_cuda_0) {
  auto device = ds::resolve_device("auto", 2, "");
  BOOST_TEST(device.name == "cuda:0");
  BOOST_TEST(device.ordinal == 0);
  BOOST_TEST(device.notice.empty());
}

BOOST_AUTO_TEST_CASE(an_existing_cuda_device_resolves_to_itself) {
  auto device = ds::resolve_device("cuda:1", 2, "");
  BOOST_TEST(device.name == "cuda:1");
  BOOST_TEST(device.ordinal == 1);
  BOOST_TEST(ds::resolve_device("cuda:01", 2, "").name == "cuda:1");
}

BOOST_AUTO_TEST_CASE(a_missing_cuda_device_is_an_error_naming_it_and_the_count) {
  const auto without_gpu = runtime_error_of("cuda:0", 0);
  BOOST_TEST(without_gpu.find("cuda:0 does not exist") != std::string::npos, without_gpu);
  BOOST_TEST(without_gpu.find("0 usable CUDA devices") != std::string::npos, without_gpu);
  BOOST_TEST(without_gpu.find("cudaErrorInsufficientDriver") != std::string::npos, without_gpu);
  BOOST_TEST(runtime_error_of("cuda:3", 2)
             == "device cuda:3 does not exist: this machine has 2 usable CUDA devices (cuda:0 "
                "to cuda:1)");
  BOOST_TEST(runtime_error_of("cuda:1", 1).find("1 usable CUDA device (cuda:0 to cuda:0)")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(text_that_is_no_device_is_an_invalid_argument) {
  for (const char* text : {"gpu", "cuda:x", "cuda:", "cuda:-1", "CUDA:0", "", "cuda:0 ",
                           "cuda:99999999999999999999"}) {
    const auto error = runtime_error_of(text, 4);
    BOOST_TEST(error.starts_with("invalid_argument: invalid device '"), text << ": " << error);
    BOOST_TEST(error.find("expected cpu, cuda:N") != std::string::npos, error);
  }
}

BOOST_AUTO_TEST_CASE(this_machine_resolves_auto_by_its_own_census) {
  const int count = ds::kernels::cuda::cuda_devices();
  auto device = ds::resolve_device("auto");
  BOOST_TEST_MESSAGE("auto -> " << device.name << (device.notice.empty() ? "" : "; ")
                                << device.notice);
  BOOST_TEST(device.name == (count > 0 ? "cuda:0" : "cpu"));
  BOOST_TEST(device.notice.empty() == (count > 0));
  if (count == 0)
    BOOST_CHECK_THROW(ds::resolve_device("cuda:0"), std::runtime_error);
  BOOST_CHECK_THROW(ds::resolve_device("cuda:" + std::to_string(count)), std::runtime_error);
}
