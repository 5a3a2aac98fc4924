#include "cuda/check.hpp"

#include <string>

namespace ds::kernels::cuda {

namespace {

std::string where(const char* call, const char* file, int line) {
  return std::string{call} + " failed at " + file + ":" + std::to_string(line) + ": ";
}

} // namespace

status cuda_failure(cudaError_t code, const char* call, const char* file, int line) {
  const bool no_device = code == cudaErrorNoDevice || code == cudaErrorInsufficientDriver
                         || code == cudaErrorNoKernelImageForDevice;
  return {no_device ? errc::unsupported : errc::internal,
          where(call, file, line) + cudaGetErrorName(code) + " (" + cudaGetErrorString(code) + ")"};
}

} // namespace ds::kernels::cuda
