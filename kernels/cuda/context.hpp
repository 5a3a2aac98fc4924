#pragma once
/// What every CUDA run function takes besides its operands: the stream to enqueue on, the
/// cuBLAS handle for the ops built on GEMMs, and the GEMM precision.
///
/// Calling convention of `kernels/cuda/<op>.cuh` (the CUDA twin of `cpu/<op>.hpp`):
///   status <op>(const <op>_shape& shape, outputs..., inputs..., const stream_context& on);
/// - `shape` comes from the same setup function as the CPU op (`setup_gemm`, ...), so both
///   backends accept exactly the same shapes;
/// - every pointer is DEVICE memory of the device current on the calling thread
///   (cudaSetDevice), laid out exactly as the CPU contract says;
/// - the call is asynchronous: it enqueues kernels on `on.stream` and returns. The status
///   reports a failure to enqueue (bad launch, cuBLAS error, missing handle); a fault during
///   execution shows up at the next synchronizing call on that stream;
/// - scratch, where an op needs it, is caller-owned device memory; its size is the CPU
///   shape's `scratch_floats` unless the .cuh says otherwise.
/// A stream_context may be used by one thread at a time (cuBLAS handles are not thread-safe).

#include "status.hpp"

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <string_view>

namespace ds::kernels::cuda {

/// How cuBLAS multiplies float32 matrices; inputs, outputs and accumulation stay float32.
enum class gemm_precision : std::uint8_t {
  fp32, ///< Exact float32 FMA (CUBLAS_COMPUTE_32F): the default, matches the CPU to ~1e-6.
  tf32, ///< Tensor Cores with inputs rounded to TF32 (10-bit mantissa), ~1e-3 relative.
  bf16, ///< Tensor Cores with inputs rounded to bfloat16 (7-bit mantissa), ~1e-2 relative.
};

/// "fp32", "tf32", "bf16".
std::string_view to_string(gemm_precision precision) noexcept;

/// Non-owning: the caller keeps the stream and the handle alive while work is in flight.
struct stream_context {
  cudaStream_t stream = nullptr;   ///< nullptr: the legacy default stream.
  cublasHandle_t blas = nullptr;   ///< Needed by gemm, attention and conv2d; else may be null.
  gemm_precision precision = gemm_precision::fp32; ///< For gemm, attention and conv2d.
};

/// An owned cuBLAS handle. Creating one initializes the CUDA context of the current device.
class blas_handle {
public:
  blas_handle() = default;
  blas_handle(const blas_handle&) = delete;
  blas_handle& operator=(const blas_handle&) = delete;
  blas_handle(blas_handle&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }
  blas_handle& operator=(blas_handle&& other) noexcept;
  ~blas_handle();

  /// Creates the handle on the current device; fails (errc::unsupported or internal, with the
  /// cuBLAS code) without a usable GPU. Replaces a handle this object already held.
  status open();

  cublasHandle_t get() const noexcept { return handle_; }

private:
  cublasHandle_t handle_ = nullptr;
};

} // namespace ds::kernels::cuda
