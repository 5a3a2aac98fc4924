#pragma once
/// Fused bias add + activation on device memory: the CUDA twin of cpu/bias_activation.hpp
/// (same shapes, same tanh-approximation GELU). Calling convention: cuda/context.hpp.
/// `x` and `y` may alias in the forward, `dy` and `dx` in the backward. The column sums of
/// dbias are a fixed-order tree per column: deterministic from run to run.

#include "cpu/bias_activation.hpp"
#include "cuda/context.hpp"

namespace ds::kernels::cuda {

/// y[rows,cols] = act(x + bias[cols]).
status bias_activation_forward(const bias_activation_shape& shape, float* y, const float* x,
                               const float* bias, const stream_context& on);

/// dx = dy * act'(x + bias); dbias[cols] = column sums of dx (overwritten).
status bias_activation_backward(const bias_activation_shape& shape, float* dx, float* dbias,
                                const float* dy, const float* x, const float* bias,
                                const stream_context& on);

} // namespace ds::kernels::cuda
