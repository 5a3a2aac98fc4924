#include "cuda/gemm.cuh"

#include "cuda/check.hpp"

#include <climits>
#include <string>

namespace ds::kernels::cuda {

namespace {

cublasComputeType_t compute_type(gemm_precision precision) {
  switch (precision) {
    case gemm_precision::tf32:
      return CUBLAS_COMPUTE_32F_FAST_TF32;
    case gemm_precision::bf16:
      return CUBLAS_COMPUTE_32F_FAST_16BF;
    case gemm_precision::fp32:
      break;
  }
  return CUBLAS_COMPUTE_32F;
}

// cuBLAS is column-major. A row-major [r, c] matrix is the column-major [c, r] matrix, its
// transpose, so the row-major C = op(A) op(B) is computed as the column-major
// C^T = op(B)^T op(A)^T: swap the operands and the m/n sizes, keep each operand's op flag.
// Leading dimensions are the stored row lengths, as for cblas_sgemm with CblasRowMajor.
struct column_major_call {
  cublasOperation_t op_first;  // applied to b
  cublasOperation_t op_second; // applied to a
  int rows;                    // n
  int cols;                    // m
  int depth;                   // k
  int ld_b;
  int ld_a;
  int ld_c;
};

column_major_call translate(const gemm_shape& s) {
  const int m = static_cast<int>(s.m);
  const int n = static_cast<int>(s.n);
  const int k = static_cast<int>(s.k);
  return {s.transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
          s.transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N,
          n,
          m,
          k,
          s.transpose_b ? k : n,
          s.transpose_a ? m : k,
          n};
}

status require_handle(const stream_context& on) {
  if (on.blas == nullptr)
    return {errc::invalid_argument,
            "cuda gemm: stream_context.blas is null (open a cuda::blas_handle first)"};
  return status::ok();
}

} // namespace

status gemm(const gemm_shape& shape, float* c, const float* a, const float* b, float alpha,
            float beta, const stream_context& on) {
  if (auto missing = require_handle(on); !missing.is_ok())
    return missing;
  const column_major_call call = translate(shape);
  DS_CUBLAS_CHECK(cublasSetStream(on.blas, on.stream));
  DS_CUBLAS_CHECK(cublasGemmEx(on.blas, call.op_first, call.op_second, call.rows, call.cols,
                               call.depth, &alpha, b, CUDA_R_32F, call.ld_b, a, CUDA_R_32F,
                               call.ld_a, &beta, c, CUDA_R_32F, call.ld_c,
                               compute_type(on.precision), CUBLAS_GEMM_DEFAULT));
  return status::ok();
}

status gemm_strided_batched(const gemm_shape& shape, std::size_t count, float* c,
                            std::size_t stride_c, const float* a, std::size_t stride_a,
                            const float* b, std::size_t stride_b, float alpha, float beta,
                            const stream_context& on) {
  if (auto missing = require_handle(on); !missing.is_ok())
    return missing;
  if (count == 0 || count > static_cast<std::size_t>(INT_MAX))
    return {errc::invalid_argument,
            "cuda gemm_strided_batched: count must be in [1, 2^31-1] (got "
              + std::to_string(count) + ")"};
  const column_major_call call = translate(shape);
  DS_CUBLAS_CHECK(cublasSetStream(on.blas, on.stream));
  DS_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
    on.blas, call.op_first, call.op_second, call.rows, call.cols, call.depth, &alpha, b,
    CUDA_R_32F, call.ld_b, static_cast<long long>(stride_b), a, CUDA_R_32F, call.ld_a,
    static_cast<long long>(stride_a), &beta, c, CUDA_R_32F, call.ld_c,
    static_cast<long long>(stride_c), static_cast<int>(count), compute_type(on.precision),
    CUBLAS_GEMM_DEFAULT));
  return status::ok();
}

} // namespace ds::kernels::cuda
