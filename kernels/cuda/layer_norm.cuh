#pragma once
/// Layer normalization on device memory: the CUDA twin of cpu/layer_norm.hpp (two-pass
/// statistics, biased variance, saved mean/rstd). Calling convention: cuda/context.hpp.
/// One block per row for the row statistics and dx; dgamma/dbeta are fixed-order column sums,
/// computed before dx is written. Deterministic.

#include "cpu/layer_norm.hpp"
#include "cuda/context.hpp"

namespace ds::kernels::cuda {

/// y[rows,cols], mean[rows], rstd[rows] from x[rows,cols], gamma[cols], beta[cols].
status layer_norm_forward(const layer_norm_shape& shape, float* y, float* mean, float* rstd,
                          const float* x, const float* gamma, const float* beta,
                          const stream_context& on);

/// dx[rows,cols], dgamma[cols], dbeta[cols] (all overwritten) from dy, x and the saved
/// mean/rstd.
status layer_norm_backward(const layer_norm_shape& shape, float* dx, float* dgamma,
                           float* dbeta, const float* dy, const float* x, const float* mean,
                           const float* rstd, const float* gamma, const stream_context& on);

} // namespace ds::kernels::cuda
