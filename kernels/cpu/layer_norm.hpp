#pragma once
/// Layer normalization over the last dimension of a row-major [rows, cols] matrix, forward and
/// backward: `y = (x - mean) * rstd * gamma + beta`, rstd = 1 / sqrt(var + epsilon), var the
/// biased (population) variance of the row.
///
/// The forward saves per-row `mean` and `rstd` ([rows] each, caller-owned) for the backward.
/// Statistics use a two-pass mean/variance, which stays accurate when |mean| >> stddev.
/// Single-threaded, reentrant, never fails.

#include "registry.hpp"
#include "result.hpp"

#include <cstddef>

namespace ds::kernels {

struct layer_norm_shape {
  std::size_t rows = 0;
  std::size_t cols = 0;
  float epsilon = 1e-5f;
};

/// The validated shape, or an invalid_argument status naming the op and the bad dimension (or
/// epsilon <= 0).
result<layer_norm_shape> setup_layer_norm(std::size_t rows, std::size_t cols,
                                          float epsilon = 1e-5f);

/// y[rows,cols], mean[rows], rstd[rows] from x[rows,cols], gamma[cols], beta[cols].
void layer_norm_forward(const layer_norm_shape& shape, float* y, float* mean, float* rstd,
                        const float* x, const float* gamma, const float* beta,
                        backend on = dispatch(op::layer_norm_forward)) noexcept;

/// dx[rows,cols], dgamma[cols], dbeta[cols] (all overwritten) from dy, x and the saved
/// mean/rstd.
void layer_norm_backward(const layer_norm_shape& shape, float* dx, float* dgamma, float* dbeta,
                         const float* dy, const float* x, const float* mean, const float* rstd,
                         const float* gamma,
                         backend on = dispatch(op::layer_norm_backward)) noexcept;

} // namespace ds::kernels
