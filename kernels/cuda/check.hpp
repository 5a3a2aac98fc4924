#pragma once
/// The one way a CUDA or cuBLAS return code becomes a `ds::status`: DS_CUDA_CHECK and
/// DS_CUBLAS_CHECK evaluate the call once and, on failure, return from the enclosing function
/// (which returns `ds::status` or a `result<T>`) a status naming the call, the file:line and
/// the code's name and text, e.g.
///
///   cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream) failed at
///   ../kernels/cuda/gemm.cu:42: cudaErrorInvalidValue (invalid argument)
///
/// The code is converted here, where it arises, and nowhere else. errc::unsupported means no
/// usable device, driver or kernel image; everything else is errc::internal.

#include "status.hpp"

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

namespace ds::kernels::cuda {

/// The status for a failed CUDA runtime call; `code` must not be cudaSuccess.
status cuda_failure(cudaError_t code, const char* call, const char* file, int line);

/// The status for a failed cuBLAS call; `code` must not be CUBLAS_STATUS_SUCCESS.
status cublas_failure(cublasStatus_t code, const char* call, const char* file, int line);

} // namespace ds::kernels::cuda

#define DS_CUDA_CHECK(call)                                                                     \
  do {                                                                                          \
    const cudaError_t ds_cuda_code_ = (call);                                                   \
    if (ds_cuda_code_ != cudaSuccess)                                                           \
      return ::ds::kernels::cuda::cuda_failure(ds_cuda_code_, #call, __FILE__, __LINE__);       \
  } while (false)

#define DS_CUBLAS_CHECK(call)                                                                   \
  do {                                                                                          \
    const cublasStatus_t ds_cublas_code_ = (call);                                              \
    if (ds_cublas_code_ != CUBLAS_STATUS_SUCCESS)                                               \
      return ::ds::kernels::cuda::cublas_failure(ds_cublas_code_, #call, __FILE__, __LINE__);   \
  } while (false)
