// cublas_failure lives apart from cuda_failure (check.cpp): check.cpp is part of dskernels,
// which links cudart only, while this file needs libcublas and belongs to dskernels_cuda.
#include "cuda/check.hpp"

#include <string>

namespace ds::kernels::cuda {

status cublas_failure(cublasStatus_t code, const char* call, const char* file, int line) {
  return {code == CUBLAS_STATUS_ARCH_MISMATCH || code == CUBLAS_STATUS_NOT_SUPPORTED
            ? errc::unsupported
            : errc::internal,
          std::string{call} + " failed at " + file + ":" + std::to_string(line) + ": "
            + cublasGetStatusName(code) + " (" + cublasGetStatusString(code) + ")"};
}

} // namespace ds::kernels::cuda
