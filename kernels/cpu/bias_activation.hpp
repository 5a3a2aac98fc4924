#pragma once
/// Fused bias add and activation over a row-major [rows, cols] matrix, forward and backward:
/// `y[r,c] = act(x[r,c] + bias[c])`.
///
/// GELU is the tanh approximation (GPT-2, PyTorch `approximate="tanh"`). The backward
/// recomputes the pre-activation from `x` and `bias` instead of saving it, trading a few flops
/// for one [rows, cols] buffer. Run functions are single-threaded, reentrant and never fail;
/// `x` and `y` may alias in the forward, `dy` and `dx` may alias in the backward.

#include "registry.hpp"
#include "result.hpp"

#include <cstddef>

namespace ds::kernels {

enum class activation : unsigned char { identity, relu, gelu };

struct bias_activation_shape {
  std::size_t rows = 0;
  std::size_t cols = 0;
  activation act = activation::identity;
};

/// The validated shape, or an invalid_argument status naming the op and the zero dimension.
result<bias_activation_shape> setup_bias_activation(std::size_t rows, std::size_t cols,
                                                     activation act);

/// y[rows,cols] = act(x + bias[cols]).
void bias_activation_forward(const bias_activation_shape& shape, float* y, const float* x,
                             const float* bias,
                             backend on = dispatch(op::bias_activation_forward)) noexcept;

/// dx[rows,cols] = dy * act'(x + bias); dbias[cols] = column sums of dx (overwritten, not
/// accumulated).
void bias_activation_backward(const bias_activation_shape& shape, float* dx, float* dbias,
                              const float* dy, const float* x, const float* bias,
                              backend on = dispatch(op::bias_activation_backward)) noexcept;

} // namespace ds::kernels
