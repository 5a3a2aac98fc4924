#pragma once
/// GEMM on device memory through cuBLAS: the CUDA twin of cpu/gemm.hpp, same row-major
/// layouts and the same validated `gemm_shape`. The calling convention is in cuda/context.hpp.
///
/// `on.precision` picks the cuBLAS compute type: fp32 (exact float32), tf32 or bf16 (Tensor
/// Cores, inputs rounded, float32 accumulation and output). With beta == 0, `c` is not read.
/// Needs `on.blas`; fails with invalid_argument without it.

#include "cpu/gemm.hpp"
#include "cuda/context.hpp"

#include <cstddef>

namespace ds::kernels::cuda {

/// c[m,n] = alpha * op(a) * op(b) + beta * c on `on.stream`.
status gemm(const gemm_shape& shape, float* c, const float* a, const float* b, float alpha,
            float beta, const stream_context& on);

/// `count` independent GEMMs of one shape: matrix i of c, a, b starts at c + i * stride_c,
/// a + i * stride_a, b + i * stride_b (strides in floats). `count` must be <= 2^31-1.
status gemm_strided_batched(const gemm_shape& shape, std::size_t count, float* c,
                            std::size_t stride_c, const float* a, std::size_t stride_a,
                            const float* b, std::size_t stride_b, float alpha, float beta,
                            const stream_context& on);

} // namespace ds::kernels::cuda
