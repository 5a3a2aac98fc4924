#include "cuda/device.hpp"

#include <string>

#ifdef DS_KERNELS_CUDA
#include <cuda_runtime_api.h>
#endif

namespace ds::kernels::cuda {

namespace {

struct device_census {
  int usable = 0;
  std::string reason;
};

#ifdef DS_KERNELS_CUDA

std::string describe(const char* what, cudaError_t code) {
  return std::string{what} + ": " + cudaGetErrorName(code) + " (" + cudaGetErrorString(code) + ")";
}

device_census take_census() {
  int count = 0;
  const cudaError_t code = cudaGetDeviceCount(&count);
  if (code != cudaSuccess) {
    // cudaErrorInsufficientDriver without a driver (or one older than the runtime),
    // cudaErrorNoDevice without a GPU. Clear the sticky last-error state for later callers.
    (void)cudaGetLastError();
    int driver = 0;
    const bool has_driver = cudaDriverGetVersion(&driver) == cudaSuccess && driver > 0;
    (void)cudaGetLastError();
    std::string reason = describe("no CUDA device", code);
    if (code == cudaErrorInsufficientDriver)
      reason += has_driver ? "; the driver supports CUDA " + std::to_string(driver / 1000) + "."
                               + std::to_string(driver % 1000 / 10) + ", older than the runtime"
                           : "; no NVIDIA driver is loaded";
    return {0, reason};
  }
  if (count <= 0)
    return {0, "no CUDA device: cudaGetDeviceCount found none"};
  for (int device = 0; device < count; ++device) {
    int major = 0;
    int minor = 0;
    const cudaError_t major_code =
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device);
    const cudaError_t minor_code =
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device);
    if (major_code != cudaSuccess || minor_code != cudaSuccess) {
      (void)cudaGetLastError();
      return {0, describe(("cannot query CUDA device " + std::to_string(device)).c_str(),
                          major_code != cudaSuccess ? major_code : minor_code)};
    }
    if (major * 10 + minor < min_compute_capability)
      return {0, "CUDA device " + std::to_string(device) + " has compute capability "
                   + std::to_string(major) + "." + std::to_string(minor)
                   + "; the kernels are built for sm_80 and sm_90 (select newer GPUs with "
                     "CUDA_VISIBLE_DEVICES)"};
  }
  return {count, {}};
}

#else

device_census take_census() {
  return {0, "no CUDA device: this build has no CUDA kernels (meson option cuda disabled, "
             "or nvcc/cudart/cublas not found)"};
}

#endif

const device_census& census() noexcept {
  static const device_census result = [] {
    try {
      return take_census();
    } catch (...) { // std::bad_alloc while building the reason
      return device_census{0, {}};
    }
  }();
  return result;
}

} // namespace

int cuda_devices() noexcept {
  return census().usable;
}

std::string_view cuda_unavailable_reason() noexcept {
  const auto& result = census();
  if (result.usable == 0 && result.reason.empty())
    return "no CUDA device: out of memory while probing";
  return result.reason;
}

} // namespace ds::kernels::cuda
